package corpus

import (
	"context"
	"path/filepath"
)

// Draft is an article ready to be added: the parsed document and what its
// adder says of it. retrieval.Library.Add makes a Source of it (chunked,
// hashed, stamped) and stores it; every way of adding (a file, a URL, pasted
// text, a refresh, a feed) ends in a Draft.
type Draft struct {
	Doc  Document
	Meta Meta
}

// FileDraft parses an article file (its type known from its name) and
// returns it as a draft whose origin is the file's name and whose snapshot
// is data. meta is what the adder said; its Origin and snapshot fields are
// set here.
func FileDraft(ctx context.Context, name string, data []byte, meta Meta) (Draft, error) {
	doc, err := ParseFile(ctx, filepath.Base(name), data)
	if err != nil {
		return Draft{}, err
	}
	meta.Origin = filepath.Base(name)
	meta.Snapshot, meta.SnapshotType = data, MediaType(name)
	return Draft{Doc: doc, Meta: meta}, nil
}

// FetchedDraft parses a fetched web resource and returns it as a draft with
// the fetch's provenance (see Fetched.Meta).
func FetchedDraft(ctx context.Context, f *Fetched, meta Meta) (Draft, error) {
	doc, err := ParseFetched(ctx, f)
	if err != nil {
		return Draft{}, err
	}
	return Draft{Doc: doc, Meta: f.Meta(meta)}, nil
}

// Meta returns meta with the fetch's provenance: the origin is the final
// URL, and the snapshot is the body as received, with its media type and
// the time it arrived.
func (f *Fetched) Meta(meta Meta) Meta {
	meta.Origin = f.URL
	meta.Snapshot, meta.SnapshotType, meta.FetchedAt = f.Body, f.ContentType, f.FetchedAt
	return meta
}
