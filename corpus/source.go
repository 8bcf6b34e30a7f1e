package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// GlobalScope is the scope of the library every server sees: the seeds and
// what the operator adds from the command line. Any other scope is the id of
// the Discord server (guild) that owns the source.
const GlobalScope = "global"

// Info is what the library knows of a source apart from its text: the
// attribution shown beside every quote, and who added it when.
type Info struct {
	// ID is short and stable: derived from a hash of the scope and the text.
	ID string `json:"id"`
	// Scope is GlobalScope or the id of the guild that owns the source.
	Scope string `json:"scope"`
	// Origin is where the source came from: a URL, or a file's base name.
	Origin string `json:"origin"`
	// URL is the article's address when it has one (canonical if known).
	URL       string `json:"url,omitempty"`
	Title     string `json:"title"`
	Outlet    string `json:"outlet,omitempty"`
	Author    string `json:"author,omitempty"`
	Published string `json:"published,omitempty"` // ISO date when complete, else as written
	// PublishedFrom says where Published came from ("dateline", "given", …).
	PublishedFrom string    `json:"published_from,omitempty"`
	Language      string    `json:"language,omitempty"`
	AddedBy       string    `json:"added_by"`
	AddedAt       time.Time `json:"added_at"`
	// SHA256 is the hex SHA-256 of Text, so any quote can be checked against
	// exactly the text it was cut from.
	SHA256 string `json:"sha256"`
	Note   string `json:"note,omitempty"`
	// FetchedAt is when the source was fetched from the web (zero for files
	// and pasted text).
	FetchedAt time.Time `json:"fetched_at,omitzero"`
	// SnapshotSHA256, SnapshotType and SnapshotBytes describe the bytes the
	// source was made from (the file or page as received), kept compressed
	// in the store: what was there can always be shown.
	SnapshotSHA256 string `json:"snapshot_sha256,omitempty"`
	SnapshotType   string `json:"snapshot_type,omitempty"`
	SnapshotBytes  int    `json:"snapshot_bytes,omitempty"`
	// SupersededBy is the id of the newer version of this article, once a
	// refresh found its text changed; a superseded source is kept (quotes
	// given from it stay checkable) but no longer answers. Previous is the
	// id of the version this one replaced.
	SupersededBy string `json:"superseded_by,omitempty"`
	Previous     string `json:"previous,omitempty"`
	// PassageCount is the number of passages (units of search).
	PassageCount int `json:"passages"`
	// Feed is where a source added from a followed feed came from.
	Feed *FeedItem `json:"feed,omitempty"`
}

// FeedItem is the provenance of a source added from a followed feed: the
// feed's id and address, the item's id (guid) and link, and the date the
// feed gave the item (RFC 3339, "" when it gave none).
type FeedItem struct {
	FeedID  string `json:"feed_id"`
	FeedURL string `json:"feed_url"`
	GUID    string `json:"guid,omitempty"`
	Link    string `json:"link,omitempty"`
	Date    string `json:"date,omitempty"`
}

// Source is one article in the library: its Info and its clean text, with
// the passages and sentences of that text as exact byte spans.
type Source struct {
	Info
	Text      string    `json:"text"`
	Passages  []Passage `json:"passage_spans"`
	Sentences []Span    `json:"sentences"`
	// Snapshot is the bytes the source was made from; the store keeps them
	// apart (compressed) and Get does not load them (see Store.Snapshot).
	Snapshot []byte `json:"-"`
}

// Meta is what whoever adds a source says about it. Every field that is set
// wins over what the parser guessed.
type Meta struct {
	Scope     string
	Origin    string
	URL       string
	Title     string
	Outlet    string
	Author    string
	Published string
	Language  string
	AddedBy   string
	Note      string
	// Snapshot is the file or page as received, with its media type and,
	// for the web, when it was fetched.
	Snapshot     []byte
	SnapshotType string
	FetchedAt    time.Time
	// Feed is set for an article added from a followed feed.
	Feed *FeedItem
}

// ErrInvalid is wrapped by errors about a source or its metadata that cannot
// be accepted. Each such error is also a *usererr.Error (code Invalid)
// whose message says what was wrong: usererr.MessageOf gives it whole.
var ErrInvalid = errors.New("invalid source")

var scopeRe = regexp.MustCompile(`^(?:global|[0-9]{1,20})$`)

// CheckPublished returns an error wrapping ErrInvalid when a publication
// date given for a source is neither an ISO date that exists (2021-03-17)
// nor a date as written (February 25, March 18, 2021).
func CheckPublished(s string) error {
	published := normalizeDate(s)
	if !isoDate.MatchString(published) && !writtenDateFull.MatchString(published) {
		return invalid(nil, "date %q is not a date like 2021-03-17 or February 25", s)
	}
	if isoDate.MatchString(published) {
		if _, err := time.Parse(time.DateOnly, published); err != nil {
			return invalid(nil, "date %q does not exist", s)
		}
	}
	return nil
}

// writtenDateFull matches a whole date as written.
var writtenDateFull = regexp.MustCompile(`^` + writtenDateRe + `$`)

// ValidScope reports whether s names a scope: "global" or a guild id.
func ValidScope(s string) bool { return scopeRe.MatchString(s) }

// NewSource makes a Source from a parsed document and what the adder said of
// it: metadata given wins, the id and hash are computed, and the text is cut
// into passages and sentences.
func NewSource(doc Document, meta Meta, chunker *Chunker, now time.Time) (Source, error) {
	if meta.Scope == "" {
		meta.Scope = GlobalScope
	}
	if !ValidScope(meta.Scope) {
		return Source{}, invalid(nil, "scope %q is neither %q nor a server id", meta.Scope, GlobalScope)
	}
	if strings.TrimSpace(doc.Text) == "" || len(doc.Paragraphs) == 0 {
		return Source{}, invalid(ErrEmpty, "%v", ErrEmpty)
	}
	if !utf8.ValidString(doc.Text) {
		// The store keeps text as JSON, which would replace the bad bytes:
		// quotes would then not match the hash they were checked against.
		return Source{}, invalid(nil, "the text is not valid UTF-8")
	}
	prev := 0
	for i, p := range doc.Paragraphs {
		if p.Start < prev || p.End > len(doc.Text) || p.Start >= p.End || !boundary(doc.Text, p.Start) || !boundary(doc.Text, p.End) {
			return Source{}, invalid(nil, "paragraph %d span [%d,%d) does not cut the text (%d bytes) in order", i+1, p.Start, p.End, len(doc.Text))
		}
		prev = p.End
	}
	if err := checkURLs(&doc, &meta); err != nil {
		return Source{}, err
	}
	published, from := doc.Published, doc.PublishedFrom
	if meta.Published != "" {
		published, from = normalizeDate(meta.Published), "given"
		if err := CheckPublished(meta.Published); err != nil {
			return Source{}, err
		}
	}
	sum := sha256.Sum256([]byte(doc.Text))
	idSum := sha256.Sum256([]byte(meta.Scope + "\x00" + doc.Text))
	passages, sents, err := chunker.Chunk(doc)
	if err != nil {
		return Source{}, invalid(err, "%v", err)
	}
	src := Source{
		Info: Info{
			ID:            hex.EncodeToString(idSum[:6]),
			Scope:         meta.Scope,
			Origin:        firstNonEmpty(meta.Origin, meta.URL, doc.URL),
			URL:           firstNonEmpty(meta.URL, doc.URL),
			Title:         oneLine(firstNonEmpty(meta.Title, doc.Title)),
			Outlet:        oneLine(firstNonEmpty(meta.Outlet, doc.Outlet)),
			Author:        oneLine(firstNonEmpty(meta.Author, doc.Author)),
			Published:     published,
			PublishedFrom: from,
			Language:      firstNonEmpty(meta.Language, doc.Language),
			AddedBy:       meta.AddedBy,
			AddedAt:       now.UTC().Truncate(time.Second),
			SHA256:        hex.EncodeToString(sum[:]),
			Note:          meta.Note,
			PassageCount:  len(passages),
			FetchedAt:     meta.FetchedAt.UTC().Truncate(time.Second),
			Feed:          meta.Feed,
		},
		Text:      doc.Text,
		Passages:  passages,
		Sentences: sents,
	}
	if meta.FetchedAt.IsZero() {
		src.FetchedAt = time.Time{}
	}
	if meta.Snapshot != nil {
		snap := sha256.Sum256(meta.Snapshot)
		src.Snapshot = meta.Snapshot
		src.SnapshotSHA256 = hex.EncodeToString(snap[:])
		src.SnapshotType = meta.SnapshotType
		src.SnapshotBytes = len(meta.Snapshot)
	}
	if src.Title == "" {
		src.Title = "Untitled"
	}
	return src, nil
}

// checkURLs refuses a given URL (meta.URL, trimmed) that is not an http(s)
// address, with an error wrapping ErrInvalid, and leaves out a parsed one
// (doc.URL: a canonical link, front matter) that is not.
func checkURLs(doc *Document, meta *Meta) error {
	if meta.URL = strings.TrimSpace(meta.URL); meta.URL != "" {
		if err := checkWebURL(meta.URL); err != nil {
			return invalid(err, "the URL %q %v: give the article's web address (http:// or https://), or none", meta.URL, err)
		}
	}
	if checkWebURL(doc.URL) != nil {
		doc.URL = ""
	}
	return nil
}

// checkWebURL says why u is not an absolute http(s) URL with a host and
// no user name or password ("is not http or https", …), or nil.
func checkWebURL(u string) error {
	parsed, err := url.Parse(u)
	if err != nil {
		return errors.New("does not parse")
	}
	switch {
	case parsed.Scheme == "":
		return errors.New("is not an absolute address")
	case !strings.EqualFold(parsed.Scheme, "http") && !strings.EqualFold(parsed.Scheme, "https"):
		return fmt.Errorf("is a %s: address, not http or https", strings.ToLower(parsed.Scheme))
	case parsed.User != nil:
		return errors.New("holds a user name or password")
	case parsed.Hostname() == "":
		return errors.New("names no host")
	}
	return nil
}

// Validate checks that a source is whole: its hash matches its text and
// every passage and sentence span cuts inside the text at rune boundaries.
func (s *Source) Validate() error {
	sum := sha256.Sum256([]byte(s.Text))
	if hex.EncodeToString(sum[:]) != s.SHA256 {
		return fmt.Errorf("source %s: text does not match its sha256", s.ID)
	}
	if len(s.Passages) != s.PassageCount {
		return fmt.Errorf("source %s: %d passages, info says %d", s.ID, len(s.Passages), s.PassageCount)
	}
	check := func(kind string, i, start, end int) error {
		if start < 0 || end > len(s.Text) || start >= end || !boundary(s.Text, start) || !boundary(s.Text, end) {
			return fmt.Errorf("source %s: %s %d span [%d,%d) does not cut the text (%d bytes)", s.ID, kind, i, start, end, len(s.Text))
		}
		return nil
	}
	for i, p := range s.Passages {
		if err := check("passage", i, p.Start, p.End); err != nil {
			return err
		}
	}
	for i, p := range s.Sentences {
		if err := check("sentence", i, p.Start, p.End); err != nil {
			return err
		}
	}
	return nil
}

// ParagraphSpan returns the byte range of paragraph n (1-based) of the
// source: from its first passage's start to its last passage's end, or its
// part of a passage that is a run of short paragraphs. It is Span{-1, 0}
// when the source has no such paragraph.
func (s *Source) ParagraphSpan(n int) Span {
	sp := Span{Start: -1}
	for _, p := range s.Passages {
		if p.LastParagraph > p.Paragraph && p.Paragraph <= n && n <= p.LastParagraph {
			return p.paragraphIn(s.Text, n)
		}
		if p.Paragraph != n {
			continue
		}
		if sp.Start < 0 {
			sp.Start = p.Start
		}
		sp.End = p.End
	}
	return sp
}

// PassageText returns the text of passage i.
func (s *Source) PassageText(i int) string {
	p := s.Passages[i]
	return s.Text[p.Start:p.End]
}

func boundary(s string, i int) bool {
	return i == len(s) || i == 0 || (s[i]&0xC0) != 0x80
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// oneLine folds white space (newlines included) to single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
