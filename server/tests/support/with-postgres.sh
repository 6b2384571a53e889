#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server: a new cluster in a
# temporary directory (owned by the `postgres` user when run as root, since
# PostgreSQL refuses to run as root), on a free loopback port, stopped and
# removed when the command ends. The command finds the server in
# DATAPORT_TEST_POSTGRES (`postgres://dataport@127.0.0.1:PORT`).
set -euo pipefail

bindir=$(pg_config --bindir 2>/dev/null || true)
[ -x "$bindir/initdb" ] || bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "PostgreSQL's server (initdb, pg_ctl) is not installed" >&2; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/dataport-pg.XXXXXX")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  as_owner=(runuser -u postgres --)
fi

stop() {
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

# No locale: text sorts by bytes, as in SQLite. No fsync: the data is thrown away.
"${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U dataport --auth=trust --no-locale -E UTF8 >"$dir/initdb.log"
"${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o \
  "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
  start >/dev/null

echo "Throwaway PostgreSQL on 127.0.0.1:$port"
DATAPORT_TEST_POSTGRES="postgres://dataport@127.0.0.1:$port" "$@"
