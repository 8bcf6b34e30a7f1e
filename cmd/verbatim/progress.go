package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progress prints "label done/total" on one terminal line, at most a few
// times a second; on anything but a terminal it prints nothing.
type progress struct {
	w     io.Writer
	label string
	total int
	last  time.Time
	on    bool
}

// newProgress returns a progress line on w if w is a terminal.
func newProgress(w io.Writer, label string, total int) *progress {
	p := &progress{w: w, label: label, total: total}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.on = true
		}
	}
	return p
}

// set shows that done of total are done.
func (p *progress) set(done int) {
	if !p.on || (time.Since(p.last) < 200*time.Millisecond && done < p.total) {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "\r%s %d/%d (%d%%)", p.label, done, p.total, done*100/max(p.total, 1))
	if done >= p.total {
		fmt.Fprintln(p.w)
	}
}
