package evaluation

import (
	"math/rand/v2"
	"sort"
	"strings"
)

// A Small library is a few documents of a benchmark, with the questions
// asked of it: the questions about those documents (covered when their
// relevant documents are in the small library, not covered when they are
// in its left-out half) and as many questions about other documents (not
// covered: off the library's topic). A server's library is often like this
// — a handful of articles on one story — and a confidence must mean the
// same there as in a large library; the confidence model is fit on both.
type Small struct {
	Docs    []BEIRDoc
	Queries []BEIRQuery
	// In says which document ids are in the library.
	In map[string]bool
}

// SmallLibraries draws n small libraries from b, each made of the documents
// of topics topics (a topic is the documents sharing a title, or, where
// titles do not repeat, one document), with every other document of them
// left out (DocHalf), seeded so that a run is repeatable.
func SmallLibraries(b *BEIR, n, topics int, seed uint64) []Small {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	byTopic := map[string][]BEIRDoc{}
	for _, d := range b.Docs {
		byTopic[topicOf(d)] = append(byTopic[topicOf(d)], d)
	}
	names := make([]string, 0, len(byTopic))
	for t := range byTopic {
		names = append(names, t)
	}
	sort.Strings(names)
	if topics < 2 {
		topics = 2
	}
	if len(names) <= topics {
		return nil
	}
	askedOf := map[string][]BEIRQuery{}
	for _, q := range b.Queries {
		for d, g := range b.Qrels[q.ID] {
			if g > 0 {
				askedOf[d] = append(askedOf[d], q)
			}
		}
	}
	var out []Small
	for range n {
		s := Small{In: map[string]bool{}}
		chosen := map[string]bool{}
		seen := map[string]bool{}
		for _, i := range rng.Perm(len(names))[:topics] {
			for _, d := range byTopic[names[i]] {
				chosen[d.ID] = true
				if DocHalf(d.ID) == 0 {
					s.Docs = append(s.Docs, d)
					s.In[d.ID] = true
				}
				for _, q := range askedOf[d.ID] {
					if !seen[q.ID] {
						seen[q.ID] = true
						s.Queries = append(s.Queries, q)
					}
				}
			}
		}
		if len(s.Docs) == 0 {
			continue
		}
		// As many questions about other documents: off the topic.
		for want, tries := len(s.Queries), 0; want > 0 && tries < 100*len(b.Queries); tries++ {
			q := b.Queries[rng.IntN(len(b.Queries))]
			if seen[q.ID] || touches(b.Qrels[q.ID], chosen) {
				continue
			}
			seen[q.ID] = true
			s.Queries = append(s.Queries, q)
			want--
		}
		out = append(out, s)
	}
	return out
}

// topicOf is the topic of a document: its title when it has one, else its
// own id.
func topicOf(d BEIRDoc) string {
	if t := strings.TrimSpace(d.Title); t != "" {
		return t
	}
	return d.ID
}

// touches reports whether any judged document of a question is in set.
func touches(rel map[string]int, set map[string]bool) bool {
	for d := range rel {
		if set[d] {
			return true
		}
	}
	return false
}
