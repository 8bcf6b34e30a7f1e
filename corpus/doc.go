// Package corpus owns Verbatim's library of articles: the Source and Passage
// types, parsing of article files into clean text and metadata, boilerplate
// removal, chunking into passages with exact byte offsets, the durable store
// (the source of truth), and the seed articles embedded in the binary.
//
// corpus imports nothing else of Verbatim's; retrieval and bot build on it.
package corpus
