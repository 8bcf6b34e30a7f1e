package corpus

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultFeedMaxBytes caps a feed document when FetchFeed is given no limit.
const DefaultFeedMaxBytes int64 = 2 << 20

// Validators are what a server said of a document, to ask it next time
// whether the document changed (a conditional GET).
type Validators struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// FetchedFeed is a fetched feed document, or a server's answer that it has
// not changed since the validators given.
type FetchedFeed struct {
	Fetched
	// NotModified is set when the server answered 304 Not Modified: Body is
	// then empty and Validators are the ones given.
	NotModified bool
	Validators  Validators
}

// feedType reports whether FetchFeed accepts the media type: the feed
// formats (RSS, Atom, JSON Feed, and XML or JSON served generically) and
// HTML, for a page that advertises its feed.
func feedType(mediaType string) bool {
	switch mediaType {
	case "application/rss+xml", "application/atom+xml", "application/feed+json", "application/json",
		"application/xml", "text/xml", "application/rdf+xml", "application/x-rss+xml",
		"text/html", "application/xhtml+xml":
		return true
	}
	return false
}

// FetchFeed fetches a feed document as Fetch fetches an article — public
// addresses only (unless allowed), the same redirect and time limits —
// with three differences: it takes the feed formats and HTML; it asks
// conditionally with the validators given (If-None-Match,
// If-Modified-Since) and reports a 304 as NotModified, without a body; and
// the body is capped at maxBytes (DefaultFeedMaxBytes when 0 or less).
// Errors wrap the same sentinels as Fetch's.
func (f *Fetcher) FetchFeed(ctx context.Context, rawURL string, v Validators, maxBytes int64) (*FetchedFeed, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultFeedMaxBytes
	}
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return nil, fmt.Errorf("refusing to fetch %q: %w: %v", rawURL, ErrBadURL, err)
	}
	if err := checkFetchURL(u); err != nil {
		return nil, fmt.Errorf("refusing to fetch %s: %w", u.Redacted(), err)
	}
	ctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	shown := u.Redacted()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("refusing to fetch %s: %w: %v", shown, ErrBadURL, err)
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	req.Header.Set("Accept", "application/rss+xml,application/atom+xml,application/feed+json;q=0.9,application/xml;q=0.8,text/xml;q=0.8,application/json;q=0.7,text/html;q=0.5,*/*;q=0.1")
	if v.ETag != "" {
		req.Header.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		req.Header.Set("If-Modified-Since", v.LastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.wrapErr(ctx, shown, shown, err)
	}
	defer resp.Body.Close()
	orig := shown
	if final := resp.Request.URL.Redacted(); final != orig {
		shown = fmt.Sprintf("%s (redirected to %s)", orig, final)
	}
	out := &FetchedFeed{Fetched: Fetched{URL: resp.Request.URL.String(), Status: resp.StatusCode, FetchedAt: time.Now()}}
	if resp.StatusCode == http.StatusNotModified {
		out.NotModified, out.Validators = true, v
		return out, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("fetching %s: %w: %s", shown, ErrHTTPStatus, httpStatusText(resp.StatusCode))
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			return nil, fmt.Errorf("refusing %s: %w: unparsable Content-Type %q", shown, ErrUnsupportedType, ct)
		}
		if !feedType(mt) {
			return nil, fmt.Errorf("refusing %s: %w: %s is not a feed", shown, ErrUnsupportedType, mt)
		}
		out.ContentType, out.Charset = mt, strings.ToLower(params["charset"])
	}
	limited := *f
	limited.opts.MaxBytes = maxBytes
	body, err := limited.readBody(ctx, resp, orig, shown)
	if err != nil {
		return nil, err
	}
	out.Body, out.FetchedAt = body, time.Now()
	out.Validators = Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	return out, nil
}
