package corpus

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// readBody reads the response body, at most MaxBytes of it after
// decompression: a Content-Length over the cap is refused before reading,
// and a body that runs over it when read. A body the Transport did not
// decode itself (it asks for and decodes gzip) is decoded here when its
// Content-Encoding is deflate or gzip, and refused when it is another.
// orig is the URL asked for, shown the same with any redirect noted.
func (f *Fetcher) readBody(ctx context.Context, resp *http.Response, orig, shown string) ([]byte, error) {
	limit := f.opts.MaxBytes
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("refusing %s: %w: Content-Length %d exceeds the %d-byte limit", shown, ErrTooLarge, resp.ContentLength, limit)
	}
	body, err := decodedBody(resp)
	if errors.Is(err, ErrUnsupportedType) {
		return nil, fmt.Errorf("refusing %s: %w", shown, err)
	} else if err != nil {
		return nil, f.wrapErr(ctx, orig, shown, fmt.Errorf("reading body: %w", err))
	}
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength))
	}
	// This counts bytes after decompression: a bomb stops at limit+1 bytes.
	n, err := io.Copy(&buf, io.LimitReader(body, limit+1))
	if err != nil {
		return nil, f.wrapErr(ctx, orig, shown, fmt.Errorf("reading body: %w", err))
	}
	if n > limit {
		return nil, fmt.Errorf("refusing %s: %w: body exceeds the %d-byte limit", shown, ErrTooLarge, limit)
	}
	return buf.Bytes(), nil
}

// decodedBody returns a reader of resp's body with its Content-Encoding
// undone: deflate as the zlib format (RFC 1950) or, as some servers send
// it, raw deflate (RFC 1951); gzip when the Transport left it encoded. An
// error wrapping ErrUnsupportedType names any other encoding; any other
// error is from reading the stream's header.
func decodedBody(resp *http.Response) (io.Reader, error) {
	enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	if resp.Uncompressed {
		enc = "" // the Transport decoded it
	}
	switch enc {
	case "", "identity":
		return resp.Body, nil
	case "deflate":
		br := bufio.NewReader(resp.Body)
		if h, err := br.Peek(2); err == nil && isZlibHeader(h[0], h[1]) {
			return zlib.NewReader(br)
		}
		return flate.NewReader(br), nil
	case "gzip", "x-gzip":
		return gzip.NewReader(resp.Body)
	}
	return nil, fmt.Errorf("%w: Content-Encoding %s, which Verbatim cannot decode (it reads gzip and deflate)", ErrUnsupportedType, enc)
}

// isZlibHeader reports whether two bytes open a zlib stream: deflate with a
// window of at most 32 KiB, and a check value that divides by 31.
func isZlibHeader(cmf, flg byte) bool {
	return cmf&0x0f == 8 && cmf>>4 <= 7 && (uint16(cmf)<<8|uint16(flg))%31 == 0
}
