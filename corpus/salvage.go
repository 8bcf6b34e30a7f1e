package corpus

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
)

// SalvageNote is one thing Salvage says about a source: that it could not
// be saved (Lost), or how what it saved differs from what was stored.
type SalvageNote struct {
	ID, Title string // Title is "" when the source's record is lost
	Lost      bool
	What      string
}

// SalvageCounts is what Salvage saved and lost.
type SalvageCounts struct {
	// Saved sources were written to the backup, each whole (checked as
	// import checks it). Lost sources were found in part only.
	Saved, Lost int
	// DamagedPages counts pages of the file that could not be read where
	// the store's tree of records says they are; sources recorded only on
	// them are lost without a name.
	DamagedPages int
}

// salvageRef is where a value lies in the file, and whether it was found
// on a page no longer linked from the store's tree.
type salvageRef struct {
	off    int64
	n      int
	orphan bool
}

// salvage is what a Salvage read of a store file collected.
type salvage struct {
	bf   *boltFile
	refs map[string]map[string]salvageRef // bucket → key → value
	// suspect is true when pages outside the tree were read without the
	// freelist to tell which of them had been freed: a source found only
	// there may be one removed before the damage.
	suspect bool
	damaged int
}

// Salvage reads the store file at path without bbolt and writes, as a
// backup (the format Export writes, which import accepts), every source it
// can still read whole, each checked as import checks it (its text against
// its SHA-256, its spans, its id, its snapshot). It first walks the store's
// tree from its newest valid meta record; when pages of the tree are
// damaged or missing, it also reads every leaf page the tree did not reach
// (leaving out those the freelist says are free), so that sources below a
// lost branch are found too. note receives each source lost, and each one
// saved differently from how it was stored (without its snapshot, or
// answering again because its newer version is lost). Run it on a library
// no process has open.
func Salvage(ctx context.Context, path string, w io.Writer, note func(SalvageNote)) (SalvageCounts, error) {
	var n SalvageCounts
	f, err := os.Open(path)
	if err != nil {
		return n, fmt.Errorf("salvaging %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return n, fmt.Errorf("salvaging %s: %w", path, err)
	}
	bf, err := openBoltFile(f, st.Size())
	if err != nil {
		return n, fmt.Errorf("salvaging %s: %w", path, err)
	}
	sv := &salvage{bf: bf, refs: map[string]map[string]salvageRef{}}
	sv.collect()
	n.DamagedPages = sv.damaged
	if sv.damaged > 0 {
		note(SalvageNote{Lost: true, What: fmt.Sprintf("%d pages of the store could not be read; sources recorded only there are lost and cannot be named", sv.damaged)})
	}
	saved, lost := sv.choose(ctx, note)
	keep := make(map[string]bool, len(saved))
	for _, id := range saved {
		keep[id] = true
	}
	n.Lost = lost
	if err := ctx.Err(); err != nil {
		return n, err
	}
	bw, err := NewBackupWriter(w, BackupHeader{Seeded: sv.seeded()})
	if err != nil {
		return n, fmt.Errorf("salvaging: %w", err)
	}
	for _, id := range saved {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		src, _, err := sv.source(id)
		if err != nil {
			return n, fmt.Errorf("salvaging %s: reading it again: %w", id, err)
		}
		if src.SupersededBy != "" && !keep[src.SupersededBy] {
			note(SalvageNote{ID: id, Title: src.Title, What: fmt.Sprintf("its newer version %s is lost, so it answers again", src.SupersededBy)})
			src.SupersededBy = ""
		}
		if err := bw.Write(src); err != nil {
			return n, fmt.Errorf("salvaging: %w", err)
		}
		n.Saved++
	}
	if err := bw.Close(); err != nil {
		return n, fmt.Errorf("salvaging: %w", err)
	}
	return n, nil
}

// collect finds every value of the file: through the tree, and when the
// tree is damaged, on the leaf pages it did not reach.
func (sv *salvage) collect() {
	visited := map[uint64]bool{}
	if sv.bf.metaErr == nil {
		walk := &boltWalk{bf: sv.bf, visited: visited,
			kv:      func(bucket string, e boltElem) { sv.add(bucket, e, false) },
			damaged: func(string, uint64, error) { sv.damaged++ },
		}
		walk.root()
		if sv.damaged == 0 {
			return
		}
	}
	free, err := sv.bf.freePages()
	sv.suspect = err != nil
	last := uint64(sv.bf.size / sv.bf.pageSize)
	for id := uint64(2); id < last; id++ {
		if visited[id] || free[id] {
			continue
		}
		p, err := sv.bf.pageAt(id)
		if err != nil || p.id != id || p.flags != boltLeafPage {
			continue
		}
		es, err := elems(p.flags, p.count, p.buf, p.off)
		if err != nil {
			continue
		}
		for _, e := range es {
			sv.addOrphan(e)
		}
		id += uint64(p.overflow)
	}
}

// addOrphan adds an element of a leaf page found outside the tree, telling
// its bucket by what it holds. A small bucket kept inline is read whole.
func (sv *salvage) addOrphan(e boltElem) {
	if e.bucket {
		_, inline, err := bucketRoot(e.value)
		if err != nil || inline == nil {
			return
		}
		ne := binary.NativeEndian
		flags, count := ne.Uint16(inline[8:]), int(ne.Uint16(inline[10:]))
		ies, err := elems(flags, count, inline, e.valueOff+boltBucketHeader)
		if err != nil || flags != boltLeafPage {
			return
		}
		for _, ie := range ies {
			if !ie.bucket {
				sv.add(string(e.key), ie, true)
			}
		}
		return
	}
	switch {
	case string(e.key) == string(keySeeded) || string(e.key) == string(keySchema):
		sv.add(string(bucketMeta), e, true)
	case !isSourceID(string(e.key)):
	case bytes.HasPrefix(e.value, []byte(`{"id":`)):
		sv.add(string(bucketInfo), e, true)
	case bytes.HasPrefix(e.value, []byte(`{"text":`)):
		sv.add(string(bucketBody), e, true)
	case len(e.value) > 0 && e.value[0] == bodyCompact && compactBodyOK(e.value):
		sv.add(string(bucketBody), e, true)
	case bytes.HasPrefix(e.value, []byte{0x1f, 0x8b}):
		sv.add(string(bucketSnap), e, true)
	}
}

// add records a value. What the tree says wins over an orphan page; of two
// orphan copies of a source's info, the one that says it was superseded
// wins (a source once superseded never becomes current again).
func (sv *salvage) add(bucket string, e boltElem, orphan bool) {
	m := sv.refs[bucket]
	if m == nil {
		m = map[string]salvageRef{}
		sv.refs[bucket] = m
	}
	key := string(e.key)
	if old, ok := m[key]; ok {
		if !old.orphan || bucket != string(bucketInfo) {
			return
		}
		var info Info
		if json.Unmarshal(e.value, &info) != nil || info.SupersededBy == "" {
			return
		}
	}
	m[key] = salvageRef{off: e.valueOff, n: len(e.value), orphan: orphan}
}

// seeded tells whether the store was ever seeded; when its library-wide
// records are lost, it says yes, so that a restore does not bring back
// seed articles that had been removed.
func (sv *salvage) seeded() bool {
	meta := sv.refs[string(bucketMeta)]
	_, seeded := meta[string(keySeeded)]
	_, schema := meta[string(keySchema)]
	return seeded || !schema
}

// choose decides which sources can be saved whole, in increasing id order,
// and tells note of each one lost or saved other than as stored.
func (sv *salvage) choose(ctx context.Context, note func(SalvageNote)) (saved []string, lost int) {
	seen := map[string]bool{}
	for _, b := range []string{string(bucketInfo), string(bucketBody)} {
		for id := range sv.refs[b] {
			if isSourceID(id) {
				seen[id] = true
			}
		}
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if ctx.Err() != nil {
			return saved, lost
		}
		src, notes, err := sv.source(id)
		if err != nil {
			note(SalvageNote{ID: id, Title: src.Title, Lost: true, What: err.Error()})
			lost++
			continue
		}
		for _, what := range notes {
			note(SalvageNote{ID: id, Title: src.Title, What: what})
		}
		saved = append(saved, id)
	}
	return saved, lost
}

// source reads source id whole and checks it as import does. notes say how
// it differs from what was stored; the error says why it cannot be saved.
func (sv *salvage) source(id string) (src Source, notes []string, err error) {
	iref, ok := sv.refs[string(bucketInfo)][id]
	if !ok {
		return src, nil, fmt.Errorf("its record (title, outlet, scope) is lost; its text alone cannot be restored")
	}
	iv, err := sv.bf.readValue(iref.off, iref.n)
	if err == nil {
		err = json.Unmarshal(iv, &src.Info)
	}
	if err != nil {
		return src, nil, fmt.Errorf("its record cannot be read: %v", err)
	}
	bref, ok := sv.refs[string(bucketBody)][id]
	if !ok {
		return src, nil, fmt.Errorf("its text is lost")
	}
	var bd body
	bv, err := sv.bf.readValue(bref.off, bref.n)
	if err == nil {
		bd, err = decodeBody(bv)
	}
	if err != nil {
		return src, nil, fmt.Errorf("its text cannot be read: %v", err)
	}
	src.Text, src.Passages, src.Sentences = bd.Text, bd.Passages, bd.Sentences
	if src.SnapshotSHA256 != "" {
		if why := sv.snapshot(&src); why != "" {
			notes = append(notes, "its snapshot (the file it was made from) "+why+"; saved without it")
			src.SnapshotSHA256, src.SnapshotBytes, src.SnapshotType, src.Snapshot = "", 0, "", nil
		}
	}
	if err := checkBackupSource(&src); err != nil {
		return src, nil, fmt.Errorf("it is not whole: %v", err)
	}
	if sv.suspect && iref.orphan {
		notes = append(notes, "read from a page the store no longer linked: it may be a source removed before the damage; check it")
	}
	return src, notes, nil
}

// snapshot reads a source's snapshot into src.Snapshot, or says why not.
func (sv *salvage) snapshot(src *Source) string {
	ref, ok := sv.refs[string(bucketSnap)][src.ID]
	if !ok {
		return "is lost"
	}
	z, err := sv.bf.readValue(ref.off, ref.n)
	if err != nil {
		return "cannot be read"
	}
	if what := checkSnapshot(z, src.Info); what != "" {
		return "is damaged"
	}
	if src.Snapshot, err = gunzipBytes(z); err != nil {
		return "cannot be read"
	}
	return ""
}

// isSourceID reports whether s has the form of a source id (SourceID): a
// key of another form on a damaged page is not one.
func isSourceID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
