# Sourced by the project's scripts: sets JAVA_HOME to a JDK of version 21 or newer.
# Order: JAVA_HOME when it is new enough, else the newest JDK under /usr/lib/jvm.

lifeboat_java_major() {
  local version
  version=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  echo "${version%%.*}"
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
