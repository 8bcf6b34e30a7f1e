package bot

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter holds the per-member and per-server rate limits of asking.
type limiter struct {
	mu      sync.Mutex
	member  map[string]*limitEntry
	guild   map[string]*limitEntry
	mRate   rate.Limit
	mBurst  int
	gRate   rate.Limit
	gBurst  int
	now     func() time.Time
	sweepAt time.Time
}

type limitEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(cfg Config) *limiter {
	return &limiter{
		member: map[string]*limitEntry{},
		guild:  map[string]*limitEntry{},
		mRate:  rate.Limit(cfg.MemberPerMinute / 60),
		mBurst: cfg.MemberBurst,
		gRate:  rate.Limit(cfg.GuildPerMinute / 60),
		gBurst: cfg.GuildBurst,
		now:    time.Now,
	}
}

// allow takes one question from the member's and the server's budgets. When
// either is spent it takes nothing and says how long to wait.
func (l *limiter) allow(memberID, guildID string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	m := l.entry(l.member, memberID, l.mRate, l.mBurst, now)
	rm := m.ReserveN(now, 1)
	wait := rm.DelayFrom(now)
	if guildID != "" {
		g := l.entry(l.guild, guildID, l.gRate, l.gBurst, now)
		rg := g.ReserveN(now, 1)
		if d := rg.DelayFrom(now); d > 0 {
			rg.CancelAt(now)
			wait = max(wait, d)
		} else if wait > 0 {
			rg.CancelAt(now)
		}
	}
	if wait > 0 {
		rm.CancelAt(now)
		return wait, false
	}
	return 0, true
}

func (l *limiter) entry(m map[string]*limitEntry, key string, r rate.Limit, burst int, now time.Time) *rate.Limiter {
	e, ok := m[key]
	if !ok {
		e = &limitEntry{lim: rate.NewLimiter(r, burst)}
		m[key] = e
	}
	e.seen = now
	return e.lim
}

// sweep forgets limiters unused for an hour (a full budget again), so that
// memory does not grow with every member ever seen.
func (l *limiter) sweep(now time.Time) {
	if now.Before(l.sweepAt) {
		return
	}
	l.sweepAt = now.Add(10 * time.Minute)
	for _, m := range []map[string]*limitEntry{l.member, l.guild} {
		for k, e := range m {
			if now.Sub(e.seen) > time.Hour {
				delete(m, k)
			}
		}
	}
}
