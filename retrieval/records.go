package retrieval

import (
	"context"

	"github.com/verbatim-bot/verbatim/corpus"
)

// Records returns every record of a kind the library's store keeps beside
// its sources (see corpus.Store.Records): the state of followed feeds, say.
func (l *Library) Records(ctx context.Context, kind string) ([]corpus.Record, error) {
	return l.store.Records(ctx, kind)
}

// Record returns one record's value, or an error wrapping corpus.ErrNotFound.
func (l *Library) Record(ctx context.Context, kind, key string) ([]byte, error) {
	return l.store.Record(ctx, kind, key)
}

// UpdateRecord changes one record in one transaction (see
// corpus.Store.UpdateRecord). A read-only library refuses it.
func (l *Library) UpdateRecord(ctx context.Context, kind, key string, fn func(old []byte) ([]byte, error)) error {
	return l.store.UpdateRecord(ctx, kind, key, fn)
}

// HasURL returns the id of the current source in scope with rawURL's
// canonical address, or "" when the library has none.
func (l *Library) HasURL(ctx context.Context, scope, rawURL string) (string, error) {
	return l.store.HasURL(ctx, scope, rawURL)
}
