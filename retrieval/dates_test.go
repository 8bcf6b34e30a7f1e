package retrieval

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestResolveDate(t *testing.T) {
	now := time.Date(2026, time.March, 31, 23, 30, 0, 0, time.UTC)
	for _, tc := range []struct{ in, want string }{
		{"2021-03-17", "2021-03-17"},
		{" 2021-03-17 ", "2021-03-17"},
		{"today", "2026-03-31"},
		{"Today", "2026-03-31"},
		{"yesterday", "2026-03-30"},
		{"0d", "2026-03-31"},
		{"1d", "2026-03-30"},
		{"7d", "2026-03-24"},
		{"7D", "2026-03-24"},
		{"31d", "2026-02-28"},
		{"2w", "2026-03-17"},
		{"1m", "2026-02-28"},  // no February 31st: its last day
		{"3m", "2025-12-31"},  // across the year
		{"13m", "2025-02-28"}, // a year and a month
		{"1y", "2025-03-31"},
		{"999y", "1027-03-31"},
	} {
		got, err := ResolveDate("after", tc.in, now)
		if err != nil || got != tc.want {
			t.Errorf("ResolveDate(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	// A leap day a year back is the last day of February.
	if got, _ := ResolveDate("after", "1y", time.Date(2024, time.February, 29, 12, 0, 0, 0, time.UTC)); got != "2023-02-28" {
		t.Errorf("1y from 2024-02-29 = %q", got)
	}
	// The date is now's, in now's location: late evening in New York is
	// already tomorrow in UTC.
	ny := time.FixedZone("EST", -5*3600)
	if got, _ := ResolveDate("after", "today", time.Date(2026, time.March, 31, 22, 0, 0, 0, ny)); got != "2026-03-31" {
		t.Errorf("today in New York = %q", got)
	}
	for _, bad := range []string{"", " ", "soon", "last spring", "March 2021", "2021-13-01", "2021-02-30", "d", "7", "7x", "-7d", "+7d", "1.5w", "1000d", "7 d", "7days", "tomorrow"} {
		_, err := ResolveDate("after", bad, now)
		if err == nil {
			t.Errorf("ResolveDate(%q): no error", bad)
			continue
		}
		for _, form := range []string{"after must be", "2021-03-17", "7d", "2w", "3m", "1y", "today", "yesterday"} {
			if !strings.Contains(err.Error(), form) {
				t.Errorf("ResolveDate(%q): %q does not say %q", bad, err, form)
			}
		}
	}
}

// TestRelativeDateFilters asks with relative dates, read on the library's
// clock.
func TestRelativeDateFilters(t *testing.T) {
	now := time.Date(2021, time.March, 20, 9, 0, 0, 0, time.UTC)
	l := openLibraryAt(t, func() time.Time { return now })
	q := "Did the Justice Department find evidence of foreign influence on the 2020 election?"
	// The seed that answers this was published 2021-03-17: three days
	// before the clock.
	for _, tc := range []struct {
		after, before string
		want          bool
	}{
		{"7d", "", true},
		{"3d", "", true},
		{"2d", "", false},
		{"yesterday", "", false},
		{"", "yesterday", true},
		{"", "4d", false},
		{"1m", "today", true},
		{"1y", "2w", false},
	} {
		res, err := l.Ask(t.Context(), Question{Text: q, After: tc.after, Before: tc.before})
		if err != nil {
			t.Fatalf("after %q before %q: %v", tc.after, tc.before, err)
		}
		got := len(res.Answers) > 0 && res.Answers[0].Source.Published == "2021-03-17"
		if got != tc.want {
			t.Errorf("after %q before %q: found = %v, want %v (%v)", tc.after, tc.before, got, tc.want, quotes(res))
		}
	}
	for _, bad := range []Question{{Text: q, After: "soon"}, {Text: q, After: "today", Before: "1w"}} {
		_, err := l.Ask(t.Context(), bad)
		if !errors.Is(err, ErrBadFilter) {
			t.Errorf("%+v: err = %v, want ErrBadFilter", bad, err)
		}
	}
}

// openLibraryAt opens a library with the seed articles whose clock is now.
func openLibraryAt(t testing.TB, now func() time.Time) *Library {
	t.Helper()
	l, err := Open(t.Context(), Options{Dir: t.TempDir(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}
