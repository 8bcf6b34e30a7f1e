package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/verbatim-bot/verbatim/bot/discordtest"
	"github.com/verbatim-bot/verbatim/feeds"
)

// TestLibraryFeeds: moderators follow, list and unfollow feeds for their
// server; members may not; another server does not see them.
func TestLibraryFeeds(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<html><head><link rel="alternate" type="application/atom+xml" href="/atom"></head><body>home</body></html>`)
		case "/atom":
			w.Header().Set("Content-Type", "application/atom+xml")
			fmt.Fprint(w, `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Valley *Gazette*</title><id>urn:v</id><updated>2026-11-01T00:00:00Z</updated></feed>`)
		default:
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><body><p>just a page</p></body></html>`)
		}
	}))
	defer srv.Close()
	h := startFetching(t, Config{}, fetchLocal())
	svc, err := feeds.New(feeds.Options{Lib: h.lib, Fetch: fetchLocal()})
	if err != nil {
		t.Fatal(err)
	}

	follow := func(inv discordtest.Invoker, u string) discordtest.Message {
		return h.send(discordtest.SlashCommand(inv, cmdLibrary, discordtest.SubCommand("follow", discordtest.StringOption("url", u))))
	}
	if m := follow(modInGuildA, srv.URL+"/"); m.Content != msgNoFeeds {
		t.Fatalf("without a feeds service: %q", m.Content)
	}
	h.bot.SetFeeds(svc)
	if m := follow(inGuildA, srv.URL+"/"); m.Content != msgNotMod {
		t.Fatalf("a member following: %q", m.Content)
	}
	m := follow(modInGuildA, srv.URL+"/")
	if !strings.Contains(m.Content, `Following **Valley \*Gazette\***`) || !strings.Contains(m.Content, "every 15m") {
		t.Fatalf("follow: %q", m.Content)
	}
	if m := follow(modInGuildA, srv.URL+"/atom"); !strings.Contains(m.Content, "already follows") {
		t.Fatalf("following twice: %q", m.Content)
	}
	if m := follow(modInGuildA, srv.URL+"/page"); !strings.Contains(m.Content, "not a feed") {
		t.Fatalf("a page without a feed: %q", m.Content)
	}
	if m := follow(modInGuildA, "http://10.1.2.3/feed"); !strings.Contains(m.Content, "Not followed:") || !strings.Contains(m.Content, "private") {
		t.Fatalf("a private address: %q", m.Content)
	}
	all, err := svc.List(context.Background(), guildA)
	if err != nil || len(all) != 1 || all[0].FeedURL != srv.URL+"/atom" {
		t.Fatalf("followed: %+v %v", all, err)
	}
	list := h.send(discordtest.SlashCommand(modInGuildA, cmdLibrary, discordtest.SubCommand("feeds")))
	if len(list.Embeds) != 1 || !strings.Contains(list.Embeds[0].Description, "`"+all[0].ID+"`") || !strings.Contains(list.Embeds[0].Description, "not read yet") {
		t.Fatalf("/library feeds: %+v", list.Embeds)
	}
	modInGuildB := discordtest.InGuild(guildB, channelB, moderator, modInGuildA.Permissions)
	if m := h.send(discordtest.SlashCommand(modInGuildB, cmdLibrary, discordtest.SubCommand("feeds"))); !strings.Contains(m.Content, "follows no feeds") {
		t.Fatalf("another server's list: %q %+v", m.Content, m.Embeds)
	}
	unfollow := func(inv discordtest.Invoker) discordtest.Message {
		return h.send(discordtest.SlashCommand(inv, cmdLibrary, discordtest.SubCommand("unfollow", discordtest.StringOption("feed", all[0].ID))))
	}
	if m := unfollow(modInGuildB); !strings.Contains(m.Content, "follows no such feed") {
		t.Fatalf("unfollowing another server's feed: %q", m.Content)
	}
	if m := unfollow(modInGuildA); !strings.Contains(m.Content, "No longer following") {
		t.Fatalf("unfollow: %q", m.Content)
	}
	if all, _ := svc.List(context.Background(), ""); len(all) != 0 {
		t.Fatalf("%d feeds left", len(all))
	}
}
