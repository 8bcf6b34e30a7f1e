package retrieval

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
)

const backupGuild = "123456789012345678"

// exportOf returns the backup of l.
func exportOf(t *testing.T, l *Library) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := l.Export(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// openEmpty opens a library in a new directory without the seeds.
func openEmpty(t *testing.T) (*Library, string) {
	t.Helper()
	dir := t.TempDir()
	l, err := Open(context.Background(), Options{Dir: dir, NoSeed: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, dir
}

func TestExportImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	l, _ := openSeeded(t)
	guild := addText(t, l, "Council Votes on Bridge\n\nThe council voted 7 to 2 to repair the river bridge. Work starts in June.\n",
		corpus.Meta{Scope: backupGuild, Origin: "bridge.txt", AddedBy: "discord:42", Snapshot: []byte("as uploaded"), SnapshotType: "text/plain"})
	museum := corpus.Meta{URL: "https://example.org/museum", AddedBy: "cli:ops", FetchedAt: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC),
		Snapshot: []byte("<p>March</p>"), SnapshotType: "text/html"}
	old := addText(t, l, "Museum Wing\n\nThe museum will open its new wing in March, the director said.\n", museum)
	doc, err := corpus.ParseText([]byte("Museum Wing\n\nThe museum will open its new wing in May, the director said.\n"))
	if err != nil {
		t.Fatal(err)
	}
	museum.Snapshot = []byte("<p>May</p>")
	next, changed, err := l.Replace(ctx, old.ID, corpus.Draft{Doc: doc, Meta: museum})
	if err != nil || !changed {
		t.Fatalf("Replace: changed %v, %v", changed, err)
	}
	gone := addText(t, l, "Gone Tomorrow\n\nThis article about the harbour ferry is removed again.\n", corpus.Meta{})
	if _, err := l.Remove(ctx, gone.ID, ""); err != nil {
		t.Fatal(err)
	}

	a := exportOf(t, l)
	if bytes.Contains(a, []byte(gone.ID)) {
		t.Error("a removed source was exported")
	}
	for _, id := range []string{guild.ID, old.ID, next.ID} {
		if !bytes.Contains(a, []byte(`{"source":{"id":"`+id+`"`)) {
			t.Errorf("source %s is not in the export", id)
		}
	}

	r, dir := openEmpty(t)
	st, err := r.Import(ctx, bytes.NewReader(a), nil)
	if err != nil || st != (ImportStats{Imported: 8, Superseded: 1}) {
		t.Fatalf("Import = %+v, %v; want 8 imported, 1 superseded", st, err)
	}
	if b := exportOf(t, r); !bytes.Equal(a, b) {
		t.Fatalf("export → import → export is not byte-identical:\n%s\n---\n%s", a, b)
	}
	ls, _ := l.Stats(ctx)
	rs, _ := r.Stats(ctx)
	if ls != rs {
		t.Errorf("stats after import %+v, library exported %+v", rs, ls)
	}
	// The index is built: the guild's source answers in its guild only,
	// and the superseded version never answers.
	if res := ask(t, r, Question{Text: "when does work on the river bridge start", Scope: backupGuild}); res.NoAnswer || res.Answers[0].Source.ID != guild.ID {
		t.Errorf("guild question after import: %+v", res)
	}
	for _, a := range ask(t, r, Question{Text: "when does work on the river bridge start", Scope: corpus.GlobalScope}).Answers {
		if a.Source.ID == guild.ID {
			t.Error("the guild's source answered in the global library")
		}
	}
	res := ask(t, r, Question{Text: "when will the museum open its new wing"})
	if res.NoAnswer || res.Answers[0].Source.ID != next.ID {
		t.Errorf("museum question after import: %+v", res)
	}
	for _, a := range res.Answers {
		if a.Source.ID == old.ID {
			t.Error("the superseded version answered after import")
		}
	}
	// Importing again skips everything.
	if st, err := r.Import(ctx, bytes.NewReader(a), nil); err != nil || st != (ImportStats{Skipped: 8}) {
		t.Errorf("second Import = %+v, %v; want 8 skipped", st, err)
	}
	// Reopened as every command opens it, the restored library stays as
	// exported: the seeds are not loaded on top.
	r.Close()
	r2, err := Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if b := exportOf(t, r2); !bytes.Equal(a, b) {
		t.Errorf("export after reopening the restored library differs")
	}
}

// TestImportKeepsRemovedSeedsRemoved: a library whose seeds were removed is
// restored without them, and they do not come back when it is opened.
func TestImportKeepsRemovedSeedsRemoved(t *testing.T) {
	ctx := context.Background()
	l, _ := openSeeded(t)
	infos, err := l.Sources(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range infos {
		if _, err := l.Remove(ctx, info.ID, ""); err != nil {
			t.Fatal(err)
		}
	}
	kept := addText(t, l, "Ferry Timetable\n\nThe harbour ferry will run every twenty minutes from May.\n", corpus.Meta{})
	a := exportOf(t, l)

	r, dir := openEmpty(t)
	if st, err := r.Import(ctx, bytes.NewReader(a), nil); err != nil || st.Imported != 1 {
		t.Fatalf("Import = %+v, %v", st, err)
	}
	r.Close()
	r2, err := Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	got, err := r2.Sources(ctx, "")
	if err != nil || len(got) != 1 || got[0].ID != kept.ID {
		t.Errorf("restored library holds %+v (%v), want only %s", got, err, kept.ID)
	}
}

// TestImportStopsAtABadLine: Import stops at the first bad line, naming it;
// the batches before it are stored and indexed whole, the rest not at all.
func TestImportStopsAtABadLine(t *testing.T) {
	ctx := context.Background()
	l, _ := openEmpty(t)
	var drafts []corpus.Draft
	for i := range 150 {
		doc, err := corpus.ParseText(fmt.Appendf(nil, "Report %d\n\nThe committee heard item %d of the agenda on the %dth day.\n", i, i, i))
		if err != nil {
			t.Fatal(err)
		}
		drafts = append(drafts, corpus.Draft{Doc: doc})
	}
	if _, err := l.AddMany(ctx, drafts); err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(exportOf(t, l)), "\n")
	for _, c := range []struct{ badLine, imported int }{{3, 0}, {130, importBatchSources}} {
		t.Run(fmt.Sprint("line ", c.badLine), func(t *testing.T) {
			bad := append([]string(nil), lines...)
			bad[c.badLine-1] = strings.Replace(bad[c.badLine-1], `"passages":1`, `"passages":2`, 1)
			r, _ := openEmpty(t)
			st, err := r.Import(ctx, strings.NewReader(strings.Join(bad, "")), nil)
			if !errors.Is(err, corpus.ErrBadBackup) || !strings.Contains(err.Error(), fmt.Sprintf("line %d:", c.badLine)) {
				t.Fatalf("Import of a bad line %d: %v", c.badLine, err)
			}
			stats, err := r.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st.Imported != c.imported || stats.Sources != c.imported || stats.Passages != uint64(c.imported) {
				t.Errorf("after a bad line %d: %+v, library %+v; want %d whole sources", c.badLine, st, stats, c.imported)
			}
		})
	}
}

func TestBackupCancelled(t *testing.T) {
	l, _ := openSeeded(t)
	a := exportOf(t, l)
	r, _ := openEmpty(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	if _, err := l.Export(ctx, &out); !errors.Is(err, context.Canceled) || bytes.Contains(out.Bytes(), []byte(`"end"`)) {
		t.Errorf("Export with a cancelled context: %v, and it wrote an end record: %v", err, bytes.Contains(out.Bytes(), []byte(`"end"`)))
	}
	if _, err := r.Import(ctx, bytes.NewReader(a), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Import with a cancelled context: %v", err)
	}
	if stats, _ := r.Stats(context.Background()); stats.Sources != 0 {
		t.Errorf("a cancelled import stored %d sources", stats.Sources)
	}
}
