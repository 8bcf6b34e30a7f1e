//go:build linux || darwin

package retrieval

import "syscall"

// freeBytes returns the space left for an unprivileged writer on the file
// system that holds path; ok is false when it cannot tell.
func freeBytes(path string) (free uint64, ok bool) {
	var st syscall.Statfs_t
	if syscall.Statfs(path, &st) != nil {
		return 0, false
	}
	return st.Bavail * uint64(st.Bsize), true
}
