package main

import (
	"context"
	"fmt"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/pgstore"
	"github.com/verbatim-bot/verbatim/retrieval"
)

// The store of record is the library.db file in the data directory unless
// --store (else $VERBATIM_STORE, else serve's config `store:`) names a
// PostgreSQL database. The search index stays in the data directory either
// way: a cache of the store, rebuilt from it when missing or behind.

// storeURL is where the flags, the environment or the config put the
// store: "" for library.db in the data directory.
func (lf *libFlags) storeURL(e *env) string {
	if lf.store != "" {
		return lf.store
	}
	return e.getenv("VERBATIM_STORE")
}

// shared reports whether the store is a database rather than library.db.
func (lf *libFlags) shared(e *env) bool { return lf.storeURL(e) != "" }

// openStore opens the store the flags name, or returns nil for the
// default (library.db, which retrieval opens itself).
func (lf *libFlags) openStore(ctx context.Context, e *env) (corpus.Store, error) {
	u := lf.storeURL(e)
	switch {
	case u == "":
		return nil, nil
	case !pgstore.IsURL(u):
		return nil, usageError{fmt.Sprintf("--store %q: give a postgres:// URL (without --store the library is library.db in the data directory)", u)}
	}
	st, err := pgstore.Open(ctx, u)
	if err != nil {
		return nil, err
	}
	return st, nil
}

// options returns the retrieval options of the library in dir, with the
// store the flags name opened (the library owns it from then on).
func (lf *libFlags) options(ctx context.Context, e *env, dir string) (retrieval.Options, error) {
	opts := retrieval.Options{Dir: dir, Logger: lf.logger(e), Progress: progressLine(e), Now: e.now, Partition: lf.partition}
	st, err := lf.openStore(ctx, e)
	if err != nil {
		return opts, err
	}
	if st != nil {
		opts.Store = st
	}
	return opts, nil
}

// check runs retrieval's check of the library: its store (library.db in
// dir, or the database the flags name) and the index in dir.
func (lf *libFlags) check(ctx context.Context, e *env, dir string) (retrieval.CheckReport, error) {
	st, err := lf.openStore(ctx, e)
	if err != nil {
		return retrieval.CheckReport{}, err
	}
	if st == nil {
		return retrieval.Check(ctx, dir)
	}
	defer st.Close()
	return retrieval.CheckPartition(ctx, st, dir, lf.partition)
}
