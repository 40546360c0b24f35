#!/usr/bin/env bash
# Physical backups and point-in-time recovery: Lifeboat against pgBackRest on one pgbench cluster, in one run:
# full backup, incremental backup after 30 s of pgbench, restore to the end of the WAL, restore to a time in
# the middle of the pgbench run, repository sizes, and the recovery point of 'lifeboat wal stream' under load.
# Usage and variables: bench/README.md. Prints a markdown table and writes it to $BENCH_DIR/pitr-results.md.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/var/tmp/lifeboat-bench-pitr}
BENCH_SCALE=${BENCH_SCALE:-100}
BENCH_KEEP=${BENCH_KEEP:-0}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
LIFEBOAT_JAR=${LIFEBOAT_JAR:-$root/lifeboat-cli/target/lifeboat.jar}

pgdata=$BENCH_DIR/pgdata
sock=$BENCH_DIR/socket
logs=$BENCH_DIR/logs
bin=$BENCH_DIR/bin
lb_repo=$BENCH_DIR/lifeboat-repo
pgbr_repo=$BENCH_DIR/pgbackrest-repo
pgbr_conf=$BENCH_DIR/pgbackrest.conf
results=$BENCH_DIR/pitr-results.tsv
report=$BENCH_DIR/pitr-results.md
tables=(pgbench_accounts pgbench_branches pgbench_tellers pgbench_history)

# Only the settings given here reach the tools: no configuration file, repository or server of the user's.
unset LIFEBOAT_CONFIG LIFEBOAT_REPO LIFEBOAT_PASSWORD_FILE LIFEBOAT_KDF_MEMORY_MIB BACKUP_ENCRYPTION_KEY \
  LIFEBOAT_WAL_SPOOL_DIR LIFEBOAT_WAL_SLOT LIFEBOAT_WAL_PARTIAL_INTERVAL DATABASE_URL PGDATABASE PGPASSWORD \
  PGPASSFILE PGSERVICE PGSSLMODE POSTGRES_HOST POSTGRES_USER POSTGRES_PASSWORD POSTGRES_DB PGBACKREST_CONFIG
export LIFEBOAT_PASSWORD=lifeboat-bench
export PATH=$PG_BIN:$PATH

failed=0
cluster_started=0
streamer_pid=
restored_dirs=()
# shellcheck source=resident.sh
. "$root/bench/resident.sh"

say() { echo "pitr-bench: $*" >&2; }
die() {
  say "$1"
  [ -z "${2:-}" ] || echo "HINT: $2" >&2
  exit 1
}

as_postgres() { runuser -u postgres -- "$@"; }
pg_ctl_as_postgres() { as_postgres "$PG_BIN/pg_ctl" -D "$pgdata" "$@"; }

stop_restored() {
  local d=$1
  if [ -f "$d/postmaster.pid" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$d" stop -m fast -w -t 120 >/dev/null 2>&1 || say "could not stop the cluster in '$d'"
  fi
}

# Stops only what this run started: the streamer, restored clusters, the benchmark cluster.
cleanup() {
  local rc=$? d
  resident_stop "${lifeboat:-}"
  if [ -n "$streamer_pid" ] && kill -0 "$streamer_pid" 2>/dev/null; then
    kill -TERM "$streamer_pid" 2>/dev/null || true
    wait "$streamer_pid" 2>/dev/null || true
  fi
  for d in "${restored_dirs[@]}"; do
    stop_restored "$d"
  done
  if [ "$cluster_started" = 1 ]; then
    say "stopping the benchmark cluster"
    pg_ctl_as_postgres stop -m fast -w -t 120 >/dev/null 2>&1 || say "could not stop the cluster in '$pgdata'"
  fi
  if [ "$BENCH_KEEP" != 1 ]; then
    rm -rf "$pgdata" "$BENCH_DIR"/restore-* "$lb_repo" "$pgbr_repo" "$BENCH_DIR/pgbackrest-lock" "$BENCH_DIR/pgbackrest-spool"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

check_prerequisites() {
  [ "$(id -u)" = 0 ] || die "pitr-bench.sh runs as root (it creates clusters owned by the postgres user)" "run it with sudo"
  id postgres >/dev/null 2>&1 || die "no 'postgres' user" "install PostgreSQL 15: 'apt-get install -y postgresql-15'"
  local tool
  for tool in initdb pg_ctl pgbench psql createdb; do
    [ -x "$PG_BIN/$tool" ] || die "'$PG_BIN/$tool' not found" "install 'postgresql-15', or set PG_BIN"
  done
  command -v python3 >/dev/null || die "python3 not found" "install it, for example 'apt-get install -y python3'"
  if ! command -v pgbackrest >/dev/null; then
    say "installing pgbackrest (the peer)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbackrest >/dev/null \
      || die "cannot install pgbackrest" "install it with 'apt-get install pgbackrest'"
  fi
  [[ "$BENCH_SCALE" =~ ^[0-9]+$ ]] && [ "$BENCH_SCALE" -ge 1 ] || die "BENCH_SCALE must be a whole number, at least 1 (got '$BENCH_SCALE')"
  [ -f "$LIFEBOAT_JAR" ] || die "lifeboat jar '$LIFEBOAT_JAR' not found" "build it with './mvnw -B -DskipTests package'"
}

# The program under test is a private copy, so that a rebuild in the work tree during the run changes nothing.
setup_lifeboat() {
  mkdir -p "$bin"
  cp "$root/scripts/lifeboat" "$root/scripts/find-jdk.sh" "$bin/"
  if ! cmp -s "$LIFEBOAT_JAR" "$bin/lifeboat.jar"; then
    cp "$LIFEBOAT_JAR" "$bin/lifeboat.jar.tmp"
    mv "$bin/lifeboat.jar.tmp" "$bin/lifeboat.jar"
    rm -f "$bin"/lifeboat.jar*.jsa "$bin"/lifeboat.jar*.aot
  fi
  lifeboat=$bin/lifeboat
  "$lifeboat" --version > "$logs/lifeboat-version.log" 2>&1 || die "'$lifeboat --version' failed (see $logs/lifeboat-version.log)"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

sql() {
  "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d bench -c "$*"
}

sql_at() {
  local p=$1
  shift
  "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$p" -U postgres -d bench -c "$*"
}

counts_at() {
  local p=$1 t out=()
  for t in "${tables[@]}"; do
    out+=("$t=$(sql_at "$p" "SELECT count(*) FROM $t")")
  done
  echo "${out[*]}"
}

record() {
  local IFS=$'\t'
  echo "$*" >> "$results"
}

now() { date +%s.%N; }

can_drop_caches=0
if (sync && echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null; then
  can_drop_caches=1
fi

# Before every timed step, for both tools: a checkpoint and an empty page cache.
settle() {
  sql "CHECKPOINT" >/dev/null
  if [ "$can_drop_caches" = 1 ]; then
    sync
    echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  fi
}

# timed KEY COMMAND...: runs COMMAND (a program or a function of this script) after settle() and records its
# wall seconds and the 1-minute load average before it; output in $logs/KEY.out and $logs/KEY.log.
timed() {
  local key=$1 rc=0 t0 t1 load
  shift
  settle
  load=$(cut -d' ' -f1 /proc/loadavg)
  say "$key (load average $load)"
  t0=$(now)
  "$@" > "$logs/$key.out" 2> "$logs/$key.log" || rc=$?
  t1=$(now)
  if [ "$rc" != 0 ]; then
    say "$key failed with exit status $rc: $*"
    tail -n 15 "$logs/$key.log" | sed 's/^/    /' >&2
    record step "$key" ERR "$load"
    failed=1
    return 1
  fi
  record step "$key" "$(python3 -c "print(round($t1 - $t0, 2))")" "$load"
}

start_cluster() {
  local archive=$1 extra=()
  if [ -f "$pgdata/postmaster.pid" ] && pg_ctl_as_postgres status >/dev/null 2>&1; then
    die "a cluster is running in '$pgdata' (left by an earlier run?)" \
      "stop it with 'runuser -u postgres -- $PG_BIN/pg_ctl -D $pgdata stop -m fast', then run again"
  fi
  if [ "$archive" = 1 ]; then
    # On the command line, not in the data directory: restored clusters do not archive into the repositories.
    extra=(-c archive_mode=on -c "archive_command='pgbackrest --config=$pgbr_conf --stanza=bench archive-push %p'"
      -c track_commit_timestamp=on)
  fi
  cluster_started=1
  pg_ctl_as_postgres start -w -t 300 -l "$logs/postgres.log" \
    -o "-p $port -k $sock -c listen_addresses=127.0.0.1 -c wal_level=replica -c max_wal_senders=10 -c max_wal_size=8GB -c checkpoint_timeout=30min ${extra[*]}" \
    >> "$logs/pg_ctl.log" 2>&1 || { tail -n 20 "$logs/postgres.log" >&2; die "the benchmark cluster did not start"; }
}

setup_cluster() {
  rm -rf "$pgdata" "$sock"
  mkdir -p "$pgdata" "$sock"
  chown postgres:postgres "$pgdata" "$sock"
  chmod 700 "$pgdata"
  say "initdb in '$pgdata'"
  as_postgres "$PG_BIN/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C > "$logs/initdb.log" 2>&1 \
    || { tail -n 20 "$logs/initdb.log" >&2; die "initdb failed"; }
  port=$(free_port)
  touch "$logs/postgres.log"
  chown postgres:postgres "$logs/postgres.log"
  say "starting PostgreSQL on 127.0.0.1:$port (no archiving during the load)"
  start_cluster 0
  "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres bench
  say "loading pgbench at scale $BENCH_SCALE"
  local t0=$SECONDS
  "$PG_BIN/pgbench" -h 127.0.0.1 -p "$port" -U postgres -i -s "$BENCH_SCALE" bench > "$logs/pgbench-init.log" 2>&1 \
    || { tail -n 15 "$logs/pgbench-init.log" >&2; die "pgbench -i failed"; }
  record value load.seconds $((SECONDS - t0))
  record value db.size "$(sql "SELECT pg_database_size('bench')")"
  say "restarting with archive_mode=on, archive_command=pgbackrest archive-push"
  pg_ctl_as_postgres stop -m fast -w -t 300 >> "$logs/pg_ctl.log" 2>&1
  cluster_started=0
  start_cluster 1
  record value pg.version "$("$PG_BIN/postgres" --version)"
}

setup_pgbackrest() {
  rm -rf "$pgbr_repo" "$BENCH_DIR/pgbackrest-lock" "$BENCH_DIR/pgbackrest-spool"
  mkdir -p "$pgbr_repo" "$BENCH_DIR/pgbackrest-lock" "$BENCH_DIR/pgbackrest-spool"
  chown postgres:postgres "$pgbr_repo" "$BENCH_DIR/pgbackrest-lock" "$BENCH_DIR/pgbackrest-spool"
  cat > "$pgbr_conf" <<CONF
[global]
repo1-path=$pgbr_repo
repo1-retention-full=10
compress-type=zst
compress-level=3
process-max=2
start-fast=y
log-level-console=warn
log-level-stderr=warn
log-level-file=off
lock-path=$BENCH_DIR/pgbackrest-lock
spool-path=$BENCH_DIR/pgbackrest-spool

[bench]
pg1-path=$pgdata
pg1-port=$port
pg1-socket-path=$sock
pg1-user=postgres
CONF
  chmod 644 "$pgbr_conf"
  pgbr stanza-create > "$logs/pgbackrest-stanza-create.log" 2>&1 \
    || { cat "$logs/pgbackrest-stanza-create.log" >&2; die "pgbackrest stanza-create failed"; }
  pgbr check > "$logs/pgbackrest-check.log" 2>&1 \
    || { cat "$logs/pgbackrest-check.log" >&2; die "pgbackrest check failed (archive_command does not work)"; }
  record value pgbackrest.version "$(pgbackrest version)"
}

pgbr() { as_postgres pgbackrest --config="$pgbr_conf" --stanza=bench "$@"; }

# Lifeboat's WAL archiving: 'lifeboat wal stream' from the slot 'lifeboat', running from before the first
# backup to the end (PITR needs the WAL after the base backup in the repository).
start_streamer() {
  rm -rf "$lb_repo"
  "$lifeboat" init --repo "$lb_repo" > "$logs/lifeboat-init.log" 2>&1 \
    || { cat "$logs/lifeboat-init.log" >&2; die "lifeboat init --repo '$lb_repo' failed"; }
  say "starting lifeboat wal stream"
  "$lifeboat" wal stream --repo "$lb_repo" --db-url "postgres://postgres@127.0.0.1:$port/postgres" --json \
    > "$logs/wal-stream.jsonl" 2> "$logs/wal-stream.log" &
  streamer_pid=$!
  local i
  for i in $(seq 1 300); do
    if grep -q '"event":"connected"' "$logs/wal-stream.jsonl" 2>/dev/null; then
      return 0
    fi
    kill -0 "$streamer_pid" 2>/dev/null || { cat "$logs/wal-stream.log" >&2; die "lifeboat wal stream exited"; }
    sleep 0.2
  done
  die "lifeboat wal stream did not connect within 60 s (see $logs/wal-stream.log)"
}

# Both repositories hold every WAL record written so far: a segment switch, archived by pgBackRest, and
# the streamer's slot confirmed up to the switch (not timed; the same for both tools).
wait_wal_everywhere() {
  local seg i
  seg=$(sql "SELECT pg_walfile_name(pg_switch_wal())")
  for i in $(seq 1 600); do
    if [ "$(sql "SELECT coalesce(last_archived_wal >= '$seg', false) FROM pg_stat_archiver")" = t ] \
      && [ "$(sql "SELECT coalesce(bool_and(restart_lsn >= pg_current_wal_lsn()), false) FROM pg_replication_slots WHERE slot_name = 'lifeboat'")" = t ]; then
      return 0
    fi
    sleep 0.1
  done
  say "WAL up to segment $seg did not reach both repositories within 60 s"
  failed=1
}

wait_promoted() {
  local p=$1 i
  for i in $(seq 1 36000); do
    [ "$(sql_at "$p" "SELECT pg_is_in_recovery()" 2>/dev/null || true)" = f ] && return 0
    sleep 0.1
  done
  return 1
}

# pgBackRest's restore, then what 'lifeboat restore --mode physical' also does: start the cluster and wait
# until it is promoted.
pgbr_restore_and_start() {
  local dir=$1 p=$2
  shift 2
  # (called as a condition, so errexit does not apply: every failure returns explicitly)
  pgbr restore --pg1-path="$dir" "$@" || return 1
  restored_dirs+=("$dir")
  as_postgres "$PG_BIN/pg_ctl" -D "$dir" -w -t 3600 -l "$dir.log" \
    -o "-p $p -k $sock -c listen_addresses=127.0.0.1" start || return 1
  wait_promoted "$p"
}

lifeboat_restore() {
  local dir=$1 p=$2
  shift 2
  restored_dirs+=("$dir")
  "$lifeboat" restore --repo "$lb_repo" --mode physical --target-dir "$dir" --port "$p" "$@"
}

prepare_restore_dir() {
  rm -rf "$1" "$1.log" "$1.sock"
  mkdir -p "$1"
  chown postgres:postgres "$1"
  chmod 700 "$1"
  touch "$1.log"
  chown postgres:postgres "$1.log"
}

# check_restored KEY PORT DIR EXPECTED: compares the counts of the restored cluster with EXPECTED, stops it
# and removes its data directory.
check_restored() {
  local key=$1 p=$2 dir=$3 expected=$4 got
  got=$(counts_at "$p" 2>>"$logs/$key.log" || echo "unreadable")
  if [ "$got" = "$expected" ]; then
    record value "$key.rows" yes
  else
    say "$key: row counts differ: expected '$expected', restored '$got'"
    record value "$key.rows" "no: $got"
    failed=1
  fi
  stop_restored "$dir"
  [ "$BENCH_KEEP" = 1 ] || rm -rf "$dir" "$dir.sock"
}

restore_pair() {
  local kind=$1 expected=$2
  shift 2
  local d1=$BENCH_DIR/restore-pgbackrest-$kind d2=$BENCH_DIR/restore-lifeboat-$kind p1 p2 pg_args=() lb_args=()
  if [ "$kind" = latest ]; then
    pg_args=(--type=default)
    lb_args=(--latest)
  else
    pg_args=(--type=time "--target=$target_time" --target-action=promote)
    lb_args=(--time "$target_time")
  fi
  prepare_restore_dir "$d1"
  p1=$(free_port)
  if timed "pgbackrest.restore-$kind" pgbr_restore_and_start "$d1" "$p1" "${pg_args[@]}"; then
    check_restored "pgbackrest.restore-$kind" "$p1" "$d1" "$expected"
  else
    stop_restored "$d1"
  fi
  rm -rf "$d2" "$d2.sock"
  p2=$(free_port)
  if timed "lifeboat.restore-$kind" lifeboat_restore "$d2" "$p2" "${lb_args[@]}"; then
    check_restored "lifeboat.restore-$kind" "$p2" "$d2" "$expected"
  else
    stop_restored "$d2"
  fi
}

du_bytes() { du -sb "$1" | cut -f1; }

phase_backups() {
  local lb_backup=("$lifeboat" backup --repo "$lb_repo" --type database --mode physical
    --db-url "postgres://postgres@127.0.0.1:$port/postgres" --json)
  timed pgbackrest.full pgbr --type=full backup || true
  timed lifeboat.full "${lb_backup[@]}" || true

  say "pgbench -T 30 -c 2; the PITR target is taken after 15 s"
  "$PG_BIN/pgbench" -h 127.0.0.1 -p "$port" -U postgres -T 30 -c 2 bench > "$logs/pgbench-30s.log" 2>&1 &
  local bench_pid=$!
  sleep 15
  local row
  # always six fraction digits: 'lifeboat restore --time' rejects the 1 to 5 digits now()::text can show
  row=$(sql "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00', (SELECT count(*) FROM pgbench_history)")
  target_time=${row%%|*}
  record value target.time "$target_time"
  record value target.snapshot_count "${row##*|}"
  wait "$bench_pid" || { tail -n 5 "$logs/pgbench-30s.log" >&2; die "pgbench -T 30 failed"; }
  # the exact count at the target: transactions whose commit record is at or before it (recovery_target_inclusive)
  target_history=$(sql "SELECT count(*) FROM pgbench_history WHERE pg_xact_commit_timestamp(xmin) <= '$target_time'")
  record value target.history "$target_history"
  record value pgbench30.history "$(sql "SELECT count(*) FROM pgbench_history")"
  record value pgbench30.tps "$(sed -n 's/^tps = \([0-9]*\).*/\1/p' "$logs/pgbench-30s.log" | head -n 1)"

  timed pgbackrest.incr pgbr --type=incr backup || true
  timed lifeboat.incr "${lb_backup[@]}" || true
  local k
  for k in full incr; do
    [ ! -s "$logs/lifeboat.$k.out" ] || record value "lifeboat.$k.stored" "$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["summary"]["storedBytes"])' "$logs/lifeboat.$k.out" 2>/dev/null || echo "?")"
  done

  wait_wal_everywhere
  record value repo.pgbackrest "$(du_bytes "$pgbr_repo")"
  record value repo.lifeboat "$(du_bytes "$lb_repo")"
  record value repo.pgbackrest.archive "$(du_bytes "$pgbr_repo/archive")"
  record value repo.pgbackrest.backup "$(du_bytes "$pgbr_repo/backup")"
  pgbr info > "$logs/pgbackrest-info.log" 2>&1 || true
}

phase_restores() {
  local latest_counts pitr_counts
  latest_counts=$(counts_at "$port")
  record value source.counts "$latest_counts"
  restore_pair latest "$latest_counts"
  pitr_counts="pgbench_accounts=$(sql "SELECT count(*) FROM pgbench_accounts") pgbench_branches=$(sql "SELECT count(*) FROM pgbench_branches") pgbench_tellers=$(sql "SELECT count(*) FROM pgbench_tellers") pgbench_history=$target_history"
  restore_pair pitr "$pitr_counts"
}

# Recovery point under load: every 200 ms (time, pg_current_wal_lsn()) on the server during pgbench -T 60,
# then for each sample the time until the streamer's events say the repository holds WAL up to that LSN.
phase_rpo() {
  local n=300 i
  say "recovery point: pgbench -T 60 -c 2 with lifeboat wal stream running, sampled every 200 ms"
  record value rpo.load_before "$(cut -d' ' -f1 /proc/loadavg)"
  : > "$BENCH_DIR/rpo-sampler.sql"
  for i in $(seq 1 "$n"); do
    echo "SELECT extract(epoch FROM clock_timestamp()), pg_current_wal_lsn(), pg_sleep(0.2);" >> "$BENCH_DIR/rpo-sampler.sql"
  done
  "$PG_BIN/pgbench" -h 127.0.0.1 -p "$port" -U postgres -T 60 -c 2 bench > "$logs/pgbench-60s.log" 2>&1 &
  local bench_pid=$!
  "$PG_BIN/psql" -X -q -At -h 127.0.0.1 -p "$port" -U postgres -d bench -f "$BENCH_DIR/rpo-sampler.sql" \
    > "$logs/rpo-samples.txt" 2> "$logs/rpo-sampler.log" || true
  wait "$bench_pid" || { tail -n 5 "$logs/pgbench-60s.log" >&2; failed=1; }
  record value rpo.load_after "$(cut -d' ' -f1 /proc/loadavg)"
  record value pgbench60.tps "$(sed -n 's/^tps = \([0-9]*\).*/\1/p' "$logs/pgbench-60s.log" | head -n 1)"
  sleep 3
  say "stopping lifeboat wal stream (SIGTERM)"
  kill -TERM "$streamer_pid"
  local rc=0
  wait "$streamer_pid" || rc=$?
  streamer_pid=
  record value streamer.exit "$rc"
  [ "$rc" = 0 ] || { say "lifeboat wal stream exited with status $rc (see $logs/wal-stream.log)"; failed=1; }
  python3 - "$logs/wal-stream.jsonl" "$logs/rpo-samples.txt" "$(sql "SHOW wal_segment_size" | sed 's/MB$//')" <<'PY' >> "$results"
import json, sys
from datetime import datetime

events_path, samples_path, seg_mb = sys.argv[1:]
seg = int(seg_mb) * 2**20

def lsn(s):
    hi, lo = s.split("/")
    return (int(hi, 16) << 32) + int(lo, 16)

def ts(s):
    # Instant.toString(): 2025-11-22T01:02:03.456789Z, with 0 to 9 fraction digits
    s = s.rstrip("Z")
    if "." in s:
        head, frac = s.split(".")
        s = head + "." + (frac + "000000")[:6]
    return datetime.fromisoformat(s + "+00:00").timestamp()

stored = []  # (time, LSN the repository holds WAL up to)
for line in open(events_path):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("event") == "partial":
        stored.append((ts(e["time"]), lsn(e["upTo"])))
    elif e.get("event") == "segment":
        name = e["name"]
        stored.append((ts(e["time"]), (int(name[8:16], 16) << 32) + (int(name[16:24], 16) + 1) * seg))
stored.sort()
best = []  # running maximum of the stored LSN over time
m = -1
for t, l in stored:
    m = max(m, l)
    best.append((t, m))

lags, uncovered = [], 0
for line in open(samples_path):
    parts = line.strip().split("|")
    if len(parts) < 2 or "/" not in parts[1]:
        continue
    t, l = float(parts[0]), lsn(parts[1])
    hit = next((bt for bt, bl in best if bl >= l), None)
    if hit is None:
        uncovered += 1
    else:
        lags.append(max(0.0, hit - t))
lags.sort()

def pct(p):
    if not lags:
        return "n/a"
    k = max(0, min(len(lags) - 1, int(round(p / 100 * len(lags) + 0.5)) - 1))
    return f"{lags[k]:.3f}"

print(f"value\trpo.samples\t{len(lags)}")
print(f"value\trpo.uncovered\t{uncovered}")
print(f"value\trpo.p50\t{pct(50)}")
print(f"value\trpo.p99\t{pct(99)}")
print(f"value\trpo.max\t{lags[-1]:.3f}" if lags else "value\trpo.max\tn/a")
print(f"value\trpo.events\t{len(stored)}")
PY
}

report() {
  python3 - "$results" "$@" <<'PY'
import sys

results_path, *meta = sys.argv[1:]
steps, values = {}, {}
for line in open(results_path):
    kind, key, *rest = line.rstrip("\n").split("\t")
    if kind == "step":
        steps[key] = rest
    else:
        values[key] = rest[0] if rest else ""

def f(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None

def verdict(v, limit):
    if v is None:
        return "FAIL (a step failed)"
    return "PASS" if v <= limit else "FAIL"

mib = lambda b: None if f(b) is None else f(b) / 2**20
out = ["# Lifeboat physical backup and PITR benchmark against pgBackRest", ""]
out += [f"- {m}" for m in meta]
db = mib(values.get("db.size"))
out.append(f"- database: {db:.0f} MiB; {values.get('pgbackrest.version', '?')} "
           f"(zst level 3, process-max 2, start-fast, archive_command = archive-push); {values.get('pg.version', '?')}")
out.append(f"- pgbench -T 30 -c 2 between the backups: {values.get('pgbench30.tps', '?')} tps, "
           f"{values.get('pgbench30.history', '?')} history rows; PITR target {values.get('target.time')}, "
           f"{values.get('target.history')} history rows committed by then (a count(*) at that instant saw "
           f"{values.get('target.snapshot_count')})")
out += ["", "| step | pgBackRest | lifeboat | pgBackRest s | lifeboat s | lifeboat/pgBackRest | target | result "
        "| load avg before (pgBackRest, lifeboat) | rows match (pgBackRest, lifeboat) |",
        "|---|---|---|---:|---:|---:|---|---|---|---|"]
pairs = [
    ("full backup", "`backup --type=full`", "`backup --mode physical` (first)", "full"),
    ("incremental backup after 30 s of pgbench", "`backup --type=incr`", "`backup --mode physical` (second)", "incr"),
    ("restore to the end of the WAL, start, promoted", "`restore --type=default` + `pg_ctl start`",
     "`restore --mode physical --latest`", "restore-latest"),
    ("PITR to the middle of the pgbench run, promoted", "`restore --type=time --target-action=promote` + `pg_ctl start`",
     "`restore --mode physical --time`", "restore-pitr"),
]
verdicts = []
for label, plabel, llabel, key in pairs:
    p, l = steps.get(f"pgbackrest.{key}"), steps.get(f"lifeboat.{key}")
    pw, lw = (f(p[0]) if p else None), (f(l[0]) if l else None)
    r = lw / pw if pw and lw is not None else None
    v = verdict(r, 1.0)
    verdicts.append(v)
    rows = "-"
    if key.startswith("restore"):
        rows = f"{values.get(f'pgbackrest.{key}.rows', 'n/a')}, {values.get(f'lifeboat.{key}.rows', 'n/a')}"
    out.append(f"| {label} | {plabel} | {llabel} | {'ERR' if pw is None else f'{pw:.1f}'} | "
               f"{'ERR' if lw is None else f'{lw:.1f}'} | {'n/a' if r is None else f'{r:.2f}'} | <= 1.00 | {v} | "
               f"{p[1] if p else '-'}, {l[1] if l else '-'} | {rows} |")
pr, lr = mib(values.get("repo.pgbackrest")), mib(values.get("repo.lifeboat"))
rr = lr / pr if pr and lr is not None else None
v = verdict(rr, 1.0)
verdicts.append(v)
out.append(f"| repository size after both backups and the WAL (du -sb, MiB) | {'?' if pr is None else f'{pr:.1f}'} "
           f"(backup {mib(values.get('repo.pgbackrest.backup')):.1f}, archive {mib(values.get('repo.pgbackrest.archive')):.1f}) | "
           f"{'?' if lr is None else f'{lr:.1f}'} | | | {'n/a' if rr is None else f'{rr:.2f}'} | <= 1.00 | {v} | - | - |")
p50, p99 = f(values.get("rpo.p50")), f(values.get("rpo.p99"))
v = verdict(p99, 1.0)
verdicts.append(v)
out += ["", "| recovery point under pgbench -T 60 -c 2 (`lifeboat wal stream`) | value |", "|---|---:|",
        f"| samples (every 200 ms) | {values.get('rpo.samples')} (+{values.get('rpo.uncovered')} never covered) |",
        f"| pgbench tps | {values.get('pgbench60.tps', '?')} |",
        f"| p50 age of the newest stored WAL, s | {values.get('rpo.p50')} |",
        f"| p99 age of the newest stored WAL, s (target < 1) | {values.get('rpo.p99')} ({v}) |",
        f"| max, s | {values.get('rpo.max')} |",
        f"| load average before, after | {values.get('rpo.load_before')}, {values.get('rpo.load_after')} |"]
out += ["", f"Targets: {sum(x == 'PASS' for x in verdicts)} of {len(verdicts)} PASS."]
print("\n".join(out))
PY
}

check_prerequisites
mkdir -p "$BENCH_DIR"
chmod 755 "$BENCH_DIR"
rm -rf "$logs" "$BENCH_DIR"/restore-*
mkdir -p "$logs"
: > "$results"
setup_lifeboat
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
setup_cluster
setup_pgbackrest
start_streamer
sql "CHECKPOINT" >/dev/null
resident_start "$lifeboat" "$PWD"
phase_backups
phase_restores
phase_rpo
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

if [ "$can_drop_caches" = 1 ]; then cache_note="checkpoint and page cache dropped before each timed step"; else cache_note="checkpoint before each timed step; page cache not dropped (no permission)"; fi
report "lifeboat: $("$lifeboat" --version 2>/dev/null | head -n 1), \`lifeboat wal stream\` running from before the first backup to the end" \
  "pgbench scale $BENCH_SCALE, loaded in $(awk -F'\t' '$2 == "load.seconds" {print $3}' "$results") s before archiving was switched on; server: wal_level=replica, archive_mode=on, max_wal_senders=10, max_wal_size=8GB, checkpoint_timeout=30min, track_commit_timestamp=on" \
  "date: $started, $(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, $cache_note" \
  "load average (1, 5, 15 min): $load_start at start, $load_end at end; the machine may be shared, so compare ratios, not seconds" \
  "$(resident_note)" \
  "logs in '$logs'" | tee "$report"
say "results written to '$report'"
exit "$failed"
