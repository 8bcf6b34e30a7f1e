package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
	"github.com/verbatim-bot/verbatim/usererr"
)

// TestToUserError: what a member reads of each error of the library, the
// corpus and the fetcher, as the handlers return them (wrapped in the step
// that failed).
func TestToUserError(t *testing.T) {
	b := &Bot{}
	fetchErr := func(sentinel error, text string) error { return fmt.Errorf("refusing to fetch %s: %w", text, sentinel) }
	tests := []struct {
		name  string
		err   error
		route string
		code  usererr.Code
		want  string
	}{
		{"bad filter", failed("answering", fmt.Errorf("%w: after must be a date like 2021-03-17, not %q", retrieval.ErrBadFilter, "soon")), "/ask",
			usererr.Invalid, `After must be a date like 2021-03-17, not "soon".`},
		{"no words", failed("answering", retrieval.ErrNoWords), "mention", usererr.Invalid, "The question has no words to look for."},
		{"empty question", failed("answering", retrieval.ErrEmptyQuestion), "/ask", usererr.Invalid,
			`The question is empty: ask something, for example "Did Mueller find collusion?".`},
		{"already there", failed("adding a source", &corpus.ExistsError{ID: "abc", Title: "A *bold* title"}), "addtext", usererr.Exists,
			"Already in the library as `abc` (**A \\*bold\\* title**)."},
		{"invalid", failed("adding a source", fmt.Errorf("%w: date %q does not exist", corpus.ErrInvalid, "2021-02-30")), "addtext", usererr.Invalid,
			`Not added: date "2021\-02\-30" does not exist.`},
		{"not visible", failed("removing a source", fmt.Errorf("source x: %w", retrieval.ErrNotVisible)), "rm", usererr.Forbidden,
			"That source is in the global library, which only the operator can change."},
		{"gone, from a button", failed("reading a source for context", corpus.ErrNotFound), "ctx", usererr.NotFound, msgGone},
		{"not found, /sources show", failed("showing a source", corpus.ErrNotFound), routeShowSource, usererr.NotFound,
			"There is no such source in this server's library. Try /sources list."},
		{"not found, /library remove", failed("reading a source to remove", corpus.ErrNotFound), routeRemove, usererr.NotFound,
			"There is no such source in this server's library."},
		{"a URL refused", failed("fetching an article", fetchErr(corpus.ErrBlockedAddress, "http://10.0.0.1/x")), "/library/add/url", usererr.Invalid,
			`Not added: refusing to fetch http\://10.0.0.1/x\: blocked address.`},
		{"an attachment not downloaded", failed("downloading an attachment", fetchErr(corpus.ErrBlockedAddress, "http://10.0.0.1/x")), routeAddFile, usererr.Invalid,
			"Not added: the file could not be downloaded from Discord."},
		{"an attachment larger than it said", failed("downloading an attachment", fmt.Errorf("fetching x: %w", corpus.ErrTooLarge)), routeAddFile, usererr.Invalid,
			"Not added: that file is over the 5 MiB limit for an article file; upload just the article."},
		{"a user error stays", expired(errors.New("why")), "ctx", usererr.Invalid, msgExpired},
		{"internal", failed("listing sources", errors.New("disk on fire")), "/sources/list", usererr.Internal, usererr.InternalMessage},
		{"internal, unwrapped", errors.New("disk on fire"), "/sources/list", usererr.Internal, usererr.InternalMessage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := b.toUserError(tc.err, tc.route)
			if c, m := usererr.CodeOf(got), usererr.MessageOf(got); c != tc.code || m != tc.want {
				t.Errorf("%v: code %s, message %q; want %s, %q", tc.err, c, m, tc.code, tc.want)
			}
			if !errors.Is(got, underneath(tc.err)) {
				t.Errorf("the cause %v is lost: %v", underneath(tc.err), got)
			}
		})
	}
}

// TestExplainLogs: an internal error is logged as an error under the name
// of the step that failed, with its cause; a user error is logged for the
// record only, at Debug when it is a refusal of the bot's own.
func TestExplainLogs(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		level, msg string
		told       string
	}{
		{"internal", unsent("sending the answer", errors.New("HTTP 500")), "ERROR", "sending the answer failed", usererr.InternalMessage},
		{"internal, no step", errors.New("boom"), "ERROR", "handling a request failed", usererr.InternalMessage},
		{"a user error of a step", failed("answering", retrieval.ErrNoWords), "INFO", "refused", "The question has no words to look for."},
		{"a refusal", usererr.New(usererr.Forbidden, msgNotMod), "DEBUG", "refused", msgNotMod},
		{"a refusal with a cause", expired(errors.New("unknown button")), "INFO", "refused", msgExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs := &syncBuffer{}
			b := &Bot{log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
			told := b.explain(context.Background(), tc.err, "/ask", "interaction", "42")
			rec := parseLogLine(strings.TrimSpace(logs.String()))
			if told != tc.told || rec["level"] != tc.level || rec["msg"] != tc.msg || rec["interaction"] != "42" ||
				rec["err"] != underneath(tc.err).Error() {
				t.Errorf("told %q, logged %v; want %q, %s %q with the cause", told, rec, tc.told, tc.level, tc.msg)
			}
		})
	}
}
