package discordtest

import (
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// fault answers the next matching requests in place of the real route.
type fault struct {
	route      string        // as for Request.Is
	status     int           // HTTP status to answer
	retryAfter time.Duration // for 429s
	remaining  int           // requests still to answer
}

// FailNext makes the next n requests matching route fail with status (for
// example 500 or 502) and a Discord-style JSON body, without being processed.
// route is "METHOD /path" or "/path", matched without the /api/vN prefix,
// where "*" matches one path segment: "POST /webhooks/*/*" matches follow-ups.
// discordgo retries a 502 up to Session.MaxRestRetries times; it returns
// other 5xx to the caller as a *discordgo.RESTError at once.
func (s *Server) FailNext(route string, status, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{route: route, status: status, remaining: n})
}

// RateLimitNext makes the next request matching route (see FailNext) answer
// 429 Too Many Requests as Discord does: Retry-After and X-RateLimit-*
// headers (Remaining 0, Reset-After = retryAfter) and the body
// {"message": "You are being rate limited.", "retry_after": <seconds>, "global": false}.
// discordgo, with ShouldRetryOnRateLimit, sleeps retry_after and retries
// (without a cap on attempts).
func (s *Server) RateLimitNext(route string, retryAfter time.Duration) {
	s.RateLimitNextN(route, retryAfter, 1)
}

// RateLimitNextN makes the next n requests matching route answer 429, as
// RateLimitNext does for one: a storm of rate limits. discordgo retries each
// after retryAfter, so one call of the bot's may meet several of them.
func (s *Server) RateLimitNextN(route string, retryAfter time.Duration, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{route: route, status: http.StatusTooManyRequests, retryAfter: retryAfter, remaining: n})
}

// Hold is a request held back by HoldNext.
type Hold struct {
	route    string
	arrived  chan struct{}
	released chan struct{}
	release  sync.Once
	taken    bool // guarded by Server.mu: a request has arrived and is held
}

// HoldNext makes the next request matching route (see FailNext) wait, once
// it is recorded, until the test calls Release (or the server closes, or the
// client gives up on it); then it goes on to be answered as usual, by an
// injected fault or by its route. A test uses it to act while a request of
// the bot's is in flight: for example, to drop the gateway connection
// between the bot receiving an interaction and its answer arriving.
// Holds are matched before faults, in the order they were made.
func (s *Server) HoldNext(route string) *Hold {
	h := &Hold{route: route, arrived: make(chan struct{}), released: make(chan struct{})}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.holds = append(s.holds, h)
	if s.closed {
		h.Release()
	}
	return h
}

// Arrived is closed when the held request has arrived.
func (h *Hold) Arrived() <-chan struct{} { return h.arrived }

// Release lets the held request go on. It may be called more than once, and
// before the request arrives (which then is not held).
func (h *Hold) Release() { h.release.Do(func() { close(h.released) }) }

// holdIfAsked holds the request if a pending Hold matches it.
func (s *Server) holdIfAsked(ex *exchange) {
	s.mu.Lock()
	var h *Hold
	for _, cand := range s.holds {
		if !cand.taken && matchRoute(cand.route, ex.r.Method, apiPath(ex.r.URL.Path)) {
			h = cand
			h.taken = true
			break
		}
	}
	s.mu.Unlock()
	if h == nil {
		return
	}
	close(h.arrived)
	select {
	case <-h.released:
	case <-ex.r.Context().Done():
	}
}

// releaseHoldsLocked lets every held request go on and forgets the holds
// (when the server closes, or forgets its history).
func (s *Server) releaseHoldsLocked() {
	for _, h := range s.holds {
		h.Release()
	}
	s.holds = nil
}

// FailEvery makes every n-th API request from now on (counting every request
// that reaches the fault stage, including GET /gateway) fail with status.
// FailEvery(0, 0) turns it off.
func (s *Server) FailEvery(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failEvery, s.failEveryStatus, s.failEveryCount = n, status, 0
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
	s.failEvery, s.failEveryStatus, s.failEveryCount = 0, 0, 0
}

// injectFault answers the request with an injected fault, if one applies,
// and reports whether it did.
func (s *Server) injectFault(ex *exchange) bool {
	s.mu.Lock()
	var f *fault
	for _, cand := range s.faults {
		if cand.remaining > 0 && matchRoute(cand.route, ex.r.Method, apiPath(ex.r.URL.Path)) {
			cand.remaining--
			f = cand
			break
		}
	}
	if f == nil && s.failEvery > 0 {
		s.failEveryCount++
		if s.failEveryCount%s.failEvery == 0 {
			f = &fault{route: fmt.Sprintf("every %d requests", s.failEvery), status: s.failEveryStatus}
		}
	}
	if f != nil {
		ex.rec.Fault = fmt.Sprintf("%d for %s", f.status, f.route)
	}
	now := s.now()
	s.mu.Unlock()
	if f == nil {
		return false
	}

	if f.status != http.StatusTooManyRequests {
		ex.fail(f.status, codeGeneral, fmt.Sprintf("%d: %s", f.status, http.StatusText(f.status)))
		return true
	}
	secs := f.retryAfter.Seconds()
	h := ex.w.Header()
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
	h.Set("X-RateLimit-Limit", "5")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(now.Add(f.retryAfter).UnixMilli())/1000, 'f', 3, 64))
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
	bucket := fnv.New32a()
	_, _ = bucket.Write([]byte(f.route)) // a hash never fails to write
	h.Set("X-RateLimit-Bucket", fmt.Sprintf("%08x", bucket.Sum32()))
	h.Set("X-RateLimit-Scope", "user")
	ex.reply(http.StatusTooManyRequests, map[string]any{
		"message":     "You are being rate limited.",
		"retry_after": secs,
		"global":      false,
	})
	return true
}
