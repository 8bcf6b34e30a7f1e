//go:build linux

package retrieval

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestDropMappedPages maps a file, reads every page of it, and checks that
// dropMappedPages takes its pages out of the resident set while the mapping
// still reads the same bytes.
func TestDropMappedPages(t *testing.T) {
	const size = 32 << 20
	path := filepath.Join(t.TempDir(), "segment.zap")
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i / 4096)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(m)
	sum := 0
	for i := 0; i < size; i += 4096 {
		sum += int(m[i])
	}
	before := residentFileBytes()
	if err := dropMappedPages([]string{path}); err != nil {
		t.Fatal(err)
	}
	after := residentFileBytes()
	if before-after < size/2 {
		t.Errorf("RssFile %d MiB before dropping a %d MiB mapping, %d MiB after", before>>20, size>>20, after>>20)
	}
	again := 0
	for i := 0; i < size; i += 4096 {
		again += int(m[i])
	}
	if again != sum {
		t.Errorf("the mapping reads %d after dropping its pages, %d before", again, sum)
	}
}

// TestResidentTrimStops checks that trimming starts on a write and that
// close waits for it to stop.
func TestResidentTrimStops(t *testing.T) {
	var tr residentTrim
	tr.wrote(func() {})
	tr.wrote(func() {})
	tr.close()
	tr.mu.Lock()
	running := tr.stop != nil
	tr.mu.Unlock()
	if running {
		t.Error("trimming still marked as running after close")
	}
	tr.wrote(func() {}) // starts again, as after a rebuild
	tr.close()
}
