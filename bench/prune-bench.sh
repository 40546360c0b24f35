#!/usr/bin/env bash
# Prune benchmark: time and peak memory of prune's mark and plan phases (a dry run) on a synthetic repository
# of BENCH_BLOBS blobs (default 10 million) in packs of 1000, with one snapshot naming every fifth blob. The
# repository holds index objects, a real tree and sparse pack files, no blob data, so it is quick to make.
# Usage: bench/prune-bench.sh; variables BENCH_DIR (default /var/tmp/lifeboat-bench-prune), BENCH_BLOBS,
# BENCH_HEAP (default 4g), BENCH_KEEP=1 to keep the repository for another run.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/var/tmp/lifeboat-bench-prune}
BENCH_BLOBS=${BENCH_BLOBS:-10000000}
BENCH_HEAP=${BENCH_HEAP:-4g}
BENCH_KEEP=${BENCH_KEEP:-0}
repo=$BENCH_DIR/repo-$BENCH_BLOBS
java=${JAVA_HOME:+$JAVA_HOME/bin/}java

cd "$root"
./mvnw -q -B -pl lifeboat-repo -am test-compile
cp_file=$BENCH_DIR/classpath
mkdir -p "$BENCH_DIR"
./mvnw -q -B -pl lifeboat-repo dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
classpath=$root/lifeboat-repo/target/test-classes:$root/lifeboat-repo/target/classes:$(cat "$cp_file")

if [[ ! -f $repo/config ]]; then
  "$java" -Xmx"$BENCH_HEAP" -cp "$classpath" dev.lifeboat.repo.prune.PruneBench generate "$repo" "$BENCH_BLOBS"
fi
echo "prune --dry-run (mark + plan) on $BENCH_BLOBS blobs:"
/usr/bin/time -f "process peak RSS: %M KiB, wall %e s, cpu %U s user %S s system" \
  "$java" -Xmx"$BENCH_HEAP" -cp "$classpath" dev.lifeboat.repo.prune.PruneBench plan "$repo"
if [[ $BENCH_KEEP != 1 ]]; then
  rm -rf "$repo"
fi
