#!/usr/bin/env bash
# Database benchmark: Lifeboat against pg_dump -Fc and pg_restore -j 2 on one pgbench database, in one run,
# plus the repository growth after 1% of rows are inserted and after 1% are updated.
# Usage and variables: bench/README.md. Prints a markdown table and writes it to $BENCH_DIR/db-results.md.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/var/tmp/lifeboat-bench-db}
BENCH_SCALE=${BENCH_SCALE:-100}
BENCH_RUNS=${BENCH_RUNS:-1}
BENCH_KEEP=${BENCH_KEEP:-0}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
default_jar=$root/lifeboat-cli/target/lifeboat.jar
LIFEBOAT=${LIFEBOAT:-$default_jar}

pgdata=$BENCH_DIR/pgdata
sock=$BENCH_DIR/socket
logs=$BENCH_DIR/logs
repo=$BENCH_DIR/repo
dump_fc=$BENCH_DIR/dump.fc
dump_dir=$BENCH_DIR/dump.dir
results=$BENCH_DIR/db-results.tsv
report=$BENCH_DIR/db-results.md
tables=(pgbench_accounts pgbench_branches pgbench_tellers pgbench_history)

# Only the settings given here reach the tools: no configuration file, repository or server of the user's.
unset LIFEBOAT_CONFIG LIFEBOAT_REPO LIFEBOAT_PASSWORD_FILE BACKUP_ENCRYPTION_KEY DATABASE_URL \
  PGDATABASE PGPASSWORD PGPASSFILE PGSERVICE PGSSLMODE POSTGRES_HOST POSTGRES_USER POSTGRES_PASSWORD POSTGRES_DB
export LIFEBOAT_PASSWORD=lifeboat-bench
# pg_dump/pg_restore of the benchmark's server version for everyone, ahead of Debian's pg_wrapper
export PATH=$PG_BIN:$PATH

failed=0
cluster_started=0
# shellcheck source=resident.sh
. "$root/bench/resident.sh"

say() { echo "db-bench: $*" >&2; }
die() {
  say "$1"
  [ -z "${2:-}" ] || echo "HINT: $2" >&2
  exit 1
}

pg_ctl_as_postgres() {
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pgdata" "$@"
}

# Stops only the cluster this run started; removes the large files unless BENCH_KEEP=1.
cleanup() {
  local rc=$?
  resident_stop "${lifeboat_cmd[@]}"
  if [ "$cluster_started" = 1 ]; then
    say "stopping the benchmark cluster"
    pg_ctl_as_postgres stop -m fast -w -t 120 >/dev/null 2>&1 || say "could not stop the cluster in '$pgdata'"
    cluster_started=0
  fi
  if [ "$BENCH_KEEP" != 1 ]; then
    rm -rf "$pgdata" "$dump_fc" "$dump_dir" "$BENCH_DIR"/repo-run*
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

check_prerequisites() {
  [ "$(id -u)" = 0 ] || die "db-bench.sh runs as root (it creates a cluster owned by the postgres user)" "run it with sudo"
  id postgres >/dev/null 2>&1 || die "no 'postgres' user" "install PostgreSQL 15: 'apt-get install -y postgresql-15'"
  local tool
  for tool in initdb pg_ctl pgbench pg_dump pg_restore psql createdb dropdb; do
    [ -x "$PG_BIN/$tool" ] || die "'$PG_BIN/$tool' not found" "install 'postgresql-15' and 'postgresql-client-15', or set PG_BIN"
  done
  command -v python3 >/dev/null || die "python3 not found" "install it, for example 'apt-get install -y python3'"
  if [ ! -x /usr/bin/time ]; then
    say "installing time"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
  fi
  [[ "$BENCH_SCALE" =~ ^[0-9]+$ ]] && [ "$BENCH_SCALE" -ge 1 ] || die "BENCH_SCALE must be a whole number, at least 1 (got '$BENCH_SCALE')"
  [[ "$BENCH_RUNS" =~ ^[0-9]+$ ]] && [ "$BENCH_RUNS" -ge 1 ] || die "BENCH_RUNS must be a whole number, at least 1 (got '$BENCH_RUNS')"
}

# The launcher and the jar are copied into $BENCH_DIR/bin first, so that a rebuild in the work tree
# during the run cannot change or break the program under test.
setup_lifeboat() {
  lifeboat_cmd=()
  if [ "$LIFEBOAT" = "$default_jar" ]; then
    if [ ! -f "$LIFEBOAT" ]; then
      # shellcheck source=../scripts/find-jdk.sh
      . "$root/scripts/find-jdk.sh"
      lifeboat_find_jdk
      say "building '$LIFEBOAT'"
      (cd "$root" && ./mvnw -q -B -DskipTests package) >&2 \
        || die "lifeboat build failed" "run './mvnw -B -DskipTests package' to see why"
    fi
    local bin=$BENCH_DIR/bin
    mkdir -p "$bin"
    cp "$root/scripts/lifeboat" "$root/scripts/find-jdk.sh" "$bin/"
    if ! cmp -s "$LIFEBOAT" "$bin/lifeboat.jar"; then
      cp "$LIFEBOAT" "$bin/lifeboat.jar.tmp"
      mv "$bin/lifeboat.jar.tmp" "$bin/lifeboat.jar"
      rm -f "$bin"/lifeboat.jar*.jsa "$bin"/lifeboat.jar*.aot
    fi
    lifeboat_cmd=("$bin/lifeboat")
  elif [[ "$LIFEBOAT" == *.jar ]]; then
    [ -f "$LIFEBOAT" ] || die "lifeboat jar '$LIFEBOAT' not found"
    # shellcheck source=../scripts/find-jdk.sh
    . "$root/scripts/find-jdk.sh"
    lifeboat_find_jdk
    lifeboat_cmd=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$LIFEBOAT")
  else
    [ -x "$LIFEBOAT" ] || die "lifeboat command '$LIFEBOAT' is not executable" "set LIFEBOAT to the jar or a launcher"
    lifeboat_cmd=("$LIFEBOAT")
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_cluster() {
  if [ -f "$pgdata/postmaster.pid" ] && pg_ctl_as_postgres status >/dev/null 2>&1; then
    die "a cluster left by an earlier run is still running in '$pgdata'" \
      "stop it with 'runuser -u postgres -- $PG_BIN/pg_ctl -D $pgdata stop -m fast', then run again"
  fi
  rm -rf "$pgdata" "$sock"
  mkdir -p "$pgdata" "$sock"
  chown postgres:postgres "$pgdata" "$sock"
  chmod 700 "$pgdata"
  say "initdb in '$pgdata'"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C \
    > "$logs/initdb.log" 2>&1 || { tail -n 20 "$logs/initdb.log" >&2; die "initdb failed"; }
  port=$(free_port)
  touch "$logs/postgres.log"
  chown postgres:postgres "$logs/postgres.log"
  say "starting PostgreSQL on 127.0.0.1:$port"
  cluster_started=1
  pg_ctl_as_postgres start -w -t 120 -l "$logs/postgres.log" \
    -o "-p $port -k $sock -c listen_addresses=127.0.0.1 -c max_wal_size=4GB -c checkpoint_timeout=30min" \
    > "$logs/pg_ctl.log" 2>&1 || { tail -n 20 "$logs/postgres.log" >&2; die "the benchmark cluster did not start"; }
  export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
  db_url_base="postgres://postgres@127.0.0.1:$port"
}

sql() {
  local db=$1
  shift
  "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "$*"
}

dropdb_quietly() {
  PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/dropdb" --if-exists "$1"
}

counts_of() {
  local db=$1 t out=()
  for t in "${tables[@]}"; do
    out+=("$t=$(sql "$db" "SELECT count(*) FROM $t")")
  done
  echo "${out[*]}"
}

can_drop_caches=0
if (sync && echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null; then
  can_drop_caches=1
fi

# Before every timed step, for every tool: a checkpoint (so that no tool pays for the previous one's
# writes) and an empty page cache.
settle() {
  sql postgres "CHECKPOINT" >/dev/null
  if [ "$can_drop_caches" = 1 ]; then
    sync
    echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  fi
}

record() {
  local IFS=$'\t'
  echo "$*" >> "$results"
}

# run_step KEY COMMAND...: times COMMAND after settle() and records wall seconds, peak RSS (KiB),
# user+system CPU seconds and the 1-minute load average before it. Standard output goes to
# $logs/KEY.out, standard error to $logs/KEY.log.
run_step() {
  local key=$1 timing rc=0 secs rss user sys load cpu0 cpu1 hwm
  shift
  settle
  timing=$(mktemp)
  load=$(cut -d' ' -f1 /proc/loadavg)
  say "$key (load average $load)"
  read -r cpu0 hwm < <(resident_usage)
  (cd "$BENCH_DIR" && /usr/bin/time -f '%e %M %U %S' -o "$timing" "$@") > "$logs/$key.out" 2> "$logs/$key.log" || rc=$?
  read -r secs rss user sys < <(tail -n 1 "$timing") || true
  rm -f "$timing"
  if [ -n "$resident_pid" ] && [[ "$key" == lifeboat* ]]; then
    # the work happened in the resident process: its CPU (with its children's) and peak RSS count too
    read -r cpu1 hwm < <(resident_usage)
    user=$(python3 -c "print(round(${user:-0} + $cpu1 - $cpu0, 2))")
    [ "$hwm" -le "${rss:-0}" ] || rss=$hwm
  fi
  if [ "$rc" != 0 ]; then
    say "$key failed with exit status $rc: $*"
    say "last lines of '$logs/$key.log':"
    tail -n 15 "$logs/$key.log" | sed 's/^/    /' >&2
    record step "$key" ERR ERR ERR "$load"
    failed=1
    return 1
  fi
  record step "$key" "$secs" "$rss" "$(python3 -c "print(round($user + $sys, 2))")" "$load"
}

json_field() {
  python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    d = d[k]
print(d)' "$1" "$2"
}

du_bytes() {
  du -sb "$1" | cut -f1
}

lifeboat() {
  "${lifeboat_cmd[@]}" "$@"
}

# lifeboat_backup KEY REPO: a timed database backup; records the snapshot's bytes and storedBytes.
lifeboat_backup() {
  local key=$1 r=$2
  run_step "$key" "${lifeboat_cmd[@]}" backup --repo "$r" --type database --db-url "$db_url_base/bench" --json || return 1
  record value "$key.bytes" "$(json_field "$logs/$key.out" summary.bytes)"
  record value "$key.stored" "$(json_field "$logs/$key.out" summary.storedBytes)"
  record value "$key.du" "$(du_bytes "$r")"
}

# check_restore KEY DB: compares the row counts of the pgbench tables in DB with the source's, then drops DB.
check_restore() {
  local key=$1 db=$2 got
  got=$(counts_of "$db" 2>>"$logs/$key.log" || echo "unreadable")
  if [ "$got" = "$source_counts" ]; then
    record value "$key.rows" yes
  else
    say "$key: row counts differ: source '$source_counts', restored '$got'"
    record value "$key.rows" "no ($got)"
    failed=1
  fi
  dropdb_quietly "$db"
}

init_repo() {
  local r=$1
  rm -rf "$r"
  (cd "$BENCH_DIR" && lifeboat init --repo "$r") > "$logs/init-$(basename "$r").log" 2>&1 \
    || { tail -n 15 "$logs/init-$(basename "$r").log" >&2; die "lifeboat init --repo '$r' failed"; }
}

phase_load() {
  say "loading pgbench at scale $BENCH_SCALE"
  "$PG_BIN/createdb" bench
  local started=$SECONDS
  "$PG_BIN/pgbench" -i -s "$BENCH_SCALE" bench > "$logs/pgbench-init.log" 2>&1 \
    || { tail -n 15 "$logs/pgbench-init.log" >&2; die "pgbench -i failed"; }
  record value load.seconds $((SECONDS - started))
  record value db.size "$(sql bench "SELECT pg_database_size('bench')")"
  record value accounts.rows "$(sql bench "SELECT count(*) FROM pgbench_accounts")"
  source_counts=$(counts_of bench)
}

phase_backup() {
  local run r
  for run in $(seq 1 "$BENCH_RUNS"); do
    r=$repo
    [ "$run" = 1 ] || r=$BENCH_DIR/repo-run$run
    init_repo "$r"
    [ "$run" != 1 ] || record value repo.du0 "$(du_bytes "$r")"
    rm -f "$dump_fc"
    run_step "pg_dump.$run" "$PG_BIN/pg_dump" -Fc -f "$dump_fc" bench && record value "pg_dump.$run.size" "$(stat -c %s "$dump_fc")"
    if ! lifeboat_backup "lifeboat_backup.$run" "$r" && [ "$run" = 1 ]; then
      return 1
    fi
    [ "$run" = 1 ] || rm -rf "$r"
  done
}

phase_restore() {
  local run jobs
  say "pg_dump -Fd (not timed)"
  rm -rf "$dump_dir"
  "$PG_BIN/pg_dump" -Fd -j 2 -f "$dump_dir" bench > "$logs/pg_dump-Fd.log" 2>&1 \
    || { tail -n 15 "$logs/pg_dump-Fd.log" >&2; die "pg_dump -Fd failed"; }
  record value pg_dump_dir.size "$(du_bytes "$dump_dir")"
  for run in $(seq 1 "$BENCH_RUNS"); do
    dropdb_quietly peerdb
    "$PG_BIN/createdb" peerdb
    if run_step "pg_restore.$run" "$PG_BIN/pg_restore" -j 2 -d peerdb "$dump_dir"; then
      check_restore "pg_restore.$run" peerdb
    fi
    for jobs in 2 1; do
      dropdb_quietly "lbdb$jobs"
      if run_step "lifeboat_restore_j$jobs.$run" "${lifeboat_cmd[@]}" restore --repo "$repo" latest --type database \
        --db-url "$db_url_base/bench" --to-database "lbdb$jobs" --jobs "$jobs"; then
        check_restore "lifeboat_restore_j$jobs.$run" "lbdb$jobs"
      fi
    done
  done
}

phase_dedup() {
  local rows n
  rows=$(sql bench "SELECT count(*) FROM pgbench_accounts")
  n=$((rows / 100))
  say "inserting $n new rows into pgbench_accounts (1%)"
  sql bench "INSERT INTO pgbench_accounts (aid, bid, abalance, filler)
             SELECT g, 1 + g % $BENCH_SCALE, 0, '' FROM generate_series($rows + 1, $rows + $n) g" >/dev/null
  record value insert.rows "$n"
  lifeboat_backup lifeboat_backup.insert "$repo" || return 1
  say "updating about 1% of pgbench_accounts at random, then VACUUM"
  local updated
  updated=$("$PG_BIN/psql" -X -At -v ON_ERROR_STOP=1 -d bench \
    -c "SELECT setseed(0.5)" -c "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE random() < 0.01" \
    | sed -n 's/^UPDATE //p')
  sql bench "VACUUM pgbench_accounts" >/dev/null
  record value update.rows "${updated:-?}"
  lifeboat_backup lifeboat_backup.update "$repo" || return 1
  run_step lifeboat_check "${lifeboat_cmd[@]}" check --repo "$repo" --read-data || true
}

version_of() {
  "$@" 2>/dev/null | head -n 1 || true
}

report() {
  python3 - "$results" "$BENCH_RUNS" "$@" <<'PY'
import sys

results_path, runs, *meta = sys.argv[1:]
runs = int(runs)
steps, values = {}, {}
for line in open(results_path):
    kind, key, *rest = line.rstrip("\n").split("\t")
    if kind == "step":
        steps[key] = rest
    else:
        values[key] = rest[0]

def f(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None

def best(name):
    """Best of the runs: the lowest wall time; its peak RSS (KiB), CPU seconds and load average."""
    rows = [steps.get(f"{name}.{r}") for r in range(1, runs + 1)] if name not in steps else [steps[name]]
    ok = [r for r in rows if r and f(r[0]) is not None]
    if not ok:
        return None
    return min(ok, key=lambda r: f(r[0]))

def cell(v, fmt):
    return "ERR" if v is None else fmt.format(v)

def ratio(a, b):
    return a / b if a is not None and b is not None and b > 0 else None

def rcell(r):
    return "n/a" if r is None else f"{r:.2f}"

def mib(x):
    x = f(x)
    return None if x is None else x / 2**20

out = ["# Lifeboat database benchmark", ""]
out += [f"- {m}" for m in meta]
out.append(f"- database: {mib(values.get('db.size')):.0f} MiB, pgbench_accounts {values.get('accounts.rows')} rows; "
           f"pg_dump -Fc file {cell(mib(values.get('pg_dump.1.size')), '{:.0f}')} MiB, "
           f"pg_dump -Fd directory {cell(mib(values.get('pg_dump_dir.size')), '{:.0f}')} MiB, "
           f"lifeboat's uncompressed dump {cell(mib(values.get('lifeboat_backup.1.bytes')), '{:.0f}')} MiB")
if runs > 1:
    out.append(f"- each timed step ran {runs} times; the table shows the run with the lowest wall time")

out += ["", "| step | peer | lifeboat | peer wall s | lifeboat wall s | lifeboat/peer | peer RSS MiB | lifeboat RSS MiB "
        "| peer CPU s | lifeboat CPU s | load avg before (peer, lifeboat) | rows match |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|"]
pairs = [
    ("backup", "pg_dump -Fc", "pg_dump", "backup --type database", "lifeboat_backup"),
    ("restore", "pg_restore -j 2 (directory dump)", "pg_restore", "restore --jobs 2", "lifeboat_restore_j2"),
    ("restore", "pg_restore -j 2 (directory dump)", "pg_restore", "restore --jobs 1 (streamed)", "lifeboat_restore_j1"),
]
ratios = {}
for label, peer_label, peer, mine_label, mine in pairs:
    p, m = best(peer), best(mine)
    pw, mw = (f(p[0]) if p else None), (f(m[0]) if m else None)
    r = ratio(mw, pw)
    ratios[mine] = r
    def rows_of(name):
        v = [values.get(f"{name}.{i}.rows") for i in range(1, runs + 1)]
        v = [x for x in v if x is not None]
        return "n/a" if not v else ("yes" if all(x == "yes" for x in v) else "NO")
    rows = "-" if label == "backup" else f"{rows_of(peer)}, {rows_of(mine)}"
    out.append(f"| {label} | {peer_label} | {mine_label} | {cell(pw, '{:.1f}')} | {cell(mw, '{:.1f}')} | {rcell(r)} | "
               f"{cell(f(p[1]) / 1024 if p else None, '{:.0f}')} | {cell(f(m[1]) / 1024 if m else None, '{:.0f}')} | "
               f"{cell(f(p[2]) if p else None, '{:.1f}')} | {cell(f(m[2]) if m else None, '{:.1f}')} | "
               f"{p[3] if p else '-'}, {m[3] if m else '-'} | {rows} |")

du0 = f(values.get("repo.du0"))
first_stored = f(values.get("lifeboat_backup.1.stored"))
first_du = f(values.get("lifeboat_backup.1.du"))
first_growth = first_du - du0 if first_du is not None and du0 is not None else None
out += ["", "| lifeboat backup into the same repository | changed rows | wall s | storedBytes MiB "
        "| storedBytes % of first | repository growth (du) MiB | growth % of first |",
        "|---|---:|---:|---:|---:|---:|---:|"]
growth = {}
prev_du = du0
for key, label, changed in [("lifeboat_backup.1", "first backup", "-"),
                            ("lifeboat_backup.insert", "after inserting 1% new rows", values.get("insert.rows", "-")),
                            ("lifeboat_backup.update", "after updating 1% of rows at random, VACUUM", values.get("update.rows", "-"))]:
    s = steps.get(key)
    stored, du = f(values.get(f"{key}.stored")), f(values.get(f"{key}.du"))
    grew = du - prev_du if du is not None and prev_du is not None else None
    sp = 100 * stored / first_stored if stored is not None and first_stored else None
    gp = 100 * grew / first_growth if grew is not None and first_growth else None
    growth[key] = (sp, gp)
    out.append(f"| {label} | {changed} | {cell(f(s[0]) if s else None, '{:.1f}')} | {cell(mib(stored), '{:.1f}')} | "
               f"{cell(sp, '{:.1f}%')} | {cell(mib(grew), '{:.1f}')} | {cell(gp, '{:.1f}%')} |")
    prev_du = du if du is not None else prev_du
c = steps.get("lifeboat_check")
if c:
    out.append("")
    out.append(f"`lifeboat check --read-data` of the repository after the three backups: "
               f"{'failed' if f(c[0]) is None else f'{f(c[0]):.1f} s, peak RSS {f(c[1]) / 1024:.0f} MiB'}")

def verdict(value, limit):
    if value is None:
        return "FAIL (lifeboat or peer failed)"
    return "PASS" if value <= limit else "FAIL"

ins_sp, ins_gp = growth.get("lifeboat_backup.insert", (None, None))
upd_sp, upd_gp = growth.get("lifeboat_backup.update", (None, None))
worst_ins = max(ins_sp, ins_gp) if ins_sp is not None and ins_gp is not None else None
out += ["", "| target | limit | measured | result |", "|---|---:|---:|---|"]
out.append(f"| backup wall time, lifeboat / pg_dump -Fc | <= 1.00 | {rcell(ratios['lifeboat_backup'])} | "
           f"{verdict(ratios['lifeboat_backup'], 1.0)} |")
out.append(f"| restore wall time, lifeboat --jobs 2 / pg_restore -j 2 | <= 1.00 | {rcell(ratios['lifeboat_restore_j2'])} | "
           f"{verdict(ratios['lifeboat_restore_j2'], 1.0)} |")
out.append(f"| restore wall time, lifeboat --jobs 1 / pg_restore -j 2 | <= 1.00 | {rcell(ratios['lifeboat_restore_j1'])} | "
           f"{verdict(ratios['lifeboat_restore_j1'], 1.0)} |")
out.append(f"| growth after inserting 1% rows, % of first backup (larger of storedBytes and du) | <= 5.0% | "
           f"{cell(worst_ins, '{:.1f}%')} | {verdict(worst_ins, 5.0)} |")
out.append(f"| growth after updating 1% rows at random (storedBytes, du) | report only | "
           f"{cell(upd_sp, '{:.1f}%')}, {cell(upd_gp, '{:.1f}%')} | info |")
print("\n".join(out))
PY
}

check_prerequisites
mkdir -p "$BENCH_DIR"
chmod 755 "$BENCH_DIR"
rm -rf "$logs" "$repo" "$BENCH_DIR"/repo-run* "$dump_fc" "$dump_dir"
mkdir -p "$logs"
: > "$results"
setup_lifeboat
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
start_cluster
phase_load
resident_start "${lifeboat_cmd[@]}" "$BENCH_DIR"
if phase_backup; then
  phase_restore
  phase_dedup || true
else
  say "the first lifeboat backup failed; skipping the restore and deduplication phases"
fi
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

if [ "$can_drop_caches" = 1 ]; then cache_note="checkpoint and page cache dropped before each timed step"; else cache_note="checkpoint before each timed step; page cache not dropped (no permission)"; fi
report "lifeboat: $(version_of lifeboat --version)" \
  "PostgreSQL: $(version_of "$PG_BIN/postgres" --version), pgbench scale $BENCH_SCALE, loaded in $(awk -F'\t' '$2 == "load.seconds" {print $3}' "$results") s; server settings: max_wal_size=4GB, checkpoint_timeout=30min, others default" \
  "date: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, $cache_note" \
  "load average (1, 5, 15 min): $load_start at start, $load_end at end; the machine may be shared, so compare ratios, not seconds" \
  "timing: /usr/bin/time wall and peak RSS of the client process and its children (the launcher's JVM and its pg_dump/pg_restore for lifeboat); server-side work is not in RSS or CPU" \
  "$(resident_note "; its CPU (with its children's) counts in each lifeboat step, and its peak RSS so far")" \
  "logs in '$logs'" | tee "$report"
say "results written to '$report'"
exit "$failed"
