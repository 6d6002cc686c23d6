# Sourced by .ci/run and ./hako: make JAVA_HOME point at a JDK 25 or newer.
# Keeps an existing JAVA_HOME or default java when it is new enough; otherwise uses a JDK 25
# installed under /usr/lib/jvm; otherwise stops with a message that says what to install.
hako_java_feature() { # prints the feature version of the java binary given, or 0
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1 | grep -E '^[0-9]+$' || echo 0
}
hako_pick_jdk() {
  local candidate
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(hako_java_feature "$JAVA_HOME/bin/java")" -ge 25 ]; then
    return 0
  fi
  if [ -z "${JAVA_HOME:-}" ] && command -v java >/dev/null && [ "$(hako_java_feature java)" -ge 25 ]; then
    return 0
  fi
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-arm64 /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    if [ -x "$candidate/bin/javac" ] && [ "$(hako_java_feature "$candidate/bin/java")" -ge 25 ]; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "Hako needs JDK 25 or newer and found none (default java: $(java -version 2>&1 | sed -n 1p || echo none))." >&2
  echo "Install one (e.g. a Temurin 25 package) or set JAVA_HOME to its directory." >&2
  return 1
}
hako_pick_jdk
