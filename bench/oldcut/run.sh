#!/bin/sh
# The answer decision as it shipped before issue 12 — the coverage cut of
# commit f31e6c8, with that commit's reading of a question — measured on the
# answerability split `verbatim eval --answerability` uses (documents and
# questions halved by the same hashes; the cut chosen on the choosing half
# to refuse 90% / 95% of the not-covered questions, figures from the
# reporting half). Compare its "answers" with the confidence's figures of
# `verbatim eval --answerability ... --split test,train` (docs/quality.md).
#
#   bench/oldcut/run.sh [BEIR_DIR ...]   (default: ../shared/data/squad-dev and scifact)
#
# It checks f31e6c8 out in a temporary worktree, adds the two test files
# here (a test of package retrieval that runs the old Ask up to its cut),
# runs it, and removes the worktree. Takes about two minutes.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
if [ $# -eq 0 ]; then
	set -- "$repo/../shared/data/squad-dev" "$repo/../shared/data/scifact"
fi
sets=""
for d in "$@"; do
	sets="${sets:+$sets,}$(cd "$d" && pwd)"
done
wt=$(mktemp -d "${TMPDIR:-/tmp}/verbatim-oldcut-XXXXXX")
trap 'git -C "$repo" worktree remove --force "$wt" >/dev/null 2>&1 || rm -rf "$wt"' EXIT
git -C "$repo" worktree add --detach "$wt" f31e6c8 >/dev/null
cp "$here/oldcut_test.go.in" "$wt/retrieval/oldcut_test.go"
cp "$here/oldcut_export_test.go.in" "$wt/retrieval/oldcut_export_test.go"
cd "$wt" && OLDCUT_SETS="$sets" go test ./retrieval -run '^TestOldCut$' -count=1 -v -timeout 60m | grep -E 'refused|^(ok|FAIL|---)'
