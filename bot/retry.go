package bot

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// defaultRetryDelays are the waits between attempts of a call that Discord
// answered with a server error, unless Config says otherwise. discordgo
// retries rate limits (429) itself, but not a 500, and an answer that was
// worked out should not be lost to one.
func defaultRetryDelays() []time.Duration {
	return []time.Duration{200 * time.Millisecond, time.Second, 3 * time.Second}
}

// withRetry runs call, again after a server error (5xx) once per delay in
// delays, until it succeeds, fails otherwise, or ctx is done. Each wait is
// jittered, so that calls that failed together (a blip at Discord's end) do
// not all come back together.
func withRetry(ctx context.Context, delays []time.Duration, call func() error) error {
	err := call()
	for _, d := range delays {
		if err == nil || !serverError(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(jitter(d)):
		}
		err = call()
	}
	return err
}

// jitter spreads a wait d uniformly over [d/2, 3d/2).
func jitter(d time.Duration) time.Duration { return d/2 + rand.N(d) }

// exhausted502 starts the error discordgo returns once its own retries of a
// 502 are spent (Session.MaxRestRetries): not a *discordgo.RESTError.
const exhausted502 = "Exceeded Max retries HTTP 5"

// serverError reports whether err is Discord answering 5xx, including a 502
// that discordgo already retried.
func serverError(err error) bool {
	var rest *discordgo.RESTError
	if errors.As(err, &rest) {
		return rest.Response != nil && rest.Response.StatusCode >= http.StatusInternalServerError
	}
	return strings.Contains(err.Error(), exhausted502)
}
