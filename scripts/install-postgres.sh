#!/usr/bin/env bash
# Makes the PostgreSQL server binaries (initdb, postgres, pg_ctl) available
# for the tests of pgstore, which start a throwaway server of their own.
# Does nothing when they are already there; otherwise installs Debian's
# `postgresql` package (needs root and apt-get) and links its binaries into
# /usr/local/bin, since Debian keeps them in /usr/lib/postgresql/N/bin.
# The tests also look in /usr/lib/postgresql/*/bin themselves.
set -euo pipefail

found() {
	command -v initdb >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1 && return 0
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}

if ! found; then
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		echo "install-postgres: PostgreSQL is missing; install its server package (Debian/Ubuntu: apt-get install postgresql) as root" >&2
		exit 1
	fi
	echo "== installing PostgreSQL (apt-get install postgresql)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi

if ! command -v initdb >/dev/null 2>&1; then
	bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	if [ -w /usr/local/bin ]; then
		for b in initdb postgres pg_ctl; do
			ln -sf "$bin/$b" "/usr/local/bin/$b"
		done
	fi
fi
echo "== PostgreSQL: $( (command -v postgres >/dev/null && postgres --version) || ls -d /usr/lib/postgresql/*/bin)"
