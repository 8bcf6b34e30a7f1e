package retrieval

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DateForms says what a date filter (after, before) may be, for messages.
const DateForms = "a date like 2021-03-17, or relative to today: 7d, 2w, 3m, 1y, today or yesterday"

// maxRelativeDigits bounds the number of a relative date (999 years at
// most), so that every one names a date of the calendar.
const maxRelativeDigits = 3

// ResolveDate returns the ISO date (2021-03-17) that a date filter named
// name (for the message) names, on the calendar of now: an ISO date as it
// is; Nd, Nw, Nm, Ny that many days, weeks, months or years before now's
// date (a month back from the 31st is the last day of the shorter month);
// today; yesterday. Case and surrounding spaces do not matter. Anything
// else is an error that says which forms there are. It is the one reader of
// date filters: the Library reads Question.After and Before with it and
// its clock (Options.Now), and the command line checks its flags with it.
func ResolveDate(name, s string, now time.Time) (string, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	bad := fmt.Errorf("%s must be %s; not %q", name, DateForms, s)
	if v == "" {
		return "", bad
	}
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d.Format(time.DateOnly), nil
	}
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	switch v {
	case "today":
		return today.Format(time.DateOnly), nil
	case "yesterday":
		return today.AddDate(0, 0, -1).Format(time.DateOnly), nil
	}
	num, unit := v[:len(v)-1], v[len(v)-1]
	if num == "" || len(num) > maxRelativeDigits || strings.Trim(num, "0123456789") != "" {
		return "", bad
	}
	n, _ := strconv.Atoi(num)
	switch unit {
	case 'd':
		return today.AddDate(0, 0, -n).Format(time.DateOnly), nil
	case 'w':
		return today.AddDate(0, 0, -7*n).Format(time.DateOnly), nil
	case 'm':
		return monthsBefore(today, n).Format(time.DateOnly), nil
	case 'y':
		return monthsBefore(today, 12*n).Format(time.DateOnly), nil
	}
	return "", bad
}

// monthsBefore is the date n months before t, on the last day of the month
// when that month is shorter than t's day.
func monthsBefore(t time.Time, n int) time.Time {
	first := time.Date(t.Year(), t.Month()-time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(t.Day(), last), 0, 0, 0, 0, time.UTC)
}
