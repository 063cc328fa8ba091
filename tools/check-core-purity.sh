#!/bin/sh
# src/core is the pure domain (architecture.md): no I/O, database or HTTP
# header may be included there, directly or through a project header it
# includes. Fails with the offending lines.
set -u
root=${1:-.}
banned='stdio\.h|unistd\.h|fcntl\.h|dirent\.h|sys/|sqlite3\.h|libpq-fe\.h|civetweb\.h|microhttpd\.h|jansson\.h|curl/|zip\.h|xlsxwriter|pthread\.h|time\.h|signal\.h|netinet|arpa/|socket'
status=0
seen=""
check() { # file
  case " $seen " in *" $1 "*) return;; esac
  seen="$seen $1"
  bad=$(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($banned)" "$1")
  if [ -n "$bad" ]; then echo "core-purity: $1:"; echo "$bad"; status=1; fi
  # Follow project headers ("..." includes) transitively.
  for inc in $(sed -nE 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]+)".*/\1/p' "$1"); do
    dir=$(dirname "$1")
    for cand in "$dir/$inc" "$root/include/$inc" "$root/src/$inc"; do
      if [ -f "$cand" ]; then check "$cand"; break; fi
    done
  done
}
n=0
for f in $(find "$root/src/core" -name '*.[ch]'); do check "$f"; n=$((n+1)); done
[ $n -gt 0 ] || { echo "core-purity: no files in src/core"; exit 1; }
[ $status -eq 0 ] && echo "core-purity: ok ($n files in src/core, headers followed)"
exit $status
