package bot

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/bot/discordtest"
	"github.com/verbatim-bot/verbatim/usererr"
)

func TestCustomIDsRoundTrip(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{contextButton.format(contextArgs{Source: "a63fed43acb5", Start: 1945, End: 2116}), "ctx:a63fed43acb5:1945:2116"},
		{moreButton.format(moreArgs{Token: "ABCDEFGHIJKLMNOP", Skip: 3}), "more:ABCDEFGHIJKLMNOP:3"},
		{removeButton.format(removeArgs{Source: "a63fed43acb5"}), "rm:a63fed43acb5"},
		{cancelRemoveButton.format(struct{}{}), "rmcancel"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("formatted %q, want %q", tc.got, tc.want)
		}
	}
	a, err := contextButton.parse("ctx:a63fed43acb5:1945:2116")
	if err != nil || a != (contextArgs{Source: "a63fed43acb5", Start: 1945, End: 2116}) {
		t.Errorf("parsed %+v, %v", a, err)
	}
	if _, err := cancelRemoveButton.parse("rmcancel"); err != nil {
		t.Errorf("rmcancel: %v", err)
	}
}

// TestForgedCustomIDs: an id is read strictly — the prefix, exactly the
// declared parts, numbers as plain decimal digits within an int.
func TestForgedCustomIDs(t *testing.T) {
	for _, id := range []string{
		"", ":", "ctx", "ctx:", "ctx:abc", "ctx:abc:1", "ctx:abc:1:2:3", "ctx::1:2", "ctx:abc::2",
		"CTX:abc:1:2", "more:abc:1:2", " ctx:abc:1:2",
		"ctx:abc:-1:2", "ctx:abc:+1:2", "ctx:abc: 1:2", "ctx:abc:1 :2", "ctx:abc:1e3:2", "ctx:abc:0x10:2",
		"ctx:abc:1.5:2", "ctx:abc:٣:2", "ctx:abc:99999999999999999999:1",
		strings.Repeat("ctx:", 1000),
	} {
		if a, err := contextButton.parse(id); err == nil {
			t.Errorf("context id %.60q parsed as %+v", id, a)
		}
	}
	for _, id := range []string{"more", "more:tok", "more:tok:1:2", "more::1", "more:tok:-1", "more:tok:x"} {
		if a, err := moreButton.parse(id); err == nil {
			t.Errorf("more id %q parsed as %+v", id, a)
		}
	}
	for _, id := range []string{"rm", "rm:", "rm:a:b", "rmcancel"} {
		if a, err := removeButton.parse(id); err == nil {
			t.Errorf("remove id %q parsed as %+v", id, a)
		}
	}
	for _, id := range []string{"rmcancel:x", "rmcancel:", "rm"} {
		if _, err := cancelRemoveButton.parse(id); err == nil {
			t.Errorf("cancel id %q parsed", id)
		}
	}
}

func TestCommandPath(t *testing.T) {
	sub := discordtest.SubCommand
	str := discordtest.StringOption
	tests := []struct {
		name     string
		i        *discordgo.Interaction
		path     string
		wantOpts []string
	}{
		{"command", ask(inGuildA, "q", discordtest.BooleanOption("private", true)), "/ask", []string{"private", "question"}},
		{"subcommand", discordtest.SlashCommand(inGuildA, cmdSources, sub("show", str("id", "x"))), "/sources/show", []string{"id"}},
		{"group", libraryAdd(modInGuildA, "url", str("url", "https://example.org/")), "/library/add/url", []string{"url"}},
		{"no subcommand", discordtest.SlashCommand(inGuildA, cmdSources), "/sources", nil},
		{"message command", discordtest.MessageCommand(inGuildA, cmdFindSources, &discordgo.Message{ID: "1", ChannelID: channelA}), "/Find sources", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path, opts := commandPath(tc.i.ApplicationCommandData())
			var names []string
			for name := range options(opts) {
				names = append(names, name)
			}
			slices.Sort(names)
			if path != tc.path || !slices.Equal(names, tc.wantOpts) {
				t.Errorf("path %q, options %v; want %q, %v", path, names, tc.path, tc.wantOpts)
			}
		})
	}
}

// recorder records what a test router ran, in order.
type recorder struct{ ran []string }

func (rec *recorder) handler(name string) handler {
	return func(r *request) error {
		rec.ran = append(rec.ran, name+" "+r.route)
		return nil
	}
}

// mark is a middleware that records its name, then calls next, or refuses
// with refuse when it is set.
func (rec *recorder) mark(name string, refuse error) middleware {
	return func(next handler) handler {
		return func(r *request) error {
			rec.ran = append(rec.ran, name)
			if refuse != nil {
				return refuse
			}
			return next(r)
		}
	}
}

func testRouter(rec *recorder) *router {
	rt := newRouter()
	rt.command("/ask", rec.handler("ask"), rec.mark("outer", nil), rec.mark("inner", nil))
	rt.command("/sources", rec.handler("sources usage"))
	rt.command("/sources/list", rec.handler("list"))
	rt.command("/library", rec.handler("library usage"), rec.mark("refuse", usererr.New(usererr.Forbidden, "no")))
	rt.autocomplete("/sources/show", rec.handler("suggest"))
	rt.modal(modalAddText, rec.handler("add text"), rec.mark("modal mw", nil))
	button(rt, contextButton, func(r *request, a contextArgs) error {
		rec.ran = append(rec.ran, fmt.Sprintf("context %s %d %d", a.Source, a.Start, a.End))
		return nil
	}, rec.mark("button mw", nil))
	resolvedButton(rt, moreButton, func(_ *request, a moreArgs) (string, error) {
		rec.ran = append(rec.ran, "resolve")
		if a.Token != "known" {
			return "", expired(errors.New("unknown token"))
		}
		return "question", nil
	}, func(_ *request, q string) error {
		rec.ran = append(rec.ran, "more "+q)
		return nil
	}, rec.mark("rate limited", nil))
	return rt
}

func TestRouting(t *testing.T) {
	sub := discordtest.SubCommand
	msg := &discordgo.Message{ID: "700000000000000001", ChannelID: channelA}
	tests := []struct {
		name    string
		i       *discordgo.Interaction
		ran     []string
		wantErr string // the member's message; "" for none
	}{
		{"command, middleware outermost first", ask(inGuildA, "q"), []string{"outer", "inner", "ask /ask"}, ""},
		{"subcommand", discordtest.SlashCommand(inGuildA, cmdSources, sub("list")), []string{"list /sources/list"}, ""},
		{"unknown subcommand goes to its command", discordtest.SlashCommand(inGuildA, cmdSources, sub("nope")), []string{"sources usage /sources"}, ""},
		{"unknown command", discordtest.SlashCommand(inGuildA, "nope"), nil, "That command is not known to this version of Verbatim."},
		{"a refusing middleware stops the chain", libraryAdd(modInGuildA, "url"), []string{"refuse"}, "no"},
		{"autocomplete", discordtest.Autocomplete(inGuildA, cmdSources, sub("show", discordtest.Focused(discordtest.StringOption("id", "d")))), []string{"suggest /sources/show"}, ""},
		{"modal", discordtest.ModalSubmit(modInGuildA, modalAddText), []string{"modal mw", "add text addtext"}, ""},
		{"unknown modal", discordtest.ModalSubmit(modInGuildA, "addtext2"), nil, msgExpired},
		{"button, parts parsed", discordtest.ButtonPress(inGuildA, msg, "ctx:abc:5:10"), []string{"button mw", "context abc 5 10"}, ""},
		{"forged button: no middleware runs", discordtest.ButtonPress(inGuildA, msg, "ctx:abc:5"), nil, msgExpired},
		{"unknown button", discordtest.ButtonPress(inGuildA, msg, "admin:1"), nil, msgExpired},
		{"resolved before the middleware", discordtest.ButtonPress(inGuildA, msg, "more:known:3"), []string{"resolve", "rate limited", "more question"}, ""},
		{"stale: refused before the middleware", discordtest.ButtonPress(inGuildA, msg, "more:stale:3"), []string{"resolve"}, msgExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			err := testRouter(rec).dispatch(&request{i: tc.i})
			if !slices.Equal(rec.ran, tc.ran) {
				t.Errorf("ran %q, want %q", rec.ran, tc.ran)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("error %v", err)
			case tc.wantErr != "" && usererr.MessageOf(err) != tc.wantErr:
				t.Errorf("error %v (the member reads %q), want %q", err, usererr.MessageOf(err), tc.wantErr)
			}
		})
	}
}

func TestNearestRoute(t *testing.T) {
	routes := map[string]route{"/sources": {}, "/library/add": {}, "/Find sources": {}}
	for path, want := range map[string]string{
		"/sources": "/sources", "/sources/nope": "/sources", "/library/add/zip": "/library/add",
		"/library": "", "/nope": "", "/Find sources": "/Find sources", "/Find": "", "": "",
	} {
		if got, ok := nearest(routes, path); got != want || ok != (want != "") {
			t.Errorf("nearest(%q) = %q, %v; want %q", path, got, ok, want)
		}
	}
}

// TestMiddleware checks the refusals of the middleware that need no
// Discord: outside a server, not a moderator, over the rate limit, a
// message with no text.
func TestMiddleware(t *testing.T) {
	b := &Bot{cfg: Config{ModeratorRoles: []string{"400"}}, metrics: NewMetrics(),
		limits: newLimiter(Config{MemberPerMinute: 1, MemberBurst: 1, GuildPerMinute: 60, GuildBurst: 60})}
	withRole := inGuildA
	withRole.Roles = []string{"400"}
	noText := discordtest.UserMessage(guildA, channelA, member, "  ")
	text := discordtest.UserMessage(guildA, channelA, member, "Mueller")
	tests := []struct {
		name string
		mw   middleware
		i    *discordgo.Interaction
		want string // the member's message when refused; "" when next runs
	}{
		{"in a server", inServer, libraryAdd(modInGuildA, "text"), ""},
		{"in a DM", inServer, libraryAdd(inDM, "text"), "use this command in a server"},
		{"Manage Messages", b.moderatorsOnly, libraryAdd(modInGuildA, "text"), ""},
		{"a moderator role", b.moderatorsOnly, libraryAdd(withRole, "text"), ""},
		{"a member", b.moderatorsOnly, libraryAdd(inGuildA, "text"), msgNotMod},
		{"a moderator in a DM", b.moderatorsOnly, libraryAdd(discordtest.InDM(dmChan, moderator), "text"), msgNotMod},
		{"first question", b.rateLimited, ask(inGuildA, "q"), ""},
		{"second question at once", b.rateLimited, ask(inGuildA, "q"), "please try again in 60 s"},
		{"a message with text", withTargetText, discordtest.MessageCommand(inGuildA, cmdFindSources, text), ""},
		{"a message without", withTargetText, discordtest.MessageCommand(inGuildA, cmdFindSources, noText), "no text to find sources for"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ran := false
			err := tc.mw(func(*request) error { ran = true; return nil })(&request{i: tc.i})
			if tc.want == "" {
				if err != nil || !ran {
					t.Errorf("refused (%v) or did not go on (%v)", err, ran)
				}
				return
			}
			if ran || !strings.Contains(usererr.MessageOf(err), tc.want) {
				t.Errorf("went on: %v; error %v, want %q", ran, err, tc.want)
			}
		})
	}
}

func TestRetryMessage(t *testing.T) {
	for wait, want := range map[time.Duration]string{0: "1 s", 300 * time.Millisecond: "1 s", 59500 * time.Millisecond: "60 s"} {
		if got := retryMessage(wait); !strings.HasSuffix(got, "try again in "+want+".") {
			t.Errorf("retryMessage(%v) = %q", wait, got)
		}
	}
}
