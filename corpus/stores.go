package corpus

import "context"

// Store is the library's store of record: every source whole (info, text,
// passages, sentences, snapshot), the chains of versions a refresh makes,
// the URL each current source holds in its scope, the seed mark, and small
// records beside the sources (a followed feed's state). The search index is
// derived from it and can always be rebuilt from it.
//
// Every implementation keeps the same promises, which the contract tests
// (storetest) hold each one to:
//
//   - a write is one transaction: a source is stored whole or not at all,
//     and PutMany, Seed, Restore, Supersede, RestoreVersion and Remove
//     change everything they name or nothing;
//   - a source is stored exactly as given: its id and hashes are those it
//     was made with, and Get returns it byte for byte;
//   - removal is final: a removed source is gone from every read;
//   - Generation grows with every change to the sources or the seed mark
//     and stays the same while nothing is written, so that an index can
//     record the generation it reflects.
//
// BoltStore (one bbolt file, the default) implements it; so does the
// PostgreSQL store in package pgstore, for operators who run many
// processes on one library.
type Store interface {
	// Put stores a source whole, after checking it; a source already held
	// (same id, or same canonical URL in the same scope) is refused with
	// an *ExistsError.
	Put(ctx context.Context, src Source) error
	// PutMany stores many sources in one transaction and returns the
	// positions in srcs of those it stored; duplicates are skipped and
	// reported in dups; any other failure stores nothing.
	PutMany(ctx context.Context, srcs []Source) (stored []int, dups map[int]*ExistsError, err error)
	// Supersede stores next as the new version of old (see BoltStore).
	Supersede(ctx context.Context, oldID string, next Source) (Source, error)
	// Remove deletes a source (a current version with its earlier ones).
	Remove(ctx context.Context, id string) error
	// RestoreVersion makes an earlier version current again.
	RestoreVersion(ctx context.Context, id string) (replaced Info, err error)

	Get(ctx context.Context, id string) (Source, error)
	Info(ctx context.Context, id string) (Info, error)
	// Snapshot returns the bytes a source was made from, nil when none.
	Snapshot(ctx context.Context, id string) ([]byte, error)
	// List returns every source's Info, newest first (then by id).
	List(ctx context.Context) ([]Info, error)
	// IDs returns every source's id in byte order.
	IDs(ctx context.Context) ([]string, error)
	// HasURL returns the id of the current source in scope with rawURL's
	// canonical address, or "".
	HasURL(ctx context.Context, scope, rawURL string) (string, error)
	// EachSource calls fn with every source, whole with its snapshot, in
	// id order, a few at a time.
	EachSource(ctx context.Context, fn func(Source) error) error
	// Restore stores sources read from a backup exactly as they are.
	Restore(ctx context.Context, srcs []Source) (stored []int, dups map[int]*ExistsError, err error)

	// Seeded reports whether the seed library was ever loaded.
	Seeded() (bool, error)
	// Seed stores sources and sets the seed mark, in one transaction.
	Seed(ctx context.Context, srcs []Source) error
	// MarkSeeded sets the seed mark (an earlier one is kept).
	MarkSeeded(ctx context.Context) error

	// Records returns every record of a kind, in key order.
	Records(ctx context.Context, kind string) ([]Record, error)
	// Record returns one record's value, or an error wrapping ErrNotFound.
	Record(ctx context.Context, kind, key string) ([]byte, error)
	// UpdateRecord reads a record and writes what fn makes of it, in one
	// transaction (see BoltStore.UpdateRecord).
	UpdateRecord(ctx context.Context, kind, key string, fn func(old []byte) ([]byte, error)) error

	// Generation returns a number that grows with every change.
	Generation() (uint64, error)
	// Check reads every record and calls problem for each broken promise.
	Check(ctx context.Context, problem func(id, what string)) (StoreCounts, error)
	// Damaged returns the damage a read ran into, or nil.
	Damaged() error
	// ReadOnly reports whether every write is refused.
	ReadOnly() bool
	// Path says where the store is, for messages: a file, or a database
	// address without its password.
	Path() string
	Close() error
}

// Changes is what a store shared by several processes offers besides
// Store: a log of which sources each change touched, so that every process
// can bring its own index up to date with what the others wrote.
type Changes interface {
	// ChangesSince returns the changes committed after generation gen, in
	// order, at most limit of them. A change's IDs are the sources whose
	// records it wrote or deleted.
	ChangesSince(ctx context.Context, gen uint64, limit int) ([]Change, error)
	// WaitChange returns when a change may have been committed after
	// generation gen, or when ctx ends (give it a deadline to poll).
	WaitChange(ctx context.Context, gen uint64) error
}

// Change is one committed change of a shared store.
type Change struct {
	Generation uint64
	IDs        []string
}

// CheckWhole checks a source as import does (and as an export must write
// it): a scope, an id that matches its scope and text, spans that cut
// exactly from its text, and a snapshot that matches its hash and size.
func CheckWhole(src *Source) error { return checkBackupSource(src) }

var _ Store = (*BoltStore)(nil)
