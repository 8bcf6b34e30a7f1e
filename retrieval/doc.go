// Package retrieval is Verbatim's library, ready to answer: it stores and
// indexes articles, and answers questions with verbatim, attributed quotes
// from them, or says plainly that nothing in the library answers.
//
// # The library
//
// Library is the one entry point for reads and writes: Add, AddMany,
// Replace, Remove and Import write, and Compact merges the index's
// segments after a bulk load (compact.go); Ask, RankSources, Get, Sources,
// Snapshot, Stats and Export read. (Check and Repair work on the directory
// of a library no process holds open; Repair opens it as a Library.) A
// Library owns two things:
//
//   - the store (a corpus.Store in library.db), the source of truth: every
//     source's text, spans, metadata and snapshot, written first;
//   - the search index (index.bleve, a sourceIndex), derived from the store:
//     one document per passage and one article record per current source.
//     It is rebuilt from the store when it is missing, unreadable or of
//     another layout (mappingVersion), and reconciled with it (Reconcile)
//     when the store generation it recorded with its last batch is not the
//     store's: a crash between a store write and its index batch is repaired
//     at the next Open, never by losing a source.
//
// Writes are serialized; reads run concurrently with them. A question never
// answers from a source the store no longer has.
//
// # How a question is answered
//
// Ask (ask.go) takes a Question and returns a Result:
//
//  1. The question is checked (empty, too long, no words) and its filters
//     built (filters, query.go: scope, outlet, dates).
//  2. newAsking opens one view of the index for the question (asking,
//     indexView in view.go); every later step reads it, and it is closed when the
//     question is answered. Every search of the view scores with the same
//     BM25 statistics (bm25Stats: the tuning's fixed average lengths), so a
//     score does not depend on how the index is split into segments.
//  3. The question is read into the terms a quote must cover (understand,
//     terms.go): its filler and words of chat dropped (filler.go), each
//     word weighed by its IDF among the passages, a word the library lacks
//     by how rare it is in English (wordfreq) unless it is a typo of one
//     the library has (correction, typos.go), and abbreviations, a
//     country's other names and a noun's verb counted where their other
//     form is (abbrev.go, places.go, forms.go). A question with no content
//     term is not answered.
//  4. queryText searches without the question's words of chat ("hey",
//     "lol": withoutChat) and keeps only the rarest words of a question too
//     long for one search; matchTexts leaves the commonest terms out of the match
//     queries (withoutCommon); buildQueryWith makes the passage query (text
//     match, the question as a phrase, title match) and the article query,
//     both analysed match queries on named fields, never query syntax.
//  5. quoteCandidates (search.go) runs rankPassages: topMatches runs the
//     article query and the passage query on that view, rescoreArticles
//     scores the best articles again (rescore, rescore.go), and each
//     passage's score adds ArticleWeight times its article's. For each
//     ranked passage still in the store and visible from the question's
//     scope, selectQuote (quote.go) picks the sentences that cover the most
//     of the question.
//  6. rankAnswers (rank.go) drops quotes that cover too little
//     (keepCovering), folds syndicated copies into one answer with "also
//     carried by" (groupCopies, shingle.go), and spreads the answers across
//     sources and outlets (diversify). No answer left is a no-answer.
//
// RankSources ranks whole sources with the same rankPassages (no quotes, no
// coverage cut), for measuring retrieval on benchmarks. The parameters of
// all these steps are Tuning's; DefaultTuning is what ships.
package retrieval
