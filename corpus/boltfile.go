package corpus

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// boltFile reads a bbolt file (library.db) as bytes, through bounds-checked
// reads of the file, never through a memory map: a damaged file gives an
// error here, where bbolt itself would panic or fault. It is what OpenStore
// checks a file with before bbolt maps it (inspectStore), what Check walks
// to find damaged pages, and what Salvage reads a damaged store with.
//
// The layout is bbolt's (go.etcd.io/bbolt, file format version 2): pages of
// pageSize bytes; pages 0 and 1 hold the two meta records, the newest valid
// one naming the root bucket's page, the freelist page and the high-water
// mark (the number of pages in use). Each page starts with a 16-byte header
// (id, flags, count, overflow); branch and leaf pages follow it with count
// 16-byte elements whose key and value lie at an offset from the element.
type boltFile struct {
	r        io.ReaderAt
	size     int64
	pageSize int64
	meta     boltMeta
	// metaErr says why no meta record could be used (then meta is zero).
	metaErr error
}

// boltMeta is a bbolt meta record.
type boltMeta struct {
	pageSize uint32
	root     uint64 // the root bucket's root page
	freelist uint64
	pgid     uint64 // high-water mark: pages 0 to pgid-1 are in use
	txid     uint64
}

// bbolt's constants (internal/common in go.etcd.io/bbolt).
const (
	boltMagic          = 0xED0CDAED
	boltVersion        = 2
	boltPageHeader     = 16
	boltElementSize    = 16
	boltBranchPage     = 0x01
	boltLeafPage       = 0x02
	boltMetaPage       = 0x04
	boltFreelistPage   = 0x10
	boltBucketLeafFlag = 0x01
	boltBucketHeader   = 16
	boltNoFreelist     = ^uint64(0)
)

// errPage is wrapped by every error about one page of the file.
var errPage = errors.New("damaged page")

// openBoltFile reads the meta records of the bbolt file r of size bytes.
// A file whose meta records are both unusable is returned with metaErr set
// (Salvage can still scan its pages); err is only for failing to read.
func openBoltFile(r io.ReaderAt, size int64) (*boltFile, error) {
	bf := &boltFile{r: r, size: size}
	m0, err0 := bf.readMeta(0, 0)
	ps := int64(m0.pageSize)
	if err0 != nil {
		ps = int64(os.Getpagesize())
	}
	m1, err1 := bf.readMeta(ps, 1)
	if err0 != nil && err1 != nil {
		// The second record is where a file of another page size has it.
		for _, try := range []int64{4096, 8192, 16384, 32768, 65536} {
			if try != ps {
				if m1, err1 = bf.readMeta(try, 1); err1 == nil {
					break
				}
			}
		}
	}
	switch {
	case err0 != nil && err1 != nil:
		bf.metaErr = fmt.Errorf("neither of its two meta records is valid (%v; %v)", err0, err1)
		bf.pageSize = int64(os.Getpagesize())
		return bf, nil
	case err0 != nil || (err1 == nil && m1.txid > m0.txid):
		bf.meta = m1
	default:
		bf.meta = m0
	}
	bf.pageSize = int64(bf.meta.pageSize)
	return bf, nil
}

// readMeta reads and checks the meta record of page id at offset off.
func (bf *boltFile) readMeta(off int64, id uint64) (boltMeta, error) {
	var b [boltPageHeader + 64]byte
	if off+int64(len(b)) > bf.size {
		return boltMeta{}, fmt.Errorf("meta page %d lies beyond the end of the file", id)
	}
	if _, err := bf.r.ReadAt(b[:], off); err != nil {
		return boltMeta{}, fmt.Errorf("reading meta page %d: %w", id, err)
	}
	ne := binary.NativeEndian
	m := b[boltPageHeader:]
	h := fnv.New64a()
	h.Write(m[:56])
	switch {
	case ne.Uint32(m[0:]) != boltMagic:
		return boltMeta{}, fmt.Errorf("meta page %d is not a bbolt meta record", id)
	case ne.Uint32(m[4:]) != boltVersion:
		return boltMeta{}, fmt.Errorf("meta page %d is of format version %d, not %d", id, ne.Uint32(m[4:]), boltVersion)
	case ne.Uint64(m[56:]) != h.Sum64():
		return boltMeta{}, fmt.Errorf("meta page %d does not match its checksum", id)
	}
	meta := boltMeta{
		pageSize: ne.Uint32(m[8:]),
		root:     ne.Uint64(m[16:]),
		freelist: ne.Uint64(m[32:]),
		pgid:     ne.Uint64(m[40:]),
		txid:     ne.Uint64(m[48:]),
	}
	if meta.pageSize < 1024 || meta.pageSize > 1<<20 || meta.pageSize&(meta.pageSize-1) != 0 {
		return boltMeta{}, fmt.Errorf("meta page %d names a page size of %d bytes", id, meta.pageSize)
	}
	return meta, nil
}

// boltPage is one page (with its overflow pages) read from the file.
type boltPage struct {
	id       uint64
	flags    uint16
	count    int
	overflow uint32
	off      int64  // where buf starts in the file
	buf      []byte // the whole page, header included
}

// page reads page id, checking that it lies below the high-water mark and
// within the file and that it says it is page id.
func (bf *boltFile) page(id uint64) (*boltPage, error) {
	if id < 2 || id >= bf.meta.pgid {
		return nil, fmt.Errorf("%w: page %d is outside the pages in use (2 to %d)", errPage, id, bf.meta.pgid-1)
	}
	p, err := bf.pageAt(id)
	if err != nil {
		return nil, err
	}
	if p.id != id {
		return nil, fmt.Errorf("%w: page %d says it is page %d", errPage, id, p.id)
	}
	if id+uint64(p.overflow) >= bf.meta.pgid {
		return nil, fmt.Errorf("%w: page %d runs past the pages in use (%d overflow pages)", errPage, id, p.overflow)
	}
	return p, nil
}

// pageAt reads whatever is at page position id, with its overflow pages,
// without checking what it is.
func (bf *boltFile) pageAt(id uint64) (*boltPage, error) {
	off := int64(id) * bf.pageSize
	if id > uint64(bf.size/bf.pageSize) || off+bf.pageSize > bf.size {
		return nil, fmt.Errorf("%w: page %d lies beyond the end of the file (%d bytes)", errPage, id, bf.size)
	}
	head := make([]byte, bf.pageSize)
	if _, err := bf.r.ReadAt(head, off); err != nil {
		return nil, fmt.Errorf("reading page %d: %w", id, err)
	}
	ne := binary.NativeEndian
	p := &boltPage{id: ne.Uint64(head), flags: ne.Uint16(head[8:]), count: int(ne.Uint16(head[10:])), overflow: ne.Uint32(head[12:]), off: off, buf: head}
	if p.overflow == 0 {
		return p, nil
	}
	n := (int64(p.overflow) + 1) * bf.pageSize
	if off+n > bf.size || n > 1<<31 {
		return nil, fmt.Errorf("%w: page %d runs past the end of the file (%d overflow pages)", errPage, id, p.overflow)
	}
	p.buf = make([]byte, n)
	if _, err := bf.r.ReadAt(p.buf, off); err != nil {
		return nil, fmt.Errorf("reading page %d: %w", id, err)
	}
	return p, nil
}

// boltElem is one element of a branch or leaf page: a key with its value
// (leaf) or child page (branch). valueOff is where the value starts in the
// file, so that a large value can be read again later.
type boltElem struct {
	bucket   bool // a leaf element that is a nested bucket
	key      []byte
	value    []byte
	valueOff int64
	child    uint64 // branch elements
}

// elems returns the elements of a branch or leaf page whose bytes are b
// (starting at file offset off), checking that each lies within b.
func elems(flags uint16, count int, b []byte, off int64) ([]boltElem, error) {
	if flags != boltBranchPage && flags != boltLeafPage {
		return nil, fmt.Errorf("%w: not a branch or leaf page (flags %#x)", errPage, flags)
	}
	if boltPageHeader+count*boltElementSize > len(b) {
		return nil, fmt.Errorf("%w: %d elements do not fit in the page", errPage, count)
	}
	ne := binary.NativeEndian
	out := make([]boltElem, 0, count)
	for i := range count {
		at := boltPageHeader + i*boltElementSize
		e := b[at : at+boltElementSize]
		var pos, ksize, vsize uint64
		var el boltElem
		if flags == boltBranchPage {
			pos, ksize = uint64(ne.Uint32(e)), uint64(ne.Uint32(e[4:]))
			el.child = ne.Uint64(e[8:])
		} else {
			el.bucket = ne.Uint32(e)&boltBucketLeafFlag != 0
			pos, ksize, vsize = uint64(ne.Uint32(e[4:])), uint64(ne.Uint32(e[8:])), uint64(ne.Uint32(e[12:]))
		}
		start := uint64(at) + pos
		if start+ksize+vsize > uint64(len(b)) {
			return nil, fmt.Errorf("%w: element %d lies outside the page", errPage, i)
		}
		el.key = b[start : start+ksize]
		el.value = b[start+ksize : start+ksize+vsize]
		el.valueOff = off + int64(start+ksize)
		out = append(out, el)
	}
	return out, nil
}

// bucketRoot reads a nested bucket's header (a leaf value with the bucket
// flag): its root page, or for a small bucket kept inline, root 0 and the
// inline page's bytes.
func bucketRoot(v []byte) (root uint64, inline []byte, err error) {
	if len(v) < boltBucketHeader {
		return 0, nil, fmt.Errorf("%w: a bucket header of %d bytes", errPage, len(v))
	}
	root = binary.NativeEndian.Uint64(v)
	if root != 0 {
		return root, nil, nil
	}
	if len(v) < boltBucketHeader+boltPageHeader {
		return 0, nil, fmt.Errorf("%w: an inline bucket of %d bytes", errPage, len(v))
	}
	return 0, v[boltBucketHeader:], nil
}

// boltWalk walks bucket trees of a boltFile, remembering every page it
// reached. A page that cannot be read or is not what its parent says is
// reported to damaged, and the walk goes on with the rest of the tree.
type boltWalk struct {
	bf      *boltFile
	visited map[uint64]bool
	// kv receives each key and value of a bucket (named by its path from
	// the root, "info" for a top-level bucket), not nested buckets.
	kv func(bucket string, e boltElem)
	// damaged receives each page that could not be walked, with why.
	damaged func(bucket string, page uint64, err error)
}

// root walks the whole file from the root bucket.
func (w *boltWalk) root() {
	w.tree("", w.bf.meta.root, 0)
}

// tree walks the subtree of bucket whose top is page id (depth guards
// against a cycle that a damaged file could make).
func (w *boltWalk) tree(bucket string, id uint64, depth int) {
	if w.visited[id] {
		w.damaged(bucket, id, fmt.Errorf("%w: page %d is reached twice", errPage, id))
		return
	}
	w.visited[id] = true
	if depth > 64 {
		w.damaged(bucket, id, fmt.Errorf("%w: the tree is deeper than any bbolt writes", errPage))
		return
	}
	p, err := w.bf.page(id)
	if err != nil {
		w.damaged(bucket, id, err)
		return
	}
	for i := range uint64(p.overflow) {
		w.visited[id+1+i] = true
	}
	es, err := elems(p.flags, p.count, p.buf, p.off)
	if err != nil {
		w.damaged(bucket, id, err)
		return
	}
	if p.flags == boltBranchPage {
		for _, e := range es {
			w.tree(bucket, e.child, depth+1)
		}
		return
	}
	w.leaf(bucket, id, es, depth)
}

// leaf hands a leaf page's key-values to kv and walks its nested buckets.
func (w *boltWalk) leaf(bucket string, id uint64, es []boltElem, depth int) {
	for _, e := range es {
		if !e.bucket {
			w.kv(bucket, e)
			continue
		}
		name := string(e.key)
		if bucket != "" {
			name = bucket + "/" + name
		}
		root, inline, err := bucketRoot(e.value)
		switch {
		case err != nil:
			w.damaged(name, id, err)
		case root != 0:
			w.tree(name, root, depth+1)
		default:
			ne := binary.NativeEndian
			flags, count := ne.Uint16(inline[8:]), int(ne.Uint16(inline[10:]))
			ies, err := elems(flags, count, inline, e.valueOff+boltBucketHeader)
			if err != nil || flags != boltLeafPage {
				w.damaged(name, id, fmt.Errorf("%w: the inline bucket %q cannot be read: %v", errPage, name, err))
				continue
			}
			w.leaf(name, id, ies, depth+1)
		}
	}
}

// freePages reads the freelist: the pages free for reuse, and those freed
// by the last transactions.
func (bf *boltFile) freePages() (map[uint64]bool, error) {
	if bf.meta.freelist == boltNoFreelist {
		return nil, errors.New("the file keeps no freelist")
	}
	p, err := bf.page(bf.meta.freelist)
	if err != nil {
		return nil, fmt.Errorf("the freelist: %w", err)
	}
	if p.flags != boltFreelistPage {
		return nil, fmt.Errorf("the freelist: %w: page %d is not a freelist page (flags %#x)", errPage, p.id, p.flags)
	}
	ne := binary.NativeEndian
	start, count := boltPageHeader, p.count
	if count == 0xFFFF {
		count = int(ne.Uint64(p.buf[boltPageHeader:]))
		start += 8
	}
	if count < 0 || start+count*8 > len(p.buf) {
		return nil, fmt.Errorf("the freelist: %w: %d page ids do not fit in it", errPage, count)
	}
	free := make(map[uint64]bool, count)
	for i := range count {
		free[ne.Uint64(p.buf[start+i*8:])] = true
	}
	free[p.id] = true
	for i := range uint64(p.overflow) {
		free[p.id+1+i] = true
	}
	return free, nil
}

// readValue reads n bytes at off (a value found by a walk) again.
func (bf *boltFile) readValue(off int64, n int) ([]byte, error) {
	if off < 0 || off+int64(n) > bf.size {
		return nil, fmt.Errorf("%w: a value lies beyond the end of the file", errPage)
	}
	b := make([]byte, n)
	if _, err := bf.r.ReadAt(b, off); err != nil {
		return nil, fmt.Errorf("reading a value: %w", err)
	}
	return b, nil
}
