package corpus

import "testing"

// TestReadDate is one table for both date rules: what normalizeDate
// (writtenDates: text files, given dates) and findFullDate (pageDates: web
// pages, PDFs) make of each input. It holds every case of the tests the two
// parsers had before they shared readDate, with the same answers; where the
// columns differ, the parsers always differed.
func TestReadDate(t *testing.T) {
	for _, tc := range []struct {
		in      string
		written string // normalizeDate(in): ISO when complete, else in as written
		page    string // findFullDate(in); "" when it finds no full date
	}{
		{"2021-03-17", "2021-03-17", "2021-03-17"},
		{"February 25", "February 25", ""},
		{"Monday, February 24", "Monday, February 24", ""},
		{"March 17, 2021", "2021-03-17", "2021-03-17"},
		{"Wednesday, March 17, 2021", "2021-03-17", "2021-03-17"},
		{"17 March 2021", "2021-03-17", "2021-03-17"},
		{"Sept. 3, 2020", "2020-09-03", "2020-09-03"},
		{"sometime", "sometime", ""},
		{"2021-03-17T09:45:00+03:00", "2021-03-17T09:45:00+03:00", "2021-03-17"},
		{"20210317", "20210317", "2021-03-17"},
		{"2021/3/7", "2021/3/7", "2021-03-07"},
		{"Stand: 04.03.2021 11:30 Uhr", "Stand: 04.03.2021 11:30 Uhr", "2021-03-04"},
		{"March 16, 2021", "2021-03-16", "2021-03-16"},
		{"Mar. 16, 2021", "2021-03-16", "2021-03-16"},
		{"Wed, 17 Mar 2021 09:45:00 GMT", "Wed, 17 Mar 2021 09:45:00 GMT", "2021-03-17"},
		{"16 March 2021", "2021-03-16", "2021-03-16"},
		{"4. März 2021", "4. März 2021", "2021-03-04"},
		{"Publié le 17 mars 2021 à 10h32", "Publié le 17 mars 2021 à 10h32", "2021-03-17"},
		{"1er février 2020", "1er février 2020", "2020-02-01"},
		{"17 de marzo de 2021", "17 de marzo de 2021", "2021-03-17"},
		{"February 25, 2020 at 2:03 p.m.", "February 25, 2020 at 2:03 p.m.", "2020-02-25"},
		{"© 2019", "© 2019", ""},
		{"© 2019 Riverside Courier", "© 2019 Riverside Courier", ""},
		{"December 2019", "December 2019", ""},
		{"March 16", "March 16", ""},
		{"31 April 2021", "2021-04-31", ""},
		{"03/04/2021", "03/04/2021", ""},
		{"version 1.2.3", "version 1.2.3", ""},
		{"summer 2021", "summer 2021", ""},
		{"", "", ""},
		{"Sept 3 2020", "2020-09-03", "2020-09-03"},
		{"March 3rd, 2021", "2021-03-03", "2021-03-03"},
		{"Wednesday, 17 March 2021", "2021-03-17", "2021-03-17"},
		{"Wed. 17 March 2021", "2021-03-17", "2021-03-17"},
		{"  March   17,  2021 ", "2021-03-17", "2021-03-17"},
		{"17 March", "17 March", ""},
		{"Feb. 3", "Feb. 3", ""},
		{"February 30, 2021", "2021-02-30", ""},
		{"2021-02-30", "2021-02-30", ""},
		{"2021-13-45", "2021-13-45", ""},
		{"March 3, 1850", "1850-03-03", ""},
		{"March 3, 2150", "2150-03-03", ""},
		{"march 3, 2021", "march 3, 2021", "2021-03-03"},
		{"MARCH 3, 2021", "MARCH 3, 2021", "2021-03-03"},
		{"3 mars 2021", "3 mars 2021", "2021-03-03"},
		{"March 32, 2021", "March 32, 2021", ""},
		{"March 0, 2021", "March 0, 2021", ""},
		{"17th March 2021", "17th March 2021", "2021-03-17"},
		{"17 March, 2021", "17 March, 2021", "2021-03-17"},
		{"January. 3, 2021", "January. 3, 2021", "2021-01-03"},
		{"20211340", "20211340", ""},
		{"2021-03-17 10:00", "2021-03-17 10:00", "2021-03-17"},
		{"Posted 2021/03/17", "Posted 2021/03/17", "2021-03-17"},
		{"31.04.2021", "31.04.2021", ""},
	} {
		if got := normalizeDate(tc.in); got != tc.written {
			t.Errorf("normalizeDate(%q) = %q, want %q", tc.in, got, tc.written)
		}
		got, ok := findFullDate(tc.in)
		if got != tc.page || ok != (tc.page != "") {
			t.Errorf("findFullDate(%q) = %q, %v; want %q", tc.in, got, ok, tc.page)
		}
	}
}

// TestReadDateline: what each rule reads of a report's opening line. The
// text parser (writtenDates) needs an outlet and keeps a date without a
// year as written; the page parser (pageDates) needs a month and a day and
// reads no outlet.
func TestReadDateline(t *testing.T) {
	for _, tc := range []struct {
		in                         string
		writtenOutlet, writtenDate string // readDateline(in, writtenDates); both "" when it reads none
		pageDate                   string // readDateline(in, pageDates).date
		pageOK                     bool
	}{
		{"WASHINGTON, February 25. /TASS/. US Senate Democratic leaders", "TASS", "February 25", "February 25", true},
		{"MOSCOW (TASS) — Russia strictly observes", "TASS", "", "", false},
		{"LONDON, Monday, February 24 (Reuters) - Something happened today.", "Reuters", "Monday, February 24", "", false},
		{"PARIS, March 3, 2021 (AFP) — Things were said.", "AFP", "2021-03-03", "2021-03-03", true},
		{"WASHINGTON, March 16 — A declassified assessment…", "", "", "March 16", true},
		{"MOSCOW, March 17. The Kremlin on Wednesday…", "", "", "March 17", true},
		{"NEW YORK, Feb. 3, 2021 (Reuters) - Stocks rose", "Reuters", "2021-02-03", "2021-02-03", true},
		{"LONDON (Reuters), June 2 - Britain said", "", "", "June 2", true},
		{"The Kremlin, March 17, said nothing.", "", "", "", false},
		{"In March 16 people met.", "", "", "", false},
		{"NEW YORK, Feb. 3 (Reuters) - Stocks rose", "Reuters", "Feb. 3", "Feb 3", true},
		{"MOSCOW, March 17, 1850 (TASS) - x", "TASS", "1850-03-17", "March 17", true},
		{"ST. PETERSBURG, Sep 31, 1999 (TASS): x", "TASS", "1999-09-31", "", false},
		{"MOSCOW, February 30, 2021 (TASS) - x", "TASS", "2021-02-30", "", false},
		{"O’HARE, March 3 — x", "", "", "", false},
		{"BERLIN, 4. März 2021 — x", "", "", "", false},
		{"PARIS, 17 mars — x", "", "", "", false},
		{"MOSCOW, 17 March (TASS) - x", "TASS", "17 March", "", false},
		{"WASHINGTON, march 16 — x", "", "", "march 16", true},
		{"MOSCOW, March 32 — x", "", "", "", false},
		{"KYIV /UNN/. x", "UNN", "", "", false},
		{"Moscow (TASS) — x", "", "", "", false},
		// A place and a full date, no outlet: the written rule reads the date.
		{"WASHINGTON, March 18, 2021. The Senate committee said", "", "2021-03-18", "2021-03-18", true},
		{"WASHINGTON, Thursday, March 18, 2021 — The Senate", "", "2021-03-18", "", false},
		{"LONDON, 18 March 2021. Britain said", "", "2021-03-18", "", false},
		{"WASHINGTON, March 18, 2021", "", "2021-03-18", "2021-03-18", true},
		{"WASHINGTON, March 18, 2021, the Senate said", "", "", "2021-03-18", true},
	} {
		dl, ok := readDateline(tc.in, writtenDates)
		if dl.outlet != tc.writtenOutlet || dl.date != tc.writtenDate || ok != (tc.writtenOutlet != "" || tc.writtenDate != "") {
			t.Errorf("readDateline(%q, writtenDates) = %+v, %v; want outlet %q, date %q", tc.in, dl, ok, tc.writtenOutlet, tc.writtenDate)
		}
		dl, ok = readDateline(tc.in, pageDates)
		if dl.date != tc.pageDate || ok != tc.pageOK || dl.outlet != "" {
			t.Errorf("readDateline(%q, pageDates) = %+v, %v; want date %q, %v", tc.in, dl, ok, tc.pageDate, tc.pageOK)
		}
	}
}

func TestURLDate(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"https://www.harborledger.example/politics/2020/02/25/senators-press", "2020-02-25"},
		{"https://eastwire.example/world/2021/03/17/kremlin-rejects-claims", "2021-03-17"},
		{"https://x.example/2021-03-17-story", "2021-03-17"},
		{"https://x.example/2021/02/30/x", ""},
		{"https://x.example/2021/03/story", ""},
		{"https://x.example/1850/03/17/x", ""},
		{"https://x.example/2021/3/17/x", ""},
		{"https://x.example/2021/03/17", "2021-03-17"},
	} {
		got, ok := urlDate(tc.url)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("urlDate(%q) = %q, %v; want %q", tc.url, got, ok, tc.want)
		}
	}
}
