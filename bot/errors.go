package bot

import (
	"context"
	"errors"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
	"github.com/verbatim-bot/verbatim/usererr"
)

// What members see when something fails. Anything that is not a user error
// is shown as usererr.InternalMessage; its cause goes to the operator's log
// with the interaction id.
const (
	msgStopping = "Verbatim is restarting; please try again in a minute."
	msgNotMod   = "Only moderators (Manage Messages, Manage Server or Administrator, or a moderator role) can change this server's library."
	msgExpired  = "This answer has expired; please ask again."
	msgGone     = "That source is no longer in the library."
	msgNoSource = "There is no such source in this server's library."
)

// opError is a step of a handler that failed: msg names it for the log
// ("sending the answer failed"). unsent means the member could not be
// reached (responding to Discord failed), so nobody tries to tell them.
type opError struct {
	op, msg string
	err     error
	unsent  bool
}

func (e *opError) Error() string { return e.op + ": " + e.err.Error() }
func (e *opError) Unwrap() error { return e.err }

// failed wraps the error of a step (op: "answering", "adding a source").
func failed(op string, err error) error { return &opError{op: op, msg: op + " failed", err: err} }

// unsent wraps the error of a step that should have reached the member.
func unsent(op string, err error) error {
	return &opError{op: op, msg: op + " failed", err: err, unsent: true}
}

// expired refuses a button or modal that is forged, stale or unknown; cause
// says why, for the log.
func expired(cause error) error { return usererr.Wrap(usererr.Invalid, cause, msgExpired) }

// notAdded says what was wrong with what a moderator gave to add (a page, a
// file, pasted text).
func notAdded(cause error, why string) error {
	return usererr.Wrap(usererr.Invalid, cause, "Not added: %s.", escapeMarkdown(why))
}

// toUserError turns the errors of the library, the corpus and the fetcher
// into what the member of route is told: a *usererr.Error, or err itself
// when it is internal (or already a user error). It is the one place that
// knows their wording.
func (b *Bot) toUserError(err error, route string) error {
	cause := underneath(err)
	if errors.Is(err, corpus.ErrInvalid) {
		// corpus says what was wrong in its own words, which may carry a
		// moderator's own text (a date, a URL): escaped before a member
		// sees it, so it is checked before user errors pass through as
		// they are.
		return notAdded(err, detail(cause, corpus.ErrInvalid))
	}
	if usererr.As(err) != nil {
		return err
	}
	var exists *corpus.ExistsError
	switch {
	case errors.Is(err, retrieval.ErrBadFilter):
		return usererr.Wrap(usererr.Invalid, err, "%s", sentence(detail(cause, retrieval.ErrBadFilter)))
	case errors.Is(err, retrieval.ErrEmptyQuestion), errors.Is(err, retrieval.ErrQuestionTooLong), errors.Is(err, retrieval.ErrNoWords):
		return usererr.Wrap(usererr.Invalid, err, "%s", sentence(cause.Error()))
	case errors.As(err, &exists):
		return usererr.Wrap(usererr.Exists, err, "Already in the library as `%s` (**%s**).", exists.ID, escapeMarkdown(truncate(exists.Title, 200)))
	case errors.Is(err, retrieval.ErrNotVisible):
		return usererr.Wrap(usererr.Forbidden, err, "That source is in the global library, which only the operator can change.")
	case errors.Is(err, corpus.ErrNotFound):
		return usererr.Wrap(usererr.NotFound, err, "%s", notFoundMessage(route))
	case route == routeAddFile && errors.Is(err, corpus.ErrTooLarge):
		// Larger than the attachment said it was.
		return b.tooBig(err)
	case route == routeAddFile && isFetchError(err):
		return notAdded(err, "the file could not be downloaded from Discord")
	case isFetchError(err):
		// The fetcher's errors say what was refused and why, without
		// internals (address class, status, size, type).
		return notAdded(err, cause.Error())
	}
	return err
}

// notFoundMessage is what a member is told when the source route names is
// not there: a source typed in a command was never in this server's
// library; a button's was, once.
func notFoundMessage(route string) string {
	switch route {
	case routeShowSource:
		return msgNoSource + " Try /sources list."
	case routeRemove:
		return msgNoSource
	}
	return msgGone
}

// isFetchError reports whether err came from corpus.Fetcher.Fetch, which
// wraps one of these in every error.
func isFetchError(err error) bool {
	for _, s := range []error{corpus.ErrBadURL, corpus.ErrBlockedAddress, corpus.ErrTooManyRedirects, corpus.ErrRedirectLoop,
		corpus.ErrTooLarge, corpus.ErrTimeout, corpus.ErrUnsupportedType, corpus.ErrHTTPStatus, corpus.ErrFetch} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// underneath returns err without the opError steps around it: the error as
// the library, corpus or fetcher returned it.
func underneath(err error) error {
	for {
		var op *opError
		if !errors.As(err, &op) {
			return err
		}
		err = op.err
	}
}

// detail returns what err says after its sentinel ("bad filter: after must
// be a date…" → "after must be a date…"). retrieval and corpus write the
// detail into the error's text only; once they return *usererr.Error this
// goes.
func detail(err, sentinel error) string {
	return strings.TrimPrefix(err.Error(), sentinel.Error()+": ")
}

// sentence makes an error's text a sentence: capitalised, with a full stop.
func sentence(s string) string {
	if s == "" {
		return usererr.InternalMessage
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// explain logs err under logKey (the interaction or message id) and returns
// what the member is told of it. An internal error is logged as an error,
// under the name of the step that failed; a user error only for the record.
func (b *Bot) explain(ctx context.Context, err error, route string, logKey ...any) string {
	uerr := b.toUserError(err, route)
	attrs := append(logKey, "route", route, "err", underneath(err))
	var op *opError
	hasOp := errors.As(err, &op)
	switch ue := usererr.As(uerr); {
	case ue == nil || ue.Code == usererr.Internal:
		msg := "handling a request failed"
		if hasOp {
			msg = op.msg
		}
		b.log.ErrorContext(ctx, msg, attrs...)
	case ue.Cause == nil && ue == err:
		// A refusal of the bot's own (a rate limit, a moderators-only
		// command): nothing underneath worth the operator's time.
		b.log.DebugContext(ctx, "refused", append(attrs, "reason", ue.Message)...)
	case hasOp:
		b.log.InfoContext(ctx, "refused", append(attrs, "step", op.msg, "reason", ue.Message)...)
	default:
		b.log.InfoContext(ctx, "refused", append(attrs, "reason", ue.Message)...)
	}
	return usererr.MessageOf(uerr)
}

// fail is the one place a request's error becomes a log line (with the
// interaction id) and the member's message, sent the way the request is
// answered (see replyMode). An error that could not reach the member is
// only logged. An autocomplete has no message: its error is answered with
// no choices.
func (b *Bot) fail(r *request, err error) {
	if err == nil {
		return
	}
	text := b.explain(r.ctx, err, r.route, "interaction", r.i.ID)
	var op *opError
	if errors.As(err, &op) && op.unsent {
		return
	}
	if r.i.Type == discordgo.InteractionApplicationCommandAutocomplete {
		if err := b.answerChoices(r.ctx, r.i, nil); err != nil {
			b.explain(r.ctx, err, r.route, "interaction", r.i.ID)
		}
		return
	}
	if err := b.reply(r, rendered{Content: text}); err != nil {
		b.explain(r.ctx, err, r.route, "interaction", r.i.ID)
	}
}
