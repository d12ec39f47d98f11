# Sourced (POSIX sh) by ./mvnw and by Cairn's launchers: exports JAVA_HOME pointing at a JDK whose
# feature version is at least CAIRN_MIN_JAVA (default 21). JAVA_HOME wins when it is suitable;
# otherwise the newest suitable JDK under /usr/lib/jvm is taken. Fails with a message saying what
# is needed when none is found. A launcher that only runs Java (the package's bin/cairn) sets
# cairn_runtime_only=1 before sourcing: then a JRE (no javac, as in a container image) will do.

cairn_min_java="${CAIRN_MIN_JAVA:-21}"

# Prints the feature version (21, 25, ...) of the JDK at $1, or nothing if it is not a JDK (a JRE
# counts with cairn_runtime_only=1).
cairn_jdk_feature() {
  [ -x "$1/bin/java" ] || return 0
  [ "${cairn_runtime_only-}" = 1 ] || [ -x "$1/bin/javac" ] || return 0
  if [ -f "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release"
  else
    "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1
  fi
}

cairn_pick_jdk() {
  if [ -n "${JAVA_HOME-}" ]; then
    v=$(cairn_jdk_feature "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge "$cairn_min_java" ]; then return 0; fi
  fi
  best=""; best_v=0
  case $- in *f*) cairn_noglob=1; set +f ;; *) cairn_noglob=0 ;; esac
  for d in /usr/lib/jvm/*; do
    [ -d "$d" ] || continue
    [ -L "$d" ] && continue
    v=$(cairn_jdk_feature "$d")
    if [ -n "$v" ] && [ "$v" -ge "$cairn_min_java" ] && [ "$v" -gt "$best_v" ]; then best="$d"; best_v="$v"; fi
  done
  [ "$cairn_noglob" = 1 ] && set -f
  if [ -z "$best" ]; then
    if [ "${cairn_runtime_only-}" = 1 ]; then cairn_what="Java runtime >= $cairn_min_java"; else cairn_what="JDK >= $cairn_min_java (java and javac)"; fi
    echo "Cairn needs a $cairn_what. JAVA_HOME='${JAVA_HOME-}' is not one and none was found under /usr/lib/jvm." >&2
    echo "Install one (for example: apt-get install openjdk-21-jdk) or point JAVA_HOME at it." >&2
    return 1
  fi
  JAVA_HOME="$best"
  export JAVA_HOME
}

cairn_pick_jdk || exit 1
