package main

import (
	"math"
	"runtime/debug"
)

// servingGCPercent is the collector's target (GOGC) while a library is
// answering questions, unless GOGC is set. A question's garbage (decoded
// sources, analysed passages, search state) dies with it while the live
// heap stays small (the index is mmapped, not on the heap), so collecting
// at 4× the live heap instead of 2× costs a few tens of MiB and saves about
// a fifth of the CPU of an answer (measured at 100k passages: 297 → 326 MiB
// peak, −22% CPU; docs/performance.md). Bulk adds and rebuilds keep the
// default, bounded by defaultMemoryLimit.
const servingGCPercent = 400

// serveGC sets the collector for answering questions (servingGCPercent)
// unless the operator set GOGC.
func serveGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(servingGCPercent)
	}
}

// defaultMemoryLimit is the Go heap's soft limit when GOMEMLIMIT is not
// set: bulk adds (`add` of many files, `eval --beir`, `bench`) and rebuilds
// of the index make garbage fast (analysis buffers, in-memory segments),
// and at GOGC 100 the heap may double before the collector runs. With the
// limit the collector runs harder as the heap nears it instead. It is soft:
// a library that needs more still gets it. The mmapped index and store are
// not part of it.
const defaultMemoryLimit = 1536 << 20

// boundMemory sets the default soft memory limit unless the operator set
// one (GOMEMLIMIT, which the runtime has already applied). It returns the
// limit in force.
func boundMemory(getenv func(string) string) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	if cur := debug.SetMemoryLimit(-1); cur != math.MaxInt64 {
		return cur
	}
	debug.SetMemoryLimit(defaultMemoryLimit)
	return defaultMemoryLimit
}
