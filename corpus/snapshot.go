package corpus

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// gzipBytes compresses b.
func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// gunzipBytes decompresses what gzipBytes made.
func gunzipBytes(z []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, fmt.Errorf("decompressing: %w", err)
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, maxSnapshotBytes+1))
	if err != nil {
		return nil, fmt.Errorf("decompressing: %w", err)
	}
	if int64(len(b)) > maxSnapshotBytes {
		return nil, fmt.Errorf("decompressing: more than %d MiB, larger than any snapshot verbatim writes", maxSnapshotBytes>>20)
	}
	return b, nil
}

// maxSnapshotBytes bounds what a stored snapshot may inflate to: four times
// the largest file or page verbatim accepts, so that a tampered store cannot
// make reading one exhaust memory.
const maxSnapshotBytes = 4 * max(int64(MaxFileBytes), DefaultFetchMaxBytes)

// CanonicalURL is the form of a URL used to recognise the same article:
// scheme and host lower-cased, default port, fragment, tracking parameters
// (utm_*, fbclid, gclid) and a trailing slash dropped.
func CanonicalURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return strings.TrimSpace(raw)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	u.Host = strings.TrimSuffix(strings.TrimSuffix(u.Host, ":80"), ":443")
	u.Fragment = ""
	u.User = nil
	q := u.Query()
	for k := range q {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "utm_") || lk == "fbclid" || lk == "gclid" {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	if u.Path != "/" {
		u.Path = strings.TrimSuffix(u.Path, "/")
	} else {
		u.Path = ""
	}
	u.RawPath = ""
	return u.String()
}
