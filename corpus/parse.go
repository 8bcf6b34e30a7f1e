package corpus

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// MaxFileBytes is the largest article file Verbatim reads.
const MaxFileBytes = 10 << 20

// ErrUnsupported is wrapped by errors about files of a type Verbatim does
// not read.
var ErrUnsupported = errors.New("unsupported file type")

// SupportedExtensions are the file name endings ParseFile reads.
var SupportedExtensions = []string{".txt", ".md", ".markdown", ".html", ".htm", ".pdf"}

// Supported reports whether ParseFile reads files with this name.
func Supported(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	for _, e := range SupportedExtensions {
		if e == ext {
			return true
		}
	}
	return false
}

// ParseFile parses an article file by its type, known from its name.
func ParseFile(ctx context.Context, name string, data []byte) (Document, error) {
	if err := ctx.Err(); err != nil {
		return Document{}, err
	}
	if len(data) > MaxFileBytes {
		return Document{}, fmt.Errorf("%s is over the %d MiB limit for an article file (%d bytes); add just the article", name, MaxFileBytes>>20, len(data))
	}
	if !Supported(name) {
		ext := filepath.Ext(name)
		if ext == "" {
			ext = "(no extension)"
		}
		return Document{}, fmt.Errorf("%w %s: add %s files", ErrUnsupported, ext, strings.Join(SupportedExtensions, ", "))
	}
	var doc Document
	var err error
	switch strings.ToLower(filepath.Ext(name)) {
	case ".html", ".htm":
		doc, err = ParseHTML(data, "")
	case ".pdf":
		doc, err = ParsePDF(ctx, data)
	default:
		doc, err = ParseText(data)
	}
	if err != nil {
		return Document{}, fmt.Errorf("reading %s: %w", name, err)
	}
	return doc, nil
}

// MediaType returns the media type of an article file, from its name.
func MediaType(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".html", ".htm":
		return "text/html"
	case ".pdf":
		return "application/pdf"
	case ".md", ".markdown":
		return "text/markdown"
	default:
		return "text/plain"
	}
}

// ParseFetched parses a fetched web resource by its content type: an HTML
// page, a PDF, or plain text / Markdown. The document's URL is the page's
// canonical URL when it names one, else the address it was fetched from.
func ParseFetched(ctx context.Context, f *Fetched) (Document, error) {
	var doc Document
	var err error
	switch f.ContentType {
	case "text/html", "application/xhtml+xml":
		doc, err = ParseHTML(f.Body, f.URL)
	case "application/pdf":
		doc, err = ParsePDF(ctx, f.Body)
	default:
		doc, err = ParseText(f.Body)
	}
	if err != nil {
		return Document{}, fmt.Errorf("reading %s: %w", f.URL, err)
	}
	if doc.URL == "" {
		doc.URL = f.URL
	}
	return doc, nil
}
