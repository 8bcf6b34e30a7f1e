package corpus

// Hostile inputs to the corpus: URLs that try to reach private addresses,
// bodies and files over the limits, malformed files, and decompression
// bombs. docs/security.md lists each case with what was seen.

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingServer is an httptest server on 127.0.0.1 that counts the
// requests reaching it: a guard case passes only if none did.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func serverPort(srv *httptest.Server) string {
	return strconv.Itoa(srv.Listener.Addr().(*net.TCPAddr).Port)
}

// TestHostileFetchGuards tries to make the fetcher reach a private address:
// directly, by other spellings of it, by a name that resolves to it, and
// through redirects from an allowed server. Each case must be refused with
// the error named, and no request may reach the private server.
func TestHostileFetchGuards(t *testing.T) {
	private, hits := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "private data")
	})
	p := serverPort(private)
	// entry is the one server allowed (by host and port); it redirects to
	// ?to= with the status in ?code=.
	entry, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("code"))
		http.Redirect(w, r, r.URL.Query().Get("to"), code)
	})
	allowEntry := []string{"127.0.0.1:" + serverPort(entry)}
	via := func(code int, to string) string {
		return entry.URL + "/?code=" + strconv.Itoa(code) + "&to=" + url.QueryEscape(to)
	}

	tests := []struct {
		name    string
		allow   []string
		url     string
		wantErr error
		errHas  string
	}{
		// Direct, with no allow-list.
		{"loopback", nil, "http://127.0.0.1:" + p + "/", ErrBlockedAddress, "127.0.0.1 is a loopback address"},
		{"localhost by name", nil, "http://localhost:" + p + "/", ErrBlockedAddress, "loopback address"},
		{"0.0.0.0 (reaches local services on Linux)", nil, "http://0.0.0.0:" + p + "/", ErrBlockedAddress, "0.0.0.0 is an unspecified address"},
		{"IPv6 loopback", nil, "http://[::1]:" + p + "/", ErrBlockedAddress, "::1 is a loopback address"},
		{"IPv4-mapped IPv6 loopback", nil, "http://[::ffff:127.0.0.1]:" + p + "/", ErrBlockedAddress, "loopback address"},
		{"IPv4-compatible IPv6 loopback", nil, "http://[::127.0.0.1]:" + p + "/", ErrBlockedAddress, "address"},
		{"NAT64 loopback", nil, "http://[64:ff9b::7f00:1]:" + p + "/", ErrBlockedAddress, "loopback address"},
		{"cloud metadata", nil, "http://169.254.169.254/latest/meta-data/", ErrBlockedAddress, "169.254.169.254 is a cloud metadata address"},
		{"cloud metadata, IPv6", nil, "http://[fd00:ec2::254]/", ErrBlockedAddress, "cloud metadata address"},
		{"link-local", nil, "http://169.254.1.1/", ErrBlockedAddress, "link-local address"},
		{"IPv6 link-local", nil, "http://[fe80::1]/", ErrBlockedAddress, "link-local address"},
		{"private 10/8", nil, "http://10.0.0.1/", ErrBlockedAddress, "10.0.0.1 is a private address"},
		{"private 172.16/12", nil, "http://172.16.0.1/", ErrBlockedAddress, "private address"},
		{"private 192.168/16", nil, "http://192.168.0.1/", ErrBlockedAddress, "private address"},
		{"carrier-grade NAT", nil, "http://100.64.0.1/", ErrBlockedAddress, "carrier-grade NAT address"},
		{"IPv6 unique local", nil, "http://[fd12:3456::1]/", ErrBlockedAddress, "private address"},
		// The allow-list names a host, not the addresses behind it.
		{"allowed IP, reached by a name resolving to it", []string{"127.0.0.1"}, "http://localhost:" + p + "/", ErrBlockedAddress, "loopback address"},
		{"allowed port, another port", allowEntry, "http://127.0.0.1:" + p + "/", ErrBlockedAddress, "loopback address"},
		// Redirects from the allowed server: every hop is checked.
		{"302 to loopback", allowEntry, via(302, "http://127.0.0.1:"+p+"/"), ErrBlockedAddress, "(redirected to http://127.0.0.1:" + p + "/)"},
		{"307 to localhost by name", allowEntry, via(307, "http://localhost:"+p+"/"), ErrBlockedAddress, "loopback address"},
		{"308 to IPv4-mapped loopback", allowEntry, via(308, "http://[::ffff:127.0.0.1]:"+p+"/"), ErrBlockedAddress, "loopback address"},
		{"301 protocol-relative to loopback", allowEntry, via(301, "//127.0.0.1:"+p+"/"), ErrBlockedAddress, "loopback address"},
		{"302 to cloud metadata", allowEntry, via(302, "http://169.254.169.254/latest/meta-data/"), ErrBlockedAddress, "cloud metadata address"},
		{"302 to 0.0.0.0", allowEntry, via(302, "http://0.0.0.0:"+p+"/"), ErrBlockedAddress, "unspecified address"},
		{"302 to userinfo URL", allowEntry, via(302, "http://user:pw@127.0.0.1:"+p+"/"), ErrBadURL, "user name or password"},
		{"302 to file:", allowEntry, via(302, "file:///etc/passwd"), ErrBadURL, `scheme "file"`},
		{"302 to gopher:", allowEntry, via(302, "gopher://127.0.0.1:"+p+"/_x"), ErrBadURL, `scheme "gopher"`},
		// Schemes other than http(s), and userinfo.
		{"file:", nil, "file:///etc/passwd", ErrBadURL, `scheme "file"`},
		{"gopher:", nil, "gopher://127.0.0.1:" + p + "/_SET", ErrBadURL, `scheme "gopher"`},
		{"javascript:", nil, "javascript:alert(1)", ErrBadURL, `scheme "javascript"`},
		{"data:", nil, "data:text/plain,hello", ErrBadURL, `scheme "data"`},
		{"scheme-relative", nil, "//127.0.0.1:" + p + "/", ErrBadURL, "not an absolute URL"},
		{"user name only", []string{"127.0.0.1"}, "http://user@127.0.0.1:" + p + "/", ErrBadURL, "user name or password"},
		{"public-looking userinfo before a private host", nil, "http://news.example.org@127.0.0.1:" + p + "/", ErrBadURL, "user name or password"},
		{"empty userinfo", []string{"127.0.0.1"}, "http://@127.0.0.1:" + p + "/", ErrBadURL, ""},
		{"port 0", nil, "http://example.org:0/", ErrBadURL, "bad port"},
		{"port 99999", nil, "http://example.org:99999/", ErrBadURL, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := hits.Load()
			_, err := NewFetcher(FetchOptions{AllowHosts: tc.allow}).Fetch(context.Background(), tc.url)
			if err == nil {
				t.Fatalf("fetched %s", tc.url)
			}
			t.Logf("seen: %v", err)
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("error %q does not wrap %v", err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.errHas) {
				t.Errorf("error %q does not say %q", err, tc.errHas)
			}
			if strings.Contains(err.Error(), "pw@") {
				t.Errorf("error shows the password: %q", err)
			}
			if n := hits.Load() - before; n != 0 {
				t.Errorf("%d requests reached the private server", n)
			}
		})
	}
}

// TestHostileFetchBodies serves bodies over the limit: a gzip bomb whose
// compressed size is far under MaxBytes (so only counting after
// decompression stops it), the same bomb without a Content-Type, and a
// doubly gzipped body, which must not be inflated twice.
func TestHostileFetchBodies(t *testing.T) {
	const maxBytes = 1 << 20
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zw.Write(bytes.Repeat([]byte("a"), 64<<20))
	zw.Close()
	if bomb.Len() >= maxBytes/8 {
		t.Fatalf("the bomb is %d bytes compressed; the case needs it far under %d", bomb.Len(), maxBytes)
	}
	var double bytes.Buffer
	zw = gzip.NewWriter(&double)
	zw.Write(bomb.Bytes())
	zw.Close()
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/bomb", "/bomb-untyped":
			if r.URL.Path == "/bomb" {
				w.Header().Set("Content-Type", "text/plain")
			} else {
				w.Header()["Content-Type"] = nil
			}
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Length", strconv.Itoa(bomb.Len()))
			w.Write(bomb.Bytes())
		case "/double":
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(double.Bytes())
		}
	})
	f := NewFetcher(FetchOptions{AllowHosts: []string{"127.0.0.1"}, MaxBytes: maxBytes})
	tests := []struct {
		path    string
		wantErr error
		check   func(t *testing.T, got *Fetched)
	}{
		{path: "/bomb", wantErr: ErrTooLarge},
		{path: "/bomb-untyped", wantErr: ErrTooLarge},
		{path: "/double", check: func(t *testing.T, got *Fetched) {
			// Inflated once: the body is the inner gzip stream, as sent.
			if !bytes.Equal(got.Body, bomb.Bytes()) {
				t.Errorf("body is %d bytes, want the %d-byte inner gzip stream", len(got.Body), bomb.Len())
			}
			if _, err := ParseFetched(context.Background(), got); !errors.Is(err, ErrNotText) {
				t.Errorf("parsing the inner gzip stream as text: %v, want ErrNotText", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			got, err := f.Fetch(context.Background(), srv.URL+tc.path)
			runtime.ReadMemStats(&after)
			t.Logf("seen (%d MiB allocated): %v", (after.TotalAlloc-before.TotalAlloc)>>20, err)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), "exceeds the 1048576-byte limit") {
					t.Errorf("error does not name the limit: %q", err)
				}
				// Server and client together; the bomb inflates to 64 MiB.
				if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 24<<20 {
					t.Errorf("allocated %d MiB refusing a bomb", alloc>>20)
				}
				return
			}
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			tc.check(t, got)
		})
	}
}

// TestHostileFiles gives ParseFile files that are too big, malformed, or
// not what their name says. Each must be refused with a reason a moderator
// can act on.
func TestHostileFiles(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	utf16 := []byte("\xff\xfeH\x00e\x00l\x00l\x00o\x00 \x00w\x00o\x00r\x00l\x00d\x00.\x00")
	tests := []struct {
		name    string
		file    string
		data    []byte
		wantErr error  // nil: any error, checked by errHas
		errHas  string // what the message must say
	}{
		{"over the size limit", "big.txt", bytes.Repeat([]byte("word "), MaxFileBytes/5+1), nil, "is over the 10 MiB limit for an article file"},
		{"invalid UTF-8", "latin1.txt", []byte("Caf\xe9 society\n\nThe caf\xe9 reopened on Monday after the storm."), ErrNotText, "not UTF-8 text"},
		{"NUL bytes in text", "nul.txt", []byte("Title\n\nSome text\x00with a NUL byte in the middle of it."), ErrNotText, "not UTF-8 text: a binary file (it holds NUL bytes, the first at byte 16)"},
		{"UTF-16 text", "utf16.txt", utf16, ErrNotText, "not UTF-8 text: it is UTF-16 text; save it as UTF-8"},
		{"PNG named .txt", "photo.txt", png, ErrNotText, "not UTF-8 text: a binary file"},
		{"PDF named .md", "report.md", []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n"), ErrNotText, "not UTF-8 text"},
		{"gzip named .txt", "story.txt", func() []byte {
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			zw.Write([]byte("Title\n\nA story hidden in a gzip file."))
			zw.Close()
			return b.Bytes()
		}(), ErrNotText, "not UTF-8 text: a binary file"},
		{"HTML that is binary", "page.html", png, ErrNotHTML, "binary data"},
		{"HTML with no prose", "page.html", []byte("<html><body><nav><a href=/>Home</a></nav><script>alert(1)</script></body></html>"), ErrNoArticle, "no article text found"},
		{"PDF that is HTML", "story.pdf", []byte("<html><body><p>Not a PDF at all, really.</p></body></html>"), ErrNotReadablePDF, "no %PDF header"},
		{"truncated PDF", "story.pdf", []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"), ErrNotReadablePDF, "not a PDF file: missing %EOF"},
		{"executable", "tool.exe", []byte("MZ\x90\x00"), ErrUnsupported, "unsupported file type .exe"},
		{"no extension", "README", []byte("Title\n\nText."), ErrUnsupported, "(no extension)"},
		{"double extension", "story.txt.exe", []byte("Title\n\nText."), ErrUnsupported, ".exe"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := ParseFile(context.Background(), tc.file, tc.data)
			if err == nil {
				t.Fatalf("parsed: %.80q", doc.Text)
			}
			t.Logf("seen: %v", err)
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.errHas) {
				t.Errorf("error %q does not say %q", err, tc.errHas)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

// flatePDF is a one-page PDF whose content stream (and, when toUnicode is
// set, its font's ToUnicode map) is what fill writes, deflated.
func flatePDF(fill func(w *zlib.Writer), toUnicode bool) []byte {
	deflate := func(fill func(w *zlib.Writer)) string {
		var z bytes.Buffer
		zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
		fill(zw)
		zw.Close()
		return fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.String())
	}
	content := deflate(fill)
	font := "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
	if toUnicode {
		content = deflate(func(w *zlib.Writer) { w.Write([]byte("BT /F1 12 Tf 72 700 Td (A short line of text.) Tj ET\n")) })
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
		font,
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
		content,
	}
	if toUnicode {
		objs[2] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>"
		objs = append(objs, deflate(fill))
	}
	return assemblePDF(objs, 1, 0)
}

// repeat writes s n times.
func repeat(s string, n int) func(w *zlib.Writer) {
	return func(w *zlib.Writer) {
		b := []byte(s)
		for i := 0; i < n; i++ {
			w.Write(b)
		}
	}
}

// TestHostilePDFBombs gives ParsePDF small files whose streams inflate far
// past what an article needs. Before the stream and character budgets, a
// 1.5 MB file of these kinds made the parser allocate over 1 GiB and keep
// going after its time limit; now each is refused, naming the limit,
// without allocating anything like the inflated size (the last case's
// bound is what half a million characters cost to collect: they are
// kept, then dropped).
func TestHostilePDFBombs(t *testing.T) {
	tests := []struct {
		name      string
		pdf       []byte
		errHas    string
		maxAllocM uint64 // MiB allocated while refusing
	}{
		{"content stream of 64 MiB of Tj operators",
			flatePDF(repeat("BT /F1 12 Tf 72 700 Td (Word) Tj ET\n", 64<<20/36), false),
			"more than 16 MiB of drawing instructions", 48},
		{"one 64 MiB string",
			flatePDF(func(w *zlib.Writer) {
				w.Write([]byte("BT /F1 12 Tf 72 700 Td ("))
				repeat(strings.Repeat("a", 1<<20), 64)(w)
				w.Write([]byte(") Tj ET\n"))
			}, false),
			"more than 16 MiB of drawing instructions", 48},
		{"ToUnicode map of 64 MiB",
			flatePDF(repeat("1 beginbfchar <01> <0041> endbfchar\n", 64<<20/36), true),
			"more than 16 MiB of drawing instructions", 48},
		{"8 MiB of characters, under the stream limit",
			flatePDF(repeat("BT /F1 12 Tf 72 700 Td ("+strings.Repeat("x", 1000)+") Tj ET\n", 8<<10), false),
			"draws more than 524288 characters", 320},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.pdf) > 2<<20 {
				t.Fatalf("the bomb is %d bytes; the case is a small file", len(tc.pdf))
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := ParsePDF(context.Background(), tc.pdf)
			runtime.ReadMemStats(&after)
			t.Logf("seen (%d-byte file, %d MiB allocated): %v", len(tc.pdf), (after.TotalAlloc-before.TotalAlloc)>>20, err)
			if !errors.Is(err, ErrNotReadablePDF) || !strings.Contains(err.Error(), tc.errHas) {
				t.Fatalf("err = %v, want ErrNotReadablePDF saying %q", err, tc.errHas)
			}
			if alloc := (after.TotalAlloc - before.TotalAlloc) >> 20; alloc > tc.maxAllocM {
				t.Errorf("allocated %d MiB refusing it, want at most %d", alloc, tc.maxAllocM)
			}
		})
	}
}

// TestHostileSnapshotIsNotInflated stores a source whose snapshot (the
// bytes as received) is itself a gzip bomb: the store gzips snapshots, and
// reading one back must return exactly those bytes, never inflate them a
// second time.
func TestHostileSnapshotIsNotInflated(t *testing.T) {
	ctx := context.Background()
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zw.Write(make([]byte, 32<<20))
	zw.Close()
	s, err := OpenStore(t.TempDir() + "/library.db")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := NewChunker()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := ParseText([]byte("Bomb Story\n\nThe page arrived as a gzip stream inside a gzip stream."))
	if err != nil {
		t.Fatal(err)
	}
	src, err := NewSource(doc, Meta{Snapshot: bomb.Bytes(), SnapshotType: "application/gzip"}, c, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, src); err != nil {
		t.Fatal(err)
	}
	got, err := s.Snapshot(ctx, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seen: stored %d bytes, read back %d", bomb.Len(), len(got))
	if !bytes.Equal(got, bomb.Bytes()) {
		t.Errorf("snapshot read back as %d bytes, want the %d stored", len(got), bomb.Len())
	}
}
