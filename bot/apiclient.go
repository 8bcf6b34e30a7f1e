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
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("discord.api_url %q is not an http(s) URL", apiURL)
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
