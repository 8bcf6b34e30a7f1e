// Package usererr is the one error type whose text is meant for a person: a
// member in Discord, or whoever runs the verbatim command. An *Error carries
// a Code (what kind of failure, so callers can choose an exit status or a
// reply without reading strings), a Message fit to show as it is, and the
// Cause, which goes to the operator's log and never to a member.
//
// Any other error is internal: MessageOf gives a generic sentence for it, so
// nothing of Verbatim's insides reaches a member by accident.
//
// usererr imports nothing of Verbatim's; every other package may use it.
package usererr

import (
	"errors"
	"fmt"
)

// Code says what kind of failure an error is.
type Code string

// The codes. Internal is the code of every error that is not an *Error.
const (
	// Invalid: the input was wrong (a bad question, filter, file or URL);
	// the message says what, and what to do instead.
	Invalid Code = "invalid"
	// NotFound: what was named does not exist (or is not visible here).
	NotFound Code = "not_found"
	// Exists: what was to be added is already there.
	Exists Code = "exists"
	// Forbidden: the asker may not do this.
	Forbidden Code = "forbidden"
	// Unavailable: it could not be done now (a full disk, a busy or
	// damaged library, a deadline); the message says whether and when to
	// try again.
	Unavailable Code = "unavailable"
	// Internal: something went wrong inside Verbatim.
	Internal Code = "internal"
)

// InternalMessage is what a person is told of an internal error.
const InternalMessage = "Something went wrong on Verbatim's side; please try again later."

// Error is an error with a message for a person.
type Error struct {
	Code Code
	// Message is shown as it is: a sentence or two, no internals.
	Message string
	// Cause is what went wrong underneath, for the log; it may be nil.
	Cause error
}

// Error returns the message, followed by the cause when there is one.
func (e *Error) Error() string {
	if e.Cause == nil {
		return e.Message
	}
	return e.Message + ": " + e.Cause.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// New returns an *Error with a fixed message.
func New(code Code, message string) *Error { return &Error{Code: code, Message: message} }

// Errorf returns an *Error whose message is formatted. %w is not special
// here: use Wrap to keep a cause.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with the message for a person and cause for the log.
func Wrap(code Code, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Cause: cause}
}

// As returns the outermost *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// CodeOf returns the code of the outermost *Error in err's chain: Internal
// when there is none, "" for a nil error.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	if e := As(err); e != nil {
		return e.Code
	}
	return Internal
}

// MessageOf returns what a person should be told of err: the message of the
// outermost *Error in its chain, or InternalMessage when there is none (or
// it is Internal). The wrapping context around it is for the log.
func MessageOf(err error) string {
	e := As(err)
	if e == nil || e.Code == Internal || e.Message == "" {
		return InternalMessage
	}
	return e.Message
}

// Is reports whether err is an *Error of code c.
func Is(err error, c Code) bool { return err != nil && CodeOf(err) == c }
