# Sourced by db-bench.sh and pitr-bench.sh: Lifeboat with a resident process when BENCH_RESIDENT=1 (see
# bench/README.md). Without it, LIFEBOAT_RESIDENT=off keeps any resident process of the user's out of the run.
BENCH_RESIDENT=${BENCH_RESIDENT:-0}
resident_pid=""
resident_dir=""
resident_start_seconds=""
export LIFEBOAT_RESIDENT=off

# resident_start LIFEBOAT DIR: starts a resident process for the commands the benchmark runs in DIR, after
# emptying the page cache as before a timed step; its wall time, with its warm-up on synthetic data (see
# 'lifeboat resident --help'), goes to resident_start_seconds. The first command it serves is timed as usual.
resident_start() {
  [ "$BENCH_RESIDENT" = 1 ] || return 0
  resident_dir=$2
  export LIFEBOAT_RUNTIME_DIR=$BENCH_DIR/resident LIFEBOAT_RESIDENT=on
  mkdir -p -m 700 "$LIFEBOAT_RUNTIME_DIR"
  sync
  echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  local t0
  t0=$(date +%s.%N)
  resident_pid=$(cd "$2" && "$1" resident start --json | sed -n 's/.*"pid" : \([0-9]*\).*/\1/p')
  [ -n "$resident_pid" ] || die "lifeboat resident start failed" "see the log in '$LIFEBOAT_RUNTIME_DIR'"
  resident_start_seconds=$(python3 -c "print(round($(date +%s.%N) - $t0, 2))")
}

# The report's line about how Lifeboat ran, and through which client the launcher beside the build's jar reaches
# the resident process (scripts/find-jdk.sh: the native one when the build compiled it).
resident_note() {
  if [ "$BENCH_RESIDENT" = 1 ]; then
    local client="the JVM client (no native lifeboat-client beside the build's jar)"
    [ -x "$root/lifeboat-cli/target/lifeboat-client" ] && client="the native client (lifeboat-client)"
    echo "lifeboat ran with a resident process (BENCH_RESIDENT=1): \`lifeboat resident start\` took ${resident_start_seconds:-?} s before the first timed step (in no step), with its warm-up on synthetic data; each command reached it through $client${1:-}"
  else
    echo "lifeboat ran a fresh JVM per command"
  fi
}

# resident_stop LIFEBOAT: stops it, and prints its status line first (commands served and declined).
resident_stop() {
  [ -n "$resident_pid" ] || return 0
  (cd "$resident_dir" && "$1" resident status && "$1" resident stop) >&2 || true
  resident_pid=""
}

# resident_usage: "CPU-seconds peak-RSS-KiB" of the resident process, the CPU with that of the children it
# waited for (pg_dump, pg_restore, ...); "0 0" when none runs.
resident_usage() {
  if [ -z "$resident_pid" ] || [ ! -r "/proc/$resident_pid/stat" ]; then
    echo "0 0"
    return 0
  fi
  local ticks hwm
  ticks=$(sed 's/.*) //' "/proc/$resident_pid/stat" | awk '{print $12 + $13 + $14 + $15}')
  hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$resident_pid/status")
  echo "$(python3 -c "print(round($ticks / $(getconf CLK_TCK), 2))") $hwm"
}
