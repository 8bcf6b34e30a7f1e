package corpus

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A backup is a JSON Lines file, the whole library in a stable order:
//
//	{"format":"verbatim-backup","version":2,"seeded":true}
//	{"source":{...a Source as `verbatim show --json` prints it...},"snapshot":"<base64>"}
//	...one line per source, in increasing id (byte) order...
//	{"record":{"kind":"feed","key":"...","value":"<base64>"}}
//	...one line per record (a followed feed and its state), in (kind, key) order...
//	{"end":{"sources":N,"records":M}}
//
// The header names the format and its version, so that a later verbatim can
// read an older backup; seeded says whether the library had ever been given
// the seed articles (so a restored library does not get them again). Every
// source is there, superseded versions and seeds included, with its id,
// spans, hashes, times and provenance exactly as stored; "snapshot" is the
// bytes the source was made from (absent when it has none). The end record
// counts the sources and records, so a truncated file is recognised. The
// records (version 2) are the store's other state, a followed feed with its
// polling state (Store.Records), so that a library moved from one store to
// another keeps following what it followed. Nothing in a backup
// depends on when it was written: exporting a restored library gives the
// same bytes.

// BackupFormat names Verbatim's backup files in their header line.
const BackupFormat = "verbatim-backup"

// BackupVersion is the version of the backup format this verbatim writes.
// It reads every version from 1 up to it.
const BackupVersion = 2

// MaxBackupLineBytes is the longest line a backup reader accepts: room for
// the largest article file (MaxFileBytes) as snapshot and text, encoded.
const MaxBackupLineBytes = 128 << 20

// ErrBadBackup is wrapped by every error about the content of a backup file.
var ErrBadBackup = errors.New("not a whole, valid verbatim backup")

// BackupError is a problem with one line of a backup file.
type BackupError struct {
	Line int // 1-based; the header is line 1
	Err  error
}

func (e *BackupError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap lets errors.Is match both ErrBadBackup and the cause.
func (e *BackupError) Unwrap() []error { return []error{ErrBadBackup, e.Err} }

// BackupHeader is the first line of a backup.
type BackupHeader struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	// Seeded says that the seed articles had been loaded into the library
	// (whether or not they are still in it).
	Seeded bool `json:"seeded"`
}

// backupLine is a line after the header: a source, a record or the end
// record.
type backupLine struct {
	Source   *Source       `json:"source,omitempty"`
	Snapshot []byte        `json:"snapshot,omitzero"`
	Record   *BackupRecord `json:"record,omitempty"`
	End      *backupEnd    `json:"end,omitempty"`
}

// BackupRecord is one of the store's records (Store.Records) in a backup.
type BackupRecord struct {
	Kind  string `json:"kind"`
	Key   string `json:"key"`
	Value []byte `json:"value"`
}

// after reports whether r comes after o in a backup's order of records.
func (r BackupRecord) after(o BackupRecord) bool {
	return r.Kind > o.Kind || r.Kind == o.Kind && r.Key > o.Key
}

type backupEnd struct {
	Sources int `json:"sources"`
	Records int `json:"records,omitempty"`
}

// BackupWriter writes a backup, one line per source. Sources must be
// written in increasing id order (as Store.EachSource gives them); Close
// writes the end record. Output is buffered.
type BackupWriter struct {
	w       *bufio.Writer
	enc     *json.Encoder
	n       int
	lastID  string
	records int
	last    BackupRecord
}

// NewBackupWriter writes the header line of a backup of the current format
// and version to w.
func NewBackupWriter(w io.Writer, h BackupHeader) (*BackupWriter, error) {
	h.Format, h.Version = BackupFormat, BackupVersion
	bw := &BackupWriter{w: bufio.NewWriterSize(w, 1<<16)}
	bw.enc = json.NewEncoder(bw.w)
	bw.enc.SetEscapeHTML(false)
	if err := bw.enc.Encode(h); err != nil {
		return nil, fmt.Errorf("writing the backup header: %w", err)
	}
	return bw, nil
}

// Write writes one source, with its snapshot.
func (bw *BackupWriter) Write(src Source) error {
	if bw.records > 0 {
		return fmt.Errorf("writing source %s: sources must come before the records", src.ID)
	}
	if bw.n > 0 && src.ID <= bw.lastID {
		return fmt.Errorf("writing source %s: sources must come in increasing id order (after %s)", src.ID, bw.lastID)
	}
	snap := src.Snapshot
	if err := bw.enc.Encode(backupLine{Source: &src, Snapshot: snap}); err != nil {
		return fmt.Errorf("writing source %s: %w", src.ID, err)
	}
	bw.n++
	bw.lastID = src.ID
	return nil
}

// WriteRecord writes one of the store's records, after every source, in
// increasing (kind, key) order.
func (bw *BackupWriter) WriteRecord(r BackupRecord) error {
	if r.Kind == "" {
		return fmt.Errorf("writing a record of key %q: it has no kind", r.Key)
	}
	if bw.records > 0 && !r.after(bw.last) {
		return fmt.Errorf("writing record %s/%s: records must come in increasing (kind, key) order (after %s/%s)", r.Kind, r.Key, bw.last.Kind, bw.last.Key)
	}
	if err := bw.enc.Encode(backupLine{Record: &r}); err != nil {
		return fmt.Errorf("writing record %s/%s: %w", r.Kind, r.Key, err)
	}
	bw.records++
	bw.last = r
	return nil
}

// Count returns the number of sources written so far.
func (bw *BackupWriter) Count() int { return bw.n }

// Close writes the end record and flushes; the backup is whole only once
// Close returned nil. It does not close the underlying writer.
func (bw *BackupWriter) Close() error {
	if err := bw.enc.Encode(backupLine{End: &backupEnd{Sources: bw.n, Records: bw.records}}); err != nil {
		return fmt.Errorf("writing the backup's end record: %w", err)
	}
	if err := bw.w.Flush(); err != nil {
		return fmt.Errorf("writing the backup: %w", err)
	}
	return nil
}

// BackupReader reads a backup and checks every line as it goes: each source
// must be whole (Validate), of a valid scope, with the id its scope and text
// give, and with the snapshot its hash names; sources come in increasing id
// order (so none is there twice), and the end record must be there and count
// them. Every error is a *BackupError naming the line.
type BackupReader struct {
	r       *bufio.Reader
	buf     []byte
	line    int
	header  BackupHeader
	n       int
	lastID  string
	records []BackupRecord
	done    bool
}

// NewBackupReader reads and checks the header line of a backup.
func NewBackupReader(r io.Reader) (*BackupReader, error) {
	br := &BackupReader{r: bufio.NewReaderSize(r, 1<<16)}
	b, err := br.readLine()
	if errors.Is(err, io.EOF) {
		return nil, br.fail(errors.New("the file is empty"))
	}
	if err != nil {
		return nil, err
	}
	var loose struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(b, &loose); err != nil || loose.Format != BackupFormat {
		return nil, br.fail(fmt.Errorf(`no {"format":%q} header: this is not a verbatim backup`, BackupFormat))
	}
	if loose.Version < 1 || loose.Version > BackupVersion {
		return nil, br.fail(fmt.Errorf("backup format version %d is not one this verbatim reads (1 to %d); a newer verbatim wrote it: upgrade verbatim", loose.Version, BackupVersion))
	}
	if err := strictJSON(b, &br.header); err != nil {
		return nil, br.fail(fmt.Errorf("header: %w", err))
	}
	return br, nil
}

// Header returns the backup's header.
func (br *BackupReader) Header() BackupHeader { return br.header }

// Line returns the number of the last line read.
func (br *BackupReader) Line() int { return br.line }

// Records returns the records the backup holds after its sources; they are
// all there once Next has returned io.EOF.
func (br *BackupReader) Records() []BackupRecord { return br.records }

// Next returns the next source, checked, with its snapshot. After the last
// source it reads the records (Records) and returns io.EOF, once the end
// record was read and nothing follows it.
func (br *BackupReader) Next() (Source, error) {
	for {
		src, isRecord, err := br.next()
		if !isRecord || err != nil {
			return src, err
		}
	}
}

// next reads and checks one line: a source, or (isRecord) a record, which
// it keeps in br.records, or the end record (io.EOF).
func (br *BackupReader) next() (src Source, isRecord bool, err error) {
	if br.done {
		return Source{}, false, io.EOF
	}
	b, err := br.readLine()
	if errors.Is(err, io.EOF) {
		read := fmt.Sprintf("%d sources", br.n)
		if len(br.records) > 0 {
			read += fmt.Sprintf(" and %d records", len(br.records))
		}
		return Source{}, false, &BackupError{Line: br.line, Err: fmt.Errorf("the file ends after %s without its end record: it is truncated", read)}
	}
	if err != nil {
		return Source{}, false, err
	}
	var l backupLine
	if err := strictJSON(b, &l); err != nil {
		return Source{}, false, br.fail(err)
	}
	switch {
	case l.End != nil && l.Source == nil && l.Snapshot == nil && l.Record == nil:
		if l.End.Sources != br.n || l.End.Records != len(br.records) {
			return Source{}, false, br.fail(fmt.Errorf("the end record counts %d sources and %d records, but %d and %d came before it", l.End.Sources, l.End.Records, br.n, len(br.records)))
		}
		if _, err := br.readLine(); !errors.Is(err, io.EOF) {
			if err == nil {
				err = br.fail(errors.New("there is more after the end record"))
			}
			return Source{}, false, err
		}
		br.done = true
		return Source{}, false, io.EOF
	case l.Record != nil && l.Source == nil && l.Snapshot == nil && l.End == nil:
		return Source{}, true, br.addRecord(*l.Record)
	case l.Source == nil || l.End != nil || l.Record != nil:
		return Source{}, false, br.fail(errors.New(`a line must hold one of "source", "record" or "end"`))
	}
	if len(br.records) > 0 {
		return Source{}, false, br.fail(errors.New("a source comes after the records: sources must come first"))
	}
	src = *l.Source
	src.Snapshot = l.Snapshot
	if err := checkBackupSource(&src); err != nil {
		return Source{}, false, br.fail(err)
	}
	if br.n > 0 && src.ID <= br.lastID {
		return Source{}, false, br.fail(fmt.Errorf("source %s comes after %s: sources must be in increasing id order, each once", src.ID, br.lastID))
	}
	br.n++
	br.lastID = src.ID
	return src, false, nil
}

// addRecord checks a record line and keeps it.
func (br *BackupReader) addRecord(r BackupRecord) error {
	switch {
	case br.header.Version < 2:
		return br.fail(errors.New("a record in a backup of version 1, which has none"))
	case r.Kind == "" || strings.ContainsRune(r.Kind, 0) || strings.ContainsRune(r.Key, 0):
		return br.fail(fmt.Errorf("record %q/%q: a kind must be given, and neither may hold a NUL", r.Kind, r.Key))
	case len(br.records) > 0 && !r.after(br.records[len(br.records)-1]):
		return br.fail(fmt.Errorf("record %s/%s is out of order: records must be in increasing (kind, key) order, each once", r.Kind, r.Key))
	}
	br.records = append(br.records, r)
	return nil
}

// fail wraps err as a BackupError of the current line.
func (br *BackupReader) fail(err error) error { return &BackupError{Line: br.line, Err: err} }

// readLine returns the next line without its newline, or io.EOF at the end
// of the input. The last line may lack its newline.
func (br *BackupReader) readLine() ([]byte, error) {
	br.buf = br.buf[:0]
	for {
		chunk, err := br.r.ReadSlice('\n')
		br.buf = append(br.buf, chunk...)
		if len(br.buf) > MaxBackupLineBytes {
			br.line++
			return nil, br.fail(fmt.Errorf("the line is longer than %d MiB", MaxBackupLineBytes>>20))
		}
		switch {
		case err == nil:
			br.line++
			return br.buf[:len(br.buf)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(br.buf) > 0:
			br.line++
			return br.buf, nil
		case errors.Is(err, io.EOF):
			return nil, io.EOF
		default:
			return nil, fmt.Errorf("reading line %d of the backup: %w", br.line+1, err)
		}
	}
}

// strictJSON decodes one JSON value that must fill b, refusing fields this
// verbatim does not know (they would be lost on import).
func strictJSON(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("not a valid record: %w", err)
	}
	if d.More() {
		return errors.New("not a valid record: more than one JSON value on the line")
	}
	return nil
}

// SourceID is the id NewSource gives the source with this scope and text.
func SourceID(scope, text string) string {
	sum := sha256.Sum256([]byte(scope + "\x00" + text))
	return hex.EncodeToString(sum[:6])
}

// checkBackupSource checks what a backup says of one source.
func checkBackupSource(src *Source) error {
	if !ValidScope(src.Scope) {
		return fmt.Errorf("source %s: scope %q is neither %q nor a server id", src.ID, src.Scope, GlobalScope)
	}
	if want := SourceID(src.Scope, src.Text); src.ID != want {
		return fmt.Errorf("source %s: the id does not match its scope and text (they give %s)", src.ID, want)
	}
	if err := src.Validate(); err != nil {
		return err
	}
	if src.SupersededBy == src.ID || src.Previous == src.ID {
		return fmt.Errorf("source %s: names itself as its own version", src.ID)
	}
	switch {
	case src.Snapshot == nil && src.SnapshotSHA256 != "":
		return fmt.Errorf("source %s: its snapshot (sha256 %s) is missing", src.ID, src.SnapshotSHA256)
	case src.Snapshot != nil && src.SnapshotSHA256 == "":
		return fmt.Errorf("source %s: a snapshot is given but the source names none", src.ID)
	case src.Snapshot != nil:
		sum := sha256.Sum256(src.Snapshot)
		if hex.EncodeToString(sum[:]) != src.SnapshotSHA256 || len(src.Snapshot) != src.SnapshotBytes {
			return fmt.Errorf("source %s: the snapshot (%d bytes) does not match its sha256 and size", src.ID, len(src.Snapshot))
		}
	}
	return nil
}

// VerifyBackup reads a whole backup, checking every line as an import
// does, and returns its header and number of sources. It stores nothing.
func VerifyBackup(ctx context.Context, r io.Reader) (BackupHeader, int, error) {
	br, err := NewBackupReader(r)
	if err != nil {
		return BackupHeader{}, 0, err
	}
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return BackupHeader{}, n, err
		}
		if _, err := br.Next(); errors.Is(err, io.EOF) {
			return br.Header(), n, nil
		} else if err != nil {
			return BackupHeader{}, n, err
		}
	}
}

// Walk limits: one read transaction reads at most this many sources, or
// this many bytes of them.
const (
	walkSources = 64
	walkBytes   = 8 << 20
)

// EachSource calls fn with every stored source, whole and with its
// snapshot, in increasing id (byte) order: superseded versions and seeds
// included. It reads a few sources per read transaction and hands them to fn
// outside it, so a slow fn neither holds the store nor makes it keep the
// whole library in memory; a source added or removed during the walk may or
// may not be seen. An error from fn stops the walk and is returned.
func (s *BoltStore) EachSource(ctx context.Context, fn func(Source) error) error {
	type raw struct{ id, info, body, snap []byte }
	var after []byte
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var chunk []raw
		err := s.view(func(tx *bolt.Tx) error {
			bodies, snaps := tx.Bucket(bucketBody), tx.Bucket(bucketSnap)
			c := tx.Bucket(bucketInfo).Cursor()
			k, v := c.First()
			if after != nil {
				if k, v = c.Seek(after); bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			for size := 0; k != nil && len(chunk) < walkSources && size < walkBytes; k, v = c.Next() {
				r := raw{id: bytes.Clone(k), info: bytes.Clone(v), body: bytes.Clone(bodies.Get(k)), snap: bytes.Clone(snaps.Get(k))}
				size += len(r.info) + len(r.body) + len(r.snap)
				chunk = append(chunk, r)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("reading the store: %w", err)
		}
		if len(chunk) == 0 {
			return nil
		}
		for _, r := range chunk {
			src, err := s.decodeWhole(r.id, r.info, r.body, r.snap)
			if err != nil {
				return err
			}
			if err := fn(src); err != nil {
				return err
			}
		}
		after = chunk[len(chunk)-1].id
	}
}

// decodeWhole decodes a source's records as EachSource read them, and
// checks it as import will (checkBackupSource), so that an export never
// writes what import refuses. A record that cannot be decoded or a source
// that is not whole is damage: a *DamageError naming the source.
func (s *BoltStore) decodeWhole(id, info, bd, snap []byte) (Source, error) {
	var src Source
	var b body
	err := json.Unmarshal(info, &src.Info)
	switch {
	case err != nil:
		return src, s.corrupt(id, fmt.Errorf("its record cannot be decoded: %w", err))
	case bd == nil:
		return src, s.corrupt(id, errors.New("its text is missing"))
	}
	if b, err = decodeBody(bd); err != nil {
		return src, s.corrupt(id, fmt.Errorf("its text cannot be decoded: %w", err))
	}
	src.Text, src.Passages, src.Sentences = b.Text, b.Passages, b.Sentences
	if snap != nil {
		if src.Snapshot, err = gunzipBytes(snap); err != nil {
			return src, s.corrupt(id, fmt.Errorf("its snapshot cannot be read: %w", err))
		}
	}
	if err := checkBackupSource(&src); err != nil {
		return src, s.corrupt(id, err)
	}
	return src, nil
}

// Restore stores sources read from a backup exactly as they are (ids,
// spans, times, provenance, snapshots), in one transaction, and returns the
// positions in srcs of those it stored. A source whose id the store already
// holds is skipped and reported in dups by its position, as is a current
// version whose URL a current source of the same scope already has. A
// superseded version (SupersededBy set) is stored without claiming its URL,
// which belongs to the newest version. If any other source cannot be
// stored, nothing is.
func (s *BoltStore) Restore(ctx context.Context, srcs []Source) (stored []int, dups map[int]*ExistsError, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	err = s.update(func(tx *bolt.Tx) error {
		stored, dups = nil, map[int]*ExistsError{}
		for i, src := range srcs {
			if e := restoredTx(tx, src); e != nil {
				dups[i] = e
				continue
			}
			if err := restoreTx(tx, src); err != nil {
				return err
			}
			stored = append(stored, i)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("restoring %d sources: %w", len(srcs), err)
	}
	return stored, dups, nil
}

// restoredTx returns the ExistsError for a restored source the store
// already has: by id, or for a current version also by URL (existsTx).
func restoredTx(tx *bolt.Tx, src Source) *ExistsError {
	if src.SupersededBy == "" {
		return existsTx(tx, src)
	}
	if tx.Bucket(bucketInfo).Get([]byte(src.ID)) != nil {
		return &ExistsError{ID: src.ID, Title: src.Title}
	}
	return nil
}

// restoreTx writes a restored source as putTx does, except that a
// superseded version leaves its URL to whoever had it (or to no one).
func restoreTx(tx *bolt.Tx, src Source) error {
	if src.SupersededBy == "" || src.URL == "" {
		return putTx(tx, src)
	}
	urls := tx.Bucket(bucketURLs)
	key := urlKey(src.Scope, src.URL)
	prev := bytes.Clone(urls.Get(key))
	if err := putTx(tx, src); err != nil {
		return err
	}
	var err error
	if prev != nil {
		err = urls.Put(key, prev)
	} else {
		err = urls.Delete(key)
	}
	if err != nil {
		return fmt.Errorf("storing source %s: %w", src.ID, err)
	}
	return nil
}

// MarkSeeded records that the library had the seed articles (a restored
// backup says so), so that opening it never loads them again. An earlier
// mark is kept as it is.
func (s *BoltStore) MarkSeeded(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta.Get(keySeeded) != nil {
			return nil
		}
		return meta.Put(keySeeded, []byte(time.Now().UTC().Format(time.RFC3339)))
	})
	if err != nil {
		return fmt.Errorf("marking the library seeded: %w", err)
	}
	return nil
}
