package corpus

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestFetchDeflate: a page sent with Content-Encoding: deflate was kept
// compressed and then refused as "binary data". It is decoded like gzip,
// whether the server sends the zlib format (RFC 1950, as the standard
// says) or raw deflate (RFC 1951, as some servers do), under the same size
// limit; an encoding Verbatim cannot decode is refused by name.
func TestFetchDeflate(t *testing.T) {
	const page = `<html><head><title>Kremlin Rejects Claims</title></head><body><article><p>The Kremlin on Wednesday rejected the claims of interference as baseless, a spokesman said.</p></article></body></html>`
	compress := func(raw bool, data []byte) []byte {
		var b bytes.Buffer
		var w io.WriteCloser
		if raw {
			w, _ = flate.NewWriter(&b, flate.BestCompression)
		} else {
			w, _ = zlib.NewWriterLevel(&b, zlib.BestCompression)
		}
		w.Write(data)
		w.Close()
		return b.Bytes()
	}
	bomb := compress(false, make([]byte, 32<<20))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		switch r.URL.Path {
		case "/zlib":
			w.Header().Set("Content-Encoding", "deflate")
			w.Write(compress(false, []byte(page)))
		case "/raw":
			w.Header().Set("Content-Encoding", "Deflate")
			w.Write(compress(true, []byte(page)))
		case "/bomb":
			w.Header().Set("Content-Encoding", "deflate")
			w.Write(bomb)
		case "/br":
			w.Header().Set("Content-Encoding", "br")
			w.Write([]byte{0x1b, 0x03, 0x00})
		}
	}))
	t.Cleanup(srv.Close)
	f := NewFetcher(FetchOptions{AllowHosts: []string{"127.0.0.1"}, MaxBytes: 1 << 20})
	for _, path := range []string{"/zlib", "/raw"} {
		got, err := f.Fetch(context.Background(), srv.URL+path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if string(got.Body) != page {
			t.Errorf("%s: body %.60q, want the page", path, got.Body)
		}
		doc, err := ParseFetched(context.Background(), got)
		if err != nil {
			t.Errorf("%s: %v", path, err)
		} else if !strings.Contains(doc.Text, "rejected the claims") {
			t.Errorf("%s: text %q", path, doc.Text)
		}
	}
	_, err := f.Fetch(context.Background(), srv.URL+"/bomb")
	t.Logf("seen: %v", err)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "exceeds the 1048576-byte limit") {
		t.Errorf("deflate bomb: err = %v, want ErrTooLarge naming the limit", err)
	}
	_, err = f.Fetch(context.Background(), srv.URL+"/br")
	t.Logf("seen: %v", err)
	if !errors.Is(err, ErrUnsupportedType) || !strings.Contains(err.Error(), "Content-Encoding br") {
		t.Errorf("br: err = %v, want ErrUnsupportedType naming the encoding", err)
	}
}
