package bot

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// APIClient returns an HTTP client that sends the requests discordgo makes
// to discord.com (and its CDN) to apiURL instead: a Discord-compatible
// server or an HTTP proxy in front of Discord. The path is kept, and a path
// in apiURL is put before it.
func APIClient(apiURL string) (*http.Client, error) {
	u, err := ParseAPIURL(apiURL)
	if err != nil {
		return nil, err
	}
	return &http.Client{Timeout: 20 * time.Second, Transport: &apiRewrite{base: u, next: http.DefaultTransport}}, nil
}

// apiRewrite rewrites requests for Discord's hosts to base.
type apiRewrite struct {
	base *url.URL
	next http.RoundTripper
}

// RoundTrip sends r to base when it is for one of Discord's hosts, else as
// it is.
func (a *apiRewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	h := r.URL.Hostname()
	if h == "discord.com" || strings.HasSuffix(h, ".discord.com") || h == "discordapp.com" || strings.HasSuffix(h, ".discordapp.com") || h == "media.discordapp.net" {
		r = r.Clone(r.Context())
		r.URL.Scheme = a.base.Scheme
		r.URL.Host = a.base.Host
		r.URL.Path = strings.TrimSuffix(a.base.Path, "/") + r.URL.Path
		r.Host = a.base.Host
	}
	return a.next.RoundTrip(r)
}

// ParseAPIURL parses the discord.api_url setting: an http(s) URL with a
// host (and perhaps a path), without a query or fragment. The error names
// the setting.
func ParseAPIURL(apiURL string) (*url.URL, error) {
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("discord.api_url must be an http(s) URL such as http://127.0.0.1:8080, not %q", apiURL)
	}
	return u, nil
}
