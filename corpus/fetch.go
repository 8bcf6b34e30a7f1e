package corpus

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"code.dny.dev/ssrf"
)

// Errors returned by Fetcher.Fetch. Every error it returns wraps exactly one
// of them, so callers can tell a refusal from a failure with errors.Is.
var (
	// ErrBadURL: the URL does not parse, has no host, is not http or https,
	// or carries userinfo (user:password@).
	ErrBadURL = errors.New("bad URL")
	// ErrBlockedAddress: the address dialled (for the first request or any
	// redirect) is not a public unicast address, or its port is not 80/443.
	ErrBlockedAddress = errors.New("blocked address")
	// ErrTooManyRedirects: more than MaxRedirects redirects were followed.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrRedirectLoop: a redirect led back to a URL already visited.
	ErrRedirectLoop = errors.New("redirect loop")
	// ErrTooLarge: the body (after decompression) exceeds MaxBytes.
	ErrTooLarge = errors.New("response too large")
	// ErrTimeout: the whole fetch, body included, did not finish in time.
	ErrTimeout = errors.New("fetch timed out")
	// ErrUnsupportedType: the Content-Type is not one Verbatim can parse.
	ErrUnsupportedType = errors.New("unsupported content type")
	// ErrHTTPStatus: the server answered with a non-2xx status.
	ErrHTTPStatus = errors.New("unexpected HTTP status")
	// ErrFetch: any other failure (DNS, connection refused, TLS, reset).
	ErrFetch = errors.New("fetch failed")
)

// Defaults for FetchOptions fields left at their zero value.
const (
	DefaultFetchMaxBytes     int64 = 5 << 20          // body cap, after decompression
	DefaultFetchTimeout            = 15 * time.Second // whole fetch, body included
	DefaultFetchMaxRedirects       = 5                // redirects followed
)

// fetchableType reports whether Fetch accepts the media type.
func fetchableType(mediaType string) bool {
	switch mediaType {
	case "text/html", "application/xhtml+xml", "text/plain", "text/markdown", "application/pdf":
		return true
	}
	return false
}

// FetchOptions configures a Fetcher. Zero values mean the defaults.
type FetchOptions struct {
	// MaxBytes caps the body, counted after decompression. Default 5 MiB.
	MaxBytes int64
	// Timeout covers the whole fetch: DNS, connect, TLS, every redirect and
	// reading the body. Default 15 s.
	Timeout time.Duration
	// MaxRedirects is how many redirects are followed. Default 5; a negative
	// value follows none.
	MaxRedirects int
	// AllowHosts lists hosts that may be fetched even though they resolve
	// to loopback or private addresses (tests use it for httptest servers on
	// 127.0.0.1). An entry is a host name or IP literal ("127.0.0.1",
	// "[::1]", "intranet.example"), optionally with a port
	// ("127.0.0.1:8080"); without a port any port is allowed.
	//
	// The entry is matched against the host of the request being dialled
	// (the URL's host, or the redirect target's), never against the
	// resolved IP alone: when the request's host is an allowed entry, the
	// addresses it resolves to are dialled without the address check;
	// for every other host the check applies in full. So allowing
	// "127.0.0.1" does not let "http://evil.example" (resolving to
	// 127.0.0.1) or a redirect to "http://127.0.0.2" through, and
	// allowing a name trusts only that name's own DNS answers.
	AllowHosts []string
	// UserAgent is sent with every request. Default
	// "VerbatimBot/<version> (+https://github.com/verbatim-bot/verbatim)".
	UserAgent string
}

// Fetched is a successfully fetched document.
type Fetched struct {
	URL         string    // final URL, after redirects
	ContentType string    // media type without parameters ("text/html")
	Charset     string    // charset parameter of Content-Type, lower case, "" if none
	Body        []byte    // the body, decompressed, at most MaxBytes
	FetchedAt   time.Time // when the response arrived
	Status      int       // HTTP status code (2xx)
}

// Fetcher fetches article URLs from public addresses only, with size, time
// and redirect limits. It is safe for concurrent use.
type Fetcher struct {
	opts   FetchOptions
	allow  []allowEntry
	guard  *ssrf.Guardian
	client *http.Client
}

// allowEntry is one AllowHosts entry, normalised by parseAllowEntry.
type allowEntry struct {
	host string // lower case; IP literals in canonical form, no brackets
	port string // "" for any
}

// NewFetcher returns a Fetcher with opts, filling in defaults.
func NewFetcher(opts FetchOptions) *Fetcher {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultFetchMaxBytes
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultFetchTimeout
	}
	if opts.MaxRedirects == 0 {
		opts.MaxRedirects = DefaultFetchMaxRedirects
	} else if opts.MaxRedirects < 0 {
		opts.MaxRedirects = 0
	}
	if opts.UserAgent == "" {
		opts.UserAgent = defaultUserAgent()
	}
	f := &Fetcher{opts: opts, guard: ssrf.New()}
	for _, h := range opts.AllowHosts {
		if e, ok := parseAllowEntry(h); ok {
			f.allow = append(f.allow, e)
		}
	}
	transport := &http.Transport{
		Proxy:                  nil, // never use HTTP(S)_PROXY: the check must see the real peer
		DialContext:            f.dialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           16,
		IdleConnTimeout:        30 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 1 << 20,
	}
	f.client = &http.Client{
		Transport:     transport,
		CheckRedirect: f.checkRedirect,
	}
	return f
}

// defaultUserAgent is "VerbatimBot/<version> (+…)", the version from the
// build info ("dev" when there is none).
func defaultUserAgent() string {
	v := "dev"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = strings.TrimPrefix(bi.Main.Version, "v")
	}
	return "VerbatimBot/" + v + " (+https://github.com/verbatim-bot/verbatim)"
}

// parseAllowEntry normalises "host", "host:port", "[v6]" or "[v6]:port".
func parseAllowEntry(s string) (allowEntry, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return allowEntry{}, false
	}
	host, port := s, ""
	if h, p, err := net.SplitHostPort(s); err == nil {
		host, port = h, p
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if ip, err := netip.ParseAddr(host); err == nil {
		host = ip.String() // canonical, but not unmapped: ::ffff:127.0.0.1 is not 127.0.0.1 here
	}
	return allowEntry{host: host, port: port}, true
}

// allowed reports whether the dial target hostport ("host:port" as taken
// from the request URL, before DNS) is on the allow-list.
func (f *Fetcher) allowed(hostport string) bool {
	if len(f.allow) == 0 {
		return false
	}
	e, ok := parseAllowEntry(hostport)
	if !ok {
		return false
	}
	for _, a := range f.allow {
		if a.host == e.host && (a.port == "" || a.port == e.port) {
			return true
		}
	}
	return false
}

// dialContext dials addr (the request's host:port). For a host on the
// allow-list the address check is skipped; for any other host, every IP the
// dialer tries is checked in Control, after DNS resolution and before the
// connection is made, which covers DNS rebinding and every redirect.
func (f *Fetcher) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !f.allowed(addr) {
		d.Control = f.control
	}
	return d.DialContext(ctx, network, addr)
}

// control is net.Dialer.Control for hosts not on the allow-list.
func (f *Fetcher) control(network, address string, c syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &blockedError{msg: fmt.Sprintf("cannot check address %q", address)}
	}
	ip := ap.Addr()
	if reason := classifyIP(ip); reason != "" {
		return &blockedError{msg: fmt.Sprintf("%s is %s address", ip, reason)}
	}
	if err := f.guard.Safe(network, address, c); err != nil {
		switch {
		case errors.Is(err, ssrf.ErrProhibitedPort):
			return &blockedError{msg: fmt.Sprintf("port %d is not allowed (only 80 and 443)", ap.Port())}
		case errors.Is(err, ssrf.ErrProhibitedNetwork):
			return &blockedError{msg: fmt.Sprintf("network %s is not allowed", network)}
		default:
			return &blockedError{msg: fmt.Sprintf("%s is a reserved (non-public) address", ip)}
		}
	}
	return nil
}

// blockedError is what control returns; it unwraps to ErrBlockedAddress.
type blockedError struct{ msg string }

// Error says which address was refused and why.
func (e *blockedError) Error() string { return e.msg }

// Unwrap returns ErrBlockedAddress.
func (e *blockedError) Unwrap() error { return ErrBlockedAddress }

// Addresses and ranges classifyIP refuses beyond what netip names: cloud
// metadata services, carrier-grade NAT, the IPv6 forms that embed an IPv4
// address, and reserved IPv4 blocks.
var (
	metadataV4 = netip.MustParseAddr("169.254.169.254")
	metadataV6 = netip.MustParseAddr("fd00:ec2::254")
	cgnat      = netip.MustParsePrefix("100.64.0.0/10")
	nat64      = netip.MustParsePrefix("64:ff9b::/96")
	nat64Local = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour  = netip.MustParsePrefix("2002::/16")
	teredo     = netip.MustParsePrefix("2001::/32")
	v4Reserved = []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
		netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
		netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1
		netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
		netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
		netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
		netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	}
)

// classifyIP says why ip may not be fetched ("a loopback", "a private", …),
// or "" when it is a public unicast address as far as this table knows.
// IPv4-mapped (::ffff:a.b.c.d), NAT64, 6to4 and Teredo IPv6 addresses are
// judged by the IPv4 address they embed. ssrf.Guardian runs after it as a
// second, broader check.
func classifyIP(ip netip.Addr) string {
	if !ip.IsValid() {
		return "an invalid"
	}
	ip = ip.WithZone("")
	if ip.Is4In6() {
		if r := classifyIP(ip.Unmap()); r != "" {
			return r
		}
		return "an IPv4-mapped IPv6"
	}
	switch {
	case ip == metadataV4 || ip == metadataV6:
		return "a cloud metadata"
	case ip.IsUnspecified():
		return "an unspecified"
	case ip.IsLoopback():
		return "a loopback"
	case ip.IsLinkLocalUnicast():
		return "a link-local"
	case ip.IsMulticast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast():
		return "a multicast"
	case ip.IsPrivate():
		return "a private"
	case ip.Is4() && cgnat.Contains(ip):
		return "a carrier-grade NAT"
	}
	if ip.Is4() {
		for _, p := range v4Reserved {
			if p.Contains(ip) {
				return "a reserved"
			}
		}
		return ""
	}
	b := ip.As16()
	switch {
	case nat64.Contains(ip), nat64Local.Contains(ip):
		v4 := netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
		if r := classifyIP(v4); r != "" {
			return r
		}
		return "a NAT64"
	case sixToFour.Contains(ip):
		v4 := netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})
		if r := classifyIP(v4); r != "" {
			return r
		}
		return "a 6to4"
	case teredo.Contains(ip):
		return "a Teredo"
	case b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0 && b[4] == 0 &&
		b[5] == 0 && b[6] == 0 && b[7] == 0 && b[8] == 0 && b[9] == 0 && b[10] == 0 && b[11] == 0:
		return "an IPv4-compatible IPv6"
	}
	return ""
}

// checkRedirect enforces MaxRedirects, refuses loops and re-checks the URL
// of every redirect target (the address check happens when it is dialled).
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if err := checkFetchURL(req.URL); err != nil {
		return err
	}
	target := req.URL.String()
	for _, prev := range via {
		if prev.URL.String() == target {
			return fmt.Errorf("%w: back to %s", ErrRedirectLoop, target)
		}
	}
	if len(via) > f.opts.MaxRedirects {
		return fmt.Errorf("%w: more than %d", ErrTooManyRedirects, f.opts.MaxRedirects)
	}
	return nil
}

// checkFetchURL accepts absolute http(s) URLs with a host and no userinfo.
func checkFetchURL(u *url.URL) error {
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		if u.Scheme == "" {
			return fmt.Errorf("%w: not an absolute URL", ErrBadURL)
		}
		return fmt.Errorf("%w: scheme %q is not http or https", ErrBadURL, u.Scheme)
	case u.User != nil:
		return fmt.Errorf("%w: URLs with a user name or password are not fetched", ErrBadURL)
	case u.Hostname() == "":
		return fmt.Errorf("%w: no host", ErrBadURL)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%w: bad port %q", ErrBadURL, p)
		}
	}
	return nil
}

// Fetch GETs rawURL and returns its body. It refuses, with an error wrapping
// one of the Err* sentinels above: bad or non-http(s) URLs and URLs with
// userinfo; any request or redirect whose dialled address is not public
// (unless its host is in AllowHosts); more than MaxRedirects redirects or a
// redirect loop; non-2xx statuses; content types other than HTML, XHTML,
// plain text, Markdown and PDF; a Content-Encoding other than gzip and
// deflate (both decoded); bodies over MaxBytes after decompression
// (Content-Length over the cap is refused before reading); and fetches not
// done within Timeout (or ctx's deadline), body included.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (*Fetched, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return nil, fmt.Errorf("refusing to fetch %q: %w: %v", rawURL, ErrBadURL, err)
	}
	if err := checkFetchURL(u); err != nil {
		return nil, fmt.Errorf("refusing to fetch %s: %w", u.Redacted(), err)
	}
	ctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()

	resp, err := f.get(ctx, u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	orig := u.Redacted()
	shown := orig
	if final := resp.Request.URL.Redacted(); final != orig {
		shown = fmt.Sprintf("%s (redirected to %s)", orig, final)
	}
	mediaType, charset, err := checkResponse(resp, shown)
	if err != nil {
		return nil, err
	}
	body, err := f.readBody(ctx, resp, orig, shown)
	if err != nil {
		return nil, err
	}
	if mediaType == "" {
		if mediaType, charset, err = sniffType(body, shown); err != nil {
			return nil, err
		}
	}
	return &Fetched{
		URL:         resp.Request.URL.String(),
		ContentType: mediaType,
		Charset:     charset,
		Body:        body,
		FetchedAt:   time.Now(),
		Status:      resp.StatusCode,
	}, nil
}

// get sends the GET request for u, following redirects as checkRedirect
// allows; an error is wrapErr's one-line error naming the URL.
func (f *Fetcher) get(ctx context.Context, u *url.URL) (*http.Response, error) {
	shown := u.Redacted()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("refusing to fetch %s: %w: %v", shown, ErrBadURL, err)
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,application/pdf;q=0.8,*/*;q=0.1")
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.wrapErr(ctx, shown, shown, err)
	}
	return resp, nil
}

// checkResponse refuses a response whose status is not 2xx or whose
// Content-Type is unparsable or not one Fetch accepts, and returns the
// declared media type and charset ("" when there is no Content-Type).
// shown names the URL in errors.
func checkResponse(resp *http.Response, shown string) (mediaType, charset string, err error) {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", "", fmt.Errorf("fetching %s: %w: %s", shown, ErrHTTPStatus, httpStatusText(resp.StatusCode))
	}
	ct := resp.Header.Get("Content-Type")
	if ct == "" {
		return "", "", nil
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", "", fmt.Errorf("refusing %s: %w: unparsable Content-Type %q", shown, ErrUnsupportedType, ct)
	}
	if !fetchableType(mt) {
		return "", "", fmt.Errorf("refusing %s: %w: %s", shown, ErrUnsupportedType, mt)
	}
	return mt, strings.ToLower(params["charset"]), nil
}

// sniffType takes the media type and charset of a body served without a
// Content-Type from its first bytes, and refuses it unless Fetch accepts
// that type. shown names the URL in errors.
func sniffType(body []byte, shown string) (mediaType, charset string, err error) {
	mt, params, err := mime.ParseMediaType(http.DetectContentType(body))
	if err == nil {
		mediaType, charset = mt, strings.ToLower(params["charset"])
	}
	if !fetchableType(mediaType) {
		return "", "", fmt.Errorf("refusing %s: %w: no Content-Type, content looks like %s", shown, ErrUnsupportedType, mediaType)
	}
	return mediaType, charset, nil
}

// httpStatusText is a status as "404 Not Found", or the bare code when it
// has no name.
func httpStatusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return strconv.Itoa(code)
}

// wrapErr turns a client error into a one-line error wrapping a sentinel.
// orig is the URL asked for, shown the same with any redirect noted.
func (f *Fetcher) wrapErr(ctx context.Context, orig, shown string, err error) error {
	var be *blockedError
	if errors.As(err, &be) {
		// Name the URL that was being dialled when it was a redirect target.
		var ue *url.Error
		if errors.As(err, &ue) {
			if u, perr := url.Parse(ue.URL); perr == nil && u.Redacted() != orig {
				shown = fmt.Sprintf("%s (redirected to %s)", orig, u.Redacted())
			}
		}
		return fmt.Errorf("refusing to fetch %s: %w", shown, be)
	}
	for _, s := range []error{ErrBadURL, ErrTooManyRedirects, ErrRedirectLoop} {
		if errors.Is(err, s) {
			return fmt.Errorf("refusing to fetch %s: %w", shown, unwrapURLError(err))
		}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("fetching %s: %w (limit %s)", shown, ErrTimeout, f.opts.Timeout)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("fetching %s: %w", shown, ErrTimeout)
	}
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("fetching %s: %w: %w", shown, ErrFetch, cerr)
	}
	return fmt.Errorf("fetching %s: %w: %v", shown, ErrFetch, unwrapURLError(err))
}

// unwrapURLError drops url.Error's `Get "…":` prefix, which repeats the URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
