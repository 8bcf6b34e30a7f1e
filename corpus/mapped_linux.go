//go:build linux

package corpus

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// MappedPagesDroppable says DropMappedPages works on this system.
const MappedPagesDroppable = true

// ResidentFileBytes returns the process's file-backed resident memory
// (RssFile in /proc/self/status), or -1 when it cannot be read.
func ResidentFileBytes() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for line := range bytes.Lines(b) {
		rest, ok := bytes.CutPrefix(line, []byte("RssFile:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) == 0 {
			return -1
		}
		kb, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return -1
		}
		return kb << 10
	}
	return -1
}

// DropMappedPages tells the kernel that the process no longer needs the
// pages of its read-only shared mappings of the files paths
// (MADV_DONTNEED): they leave its resident set and stay in the page cache.
// A file mapped more than once is left alone. The caller must keep the
// mappings from being unmapped meanwhile.
func DropMappedPages(paths []string) error {
	// The kernel names mapped files by their absolute paths, links
	// resolved.
	want := make(map[string]bool, len(paths))
	for _, p := range paths {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		want[p] = true
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return fmt.Errorf("reading the process's mappings: %w", err)
	}
	defer f.Close()
	type span struct{ start, end uintptr }
	found := map[string][]span{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// start-end perms offset dev inode path
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || !want[fields[5]] {
			continue
		}
		if fields[1] != "r--s" {
			found[fields[5]] = append(found[fields[5]], span{}, span{}) // not ours to drop
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		found[fields[5]] = append(found[fields[5]], span{uintptr(start), uintptr(end)})
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading the process's mappings: %w", err)
	}
	for path, spans := range found {
		if len(spans) != 1 {
			continue
		}
		s := spans[0]
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, s.start, s.end-s.start, syscall.MADV_DONTNEED); errno != 0 {
			return fmt.Errorf("dropping the resident pages of %s: %w", path, errno)
		}
	}
	return nil
}
