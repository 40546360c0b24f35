#!/usr/bin/env bash
# WAL archiving cost per segment, in one run on the same segments: 'lifeboat wal push' (what
# archive_command = 'lifeboat wal push %p' costs: a JVM start and a key derivation per segment), the two
# spool paths ('lifeboat wal push --spool', and the scripts/lifeboat-wal-spool script without a JVM) with the
# 'lifeboat wal spool' uploader's cost per segment, and pgBackRest's archive-push as the peer.
# Usage and variables: bench/README.md. Prints a markdown table and writes it to $BENCH_DIR/wal-results.md.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/var/tmp/lifeboat-bench-wal}
BENCH_SEGMENTS=${BENCH_SEGMENTS:-16}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
LIFEBOAT_JAR=${LIFEBOAT_JAR:-$root/lifeboat-cli/target/lifeboat.jar}

pgdata=$BENCH_DIR/pgdata
sock=$BENCH_DIR/socket
logs=$BENCH_DIR/logs
bin=$BENCH_DIR/bin
report=$BENCH_DIR/wal-results.md

unset LIFEBOAT_CONFIG LIFEBOAT_REPO LIFEBOAT_PASSWORD_FILE LIFEBOAT_KDF_MEMORY_MIB BACKUP_ENCRYPTION_KEY \
  LIFEBOAT_WAL_SPOOL_DIR PGDATABASE PGPASSWORD PGSERVICE
export LIFEBOAT_PASSWORD=lifeboat-bench
cluster_started=0

say() { echo "wal-bench: $*" >&2; }
die() {
  say "$1"
  [ -z "${2:-}" ] || echo "HINT: $2" >&2
  exit 1
}

pg_ctl_as_postgres() {
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pgdata" "$@"
}

cleanup() {
  local rc=$?
  if [ "$cluster_started" = 1 ]; then
    pg_ctl_as_postgres stop -m fast -w -t 120 >/dev/null 2>&1 || say "could not stop the cluster in '$pgdata'"
  fi
  rm -rf "$pgdata" "$BENCH_DIR"/repo-* "$BENCH_DIR"/spool-* "$BENCH_DIR/pgbackrest-repo"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || die "wal-bench.sh runs as root (it creates a cluster owned by the postgres user)" "run it with sudo"
for tool in initdb pg_ctl pgbench psql; do
  [ -x "$PG_BIN/$tool" ] || die "'$PG_BIN/$tool' not found" "install 'postgresql-15', or set PG_BIN"
done
[[ "$BENCH_SEGMENTS" =~ ^[0-9]+$ ]] && [ "$BENCH_SEGMENTS" -ge 2 ] || die "BENCH_SEGMENTS must be at least 2"
if ! command -v pgbackrest >/dev/null; then
  say "installing pgbackrest (the peer)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbackrest >/dev/null \
    || die "cannot install pgbackrest" "install it with 'apt-get install pgbackrest'"
fi

mkdir -p "$BENCH_DIR" "$logs" "$bin"
# the program under test is a copy, so that a rebuild in the work tree during the run changes nothing
if [ ! -f "$LIFEBOAT_JAR" ]; then
  # shellcheck source=../scripts/find-jdk.sh
  . "$root/scripts/find-jdk.sh"
  lifeboat_find_jdk
  say "building '$LIFEBOAT_JAR'"
  (cd "$root" && ./mvnw -q -B -DskipTests package -pl lifeboat-cli -am) >&2 \
    || die "lifeboat build failed"
fi
cp "$root/scripts/lifeboat" "$root/scripts/find-jdk.sh" "$root/scripts/lifeboat-wal-spool" "$bin/"
if ! cmp -s "$LIFEBOAT_JAR" "$bin/lifeboat.jar"; then
  cp "$LIFEBOAT_JAR" "$bin/lifeboat.jar"
  rm -f "$bin"/lifeboat.jar*.jsa "$bin"/lifeboat.jar*.aot
fi
lifeboat=$bin/lifeboat
"$lifeboat" --version >/dev/null  # creates the class-data archive, as an installed launcher has after its first run

# A cluster whose WAL holds real rows: pgbench -i writes about 16 MiB of WAL per scale unit.
rm -rf "$pgdata" "$sock"
mkdir -p "$pgdata" "$sock"
chown postgres:postgres "$pgdata" "$sock"
chmod 700 "$pgdata"
runuser -u postgres -- "$PG_BIN/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C > "$logs/initdb.log" 2>&1 \
  || die "initdb failed (see $logs/initdb.log)"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
touch "$logs/postgres.log" && chown postgres:postgres "$logs/postgres.log"
cluster_started=1
pg_ctl_as_postgres start -w -t 120 -l "$logs/postgres.log" \
  -o "-p $port -k $sock -c listen_addresses=127.0.0.1 -c max_wal_size=4GB -c checkpoint_timeout=30min" \
  > "$logs/pg_ctl.log" 2>&1 || die "the benchmark cluster did not start (see $logs/postgres.log)"
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
sql() { "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d postgres -c "$*"; }
sql "SELECT pg_create_physical_replication_slot('keep', true)" >/dev/null
say "writing WAL with pgbench -i -s $((BENCH_SEGMENTS + 2))"
"$PG_BIN/pgbench" -q -i -s $((BENCH_SEGMENTS + 2)) postgres > "$logs/pgbench.log" 2>&1
current=$(sql "SELECT pg_walfile_name(pg_current_wal_lsn())")
mapfile -t segments < <(cd "$pgdata/pg_wal" && ls | grep -E '^[0-9A-F]{24}$' | awk -v c="$current" '$0 < c' \
  | tail -n "$BENCH_SEGMENTS")
[ "${#segments[@]}" -ge 2 ] || die "only ${#segments[@]} complete segments were written"
n=${#segments[@]}
sysid=$(sql "SELECT system_identifier FROM pg_control_system()")
say "$n segments of cluster $sysid, ${segments[0]} .. ${segments[n - 1]}"

now_ms() { date +%s%3N; }
# per_segment NAME COMMAND...: runs COMMAND with each segment's %p (relative to the data directory, where
# the server runs archive_command) appended, and records the wall milliseconds per segment
declare -A ms
per_segment() {
  local key=$1 start f
  shift
  sync
  start=$(now_ms)
  for f in "${segments[@]}"; do
    (cd "$pgdata" && "$@" "pg_wal/$f") >> "$logs/$key.log" 2>&1 || die "$key failed on $f (see $logs/$key.log)"
  done
  ms[$key]=$(( ($(now_ms) - start) / n ))
  say "$key: ${ms[$key]} ms per segment"
}
# once NAME COMMAND...: runs COMMAND once and records its wall milliseconds divided by the segments
once() {
  local key=$1 start
  shift
  sync
  start=$(now_ms)
  "$@" >> "$logs/$key.log" 2>&1 || die "$key failed (see $logs/$key.log)"
  ms[$key]=$(( ($(now_ms) - start) / n ))
  say "$key: ${ms[$key]} ms per segment"
}

# Lifeboat repositories with the default key derivation (Argon2id, 64 MiB), as 'lifeboat init' makes them
for r in push spool-jvm spool-script; do
  "$lifeboat" init --repo "$BENCH_DIR/repo-$r" -q > /dev/null
done
per_segment push "$lifeboat" wal push -q --repo "$BENCH_DIR/repo-push"
per_segment spool-jvm "$lifeboat" wal push -q --spool "$BENCH_DIR/spool-jvm"
once upload-jvm "$lifeboat" wal spool --once -q --repo "$BENCH_DIR/repo-spool-jvm" "$BENCH_DIR/spool-jvm"
per_segment spool-script "$bin/lifeboat-wal-spool" "$BENCH_DIR/spool-script"
once upload-script "$lifeboat" wal spool --once -q --repo "$BENCH_DIR/repo-spool-script" "$BENCH_DIR/spool-script"
for r in push spool-jvm spool-script; do
  "$lifeboat" wal verify --repo "$BENCH_DIR/repo-$r" > "$logs/verify-$r.log" 2>&1 \
    || die "the WAL in repo-$r is not continuous (see $logs/verify-$r.log)"
done

# pgBackRest with the settings of the issue's benchmark (zstd level 3), archive-push per segment
mkdir -p "$BENCH_DIR/pgbackrest-repo"
cat > "$BENCH_DIR/pgbackrest.conf" <<CONF
[global]
repo1-path=$BENCH_DIR/pgbackrest-repo
compress-type=zst
compress-level=3
log-level-console=warn
log-level-file=off
lock-path=$BENCH_DIR/pgbackrest-lock
[bench]
pg1-path=$pgdata
pg1-port=$port
pg1-socket-path=$sock
pg1-user=postgres
CONF
pgbr=(pgbackrest --config="$BENCH_DIR/pgbackrest.conf" --stanza=bench)
"${pgbr[@]}" stanza-create > "$logs/pgbackrest-stanza.log" 2>&1 || die "pgbackrest stanza-create failed (see $logs/pgbackrest-stanza.log)"
per_segment pgbackrest "${pgbr[@]}" archive-push

ratio() { python3 -c "print(f'{$1 / max($2, 1):.2f}x')"; }
peer=${ms[pgbackrest]}
{
  echo "| archive path | ms per segment | vs pgBackRest archive-push |"
  echo "|---|---|---|"
  echo "| \`lifeboat wal push %p\` | ${ms[push]} | $(ratio "${ms[push]}" "$peer") |"
  echo "| \`lifeboat wal push --spool DIR %p\` (archive_command) | ${ms[spool-jvm]} | $(ratio "${ms[spool-jvm]}" "$peer") |"
  echo "| \`lifeboat-wal-spool DIR %p\` (archive_command, no JVM) | ${ms[spool-script]} | $(ratio "${ms[spool-script]}" "$peer") |"
  echo "| \`lifeboat wal spool\` uploader, per segment | ${ms[upload-script]} | $(ratio "${ms[upload-script]}" "$peer") |"
  echo "| \`pgbackrest archive-push %p\` (zstd 3) | $peer | 1.00x |"
  echo
  echo "$n segments of 16 MiB written by pgbench -i; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)."
} | tee "$report"
