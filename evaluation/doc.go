// Package evaluation measures the quality of the library's answers on the
// real answer path: questions files with their expected quotes and
// no-answers (Run: hit@1, hit@3, no-answer precision and recall, every
// quote checked verbatim against its stored source), and BEIR retrieval
// benchmarks (RunBEIR: nDCG@10, Recall@100, MRR@10 of RankSources). It
// only reads the library through its public API; retrieval knows nothing
// of it. Files are decoded by the caller (cmd/verbatim decodes questions
// files, which are YAML), except BEIR's JSON lines and TSV, read by
// LoadBEIR.
package evaluation
