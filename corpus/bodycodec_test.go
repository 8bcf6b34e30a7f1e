package corpus

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// Every seed body comes back exactly from its compact form, and the JSON
// form of schema 1 is still read.
func TestBodyCodecRoundTrip(t *testing.T) {
	odd := body{Text: "ab", Passages: []Passage{{Start: 5, End: 2, Paragraph: -1, LastParagraph: 3}, {Start: 0, End: 1}},
		Sentences: []Span{{Start: 9, End: 1}, {Start: 1 << 40, End: 0}}}
	bodies := []body{{}, {Text: "x"}, odd}
	for _, s := range seedSources(t) {
		bodies = append(bodies, body{Text: s.Text, Passages: s.Passages, Sentences: s.Sentences})
	}
	for i, b := range bodies {
		got, err := decodeBody(encodeBody(b))
		if err != nil || !reflect.DeepEqual(got, b) {
			t.Fatalf("body %d: compact round trip = %+v, %v", i, got, err)
		}
		js, _ := json.Marshal(b)
		got, err = decodeBody(js)
		if err != nil || !reflect.DeepEqual(got, b) {
			t.Fatalf("body %d: JSON = %+v, %v", i, got, err)
		}
		enc := encodeBody(b)
		for n := 1; n < len(enc); n++ {
			if _, err := decodeBody(enc[:n]); err == nil {
				t.Fatalf("body %d cut to %d bytes decoded without error", i, n)
			}
		}
	}
}

// A store of schema 1 (JSON bodies) opens, answers Get, and is marked
// schema 2 by the first write.
func TestStoreReadsSchema1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "library.db")
	srcs := seedSources(t)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketInfo, bucketBody, bucketMeta, bucketSnap, bucketURLs} {
			if _, err := tx.CreateBucket(b); err != nil {
				return err
			}
		}
		info, _ := json.Marshal(srcs[0].Info)
		bd, _ := json.Marshal(body{Text: srcs[0].Text, Passages: srcs[0].Passages, Sentences: srcs[0].Sentences})
		tx.Bucket(bucketInfo).Put([]byte(srcs[0].ID), info)
		tx.Bucket(bucketBody).Put([]byte(srcs[0].ID), bd)
		return tx.Bucket(bucketMeta).Put(keySchema, []byte(storeSchemaV1))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	s, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Get(ctx, srcs[0].ID)
	if err != nil || got.Text != srcs[0].Text || !reflect.DeepEqual(got.Passages, srcs[0].Passages) || !reflect.DeepEqual(got.Sentences, srcs[0].Sentences) {
		t.Fatalf("Get from a schema 1 store = %v", err)
	}
	if err := s.Put(ctx, srcs[1]); err != nil {
		t.Fatal(err)
	}
	var schema string
	s.view(func(tx *bolt.Tx) error { schema = string(tx.Bucket(bucketMeta).Get(keySchema)); return nil })
	if schema != storeSchema {
		t.Fatalf("schema after a write = %q, want %q", schema, storeSchema)
	}
	if got, err := s.Get(ctx, srcs[1].ID); err != nil || got.Text != srcs[1].Text {
		t.Fatalf("Get of the compact body = %v", err)
	}
}

// Get serves repeated reads from its cache, and never what a write changed
// or removed since.
func TestGetCacheFollowsWrites(t *testing.T) {
	ctx := context.Background()
	s, err := OpenStore(filepath.Join(t.TempDir(), "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	srcs := seedSources(t)
	if err := s.Put(ctx, srcs[0]); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if got, err := s.Get(ctx, srcs[0].ID); err != nil || got.Text != srcs[0].Text {
			t.Fatalf("Get = %v", err)
		}
	}
	if _, ok := s.cache.get(srcs[0].ID); !ok {
		t.Fatal("a source read twice is not cached")
	}
	next := srcs[1]
	if _, err := s.Supersede(ctx, srcs[0].ID, next); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, srcs[0].ID)
	if err != nil || got.SupersededBy != next.ID {
		t.Fatalf("after Supersede: SupersededBy = %q, %v; want %q", got.SupersededBy, err, next.ID)
	}
	if err := s.Remove(ctx, next.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, next.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of a removed source = %v, want ErrNotFound", err)
	}
}
