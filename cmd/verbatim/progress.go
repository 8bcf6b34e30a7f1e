package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/verbatim-bot/verbatim/retrieval"
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

// progressLine returns what retrieval.Options.Progress calls: a progress
// line on stderr (when it is a terminal) for each long task of the library,
// such as rebuilding the search index.
func progressLine(e *env) func(retrieval.Progress) {
	var bar *progress
	task := ""
	return func(p retrieval.Progress) {
		if bar == nil || p.Task != task {
			bar, task = newProgress(e.stderr, p.Task, p.Total), p.Task
		}
		bar.set(p.Done)
	}
}
