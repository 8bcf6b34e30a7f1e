package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/verbatim-bot/verbatim/corpus"
)

// page serves one article whose body can be changed between requests.
type page struct {
	mu   sync.Mutex
	body string
}

func (p *page) set(body string) {
	p.mu.Lock()
	p.body = body
	p.mu.Unlock()
}

func (p *page) serve(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		defer p.mu.Unlock()
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<html><head><title>Harbour Wall</title><meta property="og:site_name" content="Coast News"></head><body><article><h1>Harbour Wall</h1>%s</article></body></html>`, p.body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

const harbourArticle = `<p>The harbour wall at Port Elling will be rebuilt in granite after the winter storms breached it in three places, the county engineer said on Tuesday.</p>
<p>Work on the eastern breach starts in April and should take eleven weeks, with the fishing fleet moved to the inner basin while the cranes are on the quay.</p>
<p>The council has set aside four million pounds for the repair, most of it from a coastal resilience grant awarded last autumn.</p>
<p>Fishermen said they welcomed the plan but asked for the inner basin to be dredged first, as boats have grounded there at low tide twice this month.</p>
<p>The engineer said dredging would begin in March so that the basin is ready before the first crane arrives.</p>`

// askIDs returns the ids of the sources that answer question.
func askIDs(t *testing.T, data, question string) []string {
	t.Helper()
	_, out, _ := cli(t, data, "ask", "--json", question)
	var res jsonResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("ask: %v\n%s", err, out)
	}
	var ids []string
	for _, a := range res.Answers {
		ids = append(ids, a.Source.ID)
	}
	return ids
}

func showSource(t *testing.T, data, id string) corpus.Source {
	t.Helper()
	code, out, errs := cli(t, data, "show", "--json", id)
	if code != 0 {
		t.Fatalf("show %s: %s", id, errs)
	}
	var src corpus.Source
	if err := json.Unmarshal([]byte(out), &src); err != nil {
		t.Fatal(err)
	}
	return src
}

const harbourQuestion = "when does work on the eastern breach of the harbour wall start"

// addHarbour adds the harbour article from srv and returns its id.
func addHarbour(t *testing.T, data string, srv *httptest.Server) string {
	t.Helper()
	if code, out, errs := cli(t, data, "add", "--allow-host", "127.0.0.1", srv.URL+"/harbour"); code != 0 {
		t.Fatalf("add: %s%s", out, errs)
	}
	ids := askIDs(t, data, harbourQuestion)
	if len(ids) == 0 {
		t.Fatal("the added article does not answer")
	}
	return ids[0]
}

func TestRefreshHoldsBackStubs(t *testing.T) {
	stubs := []struct{ name, body, reason string }{
		{"paywall", `<p>Subscribe to continue reading.</p><p>This article is for subscribers only. Already a subscriber? Sign in to read the full story.</p>`, "paywall"},
		{"consent", `<p>We value your privacy. We and our partners use cookies to store and access information on your device. Accept all cookies to continue, or manage your cookie preferences.</p>`, "consent"},
		{"moved", `<p>This page has moved. If you are not redirected automatically, follow this link to the new page.</p>`, "moved"},
		{"shrink", `<p>The harbour wall at Port Elling will be rebuilt in granite, the county engineer said.</p>`, "shrank"},
	}
	for _, tt := range stubs {
		t.Run(tt.name, func(t *testing.T) {
			p := &page{body: harbourArticle}
			srv := p.serve(t)
			data := t.TempDir()
			id := addHarbour(t, data, srv)
			p.set(tt.body)
			code, out, errs := cli(t, data, "refresh", "--allow-host", "127.0.0.1", id)
			t.Logf("seen: exit %d\n%s%s", code, out, errs)
			if code != 1 || !strings.Contains(out, "held back") || !strings.Contains(out, tt.reason) ||
				!strings.Contains(out, "--force") || !strings.Contains(errs, "held back") {
				t.Fatalf("refresh to a %s: exit %d\n%s%s", tt.name, code, out, errs)
			}
			if ids := askIDs(t, data, harbourQuestion); len(ids) == 0 || ids[0] != id {
				t.Errorf("the good version no longer answers: %v", ids)
			}
			if src := showSource(t, data, id); src.SupersededBy != "" {
				t.Errorf("the good version was superseded by %s", src.SupersededBy)
			}
			if code, out, _ := cli(t, data, "sources", "--json"); code != 0 || strings.Count(out, `"origin": "http`) != 1 {
				t.Errorf("sources after a held-back refresh:\n%s", out)
			}
		})
	}
}

func TestRefreshForceThenRestore(t *testing.T) {
	p := &page{body: harbourArticle}
	srv := p.serve(t)
	data := t.TempDir()
	good := addHarbour(t, data, srv)
	p.set(`<p>Subscribe to continue reading.</p><p>This article is for subscribers only. Already a subscriber? Sign in to read the full story.</p>`)
	code, out, errs := cli(t, data, "refresh", "--force", "--allow-host", "127.0.0.1", good)
	if code != 0 || !strings.Contains(out, "changed") {
		t.Fatalf("refresh --force: exit %d\n%s%s", code, out, errs)
	}
	if ids := askIDs(t, data, harbourQuestion); len(ids) != 0 && ids[0] == good {
		t.Fatalf("the replaced version still answers")
	}
	stub := showSource(t, data, good).SupersededBy
	if stub == "" {
		t.Fatal("--force did not make the stub current")
	}

	// restore makes the good version current again; the stub is kept as a
	// superseded version.
	code, out, errs = cli(t, data, "restore", good)
	if code != 0 || !strings.Contains(out, "restored") {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errs)
	}
	if ids := askIDs(t, data, harbourQuestion); len(ids) == 0 || ids[0] != good {
		t.Errorf("after restore, the good version does not answer: %v", ids)
	}
	if src := showSource(t, data, good); src.SupersededBy != "" || src.Previous != stub {
		t.Errorf("restored version: superseded_by %q previous %q", src.SupersededBy, src.Previous)
	}
	if src := showSource(t, data, stub); src.SupersededBy != good {
		t.Errorf("stub after restore: superseded_by %q", src.SupersededBy)
	}
	if code, out, errs := cli(t, data, "check"); code != 0 {
		t.Errorf("check after restore: exit %d\n%s%s", code, out, errs)
	}
	// Restoring the current version, or an unknown one, is refused.
	if code, _, errs := cli(t, data, "restore", good); code != 1 || !strings.Contains(errs, "already the current version") {
		t.Errorf("restore of the current version: exit %d %s", code, errs)
	}
	if code, _, errs := cli(t, data, "restore", "000000000000"); code != 1 || !strings.Contains(errs, "no source") {
		t.Errorf("restore of an unknown id: exit %d %s", code, errs)
	}

	// Removing the stub (an earlier version now) removes it alone.
	code, out, errs = cli(t, data, "remove", stub)
	if code != 0 || !strings.Contains(out, "removed") {
		t.Fatalf("remove stub: exit %d\n%s%s", code, out, errs)
	}
	if ids := askIDs(t, data, harbourQuestion); len(ids) == 0 || ids[0] != good {
		t.Errorf("after removing the stub, the good version does not answer: %v", ids)
	}
	if src := showSource(t, data, good); src.Previous != "" {
		t.Errorf("the good version still names the removed stub: %q", src.Previous)
	}
	if code, out, errs := cli(t, data, "check"); code != 0 {
		t.Errorf("check after removing the stub: exit %d\n%s%s", code, out, errs)
	}
	// The article refreshes again as usual.
	p.set(harbourArticle + `<p>A public meeting on the plan will be held at the lifeboat station.</p>`)
	if code, out, errs := cli(t, data, "refresh", "--allow-host", "127.0.0.1", good); code != 0 || !strings.Contains(out, "changed") {
		t.Errorf("refresh after restore: exit %d\n%s%s", code, out, errs)
	}
}

// A version in the middle of a chain is removed alone; the current version
// removes the whole article, as before.
func TestRemoveVersions(t *testing.T) {
	p := &page{body: harbourArticle}
	srv := p.serve(t)
	data := t.TempDir()
	v1 := addHarbour(t, data, srv)
	p.set(harbourArticle + `<p>A public meeting will be held at the lifeboat station.</p>`)
	if code, out, errs := cli(t, data, "refresh", "--allow-host", "127.0.0.1", v1); code != 0 {
		t.Fatalf("refresh: %s%s", out, errs)
	}
	v2 := showSource(t, data, v1).SupersededBy
	p.set(harbourArticle + `<p>A public meeting will be held at the lifeboat station on Friday.</p>`)
	if code, out, errs := cli(t, data, "refresh", "--allow-host", "127.0.0.1", v2); code != 0 {
		t.Fatalf("refresh: %s%s", out, errs)
	}
	v3 := showSource(t, data, v2).SupersededBy
	if code, out, errs := cli(t, data, "remove", v2); code != 0 || !strings.Contains(out, "earlier version") {
		t.Fatalf("remove middle version: exit %d\n%s%s", code, out, errs)
	}
	if s := showSource(t, data, v3); s.Previous != v1 {
		t.Errorf("v3.previous = %q, want %q", s.Previous, v1)
	}
	if s := showSource(t, data, v1); s.SupersededBy != v3 {
		t.Errorf("v1.superseded_by = %q, want %q", s.SupersededBy, v3)
	}
	if code, out, errs := cli(t, data, "check"); code != 0 {
		t.Errorf("check: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := cli(t, data, "remove", v3); code != 0 {
		t.Fatalf("remove current: %s%s", out, errs)
	}
	if code, _, _ := cli(t, data, "show", v1); code != 1 {
		t.Errorf("removing the article kept its earlier version")
	}
}

// remove A B C removes every id it can, says which it could not, and exits 1.
func TestRemoveContinuesPastUnknownIDs(t *testing.T) {
	data := t.TempDir()
	_, out, _ := cli(t, data, "sources", "--json")
	var infos []corpus.Info
	if err := json.Unmarshal([]byte(out), &infos); err != nil || len(infos) < 2 {
		t.Fatalf("sources: %v %s", err, out)
	}
	code, out, errs := cli(t, data, "remove", infos[0].ID, "nosuch000001", infos[1].ID)
	if code != 1 || strings.Count(out, "removed    ") != 2 || !strings.Contains(out, "not found  nosuch000001") ||
		!strings.Contains(errs, `no source "nosuch000001"`) || !strings.Contains(errs, "the other 2 were removed") ||
		strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("remove A nosuch B: exit %d\n%s%s", code, out, errs)
	}
	for _, id := range []string{infos[0].ID, infos[1].ID} {
		if code, _, _ := cli(t, data, "show", id); code != 1 {
			t.Errorf("%s was not removed", id)
		}
	}
}
