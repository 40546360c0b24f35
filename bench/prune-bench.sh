#!/usr/bin/env bash
# Prune benchmark: wall time and peak RSS of `lifeboat prune`, run through the launcher (its JVM options, no
# -Xmx), on a synthetic repository of BENCH_BLOBS blobs (default 10 million) and on a tiny one of the same
# shape; bytes per blob = (peak RSS - tiny repository's peak RSS) / blobs. The repositories hold index objects,
# a real tree and sparse pack files, no blob data (PruneBench in lifeboat-repo's test code), so they are quick
# to make. Usage: bench/prune-bench.sh; variables BENCH_DIR (default /var/tmp/lifeboat-bench-prune),
# BENCH_BLOBS, BENCH_KEEP=1 to keep the repositories for another run, LIFEBOAT_JAR (default the build's jar),
# LIFEBOAT_JVM_OPTS (replaces the launcher's JVM options), BENCH_SMALL_HEAP (default 128m).
# Each prune runs twice: with the launcher's heap limit, which the serial collector fills with garbage before
# it collects (so peak RSS there says more about the limit than about prune), and with LIFEBOAT_HEAP set to
# BENCH_SMALL_HEAP, which shows the memory prune needs.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/var/tmp/lifeboat-bench-prune}
BENCH_BLOBS=${BENCH_BLOBS:-10000000}
BENCH_KEEP=${BENCH_KEEP:-0}
TINY_BLOBS=5000
BENCH_SMALL_HEAP=${BENCH_SMALL_HEAP:-128m}
jar=${LIFEBOAT_JAR:-$root/lifeboat-cli/target/lifeboat.jar}
export LIFEBOAT_PASSWORD="correct horse battery staple" # TestRepositories.PASSWORD

cd "$root"
# shellcheck source=../scripts/find-jdk.sh
. scripts/find-jdk.sh
lifeboat_find_jdk
if [[ ! -f $jar ]]; then
  ./mvnw -q -B -DskipTests package
fi
./mvnw -q -B -pl lifeboat-repo -am test-compile
mkdir -p "$BENCH_DIR"
cp_file=$BENCH_DIR/classpath
./mvnw -q -B -pl lifeboat-repo dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
classpath=$root/lifeboat-repo/target/test-classes:$root/lifeboat-repo/target/classes:$(cat "$cp_file")

generate() { # DIR BLOBS
  if [[ ! -f $1/config ]]; then
    rm -rf "$1"
    "$JAVA_HOME/bin/java" -Xmx4g -cp "$classpath" dev.lifeboat.repo.prune.PruneBench generate "$1" "$2"
  fi
}

results=$BENCH_DIR/prune-results.tsv
: >"$results"
# Runs one prune under /usr/bin/time with heap limit HEAP ("default": the launcher's); appends
# "label heap blobs wall_s peak_kib" to the results.
measure() { # LABEL HEAP BLOBS REPO PRUNE-OPTIONS...
  local label=$1 heap=$2 blobs=$3 repo=$4 log=$BENCH_DIR/$1-$2-$3.log
  shift 4
  (
    [[ $heap == default ]] || export LIFEBOAT_HEAP=$heap
    /usr/bin/time -o "$BENCH_DIR/time" -f '%e %M' \
      bash -c '. scripts/find-jdk.sh && lifeboat_exec_jar "$@"' - "$jar" prune --repo "$repo" --json "$@" >"$log" 2>&1
  ) || { cat "$log"; echo "prune failed ($label, heap $heap, $blobs blobs): see $log" >&2; exit 1; }
  echo "$label $heap $blobs $(cat "$BENCH_DIR/time")" >>"$results"
}

# the first launch after a build records the startup cache: not part of any measurement
bash -c '. scripts/find-jdk.sh && lifeboat_exec_jar "$@"' - "$jar" --version >/dev/null
for heap in default "$BENCH_SMALL_HEAP"; do
  for blobs in $TINY_BLOBS "$BENCH_BLOBS"; do
    repo=$BENCH_DIR/repo-$blobs
    generate "$repo" "$blobs"
    measure dry-run "$heap" "$blobs" "$repo" --dry-run
    rm -rf "$repo.copy"
    cp -a --sparse=always "$repo" "$repo.copy"
    # 100% tolerated: packs in partial use stay (they hold no real blobs to repack), unused ones go
    measure prune "$heap" "$blobs" "$repo.copy" --max-unused 100%
    rm -rf "$repo.copy"
  done
done

echo
echo "prune of $BENCH_BLOBS blobs through the launcher (LIFEBOAT_JVM_OPTS=${LIFEBOAT_JVM_OPTS:-launcher default}):"
echo
echo "| run | heap limit | blobs | wall s | peak RSS MiB | bytes per blob over the $TINY_BLOBS-blob run |"
echo "|---|---|---:|---:|---:|---:|"
awk -v tiny="$TINY_BLOBS" '
  $3 == tiny { base[$1 " " $2] = $5 }
  { rows[NR] = $0 }
  END {
    for (i = 1; i <= NR; i++) {
      split(rows[i], f, " ")
      per = f[3] == tiny ? "-" : sprintf("%.1f", (f[5] - base[f[1] " " f[2]]) * 1024 / f[3])
      printf "| %s | %s | %d | %.1f | %.0f | %s |\n", f[1], f[2], f[3], f[4], f[5] / 1024, per
    }
  }' "$results"
echo
for run in dry-run prune; do
  python3 -c 'import json, sys
t = open(sys.argv[1]).read()
p = json.loads(t[t.index("{"):])["plan"]
print(sys.argv[2] + ": {blobs:,} blobs in {packs:,} packs, {usedBlobs:,} in use; delete {packsToDelete:,} packs, repack "
      "{packsToRepack:,}; phases: index {indexMillis:,} ms, mark {markMillis:,} ms, plan {planMillis:,} ms".format(**p))' \
    "$BENCH_DIR/$run-default-$BENCH_BLOBS.log" "$run"
done
if [[ $BENCH_KEEP != 1 ]]; then
  rm -rf "$BENCH_DIR/repo-$TINY_BLOBS" "$BENCH_DIR/repo-$BENCH_BLOBS"
fi
