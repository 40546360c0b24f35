#!/usr/bin/env bash
# Builds the native client of the resident process (lifeboat-client.c) into OUT, beside lifeboat.jar, where the
# launcher looks for it. Without a C compiler that can build a Linux Unix-socket client (cc, gcc or clang on PATH,
# or $CC, which may carry options), it builds nothing and says so: the launcher then talks to the resident process
# through the JVM client (dev.lifeboat.cli.ResidentClient), which starts 0.1 to 0.2 s slower. A compiler that
# builds the probe but fails on the client's source fails the build.
set -euo pipefail
src=$1
out=$2
cc=()
if [ -n "${CC:-}" ]; then
  read -ra cc <<< "$CC"
else
  for c in cc gcc clang; do
    if command -v "$c" >/dev/null; then
      cc=("$c")
      break
    fi
  done
fi
rm -f "$out" "$out.tmp"
skip() {
  echo "lifeboat-client: $1; the launcher will use the JVM client" >&2
  echo "HINT: install a C compiler and the C library's headers, for example 'apt-get install gcc libc6-dev', and rebuild for a client that starts faster" >&2
  exit 0
}
[ "${#cc[@]}" -gt 0 ] || skip "no C compiler (cc, gcc, clang or \$CC) found"
mkdir -p "$(dirname "$out")"
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
cat > "$probe/probe.c" <<'C'
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/un.h>
int main(void) {
    struct ucred peer;
    socklen_t len = sizeof peer;
    return getsockopt(0, SOL_SOCKET, SO_PEERCRED, &peer, &len);
}
C
"${cc[@]}" -std=c11 -o "$probe/probe" "$probe/probe.c" 2>"$probe/err" \
  || skip "'${cc[*]}' cannot build a Linux Unix-socket client here ($(head -n 1 "$probe/err"))"
if ! "${cc[@]}" -std=c11 -O2 -Wall -Wextra -o "$out.tmp" "$src"; then
  rm -f "$out.tmp"
  echo "lifeboat-client: '${cc[*]}' failed on $src" >&2
  exit 1
fi
mv -f "$out.tmp" "$out"
