package main

import (
	"math"
	"runtime/debug"
)

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
