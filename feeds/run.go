package feeds

import (
	"context"
	"time"
)

// DefaultTick is how often Run looks for due feeds.
const DefaultTick = 30 * time.Second

// Run polls due feeds every tick (DefaultTick when 0) until ctx ends, and
// returns then, after the read in progress has stopped. A poll that fails
// (the library cannot be written, say) is logged and tried at the next tick.
func (s *Service) Run(ctx context.Context, tick time.Duration) {
	if tick <= 0 {
		tick = DefaultTick
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		sum, err := s.PollDue(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.log.Error("polling feeds", "err", err)
		} else if n := len(sum.Results); n > 0 {
			s.log.Info("polled feeds", "feeds", n, "added", sum.Count(OutcomeAdded), "errors", sum.Polls(PollError))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
