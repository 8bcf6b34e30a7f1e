// Package question turns what a member typed into the words of a question.
// A message in a chat carries more than its words: mentions of people,
// roles and channels, custom emoji, timestamps, links, Markdown and code,
// a quoted reply. None of that is what the member asks about, and every
// word of it would count as a word of the question. Clean takes it out and
// leaves the member's own words, in their order, untouched.
//
// It is the one place where the bot and the command line prepare a
// question; how much each remaining word counts is the library's business
// (retrieval weighs words against its index). question imports nothing of
// Verbatim's.
package question

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Discord's markup, as documented ("Message Formatting" in Discord's API
// reference), and the other parts of a chat message that are not words of a
// question. Each is replaced by a space, so the words around it stay apart.
var (
	// <@id>, <@!id> (users), <@&id> (roles), <#id> (channels), </name:id>
	// and </name sub:id> (slash commands), <:name:id> and <a:name:id>
	// (custom emoji), <t:unix> and <t:unix:style> (timestamps), and
	// <id:customize>-style guild navigation.
	discordToken = regexp.MustCompile(`<(?:@[!&]?\d+|#\d+|/[^<>:\n]{1,100}:\d+|a?:\w{1,64}:\d+|t:-?\d+(?::[tTdDfFR])?|id:\w+)>`)
	// @everyone and @here, and a bare @name (a mention typed by hand).
	atMention = regexp.MustCompile(`(^|[^\w@])@[\w.]{1,64}`)
	// Links: http(s) and other schemes with //, www. addresses, and
	// Discord invites; a Markdown link [text](url) keeps its text.
	maskedLink = regexp.MustCompile(`\[([^\[\]\n]{0,200})\]\(\s*<?[a-zA-Z][a-zA-Z0-9+.-]*://[^)\s]*>?\s*\)`)
	bareURL    = regexp.MustCompile(`(?i)<?\b(?:[a-z][a-z0-9+.-]*://|www\.|discord\.gg/)[^\s<>]*>?`)
	// Code: fenced blocks are not words of a question; inline code keeps
	// its text (a member may quote a phrase in backticks).
	codeFence  = regexp.MustCompile("(?s)```.*?(?:```|$)")
	inlineCode = regexp.MustCompile("`+([^`]*)`+")
	// Line starts: block quotes (> and >>>), headings (#, ##, ###), subtext
	// (-#) and list bullets.
	lineMarkup = regexp.MustCompile(`(?m)^[ \t]*(?:>>> ?|> ?|#{1,3} |-# |[-*+] (?:\[[ xX]\] )?)`)
	// Inline emphasis, strike-through and spoilers: the markers go, the
	// words stay.
	emphasis = regexp.MustCompile(`\*{1,3}|_{2}|~~|\|\|`)
)

// Clean returns the words of a chat message as a question: Discord mentions
// (users, roles, channels, @everyone, @here), custom emoji, timestamps,
// command mentions, links (a masked link keeps its text), fenced code,
// Markdown markers (quotes, headings, lists, emphasis, spoilers) and
// control characters are taken out, and runs of white space become one
// space. What is left is the member's own words, unchanged and in order;
// it may be empty.
func Clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	// Taking markup out can make new markup (a heading marker that now
	// starts the message), so clean until nothing changes; every pass only
	// shortens the text, and a few passes always suffice.
	for range 8 {
		next := cleanOnce(s)
		if next == s {
			break
		}
		s = next
	}
	return s
}

// cleanOnce is one pass of Clean.
func cleanOnce(s string) string {
	s = codeFence.ReplaceAllString(s, " ")
	s = maskedLink.ReplaceAllString(s, " $1 ")
	s = discordToken.ReplaceAllString(s, " ")
	s = bareURL.ReplaceAllString(s, " ")
	s = atMention.ReplaceAllString(s, "$1 ")
	s = inlineCode.ReplaceAllString(s, " $1 ")
	s = lineMarkup.ReplaceAllString(s, " ")
	s = emphasis.ReplaceAllString(s, " ")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\\': // Markdown escapes
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// Cut returns s cut to at most maxRunes characters at a word boundary (the
// longest question the library takes), or s itself when it is short enough.
// A message longer than that still asks something: its first maxRunes
// characters are its question.
func Cut(s string, maxRunes int) string {
	if utf8.RuneCountInString(s) <= maxRunes {
		return s
	}
	r := []rune(s)
	cut := string(r[:maxRunes])
	if i := strings.LastIndexFunc(cut, unicode.IsSpace); i > 0 {
		cut = cut[:i]
	}
	return strings.TrimSpace(cut)
}
