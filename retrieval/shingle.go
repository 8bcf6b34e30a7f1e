package retrieval

import (
	"unicode"
	"unicode/utf8"
)

// shingleWords is the length of a shingle in words.
const shingleWords = 5

// shingleSet is the set of hashed word 5-grams of a text.
type shingleSet map[uint64]struct{}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// wordHashes returns the FNV-64a hash of each word of text: words are runs of
// letters and digits, lower-cased, with apostrophes dropped ("Russia’s" and
// "russias" are one word).
func wordHashes(text string) []uint64 {
	var out []uint64
	h, in := uint64(fnvOffset), false
	var buf [utf8.UTFMax]byte
	for _, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			n := utf8.EncodeRune(buf[:], unicode.ToLower(r))
			for _, b := range buf[:n] {
				h ^= uint64(b)
				h *= fnvPrime
			}
			in = true
		case r == '\'' || r == '’':
			// inside a word: skip
		default:
			if in {
				out = append(out, h)
			}
			h, in = fnvOffset, false
		}
	}
	if in {
		out = append(out, h)
	}
	return out
}

// shingles hashes the 5-word shingles of a text. A text shorter than five
// words is one shingle.
func shingles(text string) shingleSet {
	words := wordHashes(text)
	set := make(shingleSet, max(len(words)-shingleWords+1, 1))
	combine := func(ws []uint64) uint64 {
		h := uint64(fnvOffset)
		for _, w := range ws {
			h ^= w
			h *= fnvPrime
		}
		return h
	}
	if len(words) < shingleWords {
		if len(words) > 0 {
			set[combine(words)] = struct{}{}
		}
		return set
	}
	for i := 0; i+shingleWords <= len(words); i++ {
		set[combine(words[i:i+shingleWords])] = struct{}{}
	}
	return set
}

// containment is the share of a's shingles that are also in b.
func containment(a, b shingleSet) float64 {
	if len(a) == 0 {
		return 0
	}
	n := 0
	for k := range a {
		if _, ok := b[k]; ok {
			n++
		}
	}
	return float64(n) / float64(len(a))
}
