package corpus

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"syscall"
)

// ErrDamaged is wrapped by every error that says the store file is damaged
// (a *DamageError): it cannot be read as it is, and no command changes it.
var ErrDamaged = errors.New("the library store is damaged")

// DamageError says that a store file is damaged, what was found, and what
// to do: restore a backup, or save what can still be read with
// `verbatim export --salvage` first.
type DamageError struct {
	Path string
	// What was found wrong, e.g. "it is empty (0 bytes)".
	What string
	// Salvage is true when `verbatim export --salvage` may still recover
	// sources from the file.
	Salvage bool
}

func (e *DamageError) Error() string {
	todo := "restore a backup into a new data directory (verbatim import --data NEW_DIR BACKUP)"
	if e.Salvage {
		todo = "save what can still be read (verbatim export --salvage > salvage.jsonl), then import that or a backup into a new data directory (verbatim import --data NEW_DIR FILE)"
	}
	return fmt.Sprintf("%s is damaged: %s. To recover, %s; to start afresh instead, move library.db and index.bleve away", e.Path, e.What, todo)
}

// Unwrap lets errors.Is(err, ErrDamaged) match.
func (e *DamageError) Unwrap() error { return ErrDamaged }

// ErrDiskFull is wrapped by the error of a write that failed because the
// disk (or the user's quota) is full.
var ErrDiskFull = errors.New("no space left on the disk")

// DiskFullError is a write refused by a full disk: nothing of it was kept.
type DiskFullError struct {
	Path string // the file or directory that could not be written
	Err  error
}

func (e *DiskFullError) Error() string {
	return fmt.Sprintf("no space left on the disk that holds %s (%v): free some space, then try again", e.Path, e.Err)
}

// Unwrap lets errors.Is match both ErrDiskFull and the cause.
func (e *DiskFullError) Unwrap() []error { return []error{ErrDiskFull, e.Err} }

// IsDiskFull reports whether err is a full disk or quota (ENOSPC, EDQUOT).
func IsDiskFull(err error) bool {
	return errors.Is(err, ErrDiskFull) || errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// DiskFull wraps err (writing path) as a *DiskFullError when the disk is
// full, and returns it as it is otherwise.
func DiskFull(path string, err error) error {
	if err == nil || errors.Is(err, ErrDiskFull) || !IsDiskFull(err) {
		return err
	}
	return &DiskFullError{Path: path, Err: err}
}

// ErrReadOnly is wrapped by the error of a write to a store opened read
// only (its directory or file cannot be written).
var ErrReadOnly = errors.New("the library is read-only")

// readOnlyError says a write was refused because the store is read-only.
func readOnlyError(path string) error {
	return fmt.Errorf("%w: %s cannot be written (a read-only file or file system), so nothing was changed: make it writable to change the library", ErrReadOnly, filepath.Dir(path))
}

// isReadOnlyFS reports whether err means the file cannot be opened for
// writing although it may be read.
func isReadOnlyFS(err error) bool {
	return errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EPERM)
}

// Guarded runs fn so that a panic or a memory fault inside it becomes a
// value to report instead of ending the process: bbolt (and bleve's
// segments) map files into memory and trust what they read, so a damaged
// file makes them panic (an assertion, a slice out of range) or touch
// memory past the end of the file (a fault, which debug.SetPanicOnFault
// turns into a panic). SetPanicOnFault holds for the calling goroutine
// only, which is the one they read in. panicked is what fn panicked with,
// nil when it returned.
func Guarded(fn func() error) (panicked any, err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			panicked, err = r, nil
		}
	}()
	return nil, fn()
}

// inspectStore checks, before bbolt maps it, that the store file at path
// looks whole: not empty, a valid meta record, long enough for every page
// the record says is in use, and the root and freelist pages where the
// record says. It reads five small pieces of the file, so it runs at every
// open; a full check of every page is Check's. f is the file, opened.
func inspectStore(path string, f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if st.Size() == 0 {
		return &DamageError{Path: path, What: "it is empty (0 bytes): whatever it held is gone from it"}
	}
	bf, err := openBoltFile(f, st.Size())
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	return bf.sound(path)
}

// sound checks what inspectStore checks on an opened boltFile.
func (bf *boltFile) sound(path string) error {
	if bf.metaErr != nil {
		return &DamageError{Path: path, What: bf.metaErr.Error(), Salvage: true}
	}
	if need := int64(bf.meta.pgid) * bf.pageSize; bf.size < need {
		return &DamageError{Path: path, Salvage: true,
			What: fmt.Sprintf("it has %d bytes but its records need %d: it was cut short", bf.size, need)}
	}
	if bf.meta.root >= bf.meta.pgid || (bf.meta.freelist != boltNoFreelist && bf.meta.freelist >= bf.meta.pgid) {
		return &DamageError{Path: path, What: "its meta record names pages it does not have", Salvage: true}
	}
	root, err := bf.page(bf.meta.root)
	if err == nil && root.flags != boltLeafPage && root.flags != boltBranchPage {
		err = fmt.Errorf("%w: the root page %d is not a branch or leaf page", errPage, root.id)
	}
	if err == nil && bf.meta.freelist != boltNoFreelist {
		_, err = bf.freePages()
	}
	if err != nil {
		return &DamageError{Path: path, What: err.Error(), Salvage: true}
	}
	return nil
}
