package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// Without GOMEMLIMIT the process gets the default soft limit; with it, the
// operator's limit stands. Serving raises GOGC unless GOGC is set.
func TestBoundMemory(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	none := func(string) string { return "" }

	debug.SetMemoryLimit(math.MaxInt64)
	if got := boundMemory(none); got != defaultMemoryLimit || debug.SetMemoryLimit(-1) != defaultMemoryLimit {
		t.Fatalf("without GOMEMLIMIT: limit %d, want %d", got, defaultMemoryLimit)
	}
	debug.SetMemoryLimit(1 << 30)
	set := func(k string) string {
		if k == "GOMEMLIMIT" || k == "GOGC" {
			return "1GiB"
		}
		return ""
	}
	if got := boundMemory(set); got != 1<<30 {
		t.Fatalf("with GOMEMLIMIT: limit %d, want the operator's %d", got, 1<<30)
	}

	debug.SetGCPercent(100)
	serveGC(set)
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("with GOGC set, serving changed GOGC to %d", got)
	}
	serveGC(none)
	if got := debug.SetGCPercent(100); got != servingGCPercent {
		t.Fatalf("serving GOGC = %d, want %d", got, servingGCPercent)
	}
}
