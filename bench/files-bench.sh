#!/usr/bin/env bash
# Files benchmark: Lifeboat against restic and borg on one deterministic corpus, in one run.
# Usage and variables: bench/README.md. Prints a markdown table and writes it to $BENCH_DIR/files-results.md.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/var/tmp/lifeboat-bench}
BENCH_SIZE_MB=${BENCH_SIZE_MB:-1024}
LIFEBOAT_SKIP=${LIFEBOAT_SKIP:-0}
default_jar=$root/lifeboat-cli/target/lifeboat.jar
LIFEBOAT=${LIFEBOAT:-$default_jar}

# Bump when the generator changes so that cached corpora of the old shape are not reused.
corpus_version=1
corpus=$BENCH_DIR/corpus-${BENCH_SIZE_MB}mb-v$corpus_version
BENCH_FRESH_FS=${BENCH_FRESH_FS:-1}
# Rounds of all tools in turn (borg in the first only): this VM's speed drifts by 20% from minute to minute, so
# the report takes each step's median and the median of each round's own ratio, whose two tools ran minutes apart.
BENCH_ROUNDS=${BENCH_ROUNDS:-1}
round=1
# Each tool's source copy, repository and restore live on a filesystem of their own (see fresh_fs below).
fs=$BENCH_DIR/fs
src=$fs/src
results=$BENCH_DIR/files-results.tsv
report=$BENCH_DIR/files-results.md
logs=$BENCH_DIR/logs

export RESTIC_PASSWORD=lifeboat-bench
export BORG_PASSPHRASE=lifeboat-bench
export LIFEBOAT_PASSWORD=lifeboat-bench
export BORG_DISPLAY_PASSPHRASE=no
export BORG_RELOCATED_REPO_ACCESS_IS_OK=yes

steps=(initial nochange changed restore check)
failed=0
BENCH_RESIDENT=${BENCH_RESIDENT:-1}
# shellcheck source=resident.sh
. "$root/bench/resident.sh"
trap 'resident_stop "${lifeboat_cmd[@]}"; release_fs' EXIT

say() { echo "files-bench: $*" >&2; }
die() {
  say "$1"
  [ -z "${2:-}" ] || echo "HINT: $2" >&2
  exit 1
}

ensure_packages() {
  local missing=()
  command -v python3 >/dev/null || die "python3 not found" "install it, for example 'apt-get install -y python3'"
  command -v restic >/dev/null || missing+=(restic)
  command -v borg >/dev/null || missing+=(borgbackup)
  [ -x /usr/bin/time ] || missing+=(time)
  [ "${#missing[@]}" -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]}" "run 'apt-get install -y ${missing[*]}' as root"
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Writes the pristine corpus once per size; $corpus.done marks a complete one and holds its statistics.
build_corpus() {
  if [ -f "$corpus.done" ]; then
    say "reusing corpus '$corpus'"
    return 0
  fi
  say "generating ${BENCH_SIZE_MB} MiB corpus in '$corpus'"
  rm -rf "$corpus"
  local started=$SECONDS
  python3 - "$corpus" "$BENCH_SIZE_MB" > "$corpus.stats" <<'PY'
import os, random, sys

root, size_mb = sys.argv[1], int(sys.argv[2])
MiB = 1 << 20
rng = random.Random(1_2024_0611)
total = size_mb * MiB
small_total = total * 40 // 100
semi_total = total * 35 // 100
random_total = total - small_total - semi_total
avg_small = (1024 + 40 * 1024) // 2
n_small = max(50, small_total // avg_small)

syllables = "ba co de fi gu ha ji ko lu ma ne po qu ra si tu ve wo xy ze st tr ch sh th ex in on al er".split()
words = sorted({"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(3000)})
types = [w.capitalize() + rng.choice(["", "Service", "Config", "Reader", "Writer", "Map", "Id"]) for w in words[:400]]

def sentence(lo=4, hi=14):
    return " ".join(rng.choices(words, k=rng.randint(lo, hi)))

def name():
    return rng.choice(words) + rng.choice(["", rng.choice(words).capitalize()])

source_templates = [
    "{i}public {T} {f}({T} {a}, {T} {b}) {{",
    "{i}return {a}.{f}({b});",
    "{i}if ({a} == null || {b}.isEmpty()) {{",
    "{i}}}",
    "{i}// {s}",
    "{i}{T} {a} = new {T}({b}, {n});",
    "{i}for (int {a} = 0; {a} < {b}.size(); {a}++) {{",
    "{i}log.debug(\"{s}: {{}}\", {a});",
    "import org.{p}.{q}.{T};",
    "",
    "{i}throw new IllegalStateException(\"{s}\");",
    "{i}private final {T} {a};",
]
indents = ["", "    ", "        ", "            "]
source_lines = [
    rng.choice(source_templates).format(
        i=rng.choice(indents), T=rng.choice(types), f=name(), a=name(), b=name(),
        n=rng.randint(0, 9999), s=sentence(), p=rng.choice(words), q=rng.choice(words))
    for _ in range(20000)
]
levels = ["INFO"] * 6 + ["DEBUG"] * 3 + ["WARN", "ERROR"]
log_messages = [
    f"{rng.choice(levels)} [{rng.choice(words)}-{rng.randint(1, 64)}] {rng.choice(words)}.{rng.choice(types)} - "
    f"{sentence(3, 10)} id={rng.randint(1, 10**9)} took={rng.randint(0, 5000)}ms"
    for _ in range(20000)
]
doc_lines = [sentence(6, 24).capitalize() + "." for _ in range(5000)] + ["", "", "## " + sentence(2, 5)]

def fill(pool, size, avg):
    text = "\n".join(rng.choices(pool, k=size // avg + 1)) + "\n"
    return text[:size]

def log_text(size):
    lines, n, t = [], 0, rng.randint(0, 86400 * 300)
    while n < size:
        t += rng.randint(0, 3)
        d, s = divmod(t, 86400)
        line = (f"2024-{1 + d // 28 % 12:02d}-{1 + d % 28:02d}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"
                f".{rng.randint(0, 999):03d}Z {rng.choice(log_messages)}\n")
        lines.append(line)
        n += len(line)
    return "".join(lines)[:size]

def write(rel, data):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)

small_bytes = 0
for i in range(n_small):
    size = rng.randint(1024, 40 * 1024)
    kind = rng.random()
    sub = f"d{i // 2500:02d}/d{i // 50 % 50:02d}"
    if kind < 0.55:
        rel, text = f"small/src/{sub}/{name().capitalize()}{i}.java", fill(source_lines, size, 40)
    elif kind < 0.85:
        rel, text = f"small/logs/{sub}/app-{i}.log", log_text(size)
    else:
        rel, text = f"small/docs/{sub}/{name()}-{i}.md", fill(doc_lines, size, 80)
    data = text.encode()
    write(rel, data)
    small_bytes += len(data)

customers = [f"{name()}-{rng.randint(100, 999)}" for _ in range(5000)]
regions = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-1"]
statuses = ["paid", "pending", "refunded", "failed", "shipped"]

def table_block(first_id, rows):
    cust = rng.choices(customers, k=rows)
    reg = rng.choices(regions, k=rows)
    st = rng.choices(statuses, weights=[60, 20, 5, 5, 10], k=rows)
    hexes = rng.randbytes(rows * 6).hex()
    out = []
    for j in range(rows):
        cents = rng.randrange(100, 10_000_000)
        d = (first_id + j) // 5000
        out.append(f"{first_id + j},2024-{1 + d // 28 % 12:02d}-{1 + d % 28:02d},{cust[j]},{reg[j]},{st[j]},"
                   f"{cents // 100}.{cents % 100:02d},{hexes[12 * j:12 * j + 12]}\n")
    return "".join(out).encode()

semi_files, semi_bytes = 3, 0
for k in range(semi_files):
    target = semi_total // semi_files
    path = os.path.join(root, f"large/table-{k}.csv")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"id,date,customer,region,status,amount,ref\n")
        written, row = 0, 0
        while written < target:
            block = table_block(row, 8192)[: target - written]
            f.write(block)
            written += len(block)
            row += 8192
    semi_bytes += target

random_files, random_bytes = 2, 0
for k in range(random_files):
    target = random_total // random_files
    with open(os.path.join(root, f"large/blob-{k}.bin"), "wb") as f:
        for off in range(0, target, MiB):
            f.write(rng.randbytes(min(MiB, target - off)))
    random_bytes += target

print(f"small\t{n_small}\t{small_bytes}")
print(f"semi\t{semi_files}\t{semi_bytes}")
print(f"random\t{random_files}\t{random_bytes}")
PY
  mv "$corpus.stats" "$corpus.done"
  say "corpus ready in $((SECONDS - started)) s"
}

# The same change for every tool: 5% of the small files edited (append, overwrite, insert), one table
# file overwritten in its middle and one random file appended to, each by 1% of its size.
change_source() {
  python3 - "$src" <<'PY'
import os, random, sys

root = sys.argv[1]
rng = random.Random(5)
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(root, "small")) for f in fs)
for n, path in enumerate(rng.sample(files, max(1, len(files) * 5 // 100))):
    with open(path, "rb") as f:
        data = f.read()
    patch = "".join(f"changed line {rng.getrandbits(64):016x} {n}\n" for _ in range(rng.randint(5, 40))).encode()
    at = rng.randrange(len(data) + 1)
    if n % 3 == 0:
        data = data + patch
    elif n % 3 == 1:
        data = data[:at] + patch + data[at + len(patch):]
    else:
        data = data[:at] + patch + data[at:]
    with open(path, "wb") as f:
        f.write(data)

table = os.path.join(root, "large/table-0.csv")
size = os.path.getsize(table)
with open(table, "r+b") as f:
    f.seek(size * 2 // 5)
    f.write(b"".join(f"{i},2025-01-01,changed,eu-west-1,paid,{rng.randrange(10**6)}.00,{rng.getrandbits(48):012x}\n".encode()
                     for i in range(size // 100 // 60)))
blob = os.path.join(root, "large/blob-0.bin")
with open(blob, "ab") as f:
    f.write(rng.randbytes(os.path.getsize(blob) // 100))
PY
}

setup_lifeboat() {
  lifeboat_cmd=()
  if [ "$LIFEBOAT_SKIP" = 1 ]; then
    say "skipping lifeboat because LIFEBOAT_SKIP=1"
    return 0
  fi
  if [[ "$LIFEBOAT" == *.jar ]]; then
    # shellcheck source=../scripts/find-jdk.sh
    . "$root/scripts/find-jdk.sh"
    lifeboat_find_jdk
    if [ ! -f "$LIFEBOAT" ] && [ "$LIFEBOAT" = "$default_jar" ]; then
      say "building '$LIFEBOAT'"
      (cd "$root" && ./mvnw -q -B -DskipTests package) >&2 \
        || die "lifeboat build failed" "run './mvnw -B -DskipTests package' to see why, or set LIFEBOAT_SKIP=1"
    fi
    [ -f "$LIFEBOAT" ] || die "lifeboat jar '$LIFEBOAT' not found" "build it or set LIFEBOAT_SKIP=1"
    if [ "$LIFEBOAT" = "$default_jar" ]; then
      # the installed launcher: the same JVM options users get (class-data sharing, GC settings)
      lifeboat_cmd=("$root/scripts/lifeboat")
    else
      lifeboat_cmd=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$LIFEBOAT")
    fi
  else
    [ -x "$LIFEBOAT" ] || die "lifeboat command '$LIFEBOAT' is not executable" "set LIFEBOAT to the jar or a launcher, or LIFEBOAT_SKIP=1"
    lifeboat_cmd=("$LIFEBOAT")
  fi
}

# fresh_fs TOOL: mounts a new, empty ext4 filesystem at $fs for a tool, in an image file through a loop device,
# when BENCH_FRESH_FS=1 (the default) and this runs as root; else $fs is a plain folder, emptied. Every tool
# copies the corpus and restores 20,000 files, and the next tool deletes them: on one shared filesystem each
# tool met the deletions of the tools before it, and creating files where many were deleted in the last
# minutes costs ext4 without a journal (this machine's root) a scan of the deleted inodes in the kernel
# (recently_deleted, 15% of a restore's CPU in perf). restic's restore measured 6.4-6.6 s on a fresh
# filesystem and 6.7-7.4 s after such deletions, so the order of the tools decided part of the result.
fs_mounted=0
fresh_fs() {
  release_fs
  rm -rf "$fs"
  mkdir -p "$fs"
  fs_note="each tool on a shared folder ('$fs'), emptied between tools"
  [ "$BENCH_FRESH_FS" = 1 ] || return 0
  if [ "$(id -u)" != 0 ] || ! command -v mkfs.ext4 >/dev/null || ! command -v losetup >/dev/null; then
    say "BENCH_FRESH_FS=1 needs root, mkfs.ext4 and losetup: running every tool in '$fs' instead"
    return 0
  fi
  local img=$BENCH_DIR/fs.img
  rm -f "$img"
  truncate -s "$((BENCH_SIZE_MB * 4 + 1024))M" "$img"
  # without a journal, like the root filesystem of the machine the targets were set on: fresh is the only change;
  # inode tables written now, not by the kernel's lazy init in the background of the tool's timed steps
  if mkfs.ext4 -q -F -O ^has_journal -E lazy_itable_init=0,nodiscard "$img" && mount -o loop "$img" "$fs"; then
    fs_mounted=1
    # The loop device reads and writes its image file with direct I/O, as a disk does its blocks: buffered, every
    # byte passed through the page cache twice (the image's and the filesystem's) and a kernel worker copied it
    # between them, on the cores the tools run on (an initial backup: lifeboat's resident 14.2 s instead of 10.3 s,
    # restic 23.7 s instead of 21.2 s)
    local dev io="buffered I/O to its image file (direct I/O refused)"
    dev=$(findmnt -n -o SOURCE "$fs" 2>/dev/null || true)
    if [ -n "$dev" ] && losetup --direct-io=on "$dev" 2>/dev/null \
      && [ "$(losetup -n -O DIO "$dev" 2>/dev/null | tr -d ' ')" = 1 ]; then
      io="direct I/O to its image file"
    fi
    fs_note="each tool on a new ext4 filesystem (no journal) of its own: an image file through a loop device ($io), mounted at '$fs'"
  else
    say "cannot mount a fresh filesystem at '$fs': running every tool in that folder instead"
    rm -f "$img"
  fi
}

release_fs() {
  # also the mount of an earlier run that was killed before its exit trap
  if [ "$fs_mounted" = 1 ] || { command -v mountpoint >/dev/null && mountpoint -q "$fs"; }; then
    umount "$fs" || umount -l "$fs"
    rm -f "$BENCH_DIR/fs.img"
    fs_mounted=0
  fi
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

record() {
  printf '%s\t%s\t%s\t%s\t%s\n' "$@" "$round" >> "$results"
}

# run_step TOOL STEP DIR COMMAND...: runs COMMAND in DIR after dropping caches and records wall
# seconds and peak RSS (KiB) of it; output goes to $logs/TOOL-STEP.log.
run_step() {
  local tool=$1 step=$2 dir=$3 timing rc=0 secs rss
  shift 3
  drop_caches
  timing=$(mktemp)
  say "$tool: $step"
  (cd "$dir" && /usr/bin/time -f '%e %M' -o "$timing" "$@") > "$logs/$tool-$step.log" 2>&1 || rc=$?
  read -r secs rss < <(tail -n 1 "$timing") || true
  rm -f "$timing"
  if [ "$tool" = resident ] && [ "$rc" = 0 ]; then
    local cpu hwm
    read -r cpu hwm < <(resident_usage)
    [ "$hwm" -le "${rss:-0}" ] || rss=$hwm
  fi
  if [ "$rc" != 0 ]; then
    say "$tool: $step failed with exit status $rc; last lines of '$logs/$tool-$step.log':"
    tail -n 15 "$logs/$tool-$step.log" | sed 's/^/    /' >&2
    record "$tool" "$step" ERR ERR
    failed=1
    return 1
  fi
  record "$tool" "$step" "$secs" "$rss"
}

# Each tool adapter sets the array "cmd" for an action: init, backup N, restore, check.
restic_cmd() {
  case $1 in
    init) cmd=(restic -r "$repo" init) ;;
    backup) cmd=(restic -r "$repo" backup "$src") ;;
    restore) cmd=(restic -r "$repo" restore latest --target "$target") ;;
    check) cmd=(restic -r "$repo" check --read-data) ;;
  esac
}

borg_encryption=repokey-blake2
borg_cmd() {
  case $1 in
    init) cmd=(borg init -e "$borg_encryption" "$repo") ;;
    backup) cmd=(borg create --compression zstd,3 "$repo::backup-$2" "$src") ;;
    restore) cmd=(borg extract "$repo::backup-3") ;;
    check) cmd=(borg check --verify-data "$repo") ;;
  esac
}

lifeboat_cmd_for() {
  case $1 in
    init) cmd=("${lifeboat_cmd[@]}" init --repo "$repo") ;;
    backup) cmd=("${lifeboat_cmd[@]}" backup --repo "$repo" --type files "$src") ;;
    restore) cmd=("${lifeboat_cmd[@]}" restore --repo "$repo" latest --target "$target") ;;
    check) cmd=("${lifeboat_cmd[@]}" check --repo "$repo" --read-data) ;;
  esac
}

adapter() {
  case $1 in
    restic) restic_cmd "${@:2}" ;;
    borg) borg_cmd "${@:2}" ;;
    lifeboat | resident) lifeboat_cmd_for "${@:2}" ;;
  esac
}

bench_tool() {
  local tool=$1 cmd=()
  say "== $tool"
  fresh_fs
  repo=$fs/repos/$tool
  target=$fs/restore/$tool
  local state=$fs/state/$tool
  mkdir -p "$fs/repos" "$target" "$state"
  cp -a "$corpus" "$src"
  # Caches and tool state start empty for each tool, away from the user's own.
  export XDG_CACHE_HOME=$state/cache RESTIC_CACHE_DIR=$state/cache/restic BORG_BASE_DIR=$state/borg
  # "resident" is lifeboat with a resident process (bench/resident.sh) that serves every step; its peak RSS
  # counts with each step's. Lifeboat needs no working directory, so its restore runs where the others do.
  local home=$BENCH_DIR restore_dir=$target
  [ "$tool" = lifeboat ] || [ "$tool" = resident ] && restore_dir=$home

  adapter "$tool" init
  if ! "${cmd[@]}" > "$logs/$tool-init.log" 2>&1; then
    say "$tool: init failed; last lines of '$logs/$tool-init.log':"
    tail -n 15 "$logs/$tool-init.log" | sed 's/^/    /' >&2
    record "$tool" initial ERR ERR
    failed=1
    return 0
  fi
  [ "$tool" != resident ] || resident_start "${lifeboat_cmd[@]}" "$home"
  adapter "$tool" backup 1
  run_step "$tool" initial "$home" "${cmd[@]}" || return 0
  adapter "$tool" backup 2
  run_step "$tool" nochange "$home" "${cmd[@]}" || return 0
  change_source
  adapter "$tool" backup 3
  run_step "$tool" changed "$home" "${cmd[@]}" || return 0
  record "$tool" size "$(du -sb "$repo" | cut -f1)" -
  adapter "$tool" restore
  run_step "$tool" restore "$restore_dir" "${cmd[@]}" || return 0
  # Every tool restores to TARGET/<absolute source path>; borg extracts relative to its working directory.
  if diff -rq "$src" "$target$src" > "$logs/$tool-verify.log" 2>&1; then
    record "$tool" verified yes -
  else
    say "$tool: restored tree differs from the source; see '$logs/$tool-verify.log'"
    record "$tool" verified no -
    failed=1
  fi
  rm -rf "$target"
  adapter "$tool" check
  run_step "$tool" check "$home" "${cmd[@]}" || return 0
  [ "$tool" != resident ] || resident_stop "${lifeboat_cmd[@]}"
}

version_of() {
  "$@" 2>/dev/null | head -n 1 || true
}

report() {
  python3 - "$results" "$corpus.done" "${#lifeboat_cmd[@]}" "$@" <<'PY'
import sys
from statistics import median

results_path, stats_path, lifeboat_args, *meta = sys.argv[1:]

data = {}  # (tool, key) -> {round: (value, rss)}
for line in open(results_path):
    tool, key, value, rss, rnd = line.rstrip("\n").split("\t")
    data.setdefault((tool, key), {})[int(rnd)] = (value, rss)
tools = ["restic", "borg", "lifeboat", "resident"]
skipped = lifeboat_args == "0"

def as_num(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return value

def round_num(tool, key, col, rnd):
    return as_num(data.get((tool, key), {}).get(rnd, (None, None))[col])

def num(tool, key, col):
    """The median over the rounds that ran the step; a failure (ERR) in any of them wins."""
    values = [as_num(v[col]) for v in data.get((tool, key), {}).values()]
    if not values:
        return None
    failed = [v for v in values if not isinstance(v, float)]
    return failed[0] if failed else median(values)

def cell(v, fmt):
    if v is None:
        return "skipped" if skipped else "-"
    return fmt.format(v) if isinstance(v, float) else v

def ratio(a, b):
    return a / b if isinstance(a, float) and isinstance(b, float) and b > 0 else None

def row(label, values, fmt):
    ratios = (ratio(values[2], values[0]), ratio(values[3], values[0]), ratio(values[2], values[1]))
    cells = [cell(v, fmt) for v in values] + [f"{r:.2f}" if r is not None else "n/a" for r in ratios]
    return f"| {label} | " + " | ".join(cells) + " |"

names = {"initial": "initial backup", "nochange": "no-change backup", "changed": "backup after 5% change",
         "restore": "full restore", "check": "read-verify check"}
out = ["# Lifeboat files benchmark", ""]
out += [f"- {m}" for m in meta]
groups = {g: (int(n), int(b)) for g, n, b in (l.split("\t") for l in open(stats_path))}
out.append("- corpus: " + ", ".join(f"{n} {g} files ({b / 2**20:.0f} MiB)" for g, (n, b) in
                                    (("small text", groups["small"]), ("semi-compressible", groups["semi"]),
                                     ("incompressible", groups["random"]))))
out += ["", "| step | restic | borg | lifeboat | lifeboat (resident) | lifeboat/restic | resident/restic | lifeboat/borg |",
        "|---|---:|---:|---:|---:|---:|---:|---:|"]
for step in ["initial", "nochange", "changed", "restore", "check"]:
    out.append(row(names[step] + ": wall s", [num(t, step, 0) for t in tools], "{:.2f}"))
    out.append(row(names[step] + ": peak RSS MiB",
                   [v / 1024 if isinstance(v, float) else v for v in (num(t, step, 1) for t in tools)], "{:.0f}"))
sizes = [num(t, "size", 0) for t in tools]
out.append(row("repository size MiB (after step 3)", [v / 2**20 if isinstance(v, float) else v for v in sizes], "{:.1f}"))
def verified(tool):
    answers = {v[0] for v in data.get((tool, "verified"), {}).values()}
    return None if not answers else "yes" if answers == {"yes"} else "no"

out.append(row("restore matches source", [verified(t) for t in tools], "{}"))

def round_peak(tool, rnd):
    vals = [round_num(tool, s, 1, rnd) for s in names]
    vals = [v for v in vals if isinstance(v, float)]
    return max(vals) if len(vals) == len(names) else None

def peak(tool):
    peaks = [round_peak(tool, r) for r in data.get((tool, "initial"), {})]
    return median(peaks) if peaks and None not in peaks else None

rounds = sorted({r for per in data.values() for r in per})

def paired(tool, key):
    """Each round's ratio of the tool to restic in that round, in round order."""
    def value(t, r):
        return round_peak(t, r) if key == "peak" else round_num(t, key, 0, r)
    return [ratio(value(tool, r), value("restic", r)) for r in rounds]

targets = []
for tool, size in (("lifeboat", sizes[2]), ("resident", sizes[3])):
    if tool == "resident" and (tool, "initial") not in data:
        continue
    label = "" if tool == "lifeboat" else " (resident)"
    targets += [(f"{name} time{label}", num(tool, step, 0), num("restic", step, 0), limit, paired(tool, step))
                for name, step, limit in (("initial backup", "initial", 0.5), ("no-change backup", "nochange", 0.5),
                                          ("full restore", "restore", 0.7))]
    targets += [
        ("repository size" + label, size, sizes[0], 1.0, paired(tool, "size")),
        ("peak RSS over all steps" + label, peak(tool), peak("restic"), 1.5, paired(tool, "peak")),
    ]
several = len(rounds) > 1
if several:
    out += ["", f"Each time and size is the median of {len(rounds)} rounds (borg ran in the first only). A target's "
            "ratio is the median of the rounds' own ratios, listed in brackets round by round: within a round the "
            "two tools ran minutes apart, across rounds up to half an hour."]
out += ["", "| target (lifeboat vs restic) | limit | measured | result |", "|---|---:|---:|---|"]
for label, mine, theirs, limit, per_round in targets:
    r = ratio(mine, theirs)
    if several and r is not None and None not in per_round:
        r = median(per_round)
    if skipped:
        result = "SKIPPED"
    elif not isinstance(theirs, float):
        result = "n/a (restic failed)"
    elif r is None:
        result = "FAIL (lifeboat failed)"
    else:
        result = "PASS" if r <= limit else "FAIL"
    measured = "n/a" if r is None else f"{r:.2f}x"
    if several and r is not None:
        measured += " (" + ", ".join("-" if x is None else f"{x:.2f}" for x in per_round) + ")"
    out.append(f"| {label} | <= {limit:.1f}x | {measured} | {result} |")
print("\n".join(out))
PY
}

[[ "$BENCH_SIZE_MB" =~ ^[0-9]+$ ]] && [ "$BENCH_SIZE_MB" -ge 16 ] \
  || die "BENCH_SIZE_MB must be a whole number of MiB, at least 16 (got '$BENCH_SIZE_MB')"
[[ "$BENCH_ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive whole number (got '$BENCH_ROUNDS')"
mkdir -p "$BENCH_DIR"
ensure_packages
setup_lifeboat
borg init --help 2>/dev/null | grep -q repokey-blake2 || borg_encryption=repokey
build_corpus
rm -rf "$logs" "$BENCH_DIR/repos" "$BENCH_DIR/restore" "$BENCH_DIR/state" "$BENCH_DIR/src"
mkdir -p "$logs"
: > "$results"

tools=(restic borg)
[ "${#lifeboat_cmd[@]}" -eq 0 ] || tools+=(lifeboat)
# the resident process needs the launcher (LIFEBOAT set to the build's jar, or to a launcher script)
if [ "${#lifeboat_cmd[@]}" -gt 0 ] && [ "$BENCH_RESIDENT" = 1 ] && [[ "${lifeboat_cmd[0]}" != */java ]]; then
  tools+=(resident)
fi
for round in $(seq 1 "$BENCH_ROUNDS"); do
  [ "$BENCH_ROUNDS" = 1 ] || say "== round $round of $BENCH_ROUNDS"
  for tool in "${tools[@]}"; do
    [ "$tool" != borg ] || [ "$round" = 1 ] || continue
    bench_tool "$tool"
  done
done
# a resident step that failed left its process running, with files open on the tool's filesystem
resident_stop "${lifeboat_cmd[@]}"
release_fs
rm -rf "$fs"

lifeboat_version="skipped (LIFEBOAT_SKIP=1)"
[ "${#lifeboat_cmd[@]}" -eq 0 ] || lifeboat_version="lifeboat $(version_of "${lifeboat_cmd[@]}" --version)"
if [ "$can_drop_caches" = 1 ]; then cache_note="page cache dropped before each step"; else cache_note="page cache not dropped (no permission)"; fi
report "lifeboat: $lifeboat_version" \
  "date: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, $cache_note" \
  "restic: $(version_of restic version)" \
  "borg: $(version_of borg --version), encryption $borg_encryption, compression zstd,3" \
  "size: BENCH_SIZE_MB=$BENCH_SIZE_MB, rounds: BENCH_ROUNDS=$BENCH_ROUNDS, logs in '$logs' (the last round's)" \
  "filesystem: $fs_note" \
  "lifeboat (resident): $(resident_note "; a step's peak RSS is the larger of the client's and the resident process's high-water mark so far")" | tee "$report"
say "results written to '$report'"
exit "$failed"
