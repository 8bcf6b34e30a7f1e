package corpus

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Dates, for every parser. One month table, one reader (readDate) that tries
// a rule's forms of a full date in order and checks and formats what it
// finds, and one reader of datelines (readDateline).
//
// The text parser and the web page and PDF parsers have always read dates
// by different rules, and each keeps its own (a dateRule) so that no
// document's date changes:
//
//   - writtenDates reads a value that is a date and nothing else, as a
//     person writes one in a text file or gives one when adding a source:
//     English month names, capitalised ("March", "Mar.", "Sept."), an optional
//     weekday, any four-digit year and any day from 1 to 31 (31 February
//     passes). A date without a year is kept as written.
//   - pageDates finds a full date anywhere in a string from a web page or a
//     PDF, where dates come in many forms and languages: also lower and
//     upper case, German, French, Spanish and Italian month names, and
//     numeric Y-M-D, YYYYMMDD, Y/M/D and D.M.Y; only a real day of the years
//     1900 to 2099 counts. M/D/Y is never read: 03/04/2021 is ambiguous.

// monthNumbers maps the month names and abbreviations readDate knows, in
// lower case and without a trailing dot, to their numbers.
var monthNumbers = map[string]int{
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
	"may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
	"sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
	// German
	"januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "mai": 5, "juni": 6, "juli": 7,
	"oktober": 10, "okt": 10, "dezember": 12, "dez": 12,
	// French
	"janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "mars": 3, "avril": 4, "avr": 4,
	"juin": 6, "juillet": 7, "juil": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10,
	"novembre": 11, "décembre": 12, "decembre": 12, "déc": 12,
	// Spanish and Italian
	"enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
	"septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
	"gennaio": 1, "febbraio": 2, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7, "settembre": 9,
	"ottobre": 10, "dicembre": 12,
}

// monthNumber is the number of a month name ("March", "mar", "Sept."), or 0.
func monthNumber(name string) int {
	return monthNumbers[strings.ToLower(strings.TrimSuffix(name, "."))]
}

// anyMonthRe is every name in monthNumbers as a regexp alternation, longest
// first so that "sept" is tried before "sep".
var anyMonthRe = func() string {
	names := make([]string, 0, len(monthNumbers))
	for k := range monthNumbers {
		names = append(names, regexp.QuoteMeta(k))
	}
	sort.Slice(names, func(i, j int) bool {
		if len(names[i]) != len(names[j]) {
			return len(names[i]) > len(names[j])
		}
		return names[i] < names[j]
	})
	return strings.Join(names, "|")
}()

// Parts of writtenDates' patterns, which text-line patterns (a date line, a
// dateline) and the check of a given date share.
const (
	monthRe       = `(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)`
	weekdayRe     = `(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon\.?|Tue\.?|Tues\.?|Wed\.?|Thu\.?|Thurs\.?|Fri\.?|Sat\.?|Sun\.?)`
	isoDateRe     = `\d{4}-\d{2}-\d{2}`
	writtenDateRe = `(?:` + weekdayRe + `,?\s+)?(?:` + monthRe + `\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?|\d{1,2}\s+` + monthRe + `(?:\s+\d{4})?)`
)

// isoDate is a whole value shaped like an ISO date (not checked).
var isoDate = regexp.MustCompile(`^` + isoDateRe + `$`)

// A dateForm is one way of writing a full date: a pattern, and which of its
// submatches hold the year, the month (a number or a name) and the day.
type dateForm struct {
	re               *regexp.Regexp
	year, month, day int
}

var (
	// writtenDateForms are the whole values writtenDates reads as full dates.
	writtenDateForms = []dateForm{
		{regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`), 1, 2, 3},
		{regexp.MustCompile(`^(?:` + weekdayRe + `,?\s+)?(` + monthRe + `)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$`), 3, 1, 2},
		{regexp.MustCompile(`^(?:` + weekdayRe + `,?\s+)?(\d{1,2})\s+(` + monthRe + `)\s+(\d{4})$`), 3, 2, 1},
	}
	// pageDateForms are the full dates pageDates finds in a string, in the
	// order they are tried.
	pageDateForms = []dateForm{
		// 2021-03-17, 2021-03-17T09:45:00+03:00
		{regexp.MustCompile(`\b((?:19|20)\d\d)-(\d\d)-(\d\d)(?:[T ]|\b)`), 1, 2, 3},
		// 20210317, 20210317T0945
		{regexp.MustCompile(`^((?:19|20)\d\d)(\d\d)(\d\d)(?:T|$)`), 1, 2, 3},
		// 2021/3/17
		{regexp.MustCompile(`\b((?:19|20)\d\d)/(\d{1,2})/(\d{1,2})\b`), 1, 2, 3},
		// 17.03.2021
		{regexp.MustCompile(`\b(\d{1,2})\.(\d{1,2})\.((?:19|20)\d\d)\b`), 3, 2, 1},
		// March 17, 2021; Mar. 17th 2021; mars 17 2021
		{reI(`(?:^|[^\p{L}\d])(` + anyMonthRe + `)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b`), 3, 1, 2},
		// 17 March 2021, 4. März 2021, 1er février 2020, 17 de marzo de 2021
		{reI(`(?:^|[^\p{L}\d])(\d{1,2})(?:\.|er|st|nd|rd|th)?\s+(?:de\s+)?(` + anyMonthRe + `)\.?,?\s+(?:de\s+)?((?:19|20)\d\d)\b`), 3, 2, 1},
	}
	// urlDateForm is a date in the path of an article's URL: /2021/03/17/.
	urlDateForm = dateForm{regexp.MustCompile(`/((?:19|20)\d\d)[/-](\d\d)[/-](\d\d)(?:/|-|$)`), 1, 2, 3}
)

// A dateRule is how a parser reads dates: see the comment at the top of
// this file.
type dateRule int

const (
	writtenDates dateRule = iota // a value that is a date, as a person writes it
	pageDates                    // a full date anywhere in a page's or PDF's text
)

// forms are the forms of a full date the rule reads, in the order tried.
func (r dateRule) forms() []dateForm {
	if r == pageDates {
		return pageDateForms
	}
	return writtenDateForms
}

// date checks a year, month (a number or a name) and day by the rule and
// formats them as YYYY-MM-DD. pageDates takes only a real day of 1900 to
// 2100; writtenDates any day from 1 to 31 of a known month, in any year.
func (r dateRule) date(year, month, day string) (string, bool) {
	y, err1 := strconv.Atoi(year)
	d, err2 := strconv.Atoi(day)
	m, err := strconv.Atoi(month)
	if err != nil {
		m = monthNumber(month)
	}
	if err1 != nil || err2 != nil || m < 1 || m > 12 || d < 1 {
		return "", false
	}
	if r == pageDates {
		if y < 1900 || y > 2100 || time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Day() != d {
			return "", false // 31 April
		}
	} else if d > 31 {
		return "", false
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d), true
}

// readDate reads a full date in s by rule and returns it as YYYY-MM-DD.
// The first of the rule's forms that matches decides: when what it matched
// is not a date by the rule (31 April, month 13), readDate reports false
// rather than trying a later form.
func readDate(s string, rule dateRule) (string, bool) {
	if !hasYear(s) {
		return "", false // every form has a four-digit year: skip the regexps
	}
	for _, f := range rule.forms() {
		if m := f.re.FindStringSubmatch(s); m != nil {
			return rule.date(m[f.year], m[f.month], m[f.day])
		}
	}
	return "", false
}

// hasYear reports whether s holds four ASCII digits in a row.
func hasYear(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if run++; run == 4 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// normalizeDate reads a date a person wrote (writtenDates): an ISO date
// when it is complete ("March 17, 2021", "Wednesday, 17 March 2021" give
// "2021-03-17"), else the date as written, white space folded ("February
// 25", "Monday, February 24").
func normalizeDate(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if d, ok := readDate(s, writtenDates); ok {
		return d
	}
	return s
}

// findFullDate finds a full calendar date (day, month and year) anywhere in
// s (pageDates) and returns it as YYYY-MM-DD. A year alone, or a month and
// year, is not a date; nor is anything in a string over 200 bytes.
func findFullDate(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 200 {
		return "", false
	}
	return readDate(s, pageDates)
}

// urlDate reads the date in the path of an article's URL
// ("https://example.com/2021/03/17/story"), a real day of 1900 to 2099.
func urlDate(u string) (string, bool) {
	m := urlDateForm.re.FindStringSubmatch(u)
	if m == nil {
		return "", false
	}
	return pageDates.date(m[urlDateForm.year], m[urlDateForm.month], m[urlDateForm.day])
}

// A dateline opens a news report: "WASHINGTON, February 25. /TASS/.",
// "MOSCOW (TASS) —", "LONDON, Monday, February 24 (Reuters) -".
type dateline struct {
	outlet string // "TASS"; "" when the dateline names none, or the rule does not read it
	date   string // YYYY-MM-DD when complete, else as written ("February 25"); "" when none
}

var (
	// writtenDatelines name an outlet, and may give a date before it:
	// "WASHINGTON, February 25. /TASS/.", "MOSCOW (TASS) —",
	// "PARIS, March 3, 2021 (AFP) —".
	writtenDatelines = []*regexp.Regexp{
		regexp.MustCompile(`^\p{Lu}[\p{Lu}\p{Lu} .'’-]{1,40}(?:,\s*(` + writtenDateRe + `))?\.?\s*/([\p{L}][\p{L}\p{N} .&-]{0,30})/\.?`),
		regexp.MustCompile(`^\p{Lu}[\p{Lu} .'’-]{1,40}(?:,\s*(` + writtenDateRe + `))?\s*\(([\p{L}][\p{L}\p{N} .&-]{0,30})\)\s*(?:[—–-]|:)`),
	}
	// writtenPlaceDateline gives a place and a full date, with a year, and
	// no outlet: "WASHINGTON, March 18, 2021.", "LONDON, 18 March 2021 —".
	// Without a year it is not read ("MOSCOW, March 17. The Kremlin …"
	// never was).
	writtenPlaceDateline = regexp.MustCompile(`^\p{Lu}[\p{Lu} .'’-]{1,40},\s*((?:` + weekdayRe + `,?\s+)?(?:` +
		monthRe + `\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}\s+` + monthRe + `\s+\d{4}))\s*(?:[.:—–-]|$)`)
	// pageDateline gives a month and day, perhaps a year, after the place
	// (and an outlet in brackets, not read): "WASHINGTON, March 16 —",
	// "MOSCOW, March 17.", "LONDON (Reuters), June 2 -".
	pageDateline = regexp.MustCompile(`^\p{Lu}[\p{Lu}' .\-]{1,40}(?:\([^)]{1,30}\))?,\s+(?i:(` + anyMonthRe + `))\.?\s+(\d{1,2})(?:,?\s+((?:19|20)\d\d))?\b`)
)

// readDateline reads the dateline at the start of p by rule. The parsers
// read datelines differently, and each keeps its own way:
//
//   - writtenDates (text files) reads a dateline when it names an outlet,
//     /TASS/ or (Reuters), and takes its date, if any, as normalizeDate
//     does: "LONDON, Monday, February 24 (Reuters) -" gives Reuters and
//     "Monday, February 24". Without an outlet, it reads one that gives a
//     full date with a year: "WASHINGTON, March 18, 2021." gives 2021-03-18.
//   - pageDates (web pages) reads a dateline only when it gives a month and
//     a day, in any language pageDates knows, and no outlet: with a year
//     the date is checked and formatted ("NEW YORK, Feb. 3, 2021 (Reuters)"
//     gives 2021-02-03, and 30 February no dateline at all), without one it
//     is the month as written and the day ("Feb. 3" gives "Feb 3").
func readDateline(p string, rule dateRule) (dateline, bool) {
	if rule == pageDates {
		return readPageDateline(p)
	}
	for _, re := range writtenDatelines {
		if m := re.FindStringSubmatch(p); m != nil {
			dl := dateline{outlet: strings.TrimSpace(m[2])}
			if m[1] != "" {
				dl.date = normalizeDate(m[1])
			}
			return dl, true
		}
	}
	if m := writtenPlaceDateline.FindStringSubmatch(p); m != nil {
		return dateline{date: normalizeDate(m[1])}, true
	}
	return dateline{}, false
}

// readPageDateline is readDateline for pageDates.
func readPageDateline(p string) (dateline, bool) {
	m := pageDateline.FindStringSubmatchIndex(p)
	if m == nil {
		return dateline{}, false
	}
	month, day := p[m[2]:m[3]], p[m[4]:m[5]]
	if m[6] >= 0 {
		d, ok := pageDates.date(p[m[6]:m[7]], month, day)
		return dateline{date: d}, ok
	}
	if dd, err := strconv.Atoi(day); err != nil || dd < 1 || dd > 31 {
		return dateline{}, false
	}
	return dateline{date: month + " " + day}, true
}
