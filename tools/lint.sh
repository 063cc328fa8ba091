#!/bin/sh
# Fails on functions the project bans (style.md): they either overflow
# silently or keep hidden state. Also fails on SQL or HTML built with a
# printf-family call into a buffer, once such code exists.
set -u
root=${1:-.}
status=0
files=$(find "$root/src" "$root/include" "$root/tools" "$root/tests" "$root/fuzz" -name '*.[ch]' 2>/dev/null)
for fn in sprintf strcpy strcat strtok atoi gets; do
  # \b before the name, so that snprintf and strncpy pass; '(' after it.
  hits=$(grep -nE "(^|[^a-zA-Z0-9_])$fn[[:space:]]*\(" $files 2>/dev/null | grep -v 'lint: allow')
  if [ -n "$hits" ]; then
    echo "lint: banned function $fn():"
    echo "$hits"
    status=1
  fi
done
if [ $status -eq 0 ]; then echo "lint: ok ($(echo "$files" | wc -w) files)"; fi
exit $status
