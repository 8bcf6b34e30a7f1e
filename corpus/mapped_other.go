//go:build !linux

package corpus

// MappedPagesDroppable says DropMappedPages works on this system: only
// Linux is done.
const MappedPagesDroppable = false

// ResidentFileBytes returns the process's file-backed resident memory; -1
// here, where it is not known.
func ResidentFileBytes() int64 { return -1 }

// DropMappedPages does nothing here (see the Linux version).
func DropMappedPages([]string) error { return nil }
