package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAskQuestionShapes: whatever shape a question has — Discord markup
// around it, a thousand characters, one word ninety times — `ask --json`
// gives an answer or a plain no-answer, never an error, and markup around a
// question gives the same quotes as the question alone.
func TestAskQuestionShapes(t *testing.T) {
	data := t.TempDir()
	const q = "did russia interfere in the 2020 election"
	type reply struct {
		NoAnswer bool   `json:"no_answer"`
		Error    string `json:"error"`
		Answers  []struct {
			Quote string `json:"quote"`
		} `json:"answers"`
	}
	askJSON := func(question string) reply {
		t.Helper()
		code, out, errOut := cli(t, data, "ask", "--json", "--", question)
		var r reply
		if code != 0 || json.Unmarshal([]byte(out), &r) != nil || r.Error != "" {
			t.Fatalf("ask %.60q: exit %d, %s %s", question, code, out, errOut)
		}
		if !r.NoAnswer && len(r.Answers) == 0 {
			t.Fatalf("ask %.60q: neither answers nor a no-answer: %s", question, out)
		}
		return r
	}
	quotes := func(r reply) string {
		var qs []string
		for _, a := range r.Answers {
			qs = append(qs, a.Quote)
		}
		return strings.Join(qs, "\n")
	}
	plain := askJSON(q)
	if plain.NoAnswer {
		t.Fatalf("%q: no answer; the seeds answer it", q)
	}
	for _, marked := range []string{
		"@everyone " + q, "@here " + q, "<@123456789012345678> " + q, "<@!123456789012345678> " + q,
		"<@&123456789012345678> " + q, "<#123456789012345678> " + q, "<:election:123456789012345678> " + q,
		"<a:vote:123456789012345678> " + q, "<t:1700000000:R> " + q, q + " https://example.com/x?y=1",
		"**" + q + "**", "||" + q + "||", "> " + q, "`" + q + "`", "~~hey~~ " + q,
	} {
		if got := quotes(askJSON(marked)); got != quotes(plain) {
			t.Errorf("%q: quotes differ from the plain question's:\n%s\nwant\n%s", marked, got, quotes(plain))
		}
	}
	long := strings.Repeat("did russia interfere in the election, and what did the senators say about sanctions? ", 12)[:1000]
	askJSON(long)
	askJSON(strings.Repeat("election ", 90))
	askJSON(strings.Repeat("the ", 90))
	askJSON(strings.Repeat("x", 1500))
}
