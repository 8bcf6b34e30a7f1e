#!/usr/bin/env python3
"""The peer run of `verbatim bench`: SQLite FTS5 over the same exported data.

    python3 bench/fts5.py DIR [--json] [--like-verbatim]

DIR is what `verbatim bench --export DIR` wrote: passages.jsonl ({"id","text"})
and queries.jsonl ({"text"}). The passages go into an in-memory FTS5 table
with the porter tokenizer, a commit per 1,000 rows (the insert rate is rows
per wall-clock second of the inserts and commits; reading the files is not
timed). Then each question is asked as a ranked top-10 bm25 query: an OR of
the question's words, each quoted so that no word is FTS5 syntax. It prints
the insert rate and the query latencies (p50/p95/p99/max, in ms).

--like-verbatim does the work a Verbatim add does, as far as FTS5 can: the
database is a file on disk (DIR/fts5.db) written with synchronous=FULL, so
each commit is on disk when it returns, as a Verbatim add is; and besides
each passage, each article's whole text (its passages joined) is indexed a
second time, in a second FTS5 table, as Verbatim's article records are. The
insert rate is still passages per second.
"""
import os
import json
import re
import sqlite3
import sys
import time

WORD = re.compile(r"\w+", re.UNICODE)


def percentile(sorted_ms, p):
    """The nearest-rank percentile, as `verbatim bench` computes it."""
    if not sorted_ms:
        return 0.0
    i = int(p / 100 * len(sorted_ms) + 0.999999) - 1
    return sorted_ms[max(0, min(i, len(sorted_ms) - 1))]


def main(argv):
    if len(argv) < 2:
        sys.exit("usage: fts5.py DIR [--json]")
    d = argv[1].rstrip("/")
    with open(d + "/passages.jsonl", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    with open(d + "/queries.jsonl", encoding="utf-8") as f:
        queries = [json.loads(line)["text"] for line in f]

    like = "--like-verbatim" in argv[2:]
    engine = "sqlite %s fts5 porter, in memory" % sqlite3.sqlite_version
    if like:
        path = d + "/fts5.db"
        if os.path.exists(path):
            os.remove(path)
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE VIRTUAL TABLE a USING fts5(id UNINDEXED, text, tokenize='porter')")
        engine = "sqlite %s fts5 porter, on disk (synchronous=FULL), passages and whole articles" % sqlite3.sqlite_version
    else:
        db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute("CREATE VIRTUAL TABLE p USING fts5(id UNINDEXED, text, tokenize='porter')")
    # An article is whole once the rows move on to another source id (the
    # export writes each source's passages in order).
    article, parts = None, []

    def flush_article():
        if like and article is not None:
            db.execute("INSERT INTO a(id, text) VALUES (?, ?)", (article, "\n\n".join(parts)))

    t0 = time.perf_counter()
    for i in range(0, len(rows), 1000):
        db.execute("BEGIN")
        db.executemany("INSERT INTO p(id, text) VALUES (?, ?)",
                       ((r["id"], r["text"]) for r in rows[i:i + 1000]))
        if like:
            for r in rows[i:i + 1000]:
                src = r["id"].rsplit("/", 1)[0]
                if src != article:
                    flush_article()
                    article, parts = src, []
                parts.append(r["text"])
            if i + 1000 >= len(rows):
                flush_article()
        db.execute("COMMIT")
    insert_s = time.perf_counter() - t0

    lat, found = [], 0
    for q in queries:
        words = WORD.findall(q)
        if not words:
            continue
        match = " OR ".join('"%s"' % w.replace('"', '""') for w in words)
        t = time.perf_counter()
        hits = db.execute("SELECT id FROM p WHERE p MATCH ? ORDER BY rank LIMIT 10", (match,)).fetchall()
        lat.append((time.perf_counter() - t) * 1000)
        found += bool(hits)
    lat.sort()
    rep = {
        "engine": engine,
        "passages": len(rows),
        "insert_per_sec": len(rows) / insert_s if insert_s > 0 else 0.0,
        "queries": len(lat),
        "with_hits": found,
        "query_ms": {"p50": percentile(lat, 50), "p95": percentile(lat, 95),
                     "p99": percentile(lat, 99), "max": lat[-1] if lat else 0.0},
    }
    if "--json" in argv[2:]:
        print(json.dumps(rep))
        return
    q = rep["query_ms"]
    print("%s: %d passages inserted at %.0f/s; %d queries (%d with hits), ms p50 %.2f p95 %.2f p99 %.2f max %.2f"
          % (rep["engine"], rep["passages"], rep["insert_per_sec"], rep["queries"], found,
             q["p50"], q["p95"], q["p99"], q["max"]))


if __name__ == "__main__":
    main(sys.argv)
