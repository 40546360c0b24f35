#!/usr/bin/env bash
# Builds the native client of the resident process (lifeboat-client.c) into OUT, beside lifeboat.jar, where the
# launcher looks for it. Without a C compiler it builds nothing and says so: the launcher then talks to the
# resident process through the JVM client (dev.lifeboat.cli.ResidentClient), which starts 0.1 to 0.2 s slower.
# A compiler that fails on the source fails the build.
set -euo pipefail
src=$1
out=$2
cc=${CC:-}
if [ -z "$cc" ]; then
  for c in cc gcc clang; do
    if command -v "$c" >/dev/null; then
      cc=$c
      break
    fi
  done
fi
rm -f "$out"
if [ -z "$cc" ]; then
  echo "lifeboat-client: no C compiler (cc, gcc, clang or \$CC) found; the launcher will use the JVM client" >&2
  echo "HINT: install one, for example 'apt-get install gcc', and rebuild for a client that starts faster" >&2
  exit 0
fi
mkdir -p "$(dirname "$out")"
"$cc" -std=c11 -O2 -Wall -Wextra -o "$out.tmp" "$src"
mv -f "$out.tmp" "$out"
