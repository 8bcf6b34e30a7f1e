package corpus

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

// TestRecords: records are written whole or not at all, survive a
// reopen, and leave Check with nothing to say.
func TestRecords(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "library.db")
	s, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if recs, err := s.Records(ctx, "feed"); err != nil || len(recs) != 0 {
		t.Fatalf("a new store has records %v (%v)", recs, err)
	}
	put := func(key, v string) {
		t.Helper()
		if err := s.UpdateRecord(ctx, "feed", key, func([]byte) ([]byte, error) { return []byte(v), nil }); err != nil {
			t.Fatal(err)
		}
	}
	put("b", "2")
	put("a", "1")
	if err := s.UpdateRecord(ctx, "other", "a", func([]byte) ([]byte, error) { return []byte("x"), nil }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := s.UpdateRecord(ctx, "feed", "a", func(old []byte) ([]byte, error) {
		if string(old) != "1" {
			t.Errorf("old value %q", old)
		}
		return nil, boom
	}); !errors.Is(err, boom) {
		t.Fatalf("UpdateRecord = %v", err)
	}
	if err := s.UpdateRecord(ctx, "feed", "b", func([]byte) ([]byte, error) { return nil, ErrKeepRecord }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = OpenStore(path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	recs, err := s.Records(ctx, "feed")
	if err != nil || len(recs) != 2 || recs[0].Key != "a" || string(recs[0].Value) != "1" || string(recs[1].Value) != "2" {
		t.Fatalf("records after reopen: %v (%v)", recs, err)
	}
	if err := s.UpdateRecord(ctx, "feed", "a", func([]byte) ([]byte, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Record(ctx, "feed", "a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a deleted record: %v", err)
	}
	if v, err := s.Record(ctx, "other", "a"); err != nil || string(v) != "x" {
		t.Fatalf("other kind: %q %v", v, err)
	}
	if _, err := s.Check(ctx, func(id, what string) { t.Errorf("check: %s: %s", id, what) }); err != nil {
		t.Fatal(err)
	}
}
