package discordtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Request is one HTTP request the fake received, as recorded.
type Request struct {
	Seq    int         // 1-based order of arrival
	Time   time.Time   // arrival, by the server's clock
	Method string      // e.g. POST
	Host   string      // the host the client addressed, e.g. discord.com
	Path   string      // the URL path as sent, e.g. /api/v9/channels/1/messages
	Query  url.Values  // the URL's query parameters
	Header http.Header // the request's headers, Authorization included

	// Route is the matched route pattern, e.g.
	// "POST /api/{v}/interactions/{id}/{token}/callback"; "" when no route matched.
	Route string
	// Unknown is true when no route matched; the fake answered 404.
	Unknown bool

	Body  []byte // the JSON body; for multipart requests, the payload_json part
	JSON  any    // Body decoded (map[string]any or []any); nil without a body
	Files []File // files of a multipart request

	Status   int    // the status the fake answered; 0 while still being handled
	Response []byte // the body the fake answered
	Fault    string // what injected fault answered the request, if any
}

// APIPath is Path without the /api/vN prefix, e.g. /channels/1/messages.
func (r Request) APIPath() string { return apiPath(r.Path) }

// Is reports whether the request matches a route pattern, as FailNext uses
// them: "METHOD /path" or "/path", where "*" matches one path segment and the
// path is matched without its /api/vN prefix, e.g. "POST /interactions/*/*/callback".
func (r Request) Is(route string) bool { return matchRoute(route, r.Method, r.APIPath()) }

// Decode unmarshals the request's JSON body into v.
func (r Request) Decode(v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("discordtest: decoding body of %s %s: %w", r.Method, r.Path, err)
	}
	return nil
}

// String summarises the request for test failure messages.
func (r Request) String() string {
	s := fmt.Sprintf("#%d %s %s → %d", r.Seq, r.Method, r.Path, r.Status)
	if r.Fault != "" {
		s += " (fault: " + r.Fault + ")"
	}
	if r.Unknown {
		s += " (unknown route)"
	}
	return s
}

// File is a file uploaded in a multipart request.
type File struct {
	Field       string // form field, e.g. files[0]
	Name        string // the file name, as sent
	ContentType string // the part's Content-Type, as sent
	Data        []byte // the file's bytes
}

// MessageKind says how the bot sent a recorded message.
type MessageKind string

// The kinds of recorded messages.
const (
	KindInteractionReply MessageKind = "interaction reply" // callback type 4
	KindDeferredReply    MessageKind = "deferred reply"    // callback type 5 ("thinking…")
	KindComponentUpdate  MessageKind = "component update"  // callback type 7
	KindFollowUp         MessageKind = "follow-up"         // POST /webhooks/{app}/{token}
	KindEditOriginal     MessageKind = "edit original"     // PATCH .../messages/@original
	KindEditFollowUp     MessageKind = "edit follow-up"    // PATCH .../messages/{id}
	KindChannelMessage   MessageKind = "channel message"   // POST /channels/{id}/messages
	KindChannelEdit      MessageKind = "channel edit"      // PATCH /channels/{id}/messages/{id}
)

// Message is a typed view of one message the bot sent or edited, as sent.
// Fields the payload did not contain are zero; Payload has the exact JSON.
type Message struct {
	Kind          MessageKind // how the bot sent it
	ID            string      // the message created or edited
	ChannelID     string      // where the message is
	InteractionID string      // "" for channel messages

	// What the payload carried, decoded; zero when a field was absent.
	Content    string                       // the message text
	Embeds     []*discordgo.MessageEmbed    // the embeds
	Components []discordgo.MessageComponent // action rows of buttons and menus
	Flags      discordgo.MessageFlags       // e.g. ephemeral, suppress embeds
	Reference  *discordgo.MessageReference  // message_reference, for replies
	Files      []File                       // files uploaded with the message

	// AllowedMentions is allowed_mentions decoded; nil when absent or null.
	AllowedMentions *discordgo.MessageAllowedMentions
	// AllowedMentionsJSON is allowed_mentions exactly as sent; nil when the
	// field was absent. It tells {"parse":[]} from {"parse":null}.
	AllowedMentionsJSON json.RawMessage

	// Payload is the message object as sent (for a callback, its "data").
	Payload json.RawMessage
	// Result is the whole message as Discord would now show it.
	Result *discordgo.Message

	RequestSeq int       // the Request that carried it
	Time       time.Time // when it was recorded, by the server's clock
}

// Ephemeral reports whether the message was sent with the ephemeral flag.
func (m Message) Ephemeral() bool { return m.Flags&discordgo.MessageFlagsEphemeral != 0 }

// MentionsSuppressed reports whether the message explicitly allowed no
// mentions at all: allowed_mentions present with "parse": [] (an empty array,
// not null), no users, no roles and replied_user false.
func (m Message) MentionsSuppressed() bool {
	if m.AllowedMentionsJSON == nil {
		return false
	}
	var am struct {
		Parse       *[]string `json:"parse"`
		Users       []string  `json:"users"`
		Roles       []string  `json:"roles"`
		RepliedUser bool      `json:"replied_user"`
	}
	if err := json.Unmarshal(m.AllowedMentionsJSON, &am); err != nil {
		return false
	}
	return am.Parse != nil && len(*am.Parse) == 0 && len(am.Users) == 0 && len(am.Roles) == 0 && !am.RepliedUser
}

// Violation is a request Discord would reject because the bot broke a
// documented rule: a message limit, an empty message, a late or repeated
// interaction callback, an invalid command definition.
type Violation struct {
	RequestSeq int    // the Request that broke the rule
	Method     string // its method
	Path       string // its URL path
	Field      string // dotted path of the offending field, e.g. data.embeds.0.title; "" for the whole request
	Code       string // Discord's error code, e.g. BASE_TYPE_MAX_LENGTH or 40060
	Message    string // Discord's message, e.g. "Must be 2000 or fewer in length."
}

// String summarises the violation for test failure messages.
func (v Violation) String() string {
	f := v.Field
	if f == "" {
		f = "(request)"
	}
	return fmt.Sprintf("#%d %s %s: %s: %s (%s)", v.RequestSeq, v.Method, v.Path, f, v.Message, v.Code)
}

// Requests returns every request received so far, in order of arrival.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = *r
	}
	return out
}

// ForgetHistory drops what the fake has recorded of past traffic (requests
// and messages), the interactions dispatched so far and the messages it
// stores, so that a long test — a soak — does not grow with every request.
// It keeps violations, users, guilds, channels, members, commands, faults
// and gateway sessions, and lets any held request go on. Call it between
// exchanges: an interaction dispatched before it can no longer be answered
// or edited, and a message sent before it can no longer be replied to
// unless it is dispatched again.
func (s *Server) ForgetHistory() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
	s.messages = nil
	s.interactions = map[string]*interactionState{}
	s.byToken = map[string]*interactionState{}
	s.stored = map[string]*discordgo.Message{}
	s.attachments = map[string][]byte{}
	s.releaseHoldsLocked()
	s.notifyLocked()
}

// UnknownRequests returns the requests no route matched.
func (s *Server) UnknownRequests() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Unknown {
			out = append(out, r)
		}
	}
	return out
}

// Messages returns every message the bot sent or edited, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Violations returns every rule the bot broke, in order.
func (s *Server) Violations() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Violation(nil), s.violations...)
}

// AssertClean reports a test error for every violation and every request to
// an unknown route recorded so far.
func (s *Server) AssertClean(t testing.TB) {
	t.Helper()
	for _, v := range s.Violations() {
		t.Errorf("discordtest: violation: %s", v)
	}
	for _, r := range s.UnknownRequests() {
		t.Errorf("discordtest: request to unknown route: %s", r)
	}
}

// WaitFor returns the first answered request (Status set) that matches pred,
// looking at requests already received and then at new ones, until ctx ends.
func (s *Server) WaitFor(ctx context.Context, pred func(Request) bool) (Request, error) {
	var found Request
	err := s.Wait(ctx, func() bool {
		for _, r := range s.Requests() {
			if r.Status != 0 && pred(r) {
				found = r
				return true
			}
		}
		return false
	})
	if err != nil {
		return Request{}, fmt.Errorf("discordtest: no matching request (saw %s): %w", summarize(s.Requests()), err)
	}
	return found, nil
}

// WaitMessage returns the first recorded message that matches pred, looking at
// messages already sent and then at new ones, until ctx ends.
func (s *Server) WaitMessage(ctx context.Context, pred func(Message) bool) (Message, error) {
	var found Message
	err := s.Wait(ctx, func() bool {
		for _, m := range s.Messages() {
			if pred(m) {
				found = m
				return true
			}
		}
		return false
	})
	if err != nil {
		return Message{}, fmt.Errorf("discordtest: no matching message (saw %d messages; requests %s): %w",
			len(s.Messages()), summarize(s.Requests()), err)
	}
	return found, nil
}

// summarize lists the last few requests for an error message.
func summarize(reqs []Request) string {
	const max = 8
	if len(reqs) == 0 {
		return "no requests"
	}
	start := 0
	if len(reqs) > max {
		start = len(reqs) - max
	}
	parts := make([]string, 0, max)
	for _, r := range reqs[start:] {
		parts = append(parts, r.String())
	}
	return fmt.Sprintf("%d requests, last: %s", len(reqs), strings.Join(parts, "; "))
}

var apiPrefix = regexp.MustCompile(`^/api/v[0-9]+`)

// apiPath strips the /api/vN prefix from a URL path.
func apiPath(p string) string { return apiPrefix.ReplaceAllString(p, "") }

// matchRoute matches "METHOD /path/*/glob" (or "/path/*/glob" for any method)
// against a request; "*" matches exactly one path segment.
func matchRoute(route, method, p string) bool {
	route = strings.TrimSpace(route)
	wantMethod := ""
	if i := strings.IndexByte(route, ' '); i >= 0 {
		wantMethod, route = route[:i], strings.TrimSpace(route[i+1:])
	}
	if wantMethod != "" && wantMethod != "*" && !strings.EqualFold(wantMethod, method) {
		return false
	}
	ok, err := path.Match(apiPath(route), p)
	return err == nil && ok
}
