package corpus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// backupStore returns a store holding the seeds, a guild-scoped source with
// a snapshot and a web article refreshed once (its old version superseded),
// and the backup of it.
func backupStore(t *testing.T) (*BoltStore, []byte) {
	t.Helper()
	ctx := context.Background()
	s := newStore(t)
	if err := s.Seed(ctx, seedSources(t)); err != nil {
		t.Fatal(err)
	}
	c, err := NewChunker()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	mk := func(text string, meta Meta) Source {
		t.Helper()
		doc, err := ParseText([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		src, err := NewSource(doc, meta, c, at)
		if err != nil {
			t.Fatal(err)
		}
		return src
	}
	guild := mk("Council Votes on Bridge\n\nThe council voted 7 to 2 to repair the bridge. Work starts in June.\n",
		Meta{Scope: "123456789012345678", Origin: "bridge.txt", AddedBy: "discord:42", Note: "from the minutes",
			Snapshot: []byte("raw bytes \x00\xff as received"), SnapshotType: "text/plain"})
	old := mk("Museum Wing\n\nThe museum will open its new wing in March, the director said.\n",
		Meta{URL: "https://example.org/museum", AddedBy: "cli:ops", FetchedAt: at, Snapshot: []byte("<p>March</p>"), SnapshotType: "text/html"})
	for _, src := range []Source{guild, old} {
		if err := s.Put(ctx, src); err != nil {
			t.Fatal(err)
		}
	}
	next := mk("Museum Wing\n\nThe museum will open its new wing in May, the director said.\n",
		Meta{URL: "https://example.org/museum", AddedBy: "refresh", FetchedAt: at.Add(time.Hour), Snapshot: []byte("<p>May</p>"), SnapshotType: "text/html"})
	if _, err := s.Supersede(ctx, old.ID, next); err != nil {
		t.Fatal(err)
	}
	return s, export(t, s)
}

// newStore opens a store in a new directory.
func newStore(t *testing.T) *BoltStore {
	t.Helper()
	s, err := OpenStore(filepath.Join(t.TempDir(), "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// export writes a backup of s.
func export(t *testing.T, s *BoltStore) []byte {
	t.Helper()
	seeded, err := s.Seeded()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	bw, err := NewBackupWriter(&buf, BackupHeader{Seeded: seeded})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EachSource(context.Background(), bw.Write); err != nil {
		t.Fatal(err)
	}
	if err := bw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// restore reads a backup into a new store with Restore, in batches of two.
func restore(t *testing.T, b []byte) *BoltStore {
	t.Helper()
	ctx := context.Background()
	s := newStore(t)
	br, err := NewBackupReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if br.Header().Seeded {
		if err := s.MarkSeeded(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var batch []Source
	for {
		src, err := br.Next()
		if err == nil {
			batch = append(batch, src)
		} else if !errors.Is(err, io.EOF) {
			t.Fatal(err)
		}
		if len(batch) == 2 || (errors.Is(err, io.EOF) && len(batch) > 0) {
			stored, dups, rerr := s.Restore(ctx, batch)
			if rerr != nil || len(stored) != len(batch) || len(dups) != 0 {
				t.Fatalf("Restore: stored %v dups %v err %v", stored, dups, rerr)
			}
			batch = nil
		}
		if errors.Is(err, io.EOF) {
			return s
		}
	}
}

func TestBackupRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, b := backupStore(t)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if lines[0] != `{"format":"verbatim-backup","version":2,"seeded":true}` || lines[len(lines)-1] != `{"end":{"sources":8}}` || len(lines) != 10 {
		t.Fatalf("backup has %d lines, header %s, end %s", len(lines), lines[0], lines[len(lines)-1])
	}
	h, n, err := VerifyBackup(ctx, bytes.NewReader(b))
	if err != nil || n != 8 || !h.Seeded || h.Version != BackupVersion {
		t.Fatalf("VerifyBackup = %+v, %d, %v", h, n, err)
	}

	r := restore(t, b)
	if again := export(t, r); !bytes.Equal(again, b) {
		t.Fatalf("export of the restored store differs:\n%s\n---\n%s", again, b)
	}
	// Every source is whole, snapshots included, and the versions still
	// point at each other.
	infos, err := r.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range infos {
		orig, _ := s.Get(ctx, info.ID)
		got, err := r.Get(ctx, info.ID)
		if err != nil || got.Text != orig.Text || got.Info != orig.Info {
			t.Errorf("source %s: %v", info.ID, err)
		}
		os, _ := s.Snapshot(ctx, info.ID)
		rs, _ := r.Snapshot(ctx, info.ID)
		if !bytes.Equal(os, rs) {
			t.Errorf("snapshot of %s: %q, want %q", info.ID, rs, os)
		}
	}
	// The URL names the newest version: a current source of the same URL
	// is refused as that version, not the superseded one.
	for _, info := range infos {
		if info.URL == "" || info.SupersededBy != "" {
			continue
		}
		probe := Source{Info: Info{ID: "000000000000", Scope: info.Scope, URL: info.URL + "/"}}
		if _, dups, err := r.Restore(ctx, []Source{probe}); err != nil || dups[0] == nil || dups[0].ID != info.ID {
			t.Errorf("a source with the URL of %s: dups %v, err %v", info.ID, dups, err)
		}
	}
	// Restoring again stores nothing: every source is there.
	br, _ := NewBackupReader(bytes.NewReader(b))
	var all []Source
	for src, err := br.Next(); err == nil; src, err = br.Next() {
		all = append(all, src)
	}
	if stored, dups, err := r.Restore(ctx, all); err != nil || len(stored) != 0 || len(dups) != len(all) {
		t.Errorf("second Restore: stored %v, %d dups, err %v", stored, len(dups), err)
	}
}

// TestBackupRefusesBadFiles changes one thing in a good backup and checks
// that the reader refuses it, naming the line.
func TestBackupRefusesBadFiles(t *testing.T) {
	_, goodBytes := backupStore(t)
	good := string(goodBytes)
	lines := strings.SplitAfter(good, "\n")
	lines = lines[:len(lines)-1] // the empty string after the last newline
	// edit changes a field of the source on line n (1-based) of the backup.
	edit := func(n int, f func(m map[string]any)) string {
		var rec map[string]any
		if err := json.Unmarshal([]byte(lines[n-1]), &rec); err != nil {
			t.Fatal(err)
		}
		f(rec)
		b, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		out := append([]string(nil), lines...)
		out[n-1] = string(b) + "\n"
		return strings.Join(out, "")
	}
	src := func(m map[string]any) map[string]any { return m["source"].(map[string]any) }
	// the line of the guild's source, which has a snapshot
	guildLine := 0
	for i, l := range lines {
		if strings.Contains(l, `"scope":"123456789012345678"`) {
			guildLine = i + 1
		}
	}
	cases := []struct {
		name, file string
		line       int
		want       string
	}{
		{"empty", "", 0, "empty"},
		{"not a backup", "id,title\n", 1, "not a verbatim backup"},
		{"newer version", strings.Replace(good, `"version":2`, `"version":3`, 1), 1, "version 3"},
		{"corrupted line", strings.Replace(good, lines[3], `{"source":{"id":"ab`+"\n", 1), 4, "not a valid record"},
		{"wrong text hash", edit(3, func(m map[string]any) { src(m)["sha256"] = strings.Repeat("0", 64) }), 3, "does not match its sha256"},
		{"text changed", edit(5, func(m map[string]any) { src(m)["text"] = src(m)["text"].(string) + "!" }), 5, "id does not match"},
		{"wrong id", edit(2, func(m map[string]any) { src(m)["id"] = "0123456789ab" }), 2, "id does not match"},
		{"bad scope", edit(guildLine, func(m map[string]any) { src(m)["scope"] = "guild one" }), guildLine, "scope"},
		{"span outside text", edit(2, func(m map[string]any) {
			src(m)["passage_spans"].([]any)[0].(map[string]any)["end"] = 1e6
		}), 2, "does not cut the text"},
		{"snapshot changed", edit(guildLine, func(m map[string]any) { m["snapshot"] = "AAAA" }), guildLine, "snapshot"},
		{"snapshot missing", edit(guildLine, func(m map[string]any) { delete(m, "snapshot") }), guildLine, "snapshot"},
		{"unknown field", edit(2, func(m map[string]any) { src(m)["colour"] = "red" }), 2, "unknown field"},
		{"out of order", strings.Replace(good, lines[1]+lines[2], lines[2]+lines[1], 1), 3, "increasing id order"},
		{"truncated at a line", strings.Join(lines[:6], ""), 6, "truncated"},
		{"truncated inside a line", good[:len(good)-len(lines[len(lines)-1])-40], 9, "not a valid record"},
		{"end count wrong", strings.Replace(good, `{"end":{"sources":8}}`, `{"end":{"sources":9}}`, 1), 10, "counts 9 sources"},
		{"after the end", good + lines[1], 11, "after the end record"},
		{"record in version 1", strings.Replace(strings.Replace(good, `"version":2`, `"version":1`, 1), lines[9], recordLine("feed", "a")+`{"end":{"sources":8,"records":1}}`+"\n", 1), 10, "version 1"},
		{"records out of order", strings.Replace(good, lines[9], recordLine("feed", "b")+recordLine("feed", "a")+`{"end":{"sources":8,"records":2}}`+"\n", 1), 11, "out of order"},
		{"source after a record", strings.Replace(good, lines[8]+lines[9], recordLine("feed", "a")+lines[8]+`{"end":{"sources":8,"records":1}}`+"\n", 1), 10, "after the records"},
		{"record without kind", strings.Replace(good, lines[9], recordLine("", "a")+`{"end":{"sources":8,"records":1}}`+"\n", 1), 10, "kind must be given"},
		{"end count of records wrong", strings.Replace(good, lines[9], recordLine("feed", "a")+`{"end":{"sources":8}}`+"\n", 1), 11, "0 records"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := VerifyBackup(context.Background(), strings.NewReader(c.file))
			var be *BackupError
			if !errors.As(err, &be) || !errors.Is(err, ErrBadBackup) {
				t.Fatalf("err = %v, want a BackupError", err)
			}
			if be.Line != c.line || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), fmt.Sprintf("line %d: ", c.line)) {
				t.Errorf("err = %q, want line %d and %q", err, c.line, c.want)
			}
		})
	}
}

// recordLine is a backup line of one record, with its newline.
func recordLine(kind, key string) string {
	return fmt.Sprintf(`{"record":{"kind":%q,"key":%q,"value":"e30="}}`, kind, key) + "\n"
}

// TestBackupRecords: the store's records (a followed feed's state) come
// after the sources, are counted by the end record and read back as they
// were; a backup of version 1, which has none, is still read.
func TestBackupRecords(t *testing.T) {
	_, b := backupStore(t)
	good := string(b)
	end := `{"end":{"sources":8}}` + "\n"
	var buf bytes.Buffer
	bw, err := NewBackupWriter(&buf, BackupHeader{Seeded: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []BackupRecord{{Kind: "feed", Key: "a", Value: []byte(`{"url":"https://example.org/feed"}`)}, {Kind: "feed", Key: "b", Value: []byte("{}")}}
	for _, r := range want {
		if err := bw.WriteRecord(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := bw.WriteRecord(want[0]); err == nil {
		t.Error("WriteRecord took a record out of order")
	}
	if err := bw.Write(Source{Info: Info{ID: "ffffffffffff"}}); err == nil {
		t.Error("Write took a source after the records")
	}
	if err := bw.Close(); err != nil {
		t.Fatal(err)
	}
	written := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if written[len(written)-1] != `{"end":{"sources":0,"records":2}}` {
		t.Errorf("end record %s, want it to count the 2 records", written[len(written)-1])
	}
	withRecords := strings.Replace(good, end, strings.Join(written[1:3], "\n")+"\n"+`{"end":{"sources":8,"records":2}}`+"\n", 1)
	br, err := NewBackupReader(strings.NewReader(withRecords))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		_, err := br.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("reading a backup with records: %v", err)
		}
		n++
	}
	if n != 8 || !reflect.DeepEqual(br.Records(), want) {
		t.Errorf("read %d sources and records %q, want 8 and %q", n, br.Records(), want)
	}
	v1 := strings.Replace(good, `"version":2`, `"version":1`, 1)
	if _, n, err := VerifyBackup(context.Background(), strings.NewReader(v1)); err != nil || n != 8 {
		t.Errorf("a backup of version 1: %d sources, %v", n, err)
	}
}

func TestBackupOfNothing(t *testing.T) {
	b := export(t, newStore(t))
	if string(b) != "{\"format\":\"verbatim-backup\",\"version\":2,\"seeded\":false}\n{\"end\":{\"sources\":0}}\n" {
		t.Errorf("backup of an empty store: %q", b)
	}
	r := restore(t, b)
	if seeded, _ := r.Seeded(); seeded {
		t.Error("restoring a backup of a store never seeded marked the store seeded")
	}
}
