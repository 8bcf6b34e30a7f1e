// Package feeds follows outlets' feeds (RSS 2.0, Atom, JSON Feed, or a page
// that advertises one with <link rel="alternate">) and adds their new
// articles to the library, politely and safely.
//
// A followed feed belongs to a scope (a server, or the global library) and
// its state — address, validators, schedule, errors, counts and what became
// of each item — is one record in the library's store (retrieval.Library's
// records, kind "feed"), written whole in one transaction, so it survives
// restarts and a crash loses at most the last item's bookkeeping (the item
// is then found already in the library and counted a duplicate).
//
// Polling: a feed is read when due, with a conditional GET (ETag,
// Last-Modified), through corpus.Fetcher.FetchFeed (the SSRF guard, a size
// cap on the document). Each new item's page is fetched and parsed exactly
// as an added URL is (corpus.Fetcher.Fetch, corpus.FetchedDraft) and added
// with retrieval.Library.Add, with its provenance (corpus.FeedItem). An
// item already in the library — the same guid in a feed of the scope, the
// same canonical URL, or the same text — is never added twice. An item that
// cannot be fetched or parsed is recorded with its reason; a transient
// failure is tried again at most MaxItemAttempts times, a permanent one
// never. A feed is read again after its interval (default 15 minutes, never
// under 5) plus jitter; after errors, the interval doubles with each one,
// up to a day. Caps per scope bound how many feeds it follows and how many
// articles are added a day.
//
// files: feed.go holds the Feed record and its encoding; follow.go
// following, listing and unfollowing; poll.go reading due feeds and adding
// their items; discover.go finding a page's feed link; run.go the loop
// serve runs.
package feeds
