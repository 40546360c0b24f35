# Sourced by the project's scripts: sets JAVA_HOME to a JDK of version 21 or newer, and runs lifeboat.jar.
# Order: JAVA_HOME when it is new enough, else the newest JDK under /usr/lib/jvm.

# The JDK's major version, from its release file (starting a JVM to ask costs 0.1-0.5 s per JDK on every
# command); only a JDK without one is asked. "1.8.0_402" is 8, "25.0.3" is 25, "26-ea" is 26.
lifeboat_java_major() {
  local version=""
  if [ -r "$1/release" ]; then
    version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$1/release")
  fi
  if [ -z "$version" ]; then
    version=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  fi
  version=${version#1.}
  echo "${version%%[!0-9]*}"
}

lifeboat_find_jdk() {
  local candidate best="" best_major=0 major
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    major=$(lifeboat_java_major "$JAVA_HOME")
    if [ "${major:-0}" -ge 21 ]; then
      return 0
    fi
  fi
  for candidate in /usr/lib/jvm/*/; do
    candidate=${candidate%/}
    [ -x "$candidate/bin/javac" ] || continue
    major=$(lifeboat_java_major "$candidate")
    if [ "${major:-0}" -gt "$best_major" ]; then
      best=$candidate
      best_major=$major
    fi
  done
  if [ "$best_major" -ge 21 ]; then
    export JAVA_HOME="$best"
    return 0
  fi
  echo "lifeboat: no JDK 21 or newer found (JAVA_HOME=${JAVA_HOME:-unset}, searched /usr/lib/jvm)" >&2
  echo "HINT: install one, for example 'apt-get install openjdk-21-jdk-headless' or Temurin 25, or set JAVA_HOME to it" >&2
  return 1
}

# A -Xmx value (bytes, or a number with k, m, g or t) in MiB; 0 when it is not one.
lifeboat_heap_mib() {
  local v=$1 n
  n=${v%[kKmMgGtT]}
  if ! [[ $n =~ ^[0-9]+$ ]]; then
    echo 0
    return 0
  fi
  n=$((10#$n))
  case $v in
    *[kK]) echo $((n / 1024)) ;;
    *[mM]) echo "$n" ;;
    *[gG]) echo $((n * 1024)) ;;
    *[tT]) echo $((n * 1024 * 1024)) ;;
    *) echo $((n / 1048576)) ;;
  esac
}

# Runs a lifeboat.jar with the JVM options every launcher uses (override them with LIFEBOAT_JVM_OPTS).
# - The serial collector with a small initial heap keeps the heap close to the live set, now that backups
#   reuse their chunk buffers and spool packs to disk (1 GiB backup, peak RSS: serial 212 MiB, G1 with
#   GCTimeRatio=4 303 MiB, ZGC with SoftMaxHeapSize=64m 599 MiB; same wall time within noise). It grows
#   the heap rather than collect when large arrays are promoted, so the heap has a limit, LIFEBOAT_HEAP
#   (default 256m; check --read-data of 1 GiB: 740 MiB peak RSS and twice the CPU without a limit,
#   358 MiB with it). A command that runs out says so and names LIFEBOAT_HEAP.
# - A fixed young generation of 24 MiB with survivor spaces of 4.8 MiB: with the default one (a third of a
#   heap that starts at 32 MiB) the nodes, paths and futures a backup keeps in flight for a few seconds
#   overflowed the survivor spaces into the old generation, which grew by their garbage instead of being
#   collected (1 GiB initial backup then no-change backup in a resident process, three runs each: peak
#   RSS 208-216 MiB -> 184-193 MiB, same times within noise). Left out for a heap under 64 MiB, and over
#   512 MiB (LIFEBOAT_HEAP raised for a large prune or check), where the JVM sizes its young generation.
# - A fixed malloc mmap threshold returns large native buffers to the system when they are freed; glibc's
#   dynamic threshold kept up to two arenas' worth of them (about 30 MiB less peak RSS in a check).
# - Small cached NIO buffers keep large reads and writes from pinning direct memory per thread.
# - AES-GCM and SHA-256 run as CPU intrinsics only once their JDK callers are compiled by C2, which by
#   default takes about 5000 calls: with one call per 1 MiB chunk a whole backup ran them in slow Java
#   code (measured: 1 GiB backup 22.3 s -> 15.2 s, check --read-data 10.9 s -> 6.7 s). Lower compile
#   thresholds for those two JDK packages only.
# - Reflection through native accessors: since JDK 18 every reflective call site (Jackson's record
#   constructors, picocli's option fields) otherwise spins method-handle classes in each fresh JVM
#   (`snapshots`: 1.19 -> 1.07 s wall, 2.04 -> 1.79 s CPU, averages of 5).
lifeboat_exec_jar() {
  local jar=$1
  shift
  local tuning="-XX:CompileCommand=quiet"
  tuning+=" -XX:CompileCommand=CompileThresholdScaling,com.sun.crypto.provider.*::*,0.01"
  tuning+=" -XX:CompileCommand=CompileThresholdScaling,sun.security.provider.*::*,0.01"
  tuning+=" -Djdk.reflect.useNativeAccessorOnly=true"
  local young="-Xmn24m -XX:SurvivorRatio=3" heap_mib
  heap_mib=$(lifeboat_heap_mib "${LIFEBOAT_HEAP:-256m}")
  [ "$heap_mib" -ge 64 ] && [ "$heap_mib" -le 512 ] || young=""
  local opts="${LIFEBOAT_JVM_OPTS:--Xms32m -Xmx${LIFEBOAT_HEAP:-256m} $young -XX:+UseSerialGC -Djdk.nio.maxCachedBufferSize=1048576}"
  export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
  export MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-131072}
  lifeboat_try_resident "$jar" "$@"
  # shellcheck disable=SC2086 # option lists are split on purpose
  set -- $tuning $opts --enable-native-access=ALL-UNNAMED -Xlog:cds=off -Xlog:cds+dynamic=off -Xlog:aot=off \
    $(lifeboat_startup_cache "$jar" "$(lifeboat_cache_kind "$@")" $tuning -Xms32m -Xmx256m -XX:+UseSerialGC) \
    -jar "$jar" "$@"
  exec "$JAVA_HOME/bin/java" "$@"
}

# Hands the command to the resident process of this directory when one listens (`lifeboat resident start`),
# and exits with its status; returns when there is none or it declined the command, which then runs in a
# fresh JVM. The client is the native lifeboat-client beside the jar when the build compiled one (it starts in
# milliseconds), else a small class that starts in about 0.1 s (0.2 s with an empty page cache);
# LIFEBOAT_RESIDENT=off bypasses both. The socket's name must match Resident.socket in the jar.
lifeboat_try_resident() {
  local jar=$1 dir=${LIFEBOAT_RUNTIME_DIR:-} status=0
  shift
  if [ "${1:-}" = resident ]; then
    lifeboat_process_context
    return 0
  fi
  [ "${LIFEBOAT_RESIDENT:-on}" != off ] && [ $# -gt 0 ] || return 0
  if [ -z "$dir" ]; then
    if [ -n "${XDG_RUNTIME_DIR:-}" ]; then dir=$XDG_RUNTIME_DIR/lifeboat; else dir=/tmp/lifeboat-$(id -u); fi
  fi
  [ -d "$dir" ] && command -v sha256sum >/dev/null || return 0
  local sock
  sock="$dir/resident-$(printf %s "$(pwd -P)" | sha256sum | cut -c1-16).sock"
  [ -S "$sock" ] || return 0
  lifeboat_process_context
  local client
  client="$(dirname "$jar")/lifeboat-client"
  # 253 without a native client, or from it: non-ASCII bytes in a locale that is not UTF-8
  status=253
  [ ! -x "$client" ] || { status=0; "$client" "$sock" "$@" || status=$?; }
  # the JVM client in those cases, and when the native one cannot run here (126, 127: another libc or
  # architecture, a noexec mount)
  case $status in
    126 | 127)
      echo "lifeboat: cannot run the resident process's native client '$client' here; using the JVM client" >&2
      echo "HINT: rebuild Lifeboat on this machine ('./mvnw package -DskipTests'), or delete that file" >&2
      ;;&
    126 | 127 | 253)
      status=0
      "$JAVA_HOME/bin/java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx64m -Xlog:cds=off -Xlog:aot=off \
        -cp "$jar" dev.lifeboat.cli.ResidentClient "$sock" "$@" || status=$?
      ;;
  esac
  [ "$status" = 254 ] || exit "$status"
}

# What a resident process must share with its clients besides the environment, put in the environment it
# compares (LIFEBOAT_PROCESS): the umask and the groups. Set for `lifeboat resident` (the process inherits it)
# and for a command handed to one, so other commands spare the fork.
lifeboat_process_context() {
  LIFEBOAT_PROCESS="umask $(umask), groups $(id -G 2>/dev/null || echo unknown)"
  export LIFEBOAT_PROCESS
}

# Which startup cache a command wants: "s3" when it names an s3:// location (an argument, LIFEBOAT_REPO,
# BACKUP_S3_BUCKET, or the configuration file it reads: --config, LIFEBOAT_CONFIG, ./lifeboat.yml,
# /etc/lifeboat/lifeboat.yml), else "local". The S3 cache holds the S3 client's classes as well, which
# saves an S3 command about 2 s of CPU but costs every process about 20 MiB, so local commands do without.
# A wrong guess only costs start-up time.
lifeboat_cache_kind() {
  local arg config="" next=0 file
  for arg in "$@"; do
    [ "$next" = 1 ] && config=$arg && next=0
    case $arg in
      *s3://*) echo s3 && return ;;
      --config) next=1 ;;
      --config=*) config=${arg#--config=} ;;
    esac
  done
  case ${LIFEBOAT_REPO:-} in s3://*) echo s3 && return ;; esac
  [ -n "${BACKUP_S3_BUCKET:-}" ] && echo s3 && return
  for file in "$config" "${LIFEBOAT_CONFIG:-}" lifeboat.yml /etc/lifeboat/lifeboat.yml; do
    if [ -n "$file" ] && [ -f "$file" ]; then
      grep -qs 's3://' "$file" && echo s3 && return
      break
    fi
  done
  echo local
}

# Prints the option that loads the startup cache of a kind (local or s3, see lifeboat_cache_kind) beside the
# jar, recording it first when it is missing or older than the jar: `lifeboat train` runs the common commands in one process while the JVM records the
# classes they load, so later commands neither load nor link them from the jar (a no-change backup of
# 20,000 files: about 1 s less CPU). JDK 25 records an AOT cache, older JDKs a dynamic CDS archive. Where
# the jar's folder is not writable, nothing is recorded and nothing is loaded.
lifeboat_startup_cache() {
  local jar=$1 kind=$2 base=$1 train=train
  shift 2
  if [ "$kind" = s3 ]; then
    base="$jar.s3"
    train="train --s3"
  fi
  local aot="$base.aot" jsa="$base.jsa" failed="$base.train-failed" tmp
  if [ ! -f "$aot" ] && [ ! -f "$jsa" ] || [ -f "$aot" ] && [ "$jar" -nt "$aot" ] || [ -f "$jsa" ] && [ "$jar" -nt "$jsa" ]; then
    rm -f "$aot" "$jsa" 2>/dev/null || true
    # a training run that failed is not retried until the jar changes: every command would pay for it
    if [ -w "$(dirname "$jar")" ] && { [ ! -f "$failed" ] || [ "$jar" -nt "$failed" ]; }; then
      tmp="$base.tmp.$$"
      if [ "$(lifeboat_java_major "$JAVA_HOME")" -ge 25 ]; then
        "$JAVA_HOME/bin/java" "$@" --enable-native-access=ALL-UNNAMED -Xlog:cds=off -Xlog:aot=off \
          -XX:AOTCacheOutput="$tmp" -jar "$jar" $train >/dev/null 2>&1 && mv -f "$tmp" "$aot"
      else
        "$JAVA_HOME/bin/java" "$@" --enable-native-access=ALL-UNNAMED -Xlog:cds=off -Xlog:cds+dynamic=off \
          -XX:ArchiveClassesAtExit="$tmp" -jar "$jar" $train >/dev/null 2>&1 && mv -f "$tmp" "$jsa"
      fi
      [ -f "$aot" ] || [ -f "$jsa" ] || touch "$failed" 2>/dev/null || true
      rm -f "$tmp" "$tmp".* 2>/dev/null || true
    fi
  fi
  if [ -f "$aot" ]; then
    echo "-XX:AOTCache=$aot"
  elif [ -f "$jsa" ]; then
    echo "-XX:SharedArchiveFile=$jsa"
  fi
}
