package bot

import (
	"context"
	"net/http"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/bot/discordtest"
)

// soakDefault is how long the soak runs unless VERBATIM_SOAK says otherwise
// (CI runs this; `VERBATIM_SOAK=10m go test -run Soak -v ./bot/` is the
// local run whose figures the issue asks for).
const soakDefault = 4 * time.Second

// soakSample is the bot's footprint at a quiet moment: every question of a
// round answered (or its failure logged), the gateway up, after a GC.
type soakSample struct {
	at         time.Duration
	heapInuse  uint64
	goroutines int
}

// sampleFootprint samples at a quiet moment, with no HTTP connection left:
// the idle keep-alive connections to the fake are closed first, and their
// goroutines (a bounded pool, not the bot's) given time to end.
func sampleFootprint(h *harness, start time.Time) soakSample {
	h.t.Helper()
	h.fake.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := poll(ctx, func() bool { return httpConnGoroutines() == 0 }); err != nil {
		h.t.Logf("HTTP connections still open at a quiet moment (%d goroutines): %v", httpConnGoroutines(), err)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return soakSample{at: time.Since(start), heapInuse: ms.HeapInuse, goroutines: runtime.NumGoroutine()}
}

// httpConnGoroutines counts the goroutines that serve HTTP connections, on
// either end, besides the gateway's WebSocket.
func httpConnGoroutines() int {
	n := 0
	for _, stack := range goroutineIDs() {
		if (strings.Contains(stack, "net/http.(*persistConn)") || strings.Contains(stack, "net/http.(*conn).serve")) &&
			!strings.Contains(stack, "serveGateway") {
			n++
		}
	}
	return n
}

// soakFault is one of the faults a soak round may meet.
type soakFault struct {
	name   string
	before func(h *harness) // injected before the round's questions
	during func(h *harness) // done while they are in flight
}

var soakFaults = []soakFault{
	{name: "none"},
	{name: "500 every third request", before: func(h *harness) { h.fake.FailEvery(3, http.StatusInternalServerError) }},
	{name: "429 storm", before: func(h *harness) {
		h.fake.RateLimitNextN(routeCallback, 20*time.Millisecond, 4)
		h.fake.RateLimitNextN(routeEdit, 20*time.Millisecond, 4)
		h.fake.RateLimitNextN(routeSend, 20*time.Millisecond, 2)
	}},
	{name: "502 burst", before: func(h *harness) { h.fake.FailNext(routeEdit, http.StatusBadGateway, 5) }},
	{name: "gateway drop", during: func(h *harness) {
		if err := h.fake.DropConnection(); err != nil {
			h.t.Fatal(err)
		}
	}},
	{name: "invalid session", before: func(h *harness) {
		if err := h.fake.InvalidateSession(false); err != nil {
			h.t.Fatal(err)
		}
	}},
}

func soakDuration(t *testing.T) time.Duration {
	t.Helper()
	s := os.Getenv("VERBATIM_SOAK")
	if s == "" {
		return soakDefault
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		t.Fatalf("VERBATIM_SOAK=%q: want a duration such as 10m", s)
	}
	return d
}

// TestSoak asks questions (slash commands, mentions, More and Context
// buttons) in rounds, with a Discord fault in most rounds, and checks that no
// question is lost silently, that the heap in use does not grow between the
// first and the last quarter of the run, and that goroutines stay flat.
func TestSoak(t *testing.T) {
	duration := soakDuration(t)
	h, mixed := startMixed(t)

	const perRound = 8
	var (
		samples            []soakSample
		asked, answered    int
		failed, requests   int
		faultsMet, rounds  int
		lateCallbacks      int
		began              = time.Now()
		sampleEvery        = duration / 40
		lastSample         time.Time
		ctx, cancel        = context.WithTimeout(context.Background(), duration+2*time.Minute)
		roundsByFaultIndex = make([]int, len(soakFaults))
	)
	defer cancel()
	for time.Since(began) < duration || len(samples) < 4 {
		f := rounds % len(soakFaults)
		fault := soakFaults[f]
		roundsByFaultIndex[f]++
		rounds++
		h.waitGateway(ctx)
		identifies, resumes := h.fake.IdentifyCount(), h.fake.ResumeCount()
		if fault.before != nil {
			fault.before(h)
		}
		if fault.name == "invalid session" {
			if err := h.fake.Wait(ctx, func() bool { return h.fake.IdentifyCount() > identifies && h.fake.Connected() }); err != nil {
				t.Fatalf("round %d: no identify after op 9: %v", rounds, err)
			}
		}
		probes := mixed(perRound)
		if fault.during != nil {
			fault.during(h)
			if err := h.fake.Wait(ctx, func() bool { return h.fake.ResumeCount() > resumes && h.fake.Connected() }); err != nil {
				t.Fatalf("round %d: no resume after the drop: %v", rounds, err)
			}
		}
		d, fl := h.settle(ctx, probes)
		h.fake.ClearFaults()
		if t.Failed() {
			t.Fatalf("round %d (%s): a question was lost", rounds, fault.name)
		}
		asked += len(probes)
		answered += d
		failed += fl
		for _, r := range h.fake.Requests() {
			if r.Fault != "" {
				faultsMet++
			}
		}
		requests += len(h.fake.Requests())
		for _, v := range h.fake.Violations()[lateCallbacks:] {
			if v.Code != "10062" { // a callback after the deadline, when a drop delayed the interaction
				t.Fatalf("round %d (%s): the bot broke a rule: %v", rounds, fault.name, v)
			}
			lateCallbacks++
		}
		// Nothing the fake remembers of past rounds should count as the bot's.
		h.fake.ForgetHistory()
		h.logs.mu.Lock()
		h.logs.b.Reset()
		h.logs.mu.Unlock()

		if time.Since(lastSample) >= sampleEvery {
			h.waitGateway(ctx)
			samples = append(samples, sampleFootprint(h, began))
			lastSample = time.Now()
		}
	}

	q := len(samples) / 4
	first, last := samples[:q], samples[len(samples)-q:]
	t.Logf("soak %v: %d rounds (by fault %v), %d questions, %d answered, %d failures logged, %d requests, %d met a fault, %d late callbacks",
		time.Since(began).Round(time.Second), rounds, roundsByFaultIndex, asked, answered, failed, requests, faultsMet, lateCallbacks)
	for _, s := range samples {
		t.Logf("  %8v  heap in use %6.1f MiB  goroutines %d", s.at.Round(100*time.Millisecond), mib(s.heapInuse), s.goroutines)
	}
	heapFirst, heapLast := meanHeap(first), meanHeap(last)
	t.Logf("heap in use: first quarter %.1f MiB, last quarter %.1f MiB; goroutines: first quarter max %d, last quarter max %d",
		mib(heapFirst), mib(heapLast), maxGoroutines(first), maxGoroutines(last))
	// Generous: 25% and 4 MiB over the first quarter. A leak of a few hundred
	// bytes per question shows over ten minutes, not over CI's seconds.
	if limit := heapFirst + heapFirst/4 + 4<<20; heapLast > limit {
		t.Errorf("heap in use grew from %.1f MiB to %.1f MiB (limit %.1f MiB)", mib(heapFirst), mib(heapLast), mib(limit))
	}
	if g0, g1 := maxGoroutines(first), maxGoroutines(last); g1 > g0+8 {
		t.Errorf("goroutines grew from at most %d to %d", g0, g1)
	}
	if answered == 0 || asked != answered+failed {
		t.Errorf("%d asked, %d answered, %d failed", asked, answered, failed)
	}
}

// rateLimitBuckets counts the rate-limit buckets discordgo keeps for a
// session (an unexported map, read under the limiter's own lock).
func rateLimitBuckets(s *discordgo.Session) int {
	s.Ratelimiter.Lock()
	defer s.Ratelimiter.Unlock()
	return reflect.ValueOf(s.Ratelimiter).Elem().FieldByName("buckets").Len()
}

// TestRateLimitBucketsStayFew: discordgo never frees a rate-limit bucket,
// and keys an interaction callback's by its URL (the interaction's id and
// token), so answering with Session.InteractionRespond grows the heap by
// every interaction; the bot's callbacks share a few buckets instead.
func TestRateLimitBucketsStayFew(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	h, mixed := startMixed(t)
	const n = 60
	if d, f := h.settle(ctx, mixed(n)); d != n {
		t.Fatalf("%d of %d answered (%d failed)", d, n, f)
	}
	// A few per route (commands, channels, the DM, webhook edits) and the
	// callbacks' shared ones; not one per interaction.
	if got, limit := rateLimitBuckets(h.bot.Session()), callbackBuckets+8; got > limit {
		t.Errorf("%d rate-limit buckets after %d interactions; want at most %d", got, n*3/4, limit)
	}
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

func meanHeap(s []soakSample) uint64 {
	var sum uint64
	for _, x := range s {
		sum += x.heapInuse
	}
	return sum / uint64(len(s))
}

func maxGoroutines(s []soakSample) int {
	m := 0
	for _, x := range s {
		m = max(m, x.goroutines)
	}
	return m
}

// TestAutocompleteBucketsStayFew: autocomplete fires on every keystroke,
// so its answers must share the callbacks' buckets too.
func TestAutocompleteBucketsStayFew(t *testing.T) {
	t.Parallel()
	h := start(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	before := rateLimitBuckets(h.bot.Session())
	const n = 40
	for k := range n {
		ac := discordtest.Autocomplete(inGuildA, cmdSources, discordtest.SubCommand("show", discordtest.Focused(discordtest.StringOption("id", "den"[:1+k%3]))))
		if err := h.fake.DispatchInteraction(ac); err != nil {
			t.Fatal(err)
		}
		if _, err := h.fake.WaitFor(ctx, func(r discordtest.Request) bool {
			return strings.Contains(r.Path, "/interactions/"+ac.ID+"/") && strings.Contains(string(r.Body), "choices")
		}); err != nil {
			t.Fatalf("autocomplete %d not answered: %v", k, err)
		}
	}
	if got, limit := rateLimitBuckets(h.bot.Session()), before+callbackBuckets; got > limit {
		t.Errorf("%d rate-limit buckets after %d autocompletes (from %d); want at most %d", got, n, before, limit)
	}
}
