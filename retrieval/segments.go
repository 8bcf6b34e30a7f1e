package retrieval

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/verbatim-bot/verbatim/corpus"
)

// errIndexDamaged is wrapped by every error that says the search index is
// damaged: a segment that does not match its checksum, or a read of it
// that panicked or faulted. The index is derived, so a damaged one is
// rebuilt from the store.
var errIndexDamaged = errors.New("the search index is damaged")

// verifiedFile, in the index directory, records the segments already
// checked against their checksums, so that each is read once, not at every
// open. Segments never change once written (scorch writes new ones and
// deletes old ones), so a segment of the same name, size and modification
// time is the one verified.
const verifiedFile = "verbatim-verified.json"

// verifiedSegment is what verifiedFile records of one segment.
type verifiedSegment struct {
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mod_time"`
}

// zapFooterCRC is the size of the CRC-32 that ends every zap segment file:
// IEEE, big-endian, of every byte before it.
const zapFooterCRC = 4

// verify checks every segment the index uses (not stale files a killed
// process left, which scorch ignores and deletes) against the CRC-32 in
// its footer, and returns an error wrapping errIndexDamaged for the first
// that does not match. With all, every segment is read (check); otherwise
// only those verifiedFile does not record (open), and when record is set
// the record is brought up to date.
func (x *sourceIndex) verify(all, record bool) error {
	paths, err := x.segmentPaths()
	if err != nil {
		return err
	}
	known := readVerified(x.dir)
	now := map[string]verifiedSegment{}
	for _, path := range paths {
		fi, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("%w: segment %s: %v", errIndexDamaged, filepath.Base(path), err)
		}
		name := filepath.Base(path)
		seg := verifiedSegment{Size: fi.Size(), ModTime: fi.ModTime().UTC()}
		if k, ok := known[name]; !ok || all || k.Size != seg.Size || !k.ModTime.Equal(seg.ModTime) {
			if err := verifySegment(path); err != nil {
				return err
			}
		}
		now[name] = seg
	}
	if record {
		writeVerified(x.dir, now)
	}
	return nil
}

// withSegmentPaths calls fn with the files of the segments the index's
// present snapshot uses, holding the snapshot meanwhile: none of them is
// closed (or its mapping given up) before fn returns.
func (x *sourceIndex) withSegmentPaths(fn func(paths []string) error) error {
	return guardIndex(func() error {
		adv, err := x.idx.Advanced()
		if err != nil {
			return err
		}
		r, err := adv.Reader()
		if err != nil {
			return err
		}
		defer r.Close()
		return fn(snapshotSegmentPaths(r))
	})
}

// segmentPaths returns the files of the segments the index's present
// snapshot uses.
func (x *sourceIndex) segmentPaths() (paths []string, err error) {
	err = x.withSegmentPaths(func(p []string) error {
		paths = p
		return nil
	})
	return paths, err
}

// snapshotSegmentPaths returns the files of the persisted segments of the
// reader r, a scorch snapshot (none for another reader).
func snapshotSegmentPaths(r index.IndexReader) []string {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok || snap == nil {
		return nil
	}
	var paths []string
	for _, ss := range snap.Segments() {
		if p, ok := ss.Segment().(interface{ Path() string }); ok {
			paths = append(paths, p.Path())
		}
	}
	return paths
}

// verifySegment checks one segment file against its footer's CRC-32.
func verifySegment(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading search index segment %s: %w", filepath.Base(path), err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("reading search index segment %s: %w", filepath.Base(path), err)
	}
	if fi.Size() < 64 {
		return fmt.Errorf("%w: segment %s is %d bytes, too short to be whole", errIndexDamaged, filepath.Base(path), fi.Size())
	}
	h := crc32.NewIEEE()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, fi.Size()-zapFooterCRC)); err != nil {
		return fmt.Errorf("reading search index segment %s: %w", filepath.Base(path), err)
	}
	var want [zapFooterCRC]byte
	if _, err := f.ReadAt(want[:], fi.Size()-zapFooterCRC); err != nil {
		return fmt.Errorf("reading search index segment %s: %w", filepath.Base(path), err)
	}
	if h.Sum32() != binary.BigEndian.Uint32(want[:]) {
		return fmt.Errorf("%w: segment %s does not match its checksum", errIndexDamaged, filepath.Base(path))
	}
	return nil
}

// readVerified reads verifiedFile; a missing or unreadable one records
// nothing (every segment is then read once more).
func readVerified(dir string) map[string]verifiedSegment {
	b, err := os.ReadFile(filepath.Join(dir, verifiedFile))
	if err != nil {
		return nil
	}
	var m map[string]verifiedSegment
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return m
}

// writeVerified replaces verifiedFile whole (a new file renamed over it).
// Failing to write it only costs reading the segments again next time.
func writeVerified(dir string, m map[string]verifiedSegment) {
	b, err := json.Marshal(m)
	if err != nil {
		return
	}
	tmp := filepath.Join(dir, verifiedFile+".new")
	if os.WriteFile(tmp, b, 0o600) != nil || os.Rename(tmp, filepath.Join(dir, verifiedFile)) != nil {
		os.Remove(tmp)
	}
}

// guardIndex runs fn so that a panic or a memory fault while bleve reads
// the index (zap segments are memory-mapped, and a damaged one makes reads
// go out of range) becomes an error wrapping errIndexDamaged instead of
// ending the process (see corpus.Guarded).
func guardIndex(fn func() error) error {
	p, err := corpus.Guarded(fn)
	if p != nil {
		return fmt.Errorf("%w: reading it failed (%s)", errIndexDamaged, strings.Join(strings.Fields(fmt.Sprint(p)), " "))
	}
	return err
}
