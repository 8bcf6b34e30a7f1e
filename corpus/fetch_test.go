package corpus

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"
)

const testPage = "<!doctype html><html><head><title>T</title></head><body><p>Hello.</p></body></html>"

// fetchServer is an httptest server on 127.0.0.1 with the routes the fetch
// tests need.
func fetchServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		fmt.Fprint(w, testPage)
	})
	mux.HandleFunc("/nocontenttype", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = nil // stop net/http sniffing it for us
		fmt.Fprint(w, testPage)
	})
	mux.HandleFunc("/pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		fmt.Fprint(w, "%PDF-1.4\n")
	})
	mux.HandleFunc("/png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte("\x89PNG\r\n\x1a\n"))
	})
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/ua", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, r.Header.Get("User-Agent"))
	})
	// /redirect?to=URL redirects there.
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	})
	// /chain/N redirects to /chain/N-1; /chain/0 is the page.
	mux.HandleFunc("/chain/", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/chain/"), "%d", &n)
		if n == 0 {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, testPage)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n-1), http.StatusMovedPermanently)
	})
	mux.HandleFunc("/loop/a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop/b", http.StatusFound) })
	mux.HandleFunc("/loop/b", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop/a", http.StatusFound) })
	// /huge streams 50 MiB, with or without a Content-Length.
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		if r.URL.Query().Get("cl") == "1" {
			w.Header().Set("Content-Length", fmt.Sprint(50<<20))
		}
		chunk := []byte(strings.Repeat("all work and no play ", 1600)) // ~32 KiB
		for sent := 0; sent < 50<<20; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	// /bomb is gzip-encoded and inflates to 64 MiB of zeros.
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Encoding", "gzip")
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		zeros := make([]byte, 1<<20)
		for i := 0; i < 64; i++ {
			if _, err := zw.Write(zeros); err != nil {
				return
			}
		}
		zw.Close()
	})
	// /gzip-ok is a small gzip-encoded page, to show decompression works.
	mux.HandleFunc("/gzip-ok", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		fmt.Fprint(zw, testPage)
		zw.Close()
	})
	// /drip sends a byte every 50 ms, forever.
	mux.HandleFunc("/drip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fl := w.(http.Flusher)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
				if _, err := w.Write([]byte("x")); err != nil {
					return
				}
				fl.Flush()
			}
		}
	})
	// /slowheaders waits before answering at all.
	mux.HandleFunc("/slowheaders", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestFetch(t *testing.T) {
	srv := fetchServer(t)
	base := srv.URL // http://127.0.0.1:PORT
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	allow := []string{"127.0.0.1"}

	tests := []struct {
		name    string
		opts    FetchOptions
		url     string
		wantErr error  // nil for success
		errHas  string // substring of the error message
		check   func(t *testing.T, f *Fetched)
		maxTime time.Duration
	}{
		{name: "allowed host fetched", opts: FetchOptions{AllowHosts: allow}, url: base + "/ok",
			check: func(t *testing.T, f *Fetched) {
				if f.ContentType != "text/html" || f.Charset != "utf-8" || string(f.Body) != testPage || f.Status != 200 || f.URL != base+"/ok" {
					t.Errorf("got %+v", f)
				}
				if f.FetchedAt.IsZero() {
					t.Error("FetchedAt not set")
				}
			}},
		{name: "allowed host:port entry", opts: FetchOptions{AllowHosts: []string{fmt.Sprintf("127.0.0.1:%d", port)}}, url: base + "/ok"},
		{name: "allowed entry with another port refused", opts: FetchOptions{AllowHosts: []string{"127.0.0.1:1"}}, url: base + "/ok",
			wantErr: ErrBlockedAddress, errHas: "127.0.0.1 is a loopback address"},
		{name: "pdf accepted", opts: FetchOptions{AllowHosts: allow}, url: base + "/pdf",
			check: func(t *testing.T, f *Fetched) {
				if f.ContentType != "application/pdf" {
					t.Errorf("ContentType = %q", f.ContentType)
				}
			}},
		{name: "missing content type sniffed", opts: FetchOptions{AllowHosts: allow}, url: base + "/nocontenttype",
			check: func(t *testing.T, f *Fetched) {
				if f.ContentType != "text/html" {
					t.Errorf("ContentType = %q", f.ContentType)
				}
			}},
		{name: "gzip body decompressed", opts: FetchOptions{AllowHosts: allow}, url: base + "/gzip-ok",
			check: func(t *testing.T, f *Fetched) {
				if string(f.Body) != testPage {
					t.Errorf("Body = %q", f.Body)
				}
			}},
		{name: "user agent is honest", opts: FetchOptions{AllowHosts: allow}, url: base + "/ua",
			check: func(t *testing.T, f *Fetched) {
				if !strings.HasPrefix(string(f.Body), "VerbatimBot/") || !strings.Contains(string(f.Body), "github.com/verbatim-bot/verbatim") {
					t.Errorf("User-Agent = %q", f.Body)
				}
			}},
		{name: "loopback refused without allow-list", url: base + "/ok",
			wantErr: ErrBlockedAddress, errHas: "refusing to fetch " + base + "/ok: 127.0.0.1 is a loopback address"},
		{name: "allow-list does not cover other loopback IPs", opts: FetchOptions{AllowHosts: []string{"127.0.0.2"}}, url: base + "/ok",
			wantErr: ErrBlockedAddress},
		{name: "localhost name refused", url: fmt.Sprintf("http://localhost:%d/ok", port),
			wantErr: ErrBlockedAddress, errHas: "loopback"},
		{name: "redirect to 127.0.0.2 refused", opts: FetchOptions{AllowHosts: allow},
			url:     base + "/redirect?to=" + url.QueryEscape(fmt.Sprintf("http://127.0.0.2:%d/ok", port)),
			wantErr: ErrBlockedAddress, errHas: "(redirected to http://127.0.0.2:"},
		{name: "redirect to metadata refused", opts: FetchOptions{AllowHosts: allow},
			url:     base + "/redirect?to=" + url.QueryEscape("http://169.254.169.254/latest/meta-data/"),
			wantErr: ErrBlockedAddress, errHas: "169.254.169.254 is a cloud metadata address"},
		{name: "redirect to [::1] refused", opts: FetchOptions{AllowHosts: allow},
			url:     base + "/redirect?to=" + url.QueryEscape(fmt.Sprintf("http://[::1]:%d/ok", port)),
			wantErr: ErrBlockedAddress, errHas: "::1 is a loopback address"},
		{name: "redirect to IPv4-mapped loopback refused", opts: FetchOptions{AllowHosts: allow},
			url:     base + "/redirect?to=" + url.QueryEscape(fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/ok", port)),
			wantErr: ErrBlockedAddress},
		{name: "redirect to 10.0.0.1 refused", opts: FetchOptions{AllowHosts: allow},
			url:     base + "/redirect?to=" + url.QueryEscape("http://10.0.0.1/"),
			wantErr: ErrBlockedAddress, errHas: "10.0.0.1 is a private address"},
		{name: "redirect to ftp refused", opts: FetchOptions{AllowHosts: allow},
			url:     base + "/redirect?to=" + url.QueryEscape("ftp://example.com/x"),
			wantErr: ErrBadURL},
		{name: "5 redirects followed", opts: FetchOptions{AllowHosts: allow}, url: base + "/chain/5",
			check: func(t *testing.T, f *Fetched) {
				if f.URL != base+"/chain/0" {
					t.Errorf("final URL = %q", f.URL)
				}
			}},
		{name: "6 redirects refused", opts: FetchOptions{AllowHosts: allow}, url: base + "/chain/6",
			wantErr: ErrTooManyRedirects, errHas: "too many redirects"},
		{name: "MaxRedirects 1", opts: FetchOptions{AllowHosts: allow, MaxRedirects: 1}, url: base + "/chain/2",
			wantErr: ErrTooManyRedirects},
		{name: "redirect loop", opts: FetchOptions{AllowHosts: allow}, url: base + "/loop/a",
			wantErr: ErrRedirectLoop, errHas: "redirect loop"},
		{name: "50 MiB with Content-Length refused before reading", opts: FetchOptions{AllowHosts: allow}, url: base + "/huge?cl=1",
			wantErr: ErrTooLarge, errHas: "Content-Length 52428800", maxTime: 3 * time.Second},
		{name: "50 MiB streamed refused at the cap", opts: FetchOptions{AllowHosts: allow}, url: base + "/huge",
			wantErr: ErrTooLarge, maxTime: 5 * time.Second},
		{name: "gzip bomb stopped", opts: FetchOptions{AllowHosts: allow, MaxBytes: 1 << 20}, url: base + "/bomb",
			wantErr: ErrTooLarge, maxTime: 5 * time.Second},
		{name: "slow drip hits the deadline", opts: FetchOptions{AllowHosts: allow, Timeout: 300 * time.Millisecond}, url: base + "/drip",
			wantErr: ErrTimeout, maxTime: 3 * time.Second},
		{name: "slow headers hit the deadline", opts: FetchOptions{AllowHosts: allow, Timeout: 200 * time.Millisecond}, url: base + "/slowheaders",
			wantErr: ErrTimeout, maxTime: 3 * time.Second},
		{name: "image/png refused", opts: FetchOptions{AllowHosts: allow}, url: base + "/png",
			wantErr: ErrUnsupportedType, errHas: "image/png"},
		{name: "404 is an error", opts: FetchOptions{AllowHosts: allow}, url: base + "/missing",
			wantErr: ErrHTTPStatus, errHas: "404 Not Found"},
		{name: "userinfo refused", opts: FetchOptions{AllowHosts: allow}, url: "http://user:secret@127.0.0.1/ok",
			wantErr: ErrBadURL, errHas: "user name or password"},
		{name: "ftp refused", url: "ftp://example.com/file.txt", wantErr: ErrBadURL, errHas: `scheme "ftp"`},
		{name: "file refused", url: "file:///etc/passwd", wantErr: ErrBadURL},
		{name: "relative refused", url: "/just/a/path", wantErr: ErrBadURL},
		{name: "unparsable refused", url: "http://[::1", wantErr: ErrBadURL},
		{name: "port not 80/443 refused on public host", url: "http://93.184.215.14:6379/", wantErr: ErrBlockedAddress, errHas: "port 6379"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := NewFetcher(tc.opts)
			start := time.Now()
			got, err := f.Fetch(context.Background(), tc.url)
			took := time.Since(start)
			if tc.maxTime > 0 && took > tc.maxTime {
				t.Errorf("took %s, want under %s", took, tc.maxTime)
			}
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("Fetch: %v", err)
				}
				if tc.check != nil {
					tc.check(t, got)
				}
				return
			}
			if err == nil {
				t.Fatalf("Fetch succeeded (%d bytes), want %v", len(got.Body), tc.wantErr)
			}
			t.Logf("error: %v", err)
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("error %q does not wrap %v", err, tc.wantErr)
			}
			if tc.errHas != "" && !strings.Contains(err.Error(), tc.errHas) {
				t.Errorf("error %q does not contain %q", err, tc.errHas)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error leaks the password: %q", err)
			}
		})
	}
}

// TestFetchHugeNoBigAllocation checks that a 50 MiB body is refused without
// allocating anything like 50 MiB.
func TestFetchHugeNoBigAllocation(t *testing.T) {
	srv := fetchServer(t)
	f := NewFetcher(FetchOptions{AllowHosts: []string{"127.0.0.1"}, MaxBytes: 1 << 20})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := f.Fetch(context.Background(), srv.URL+"/huge")
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	// Server and client together; the server writes from one 32 KiB chunk.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 20<<20 {
		t.Errorf("allocated %d MiB fetching a refused body", alloc>>20)
	}
}

func TestFetchParentContextCancelled(t *testing.T) {
	srv := fetchServer(t)
	f := NewFetcher(FetchOptions{AllowHosts: []string{"127.0.0.1"}})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := f.Fetch(ctx, srv.URL+"/drip")
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrFetch) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestFetchAllowListNormalised(t *testing.T) {
	f := NewFetcher(FetchOptions{AllowHosts: []string{"LocalHost", "[::1]:8080", "::ffff:10.1.2.3", "", "  "}})
	for addr, want := range map[string]bool{
		"localhost:80":          true,
		"localhost:9999":        true,
		"[::1]:8080":            true,
		"[::1]:8081":            false,
		"[::ffff:10.1.2.3]:443": true,
		"10.1.2.3:443":          false,
		"127.0.0.1:80":          false,
		"evil.example:80":       false,
		"localhost.:80":         false,
	} {
		if got := f.allowed(addr); got != want {
			t.Errorf("allowed(%q) = %v, want %v", addr, got, want)
		}
	}
	if len(f.allow) != 3 {
		t.Errorf("empty entries kept: %+v", f.allow)
	}
}

func TestFetchClassifyIP(t *testing.T) {
	tests := []struct {
		ip   string
		want string // "" = public
	}{
		// IPv4
		{"8.8.8.8", ""},
		{"93.184.215.14", ""},
		{"1.1.1.1", ""},
		{"127.0.0.1", "a loopback"},
		{"127.0.0.2", "a loopback"},
		{"127.255.255.254", "a loopback"},
		{"10.0.0.1", "a private"},
		{"172.16.5.4", "a private"},
		{"172.31.255.255", "a private"},
		{"172.32.0.1", ""},
		{"192.168.1.1", "a private"},
		{"169.254.169.254", "a cloud metadata"},
		{"169.254.1.1", "a link-local"},
		{"100.64.0.1", "a carrier-grade NAT"},
		{"100.127.255.255", "a carrier-grade NAT"},
		{"100.128.0.1", ""},
		{"0.0.0.0", "an unspecified"},
		{"0.1.2.3", "a reserved"},
		{"224.0.0.1", "a multicast"},
		{"239.255.255.250", "a multicast"},
		{"255.255.255.255", "a reserved"},
		{"192.0.2.1", "a reserved"},
		{"198.18.0.1", "a reserved"},
		// IPv6
		{"2606:4700:4700::1111", ""},
		{"2001:4860:4860::8888", ""},
		{"::1", "a loopback"},
		{"::", "an unspecified"},
		{"fc00::1", "a private"},
		{"fd12:3456::1", "a private"},
		{"fd00:ec2::254", "a cloud metadata"},
		{"fe80::1", "a link-local"},
		{"fe80::1%eth0", "a link-local"},
		{"ff02::1", "a multicast"},
		{"ff05::2", "a multicast"},
		{"::ffff:127.0.0.1", "a loopback"},
		{"::ffff:10.0.0.1", "a private"},
		{"::ffff:169.254.169.254", "a cloud metadata"},
		{"::ffff:8.8.8.8", "an IPv4-mapped IPv6"},
		{"::127.0.0.1", "an IPv4-compatible IPv6"},
		{"64:ff9b::7f00:1", "a loopback"},
		{"64:ff9b::a9fe:a9fe", "a cloud metadata"},
		{"64:ff9b::808:808", "a NAT64"},
		{"2002:7f00:1::1", "a loopback"},
		{"2002:c0a8:101::1", "a private"},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", "a Teredo"},
	}
	for _, tc := range tests {
		ip := netip.MustParseAddr(tc.ip)
		if got := classifyIP(ip); got != tc.want {
			t.Errorf("classifyIP(%s) = %q, want %q", tc.ip, got, tc.want)
		}
	}

	// Whatever classifyIP lets through must also pass the ssrf guard, and
	// every address it blocks is refused by control with ErrBlockedAddress.
	f := NewFetcher(FetchOptions{})
	for _, tc := range tests {
		ip := netip.MustParseAddr(tc.ip).WithZone("")
		network := "tcp4"
		if ip.Is6() {
			network = "tcp6"
		}
		err := f.control(network, netip.AddrPortFrom(ip, 443).String(), nil)
		if tc.want == "" && err != nil {
			t.Errorf("control(%s) = %v, want allowed", tc.ip, err)
		}
		if tc.want != "" && !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("control(%s) = %v, want ErrBlockedAddress", tc.ip, err)
		}
	}
}
