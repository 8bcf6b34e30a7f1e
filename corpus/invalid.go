package corpus

import (
	"fmt"

	"github.com/verbatim-bot/verbatim/usererr"
)

// invalidError is a source refused for what it is or what was said of it.
// It is ErrInvalid (errors.Is), and a *usererr.Error of code Invalid
// (usererr.As) whose message says in a sentence what was wrong, so no
// caller need cut its text apart; its own text, for a log or a terminal, is
// "invalid source: " and the detail, as before.
type invalidError struct {
	detail string
	user   *usererr.Error
	cause  error // an error of this package underneath (ErrEmpty), or nil
}

func (e *invalidError) Error() string { return ErrInvalid.Error() + ": " + e.detail }

// Unwrap gives ErrInvalid, the *usererr.Error and the cause.
func (e *invalidError) Unwrap() []error {
	errs := []error{ErrInvalid, e.user}
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	return errs
}

// invalid returns an error wrapping ErrInvalid whose detail is formatted;
// cause (may be nil) stays reachable with errors.Is and errors.As.
func invalid(cause error, format string, args ...any) error {
	detail := fmt.Sprintf(format, args...)
	return &invalidError{detail: detail, cause: cause, user: &usererr.Error{
		Code: usererr.Invalid, Message: "Not added: " + detail + ".",
	}}
}
