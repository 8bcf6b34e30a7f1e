package retrieval

import (
	"context"

	"github.com/verbatim-bot/verbatim/corpus"
)

// QuoteLinks returns, for each answer, a link that opens its source's page
// at the quote (corpus.QuoteLink: a text fragment, at most maxLen bytes),
// or "" for an answer whose source has no URL or whose text cannot be read
// (the reason is logged). scope is the asker's, as in Question.
func (l *Library) QuoteLinks(ctx context.Context, answers []Answer, scope string, maxLen int) []string {
	links := make([]string, len(answers))
	for i, a := range answers {
		if a.Source.URL == "" {
			continue
		}
		src, err := l.Get(ctx, a.Source.ID, scope)
		if err != nil {
			l.log.Warn("reading a source to link to its quote", "source", a.Source.ID, "err", err)
			continue
		}
		links[i] = corpus.QuoteLink(a.Source.URL, src.Text, a.Start, a.End, maxLen)
	}
	return links
}
