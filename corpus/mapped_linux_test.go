//go:build linux

package corpus

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestDropMappedPages maps a file, reads every page of it, and checks that
// DropMappedPages takes its pages out of the resident set while the mapping
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
	before := ResidentFileBytes()
	if err := DropMappedPages([]string{path}); err != nil {
		t.Fatal(err)
	}
	after := ResidentFileBytes()
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

// TestStoreDropResident drops a store's mapped pages between reads: the
// store reads the same after.
func TestStoreDropResident(t *testing.T) {
	s, err := OpenStore(filepath.Join(t.TempDir(), "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	gen, err := s.Generation()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DropResident(); err != nil {
		t.Fatal(err)
	}
	again, err := s.Generation()
	if err != nil || again != gen {
		t.Fatalf("Generation = %d, %v after dropping the store's pages; %d before", again, err, gen)
	}
}
