package pgstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/verbatim-bot/verbatim/corpus"
)

// Check reads every source and URL entry and calls problem for each thing
// that is not as the store promises (see corpus.BoltStore.Check; the
// pages of a file are PostgreSQL's to keep sound). It changes nothing.
func (s *Store) Check(ctx context.Context, problem func(id, what string)) (corpus.StoreCounts, error) {
	var n corpus.StoreCounts
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		urls := map[string]string{} // scope NUL canonical URL → id
		rows, err := tx.Query(ctx, `SELECT scope, url, id FROM source_urls`)
		if err != nil {
			return err
		}
		var scope, id string
		var u []byte
		if _, err := pgx.ForEachRow(rows, []any{&scope, &u, &id}, func() error {
			urls[scope+"\x00"+string(u)] = id
			return nil
		}); err != nil {
			return err
		}
		infos := map[string]corpus.Info{}
		var iv, bv, snap []byte
		rows, err = tx.Query(ctx, `SELECT id, info, body, snapshot FROM sources ORDER BY id`)
		if err != nil {
			return err
		}
		_, err = pgx.ForEachRow(rows, []any{&id, &iv, &bv, &snap}, func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			n.Sources++
			src, err := decode(id, iv, bv)
			if err != nil {
				problem(id, err.Error())
				return nil
			}
			infos[id] = src.Info
			if src.ID != id {
				problem(id, fmt.Sprintf("stored under %s but its info says id %s", id, src.ID))
			}
			if src.SupersededBy == "" {
				n.Passages += src.PassageCount
			} else {
				n.Superseded++
			}
			if err := src.Validate(); err != nil {
				problem(id, err.Error())
			}
			if src.URL != "" && src.SupersededBy == "" && urls[src.Scope+"\x00"+corpus.CanonicalURL(src.URL)] != id {
				problem(id, fmt.Sprintf("its URL %q is not recorded for it, so the same page could be added twice", src.URL))
			}
			switch {
			case snap == nil && src.SnapshotSHA256 != "":
				problem(id, "its snapshot is missing")
			case snap != nil:
				sum := sha256.Sum256(snap)
				if hex.EncodeToString(sum[:]) != src.SnapshotSHA256 {
					problem(id, "its snapshot does not match its sha256")
				} else if len(snap) != src.SnapshotBytes {
					problem(id, fmt.Sprintf("its snapshot has %d bytes, its info says %d", len(snap), src.SnapshotBytes))
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for id, info := range infos {
			if info.SupersededBy != "" {
				if _, ok := infos[info.SupersededBy]; !ok {
					problem(id, fmt.Sprintf("superseded by %s, which is not stored", info.SupersededBy))
				}
			}
		}
		for key, id := range urls {
			info := infos[id]
			if info.ID != "" && info.Scope+"\x00"+corpus.CanonicalURL(info.URL) != key {
				problem(id, fmt.Sprintf("the URL entry %q does not match the source's URL %q", key, info.URL))
			}
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("checking the library store: %w", err)
	}
	return n, nil
}
