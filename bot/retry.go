package bot

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
)

// retryDelays are the waits between attempts of a call that Discord answered
// with a server error. discordgo retries rate limits (429) itself, but not a
// 500, and an answer that was worked out should not be lost to one.
var retryDelays = []time.Duration{200 * time.Millisecond, time.Second, 3 * time.Second}

// withRetry runs call, again after a server error (5xx), until it succeeds,
// fails otherwise, or ctx is done.
func withRetry(ctx context.Context, call func() error) error {
	err := call()
	for _, d := range retryDelays {
		if err == nil || !serverError(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(d):
		}
		err = call()
	}
	return err
}

// serverError reports whether err is Discord answering 5xx.
func serverError(err error) bool {
	var rest *discordgo.RESTError
	return errors.As(err, &rest) && rest.Response != nil && rest.Response.StatusCode >= http.StatusInternalServerError
}
