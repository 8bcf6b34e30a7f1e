-- Verbatim's store of record on PostgreSQL, schema version 1.
-- Every write takes the store_state row first (FOR UPDATE), so writes are
-- serialized and generation numbers are committed in order.

CREATE TABLE store_state (
	one        boolean PRIMARY KEY DEFAULT true CHECK (one),
	generation bigint NOT NULL,
	seeded_at  timestamptz
);
INSERT INTO store_state (generation) VALUES (1);

-- One row per source, whole: info and body are the same JSON the embedded
-- store keeps; snapshot is the bytes the source was made from.
CREATE TABLE sources (
	id            text COLLATE "C" PRIMARY KEY,
	scope         text NOT NULL,
	added_at      timestamptz NOT NULL,
	superseded_by text COLLATE "C" NOT NULL DEFAULT '',
	info          bytea NOT NULL,
	body          bytea NOT NULL,
	snapshot      bytea
);
CREATE INDEX sources_scope ON sources (scope);

-- The current source of each canonical URL in each scope.
CREATE TABLE source_urls (
	scope text NOT NULL,
	url   bytea NOT NULL,
	id    text COLLATE "C" NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
	PRIMARY KEY (scope, url)
);
CREATE INDEX source_urls_id ON source_urls (id);

-- Small records beside the sources (a followed feed's state).
CREATE TABLE records (
	kind  bytea NOT NULL,
	key   bytea NOT NULL,
	value bytea NOT NULL,
	PRIMARY KEY (kind, key)
);

-- Which sources each committed generation touched, for the processes that
-- keep an index of the library to follow what the others wrote.
CREATE TABLE changes (
	generation bigint NOT NULL,
	id         text COLLATE "C" NOT NULL,
	at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX changes_generation ON changes (generation);
