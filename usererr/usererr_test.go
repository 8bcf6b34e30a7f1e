package usererr

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

func TestCodeAndMessage(t *testing.T) {
	cause := fs.ErrPermission
	tests := []struct {
		name     string
		err      error
		code     Code
		message  string
		isCause  bool
		errorStr string
	}{
		{"nil", nil, "", InternalMessage, false, ""},
		{"plain error is internal", errors.New("bolt: page 7 corrupt"), Internal, InternalMessage, false, "bolt: page 7 corrupt"},
		{"user error", New(Invalid, "The question is empty."), Invalid, "The question is empty.", false, "The question is empty."},
		{"wrapped in context", fmt.Errorf("answering: %w", Errorf(NotFound, "No source %q.", "abc")), NotFound, `No source "abc".`, false, `answering: No source "abc".`},
		{"with a cause", Wrap(Unavailable, cause, "The disk is full."), Unavailable, "The disk is full.", true, "The disk is full.: permission denied"},
		{"internal code hides its message", Wrap(Internal, cause, "index batch 3 failed"), Internal, InternalMessage, true, "index batch 3 failed: permission denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CodeOf(tt.err); got != tt.code {
				t.Errorf("CodeOf = %q, want %q", got, tt.code)
			}
			if got := MessageOf(tt.err); got != tt.message {
				t.Errorf("MessageOf = %q, want %q", got, tt.message)
			}
			if got := errors.Is(tt.err, cause); got != tt.isCause {
				t.Errorf("errors.Is(err, cause) = %v, want %v", got, tt.isCause)
			}
			if tt.err != nil && tt.err.Error() != tt.errorStr {
				t.Errorf("Error() = %q, want %q", tt.err.Error(), tt.errorStr)
			}
		})
	}
}

func TestIs(t *testing.T) {
	err := fmt.Errorf("adding: %w", New(Exists, "Already in the library."))
	if !Is(err, Exists) || Is(err, Invalid) || Is(nil, Internal) {
		t.Fatal("Is does not follow the chain's outermost *Error")
	}
}
