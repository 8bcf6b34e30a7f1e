#!/bin/sh
# Verbatim against SQLite FTS5 on the same data, in one run.
#
#   bench/compare.sh [PASSAGES] [QUERIES] [VERBATIM]
#
# Runs `verbatim bench --passages N --queries Q --json --export DIR` (VERBATIM
# is the binary, default: go run ./cmd/verbatim), then bench/fts5.py on the
# exported passages and questions, and prints both and the ratios the
# performance issue asks for: answer p50 and p99 over FTS5's ranked-query p50
# and p99 (lower is better), and the add rate over FTS5's insert rate
# (higher is better). Verbatim's answer is the whole Ask (search, quote,
# confidence); FTS5's is a top-10 bm25 query. A second FTS5 run does the
# work of a Verbatim add as far as FTS5 can (fts5.py --like-verbatim: on
# disk, each commit synced, every article's text indexed a second time), and
# the add rate is also given over its insert rate. Last, bench/blevefloor
# indexes the same passages with bleve alone (one field, nothing else, two
# batches side by side): the most an add built on bleve could reach.
set -eu
n=${1:-100000}
q=${2:-1000}
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -ge 3 ]; then
	verbatim=$3
else
	verbatim="go run $here/../cmd/verbatim"
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/verbatim-compare-XXXXXX")
trap 'rm -rf "$dir"' EXIT
$verbatim bench --passages "$n" --queries "$q" --json --export "$dir" >"$dir/verbatim.json"
${PYTHON:-python3} "$here/fts5.py" "$dir" --json >"$dir/fts5.json"
${PYTHON:-python3} "$here/fts5.py" "$dir" --json --like-verbatim >"$dir/fts5-like.json"
(cd "$here/.." && go run ./bench/blevefloor --json --workers 2 "$dir") >"$dir/bleve.json"
${PYTHON:-python3} - "$dir/verbatim.json" "$dir/fts5.json" "$dir/fts5-like.json" "$dir/bleve.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
f = json.load(open(sys.argv[2]))
like = json.load(open(sys.argv[3]))
floor = json.load(open(sys.argv[4]))["runs"]
a, q = v["answer_ms"], f["query_ms"]
print("verbatim: %d passages, add %.0f/s (%.1f CPU-s), answer ms p50 %.2f p95 %.2f p99 %.2f (%.2f CPU-ms each), %d/%d answered, peak RSS %.0f MiB build / %.0f serve, load %.1f"
      % (v["passages"], v["index_per_sec"], v["index_cpu_seconds"], a["p50"], a["p95"], a["p99"], v["answer_cpu_ms_mean"],
         v["answered"], v["queries"], v.get("build_peak_rss_bytes", v["peak_rss_bytes"]) / 2**20, v["serve_peak_rss_bytes"] / 2**20, v["load_avg"]))
if v.get("segments_before_compact"):
    print("          index compacted from %d segments to %d in %.1f s (not in the add rate)" % (v["segments_before_compact"], v["segments"], v["compact_seconds"]))
print("fts5:     %d passages, insert %.0f/s, query ms p50 %.2f p95 %.2f p99 %.2f (%s)"
      % (f["passages"], f["insert_per_sec"], q["p50"], q["p95"], q["p99"], f["engine"]))
print("fts5 like verbatim: insert %.0f/s (%s)" % (like["insert_per_sec"], like["engine"]))
for r in floor:
    print("%s (%d batches side by side): %.0f/s, %.2f x fts5" % (r["name"], r["workers"], r["insert_per_sec"], r["insert_per_sec"] / f["insert_per_sec"]))
print("ratios:   answer p50 %.2f x fts5 (target <= 0.2), p99 %.2f x (target <= 0.5), add rate %.2f x (target >= 0.5; %.2f x fts5 like verbatim)"
      % (a["p50"] / q["p50"], a["p99"] / q["p99"], v["index_per_sec"] / f["insert_per_sec"], v["index_per_sec"] / like["insert_per_sec"]))
PY
