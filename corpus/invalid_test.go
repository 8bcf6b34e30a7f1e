package corpus

import (
	"errors"
	"testing"
	"time"

	"github.com/verbatim-bot/verbatim/usererr"
)

// A refused source's error is ErrInvalid and a user error whose message is
// whole: no caller needs to cut "invalid source: " off its text.
func TestInvalidIsAUserError(t *testing.T) {
	c, err := NewChunker()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := ParseText([]byte("Ferry Timetable\n\nThe harbour ferry will run every twenty minutes from May."))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		doc       Document
		meta      Meta
		text, msg string
		cause     error
	}{
		{"a date that does not exist", doc, Meta{Published: "2021-13-45"}, `invalid source: date "2021-13-45" does not exist`,
			`Not added: date "2021-13-45" does not exist.`, nil},
		{"a bad scope", doc, Meta{Scope: "bogus"}, `invalid source: scope "bogus" is neither "global" nor a server id`,
			`Not added: scope "bogus" is neither "global" nor a server id.`, nil},
		{"no text", Document{}, Meta{}, "invalid source: no article text found", "Not added: no article text found.", ErrEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewSource(tt.doc, tt.meta, c, time.Now())
			if !errors.Is(err, ErrInvalid) || err.Error() != tt.text {
				t.Errorf("error %q (is ErrInvalid: %v), want %q", err, errors.Is(err, ErrInvalid), tt.text)
			}
			if usererr.CodeOf(err) != usererr.Invalid || usererr.MessageOf(err) != tt.msg {
				t.Errorf("code %q message %q, want invalid %q", usererr.CodeOf(err), usererr.MessageOf(err), tt.msg)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Errorf("the cause %v is lost", tt.cause)
			}
		})
	}
}
