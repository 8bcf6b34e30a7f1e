package corpus

import (
	"encoding/json"
	"strings"

	"golang.org/x/net/html"
)

// jsonLDArticle is what Verbatim reads from a page's schema.org JSON-LD.
type jsonLDArticle struct {
	found         bool
	headline      string
	datePublished string
	authors       []string
	publisher     string
	inLanguage    string
	url           string
}

// merge fills empty fields of a from b.
func (a *jsonLDArticle) merge(b jsonLDArticle) {
	if !b.found {
		return
	}
	if !a.found {
		*a = b
		return
	}
	if a.headline == "" {
		a.headline = b.headline
	}
	if a.datePublished == "" {
		a.datePublished = b.datePublished
	}
	if len(a.authors) == 0 {
		a.authors = b.authors
	}
	if a.publisher == "" {
		a.publisher = b.publisher
	}
	if a.inLanguage == "" {
		a.inLanguage = b.inLanguage
	}
	if a.url == "" {
		a.url = b.url
	}
}

// ldArticleTypes are the schema.org types (lower case) read as an article.
var ldArticleTypes = wordSet("article", "newsarticle", "reportagenews", "analysisnewsarticle", "opinionnewsarticle",
	"backgroundnewsarticle", "reviewnewsarticle", "askpublicnewsarticle", "blogposting", "liveblogposting",
	"socialmediaposting", "report", "scholarlyarticle", "techarticle", "satiricalarticle", "advertisercontentarticle")

// parseJSONLD reads the first article-typed object in a JSON-LD script
// (top level, in an array, or in @graph). Malformed JSON yields nothing.
func parseJSONLD(src string) jsonLDArticle {
	var v any
	dec := json.NewDecoder(strings.NewReader(strings.TrimSpace(src)))
	if err := dec.Decode(&v); err != nil {
		return jsonLDArticle{}
	}
	var out jsonLDArticle
	var visit func(v any, depth int)
	visit = func(v any, depth int) {
		if out.found || depth > 8 {
			return
		}
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				visit(e, depth+1)
			}
		case map[string]any:
			if isArticleType(x["@type"]) {
				out = articleFromLD(x)
				return
			}
			if g, ok := x["@graph"]; ok {
				visit(g, depth+1)
			}
			if m, ok := x["mainEntity"]; ok {
				visit(m, depth+1)
			}
		}
	}
	visit(v, 0)
	return out
}

// isArticleType reports whether a JSON-LD @type (a string or a list) names
// an article type.
func isArticleType(t any) bool {
	switch x := t.(type) {
	case string:
		return ldArticleTypes[strings.ToLower(x)]
	case []any:
		for _, e := range x {
			if isArticleType(e) {
				return true
			}
		}
	}
	return false
}

// articleFromLD reads the fields Verbatim uses from an article object.
func articleFromLD(m map[string]any) jsonLDArticle {
	a := jsonLDArticle{found: true}
	a.headline = foldWhitespace(html.UnescapeString(firstSet(ldString(m["headline"]), ldString(m["name"]))))
	a.datePublished = firstSet(ldString(m["datePublished"]), ldString(m["dateCreated"]))
	a.authors = ldNames(m["author"])
	a.publisher = firstSet(ldNames(m["publisher"])...)
	a.inLanguage = ldString(m["inLanguage"])
	if a.inLanguage == "" {
		if l, ok := m["inLanguage"].(map[string]any); ok {
			a.inLanguage = ldString(l["alternateName"])
		}
	}
	a.url = ldString(m["url"])
	if me, ok := m["mainEntityOfPage"]; ok && a.url == "" {
		switch x := me.(type) {
		case string:
			a.url = x
		case map[string]any:
			a.url = firstSet(ldString(x["@id"]), ldString(x["url"]))
		}
	}
	return a
}

// ldString reads a JSON-LD string value, or the first of a list; else "".
func ldString(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case []any:
		if len(x) > 0 {
			return ldString(x[0])
		}
	}
	return ""
}

// ldNames reads names from a string, a {name: …} object, or a list of them.
func ldNames(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		if s := foldWhitespace(x); s != "" {
			out = append(out, s)
		}
	case map[string]any:
		if s := foldWhitespace(ldString(x["name"])); s != "" {
			out = append(out, s)
		}
	case []any:
		for _, e := range x {
			out = append(out, ldNames(e)...)
		}
	}
	return out
}
