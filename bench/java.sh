#!/usr/bin/env bash
# Prints the path of a Java 21+ for the load generator (JAVA_HOME's, the one on the PATH, or the newest under
# /usr/lib/jvm); the gateway's launcher finds its own.
for candidate in ${JAVA_HOME:+$JAVA_HOME/bin/java} $(command -v java || true) $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -r); do
  major=$("$candidate" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
  if [ -n "$major" ] && [ "${major%%.*}" -ge 21 ] 2>/dev/null; then echo "$candidate"; exit 0; fi
done
echo "bench: needs a Java 21+ for the load generator" >&2
exit 1
