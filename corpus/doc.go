// Package corpus owns Verbatim's library of articles: the Source and Passage
// types, parsing of article files into clean text and metadata, boilerplate
// removal, chunking into passages with exact byte offsets, the SSRF-safe
// fetcher, the durable store (the source of truth), and the seed articles
// embedded in the binary.
//
// corpus imports nothing else of Verbatim's; retrieval and bot build on it.
//
// # Parsing, file by file
//
// parse.go picks a parser by file name (ParseFile) or by content type
// (ParseFetched); fetch.go fetches a URL from public addresses only
// (Fetcher), and fetch_body.go reads and decodes its body within the size
// limit. Each parser makes a Document:
//
//   - parse_text.go: ParseText, for plain text and Markdown: headline,
//     date and byline lines, datelines, front matter, site furniture.
//   - html.go: ParseHTML and decoding. html_body.go finds the element that
//     holds the article and collects its paragraphs; html_boilerplate.go
//     prunes boilerplate elements and filters junk paragraphs; html_meta.go
//     reads title, outlet, author, language and canonical URL;
//     html_dates.go the publication date; html_jsonld.go schema.org
//     JSON-LD; html_dom.go holds small DOM helpers.
//   - pdf.go: ParsePDF and its limits. pdf_content.go interprets a page's
//     content stream into positioned glyphs; pdf_layout.go rebuilds lines
//     and paragraphs from them.
//
// What the parsers share: dates.go reads dates and datelines (one reader,
// with the text parser's rule and the page parser's rule, which have always
// differed); prose.go holds the sentence-end test and white-space folding,
// and prose_furniture.go cuts credits and advert markers off the edges of
// prose. chunk.go cuts a Document into passages (Chunker), with its limits;
// chunk_sentences.go into sentences, long ones cut into pieces;
// chunk_merge.go merges short paragraphs when a source would have too many
// passages, and finds a paragraph again inside a merged passage.
//
// Beside the sources: fetch_feed.go fetches a feed document (conditional
// GET, feed types, its own size cap) for package feeds; records.go keeps
// small records that are not sources (a followed feed's state) in the
// store, each written whole; fragment.go makes a link that opens a source's
// page at a quote (QuoteLink, a text fragment).
package corpus
