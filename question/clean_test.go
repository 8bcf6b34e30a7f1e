package question

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain words stay", "did russia interfere in the election?", "did russia interfere in the election?"},
		{"user mention", "<@123456789012345678> did russia help sanders", "did russia help sanders"},
		{"nickname mention", "<@!123456789012345678> did russia help sanders", "did russia help sanders"},
		{"role and channel", "<@&987654321098765432> see <#111222333444555666> what did schumer want", "see what did schumer want"},
		{"everyone and here", "@everyone @here what did ryabkov say", "what did ryabkov say"},
		{"typed mention", "hey @Verbatim what did ryabkov say", "hey what did ryabkov say"},
		{"email is not a mention", "mail press@tass.ru about it", "mail press@tass.ru about it"},
		{"custom emoji", "did trump collude <:thonk:123456789012345678> <a:dance:123456789012345678>", "did trump collude"},
		{"timestamp", "what happened on <t:1614211200:D> in moscow", "what happened on in moscow"},
		{"slash command mention", "use </ask:123456789012345678> for what sanctions", "use for what sanctions"},
		{"url", "what does this say https://tass.com/politics/1259247?utm=x about sanctions", "what does this say about sanctions"},
		{"www and invite", "see www.example.com and discord.gg/abc about the report", "see and about the report"},
		{"angle url", "check <https://example.com/a> on mueller", "check on mueller"},
		{"masked link keeps its text", "did [the TASS story](https://tass.com/x) mention mueller", "did the TASS story mention mueller"},
		{"bold italic strike spoiler", "**did** *mueller* __find__ ~~no~~ ||collusion||", "did mueller find no collusion"},
		{"underscore inside a word stays", "what is snake_case in the report", "what is snake_case in the report"},
		{"inline code keeps its text", "what does `disinformation campaign` mean", "what does disinformation campaign mean"},
		{"code fence goes", "```go\nfmt.Println(1)\n```\nwhat did putin say", "what did putin say"},
		{"unclosed fence goes", "what did putin say ```and then some", "what did putin say"},
		{"quote and heading", "> someone said this\n# what did the senators ask", "someone said this what did the senators ask"},
		{"list and subtext", "- did russia\n-# small print\n* interfere", "did russia small print interfere"},
		{"control and format chars", "did\u200b russia\x00 interfere", "did russia interfere"},
		{"escapes", `did \*russia\* interfere`, "did russia interfere"},
		{"only markup", "<@123456789012345678> <:x:1> https://x.y", ""},
		{"not utf-8", "did \xffrussia interfere", "did russia interfere"},
		{"apostrophes and hyphens stay", "what's the kremlin's take on the so-called report", "what's the kremlin's take on the so-called report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Clean(tt.in); got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCut(t *testing.T) {
	long := strings.Repeat("sanctions ", 150)
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"short stays", "did russia interfere", 1000, "did russia interfere"},
		{"cut at a word", "did russia interfere", 12, "did russia"},
		{"one long word", "disinformation", 5, "disin"},
		{"long message", long, 1000, strings.TrimSpace(long[:1000])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Cut(tt.in, tt.max)
			if got != tt.want {
				t.Errorf("Cut = %q, want %q", got, tt.want)
			}
			if utf8.RuneCountInString(got) > tt.max {
				t.Errorf("Cut gave %d runes, over %d", utf8.RuneCountInString(got), tt.max)
			}
		})
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"<@1> hi", "**a** _b_ `c` ```d```", "[x](https://y) @everyone", "<t:1:R> <:a:1> </a b:1>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Clean(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Clean(%q) is not UTF-8", s)
		}
		if discordToken.MatchString(got) || atMention.MatchString(got) {
			t.Fatalf("Clean(%q) = %q keeps a mention or other Discord markup", s, got)
		}
		if again := Clean(got); again != got {
			t.Fatalf("Clean is not stable: %q → %q → %q", s, got, again)
		}
	})
}
