package feeds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"

	"github.com/verbatim-bot/verbatim/corpus"
)

// feedLinkTypes are the types of <link rel="alternate"> that name a feed,
// in order of preference.
var feedLinkTypes = []string{"application/rss+xml", "application/atom+xml", "application/feed+json", "application/json"}

// Discover returns the address of the feed an HTML page advertises with
// <link rel="alternate" type="application/rss+xml|atom+xml|feed+json">,
// resolved against the page's address (and its <base href>), or "" when
// it advertises none. RSS is preferred over Atom over JSON Feed.
func Discover(page []byte, pageURL string) string {
	base, err := url.Parse(pageURL)
	if err != nil {
		return ""
	}
	found := map[string]string{}
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if string(name) == "body" {
			break
		}
		if !hasAttr || (string(name) != "link" && string(name) != "base") {
			continue
		}
		attrs := map[string]string{}
		for {
			k, v, more := z.TagAttr()
			attrs[string(k)] = string(v)
			if !more {
				break
			}
		}
		if string(name) == "base" {
			if b, err := base.Parse(strings.TrimSpace(attrs["href"])); err == nil && attrs["href"] != "" {
				base = b
			}
			continue
		}
		rels := strings.Fields(strings.ToLower(attrs["rel"]))
		typ := strings.ToLower(strings.TrimSpace(attrs["type"]))
		if i := strings.IndexByte(typ, ';'); i >= 0 {
			typ = strings.TrimSpace(typ[:i])
		}
		href := strings.TrimSpace(attrs["href"])
		if href == "" || !containsString(rels, "alternate") {
			continue
		}
		if _, ok := found[typ]; !ok {
			found[typ] = href
		}
	}
	for _, t := range feedLinkTypes {
		if href, ok := found[t]; ok {
			u, err := base.Parse(href)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
				continue
			}
			return u.String()
		}
	}
	return ""
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// errNotModified says the server answered a conditional read with 304.
var errNotModified = errors.New("not modified")

// readFeed reads f's feed document (conditionally when f has validators)
// and parses it. A page that advertises a feed is followed to that feed
// once, and f.FeedURL set to it. It returns errNotModified for a 304; f's
// validators are updated on success.
func (s *Service) readFeed(ctx context.Context, f *Feed) (*gofeed.Feed, error) {
	fe := s.fetcher(f)
	got, err := fe.FetchFeed(ctx, f.FeedURL, f.Validators, s.limits.MaxFeedBytes)
	if err != nil {
		return nil, err
	}
	if got.NotModified {
		return nil, errNotModified
	}
	doc, perr := parseFeed(got.Body)
	if perr != nil && looksLikeHTML(got) {
		link := Discover(got.Body, got.URL)
		if link == "" {
			return nil, fmt.Errorf("%s: %w: the page advertises no feed (no <link rel=\"alternate\"> of an RSS, Atom or JSON Feed type)", f.FeedURL, ErrNoFeed)
		}
		if got, err = fe.FetchFeed(ctx, link, corpus.Validators{}, s.limits.MaxFeedBytes); err != nil {
			return nil, err
		}
		if doc, perr = parseFeed(got.Body); perr != nil {
			return nil, fmt.Errorf("%s (advertised by %s): %w", link, f.URL, perr)
		}
		f.FeedURL = link
	} else if perr != nil {
		return nil, fmt.Errorf("%s: %w", f.FeedURL, perr)
	}
	f.Validators = got.Validators
	return doc, nil
}

// looksLikeHTML reports whether a fetched document is an HTML page.
func looksLikeHTML(f *corpus.FetchedFeed) bool {
	if f.ContentType == "text/html" || f.ContentType == "application/xhtml+xml" {
		return true
	}
	head := bytes.ToLower(bytes.TrimSpace(f.Body[:min(len(f.Body), 512)]))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html"))
}

// parseFeed parses an RSS, Atom or JSON Feed document; an error wraps
// ErrNoFeed and says why.
func parseFeed(body []byte) (doc *gofeed.Feed, err error) {
	defer func() {
		if p := recover(); p != nil {
			doc, err = nil, fmt.Errorf("%w: the feed parser failed (%v)", ErrNoFeed, p)
		}
	}()
	doc, err = gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoFeed, err)
	}
	return doc, nil
}
