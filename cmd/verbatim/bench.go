package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
	"github.com/verbatim-bot/verbatim/synth"
)

// benchReport is what `verbatim bench` measures.
type benchReport struct {
	Passages int `json:"passages"`
	Sources  int `json:"sources"`
	// IndexPerSec is passages per second through the whole add path:
	// NewSource (chunking) and AddMany (store and index).
	IndexPerSec float64 `json:"index_per_sec"`
	IndexBytes  int64   `json:"index_bytes"`
	// StoreBytes is library.db alone (included in IndexBytes).
	StoreBytes int64 `json:"store_bytes"`
	// OpenSeconds is from retrieval.Open of the built library to its first
	// answer; OpenOnlySeconds stops when Open returns.
	OpenSeconds     float64     `json:"open_seconds"`
	OpenOnlySeconds float64     `json:"open_only_seconds"`
	AnswerMS        percentiles `json:"answer_ms"`
	Queries         int         `json:"queries"`
	Answered        int         `json:"answered"`
	// PeakRSSBytes is the process's peak resident set (VmHWM) over the whole
	// run; BuildPeakRSSBytes until the built library is closed;
	// ServePeakRSSBytes only from reopening the library on (Linux resets
	// the peak between the two; 0 where it cannot). At 1M passages the
	// serving peak is the larger: answering maps in pages of the index and
	// the store (file pages the kernel may reclaim, counted in RSS).
	PeakRSSBytes      int64 `json:"peak_rss_bytes"`
	BuildPeakRSSBytes int64 `json:"build_peak_rss_bytes"`
	ServePeakRSSBytes int64 `json:"serve_peak_rss_bytes"`
	// CPU seconds (user and system, every thread) spent indexing, and per
	// answer on average: figures that hold when other processes share the
	// machine, unlike the wall-clock ones (0 where /proc is missing).
	IndexCPUSeconds float64 `json:"index_cpu_seconds"`
	AnswerCPUMS     float64 `json:"answer_cpu_ms_mean"`
	// Segments is the number of the index's segments the questions were
	// asked of; CompactSeconds how long `verbatim compact` took after the
	// build, from SegmentsBeforeCompact (0 with --no-compact). Neither is
	// in IndexPerSec.
	Segments              int     `json:"segments"`
	SegmentsBeforeCompact int     `json:"segments_before_compact,omitempty"`
	CompactSeconds        float64 `json:"compact_seconds,omitempty"`
	// LoadAvg is the 1-minute load average when the run ended: above CPUs,
	// other work competed for the machine (0 where /proc is missing).
	LoadAvg float64 `json:"load_avg"`
	Seed    uint64  `json:"seed"`
	CPUs    int     `json:"cpus"`
}

// percentiles of a latency distribution, in milliseconds.
type percentiles struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// benchOptions are the settings of one bench run.
type benchOptions struct {
	passages, queries, batch int
	seed                     uint64
	export, dir              string
	// noCompact asks the library as built, without compacting it.
	noCompact bool
}

func runBench(ctx context.Context, e *env, args []string) error {
	// Profiling flags are for whoever tunes the library, not for the help.
	args, cpuProfile, err := takeHiddenFlag(args, "cpuprofile")
	if err != nil {
		return err
	}
	args, memProfile, err := takeHiddenFlag(args, "memprofile")
	if err != nil {
		return err
	}
	args, keepDir, err := takeHiddenFlag(args, "dir")
	if err != nil {
		return err
	}
	f := newFlagSet(e, "bench", "[--passages N] [--queries Q] [--json] [--export DIR] [--seed S] [--no-compact]",
		"Measure speed and memory on a generated news-like corpus, through the real add and answer paths; the built library is compacted (as 'verbatim compact' does after a bulk load) before it is asked")
	passages := f.Int("passages", 10000, "passages to generate and index")
	queries := f.Int("queries", 1000, "questions to ask after indexing")
	asJSON := f.Bool("json", false, "print the figures as JSON")
	export := f.String("export", "", "also write the corpus (passages.jsonl) and questions (queries.jsonl) to this directory")
	seed := f.Uint64("seed", 1, "seed of the generated corpus and questions")
	batch := f.Int("batch", 500, "sources per AddMany call")
	noCompact := f.Bool("no-compact", false, "ask the library as built, without compacting it first")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	case *passages < 1:
		return usageError{"--passages must be at least 1"}
	case *queries < 1:
		return usageError{"--queries must be at least 1"}
	case *batch < 1:
		return usageError{"--batch must be at least 1"}
	}
	if cpuProfile != "" {
		pf, err := os.Create(cpuProfile)
		if err != nil {
			return fmt.Errorf("creating CPU profile: %w", err)
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return fmt.Errorf("starting CPU profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	rep, err := bench(ctx, e, benchOptions{passages: *passages, queries: *queries, batch: *batch, seed: *seed, export: *export, dir: keepDir, noCompact: *noCompact})
	if err != nil {
		return err
	}
	if memProfile != "" {
		if err := writeHeapProfile(memProfile); err != nil {
			return err
		}
	}
	if *asJSON {
		return printJSON(e.stdout, rep)
	}
	printBench(e.stdout, rep)
	return nil
}

// bench builds a library of generated passages in a temporary directory
// (or o.dir, kept), reopens it, and asks it the generated questions.
func bench(ctx context.Context, e *env, o benchOptions) (*benchReport, error) {
	dir := o.dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "verbatim-bench-")
		if err != nil {
			return nil, fmt.Errorf("making a temporary library: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("making the library directory: %w", err)
	}
	var exp *benchExport
	if o.export != "" {
		x, err := newBenchExport(o.export)
		if err != nil {
			return nil, err
		}
		defer x.close()
		exp = x
	}
	// A fixed clock: the same seed gives the same stored library.
	clock := func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
	rep := &benchReport{Seed: o.seed, CPUs: runtime.GOMAXPROCS(0)}

	gen := synth.New(o.seed, o.queries)
	if err := benchBuild(ctx, e, dir, clock, gen, o, exp, rep); err != nil {
		return nil, err
	}
	qs := gen.Questions()
	if exp != nil {
		if err := exp.queries(qs); err != nil {
			return nil, err
		}
		if err := exp.close(); err != nil {
			return nil, err
		}
	}
	var err error
	if rep.IndexBytes, rep.StoreBytes, err = librarySize(dir); err != nil {
		return nil, err
	}

	// The build's garbage is not the server's: measure the peak from here
	// on separately.
	buildPeak := peakRSS()
	rep.BuildPeakRSSBytes = buildPeak
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()
	// From here on the process serves, as `verbatim serve` does.
	serveGC(e.getenv)

	if err := benchAsk(ctx, e, dir, clock, qs, rep); err != nil {
		return nil, err
	}
	rep.PeakRSSBytes = max(buildPeak, rep.ServePeakRSSBytes)
	return rep, nil
}

// benchAsk reopens the library built in dir, as a server starts, and asks
// it the questions qs one by one, noting in rep the time to open and to the
// first answer, each answer's latency, the CPU time per answer and the
// peak RSS while serving.
func benchAsk(ctx context.Context, e *env, dir string, clock func() time.Time, qs []string, rep *benchReport) error {
	start := time.Now()
	lib, err := retrieval.Open(ctx, retrieval.Options{Dir: dir, NoSeed: true, Now: clock})
	if err != nil {
		return fmt.Errorf("reopening the built library: %w", err)
	}
	defer lib.Close()
	rep.OpenOnlySeconds = time.Since(start).Seconds()
	cpu0 := cpuSeconds()
	lat := make([]float64, 0, len(qs))
	bar := newProgress(e.stderr, "asking", len(qs))
	for i, q := range qs {
		t := time.Now()
		res, err := lib.Ask(ctx, retrieval.Question{Text: q})
		d := time.Since(t)
		if err != nil {
			return fmt.Errorf("asking %q: %w", q, err)
		}
		if i == 0 {
			rep.OpenSeconds = time.Since(start).Seconds()
		}
		lat = append(lat, float64(d.Nanoseconds())/1e6)
		if !res.NoAnswer {
			rep.Answered++
		}
		bar.set(i + 1)
	}
	rep.Queries = len(qs)
	rep.AnswerCPUMS = (cpuSeconds() - cpu0) * 1000 / float64(len(qs))
	rep.LoadAvg = loadAvg()
	rep.AnswerMS = percentilesOf(lat)
	rep.ServePeakRSSBytes = peakRSS()
	return nil
}

// benchBuild generates o.passages passages and adds them through the real
// add path (AddMany in batches of o.batch drafts) into a
// new library in dir, which it closes.
func benchBuild(ctx context.Context, e *env, dir string, clock func() time.Time, gen *synth.Generator, o benchOptions, exp *benchExport, rep *benchReport) error {
	lib, err := retrieval.Open(ctx, retrieval.Options{Dir: dir, NoSeed: true, Now: clock})
	if err != nil {
		return fmt.Errorf("opening a new library in %s: %w", dir, err)
	}
	defer lib.Close()
	var addTime time.Duration
	var cpuTime float64
	bar := newProgress(e.stderr, "indexing", o.passages)
	docs := make([]corpus.Document, 0, o.batch)
	drafts := make([]corpus.Draft, 0, o.batch)
	for rep.Passages < o.passages {
		if err := ctx.Err(); err != nil {
			return err
		}
		// Generating the text is not part of adding it: it is not timed.
		docs, planned := docs[:0], 0
		for len(docs) < o.batch && rep.Passages+planned < o.passages {
			d := gen.Article(o.passages - rep.Passages - planned)
			docs = append(docs, d)
			planned += len(d.Paragraphs)
		}
		t, c := time.Now(), cpuSeconds()
		drafts = drafts[:0]
		for _, d := range docs {
			drafts = append(drafts, corpus.Draft{Doc: d, Meta: corpus.Meta{Origin: d.URL, AddedBy: "bench"}})
		}
		added, err := lib.AddMany(ctx, drafts)
		if err != nil {
			return fmt.Errorf("adding generated articles: %w", err)
		}
		addTime += time.Since(t)
		cpuTime += cpuSeconds() - c
		dups := 0
		for i, a := range added {
			var exists *corpus.ExistsError
			switch {
			case errors.As(a.Err, &exists):
				dups++
				continue
			case a.Err != nil:
				return fmt.Errorf("making a source of generated article %q: %w", docs[i].Title, a.Err)
			}
			s := a.Source
			rep.Sources++
			rep.Passages += s.PassageCount
			if exp != nil {
				if err := exp.source(&s); err != nil {
					return err
				}
			}
		}
		if dups == len(added) {
			return fmt.Errorf("the generator repeated %d whole articles", dups)
		}
		bar.set(min(rep.Passages, o.passages))
	}
	if total := addTime.Seconds(); total > 0 {
		rep.IndexPerSec = float64(rep.Passages) / total
	}
	rep.IndexCPUSeconds = cpuTime
	if o.noCompact {
		if rep.Segments, err = lib.Segments(); err != nil {
			return err
		}
	} else {
		c, err := lib.Compact(ctx)
		if err != nil {
			return err
		}
		rep.SegmentsBeforeCompact, rep.Segments, rep.CompactSeconds = c.SegmentsBefore, c.SegmentsAfter, c.Took.Seconds()
	}
	if err := lib.Close(); err != nil {
		return fmt.Errorf("closing the built library: %w", err)
	}
	return nil
}

// librarySize sums the bytes of the index directory and the store file.
func librarySize(dir string) (total, store int64, err error) {
	st, err := os.Stat(filepath.Join(dir, "library.db"))
	if err != nil {
		return 0, 0, fmt.Errorf("measuring the store: %w", err)
	}
	store = st.Size()
	total = store
	err = filepath.WalkDir(filepath.Join(dir, "index.bleve"), func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("measuring the index: %w", err)
	}
	return total, store, nil
}

// percentilesOf returns the nearest-rank percentiles of ms.
func percentilesOf(ms []float64) percentiles {
	if len(ms) == 0 {
		return percentiles{}
	}
	s := slices.Clone(ms)
	slices.Sort(s)
	at := func(p float64) float64 {
		i := int(p*float64(len(s))+0.999999) - 1
		return s[min(max(i, 0), len(s)-1)]
	}
	return percentiles{P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: s[len(s)-1]}
}

// peakRSS returns the process's peak resident set size (VmHWM) in bytes,
// or 0 where /proc/self/status does not exist.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	return parseVmHWM(string(b))
}

// parseVmHWM reads the VmHWM line ("VmHWM:   123456 kB") of a
// /proc/PID/status text, in bytes.
func parseVmHWM(status string) int64 {
	for _, line := range strings.Split(status, "\n") {
		v, ok := strings.CutPrefix(line, "VmHWM:")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			return 0
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0
		}
		return kb * 1024
	}
	return 0
}

// cpuSeconds returns the user and system CPU time of the process so far,
// from /proc/self/stat (in USER_HZ ticks, 100 a second on Linux), or 0.
func cpuSeconds() float64 {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	return parseStatCPU(string(b))
}

// parseStatCPU reads utime and stime (fields 14 and 15) of a
// /proc/PID/stat text, in seconds.
func parseStatCPU(stat string) float64 {
	// The command name (field 2) may hold spaces; fields count from its ")".
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(stat[i+1:])
	if len(f) < 13 {
		return 0
	}
	ut, err1 := strconv.ParseFloat(f[11], 64)
	st, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return (ut + st) / 100
}

// loadAvg returns the 1-minute load average, or 0.
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// resetPeakRSS resets the kernel's peak RSS of this process (Linux 4.0+);
// elsewhere it does nothing, and the serve peak is the run's peak.
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating heap profile: %w", err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		return fmt.Errorf("writing heap profile: %w", err)
	}
	return f.Close()
}

// takeHiddenFlag removes a string flag not shown in the help (-name V,
// --name V, -name=V, --name=V) from args and returns its value.
func takeHiddenFlag(args []string, name string) ([]string, string, error) {
	var out []string
	val := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			out = append(out, args[i:]...)
			break
		}
		n := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		switch {
		case n == name && a != n:
			if i+1 >= len(args) {
				return nil, "", usageError{fmt.Sprintf("flag needs an argument: -%s", name)}
			}
			val = args[i+1]
			i++
		case strings.HasPrefix(n, name+"=") && a != n:
			val = n[len(name)+1:]
		default:
			out = append(out, a)
		}
	}
	return out, val, nil
}

func printBench(w io.Writer, r *benchReport) {
	fmt.Fprintf(w, "passages            %d (%d sources, seed %d, %d CPUs)\n", r.Passages, r.Sources, r.Seed, r.CPUs)
	fmt.Fprintf(w, "indexing            %.0f passages/s\n", r.IndexPerSec)
	fmt.Fprintf(w, "size on disk        %s (store %s)\n", mib(r.IndexBytes), mib(r.StoreBytes))
	if r.SegmentsBeforeCompact > 0 {
		fmt.Fprintf(w, "compacting          %d segments to %d in %.1f s\n", r.SegmentsBeforeCompact, r.Segments, r.CompactSeconds)
	} else {
		fmt.Fprintf(w, "index segments      %d (not compacted)\n", r.Segments)
	}
	fmt.Fprintf(w, "open to 1st answer  %.2f s (open alone %.2f s)\n", r.OpenSeconds, r.OpenOnlySeconds)
	fmt.Fprintf(w, "answer latency      p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  max %.2f ms (%d questions, %d answered)\n",
		r.AnswerMS.P50, r.AnswerMS.P95, r.AnswerMS.P99, r.AnswerMS.Max, r.Queries, r.Answered)
	fmt.Fprintf(w, "peak RSS            %s (building %s, serving %s)\n", mib(r.PeakRSSBytes), mib(r.BuildPeakRSSBytes), mib(r.ServePeakRSSBytes))
	fmt.Fprintf(w, "CPU time            indexing %.1f s, %.2f ms per answer (load average %.1f on %d CPUs)\n",
		r.IndexCPUSeconds, r.AnswerCPUMS, r.LoadAvg, r.CPUs)
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// benchExport writes the generated corpus and questions as JSON lines.
type benchExport struct {
	pf, qf *os.File
	pw     *bufio.Writer
	pe     *json.Encoder
	dir    string
	closed bool
}

func newBenchExport(dir string) (*benchExport, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("making export directory: %w", err)
	}
	pf, err := os.Create(filepath.Join(dir, "passages.jsonl"))
	if err != nil {
		return nil, fmt.Errorf("exporting passages: %w", err)
	}
	x := &benchExport{pf: pf, pw: bufio.NewWriterSize(pf, 1<<20), dir: dir}
	x.pe = json.NewEncoder(x.pw)
	x.pe.SetEscapeHTML(false)
	return x, nil
}

// source writes every passage of a source, with ids "SOURCE/N" as the
// index names them.
func (x *benchExport) source(s *corpus.Source) error {
	for i := range s.Passages {
		rec := struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		}{s.ID + "/" + strconv.Itoa(i), s.PassageText(i)}
		if err := x.pe.Encode(rec); err != nil {
			return fmt.Errorf("exporting passages: %w", err)
		}
	}
	return nil
}

// queries writes the questions.
func (x *benchExport) queries(qs []string) error {
	qf, err := os.Create(filepath.Join(x.dir, "queries.jsonl"))
	if err != nil {
		return fmt.Errorf("exporting questions: %w", err)
	}
	x.qf = qf
	w := bufio.NewWriter(qf)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, q := range qs {
		if err := enc.Encode(struct {
			Text string `json:"text"`
		}{q}); err != nil {
			return fmt.Errorf("exporting questions: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("exporting questions: %w", err)
	}
	return nil
}

// close flushes and closes the export files; closing twice is harmless.
func (x *benchExport) close() error {
	if x.closed {
		return nil
	}
	x.closed = true
	err := x.pw.Flush()
	if cerr := x.pf.Close(); err == nil {
		err = cerr
	}
	if x.qf != nil {
		if cerr := x.qf.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("exporting the corpus: %w", err)
	}
	return nil
}
