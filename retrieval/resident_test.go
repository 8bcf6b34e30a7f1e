package retrieval

import "testing"

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
