#!/usr/bin/env bash
# S3 benchmark: Lifeboat backup and restore of the files corpus into an S3 server (S3Proxy, objects in files)
# against the same into a local repository, in one run. Usage and variables: bench/README.md. Prints a
# markdown table and writes it to $BENCH_DIR/s3-results.md.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/var/tmp/lifeboat-bench}
BENCH_SIZE_MB=${BENCH_SIZE_MB:-300}
BENCH_ROUNDS=${BENCH_ROUNDS:-2}
BENCH_WARMUP=${BENCH_WARMUP:-1}
default_jar=$root/lifeboat-cli/target/lifeboat.jar
LIFEBOAT=${LIFEBOAT:-$default_jar}

# The corpus is files-bench.sh's: same generator, same cache, so both benchmarks back up the same bytes.
files_bench=$root/bench/files-bench.sh
corpus_version=$(sed -n 's/^corpus_version=\([0-9][0-9]*\)$/\1/p' "$files_bench")
corpus=$BENCH_DIR/corpus-${BENCH_SIZE_MB}mb-v$corpus_version
src=$BENCH_DIR/s3-src
results=$BENCH_DIR/s3-results.tsv
report=$BENCH_DIR/s3-results.md
logs=$BENCH_DIR/s3-logs
proxy_dir=$BENCH_DIR/s3proxy
bucket=bench

export LIFEBOAT_PASSWORD=lifeboat-bench
failed=0
proxy_pid=

say() { echo "s3-bench: $*" >&2; }
die() {
  say "$1"
  [ -z "${2:-}" ] || echo "HINT: $2" >&2
  exit 1
}

stop_proxy() {
  if [ -n "$proxy_pid" ]; then
    kill "$proxy_pid" 2>/dev/null || true
    wait "$proxy_pid" 2>/dev/null || true
    proxy_pid=
  fi
}
trap stop_proxy EXIT

build_corpus() {
  if [ -f "$corpus.done" ]; then
    say "reusing corpus '$corpus'"
    return 0
  fi
  local generator=$BENCH_DIR/corpus-generator-v$corpus_version.py
  # the generator is the python program files-bench.sh feeds to python3 in build_corpus
  awk '/^  python3 - "\$corpus" "\$BENCH_SIZE_MB" > / { on = 1; next } on && /^PY$/ { exit } on' \
    "$files_bench" > "$generator"
  grep -q '^print(f"random' "$generator" \
    || die "cannot find the corpus generator in '$files_bench'" "bench/s3-bench.sh must follow changes to its build_corpus"
  say "generating ${BENCH_SIZE_MB} MiB corpus in '$corpus'"
  rm -rf "$corpus"
  python3 "$generator" "$corpus" "$BENCH_SIZE_MB" > "$corpus.stats"
  mv "$corpus.stats" "$corpus.done"
}

# Lifeboat as users run it, and the classpath of the tests' S3ProxyServer for the S3 server.
setup() {
  command -v python3 >/dev/null || die "python3 not found" "install it, for example 'apt-get install -y python3'"
  [ -x /usr/bin/time ] || die "/usr/bin/time not found" "run 'apt-get install -y time'"
  # shellcheck source=../scripts/find-jdk.sh
  . "$root/scripts/find-jdk.sh"
  lifeboat_find_jdk
  if [ ! -f "$default_jar" ] || [ ! -f "$root/lifeboat-repo/target/test-classes/dev/lifeboat/repo/backend/s3/S3ProxyServer.class" ]; then
    say "building lifeboat and its test classes"
    (cd "$root" && ./mvnw -q -B -DskipTests package) >&2 \
      || die "lifeboat build failed" "run './mvnw -B -DskipTests package' to see why"
  fi
  if [ "$LIFEBOAT" = "$default_jar" ]; then
    lifeboat_cmd=("$root/scripts/lifeboat")
  else
    [ -f "$LIFEBOAT" ] || die "lifeboat jar '$LIFEBOAT' not found" "build it or unset LIFEBOAT"
    lifeboat_cmd=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$LIFEBOAT")
  fi
  local deps=$BENCH_DIR/s3proxy.classpath
  if [ ! -s "$deps" ] || [ "$root/lifeboat-repo/pom.xml" -nt "$deps" ]; then
    say "resolving the S3Proxy classpath"
    (cd "$root" && ./mvnw -q -B -pl lifeboat-repo dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile="$deps") >&2 || die "cannot resolve the test classpath of lifeboat-repo"
  fi
  proxy_cp=$root/lifeboat-repo/target/classes:$root/lifeboat-repo/target/test-classes:$(cat "$deps")
}

start_proxy() {
  rm -rf "$proxy_dir"
  mkdir -p "$proxy_dir/data"
  "$JAVA_HOME/bin/java" -cp "$proxy_cp" "$root/bench/s3-proxy.java" "$proxy_dir/data" "$bucket" "$proxy_dir/env" \
    > "$logs/s3proxy.log" 2>&1 &
  proxy_pid=$!
  for _ in $(seq 1 120); do
    [ -f "$proxy_dir/env" ] && break
    kill -0 "$proxy_pid" 2>/dev/null || die "the S3 server exited; see '$logs/s3proxy.log'"
    sleep 0.5
  done
  [ -f "$proxy_dir/env" ] || die "the S3 server did not start within 60 s; see '$logs/s3proxy.log'"
  # shellcheck disable=SC1091
  . "$proxy_dir/env"
  say "S3 server at $LIFEBOAT_S3_ENDPOINT (pid $proxy_pid)"
}

# warm_up: an untimed backup and restore through the S3 server, so that the timed steps meet a server whose
# request paths (HTTP, signatures, digests, files) are compiled, as a real S3 service's are, and not a JVM
# that compiles them during the first steps (1 to 1.5 s of its CPU on these 2 cores).
warm_up() {
  local repo=s3://$bucket/warm-up dir=$BENCH_DIR/s3-restore/warm-up
  say "warming up the S3 server (untimed backup and restore)"
  rm -rf "$dir"
  mkdir -p "$dir"
  if ! { "${lifeboat_cmd[@]}" init --repo "$repo" && "${lifeboat_cmd[@]}" backup --repo "$repo" --type files "$src" \
      && "${lifeboat_cmd[@]}" restore --repo "$repo" latest --target "$dir"; } > "$logs/warm-up.log" 2>&1; then
    die "the warm-up failed; see '$logs/warm-up.log'"
  fi
  rm -rf "$dir"
}

can_drop_caches=0
if (sync && echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null; then
  can_drop_caches=1
fi

drop_caches() {
  if [ "$can_drop_caches" = 1 ]; then
    sync
    echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  fi
}

# CPU seconds (user and system) the S3 server's process has used so far.
proxy_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / hz }' "/proc/$proxy_pid/stat"
}

# run_step TARGET STEP ROUND DIR COMMAND...: runs COMMAND in DIR after dropping caches and records wall
# seconds, peak RSS (KiB), Lifeboat's CPU seconds and the S3 server's CPU seconds meanwhile; output goes to
# $logs/TARGET-STEP-ROUND.log.
run_step() {
  local target=$1 step=$2 round=$3 dir=$4 timing rc=0 secs rss user sys server0 server1
  shift 4
  drop_caches
  timing=$(mktemp)
  say "$target: $step (round $round)"
  server0=$(proxy_cpu)
  (cd "$dir" && /usr/bin/time -f '%e %M %U %S' -o "$timing" "$@") > "$logs/$target-$step-$round.log" 2>&1 || rc=$?
  server1=$(proxy_cpu)
  read -r secs rss user sys < <(tail -n 1 "$timing") || true
  rm -f "$timing"
  if [ "$rc" != 0 ]; then
    say "$target: $step failed with exit status $rc; last lines of '$logs/$target-$step-$round.log':"
    tail -n 15 "$logs/$target-$step-$round.log" | sed 's/^/    /' >&2
    failed=1
    return 1
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$step" "$round" "$secs" "$rss" \
    "$(awk -v a="$user" -v b="$sys" 'BEGIN { print a + b }')" \
    "$(awk -v a="$server0" -v b="$server1" 'BEGIN { print b - a }')" >> "$results"
}

# bench_target TARGET ROUND: init, backup and (but append-only) restore of the corpus in a fresh repository.
bench_target() {
  local target=$1 round=$2 repo restore_dir=$BENCH_DIR/s3-restore/$1 prefix=()
  case $target in
    local) repo=$BENCH_DIR/s3-repos/local; rm -rf "$repo" ;;
    s3) repo=s3://$bucket/round-$round/s3 ;;
    s3-append-only) repo=s3://$bucket/round-$round/append-only; prefix=(env LIFEBOAT_APPEND_ONLY=true) ;;
  esac
  if ! "${prefix[@]}" "${lifeboat_cmd[@]}" init --repo "$repo" > "$logs/$target-init-$round.log" 2>&1; then
    say "$target: init failed; see '$logs/$target-init-$round.log'"
    failed=1
    return 0
  fi
  run_step "$target" backup "$round" "$BENCH_DIR" "${prefix[@]}" "${lifeboat_cmd[@]}" backup --repo "$repo" \
    --type files "$src" || return 0
  [ "$target" != s3-append-only ] || return 0
  rm -rf "$restore_dir"
  mkdir -p "$restore_dir"
  run_step "$target" restore "$round" "$restore_dir" "${lifeboat_cmd[@]}" restore --repo "$repo" latest \
    --target "$restore_dir" || return 0
  if ! diff -rq "$src" "$restore_dir$src" > "$logs/$target-verify-$round.log" 2>&1; then
    say "$target: restored tree differs from the source; see '$logs/$target-verify-$round.log'"
    failed=1
  fi
  rm -rf "$restore_dir"
}

report() {
  python3 - "$results" "$corpus.done" "$@" <<'PY'
import sys

results_path, stats_path, proxy_rss_kib, *meta = sys.argv[1:]
runs = {}
for line in open(results_path):
    target, step, rnd, secs, rss, cpu, server = line.rstrip("\n").split("\t")
    runs.setdefault((target, step), []).append((float(secs), float(rss), float(cpu), float(server)))
corpus_bytes = sum(int(l.split("\t")[2]) for l in open(stats_path))
mib = corpus_bytes / 2**20

def best(target, step):
    """The fastest round (wall s, Lifeboat CPU s, S3 server CPU s), the highest peak RSS of any round in MiB,
    and every round's wall seconds."""
    r = runs.get((target, step))
    if not r:
        return None, None, None, None, []
    fastest = min(r)
    return fastest[0], fastest[2], fastest[3], max(m for _, m, _, _ in r) / 1024, [s for s, _, _, _ in r]

def fmt(v, f):
    return "-" if v is None else f.format(v)

out = ["# Lifeboat S3 benchmark", ""] + [f"- {m}" for m in meta]
out += [f"- corpus: {mib:.0f} MiB (files-bench.sh's generator); wall time and CPU: the fastest round; peak RSS: "
        f"highest of the rounds (the Lifeboat process alone); S3 server CPU: what S3Proxy used during the step",
        f"- S3 server (S3Proxy, same machine, same CPUs) peak RSS: {int(proxy_rss_kib) / 1024:.0f} MiB", "",
        "| step | repository | wall s | MiB/s | peak RSS MiB | Lifeboat CPU s | S3 server CPU s | time vs local "
        "| wall s, each round |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|"]
targets = []
for step, names in (("backup", ["local", "s3", "s3-append-only"]), ("restore", ["local", "s3"])):
    local_secs = best("local", step)[0]
    for name in names:
        secs, cpu, server, rss, rounds = best(name, step)
        ratio = secs / local_secs if secs and local_secs else None
        server_text = "-" if name == "local" else fmt(server, "{:.2f}")
        out.append(f"| {step} | {name} | {fmt(secs, '{:.2f}')} | {fmt(mib / secs if secs else None, '{:.1f}')} | "
                   f"{fmt(rss, '{:.0f}')} | {fmt(cpu, '{:.2f}')} | {server_text} | {fmt(ratio, '{:.2f}x')} | "
                   f"{', '.join(f'{s:.2f}' for s in rounds)} |")
        if name == "s3":
            targets.append((f"{step} time, S3 vs local", ratio))
out += ["", "| target | limit | measured | result |", "|---|---:|---:|---|"]
for label, ratio in targets:
    result = "FAIL (a step failed)" if ratio is None else "PASS" if ratio <= 1.5 else "FAIL"
    out.append(f"| {label} | <= 1.5x | {fmt(ratio, '{:.2f}x')} | {result} |")
print("\n".join(out))
PY
}

[[ "$BENCH_SIZE_MB" =~ ^[0-9]+$ ]] && [ "$BENCH_SIZE_MB" -ge 16 ] \
  || die "BENCH_SIZE_MB must be a whole number of MiB, at least 16 (got '$BENCH_SIZE_MB')"
[[ "$BENCH_WARMUP" =~ ^[01]$ ]] || die "BENCH_WARMUP must be 0 or 1 (got '$BENCH_WARMUP')"
[[ "$BENCH_ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive whole number (got '$BENCH_ROUNDS')"
[ -n "$corpus_version" ] || die "cannot read corpus_version from '$files_bench'"
mkdir -p "$BENCH_DIR"
setup
build_corpus
rm -rf "$logs" "$BENCH_DIR/s3-repos" "$BENCH_DIR/s3-restore" "$src"
mkdir -p "$logs" "$BENCH_DIR/s3-repos"
: > "$results"
cp -a "$corpus" "$src"
start_proxy
[ "$BENCH_WARMUP" = 0 ] || warm_up
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# Alternate the order between rounds so that neither repository always runs first on a warming machine.
for round in $(seq 1 "$BENCH_ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then order=(local s3 s3-append-only); else order=(s3-append-only s3 local); fi
  for target in "${order[@]}"; do
    bench_target "$target" "$round"
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
proxy_rss=$(awk '/^VmHWM:/ {print $2}' "/proc/$proxy_pid/status" 2>/dev/null || echo 0)
stop_proxy
rm -rf "$src" "$BENCH_DIR/s3-repos" "$BENCH_DIR/s3-restore" "$proxy_dir"

if [ "$can_drop_caches" = 1 ]; then cache_note="page cache dropped before each step"; else cache_note="page cache not dropped (no permission)"; fi
report "${proxy_rss:-0}" \
  "lifeboat: $("${lifeboat_cmd[@]}" --version 2>/dev/null | head -n 1)" \
  "date: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, $cache_note" \
  "load average (1, 5, 15 min): $load_before before, $load_after after" \
  "rounds: BENCH_ROUNDS=$BENCH_ROUNDS, warm-up: BENCH_WARMUP=$BENCH_WARMUP, size: BENCH_SIZE_MB=$BENCH_SIZE_MB, logs in '$logs'" | tee "$report"
say "results written to '$report'"
exit "$failed"
