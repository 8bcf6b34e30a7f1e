//go:build !linux

package retrieval

// trimSupported says this system can drop mapped pages (see resident.go):
// only Linux is done.
const trimSupported = false

func residentFileBytes() int64 { return -1 }

func dropMappedPages([]string) error { return nil }
