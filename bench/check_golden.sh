#!/usr/bin/env bash
# check_golden.sh - runs gnbv classify and bench/classify_duckdb.js on the inputs of
# every golden case (tests/golden/classify/*.case) and checks that both write the same
# assessments.csv and summary.csv, byte for byte. The members file is also run
# shuffled (records in a fixed random order, header first), as tests/golden/run.py
# does, which sends gnbv down its indexed path.
#
# --explain/--lang are dropped from a case's args (the DuckDB peer has no reason
# column): the case's inputs are still compared on the other columns.
#
# Usage: bench/check_golden.sh [FILTER]     (FILTER: a substring of the case names)
# Exit status 0 when every case agrees, 1 otherwise.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
gnbv=${GNBV:-$root/build/gnbv}
cases=$root/tests/golden/classify
filter=${1:-}
[ -x "$gnbv" ] || { echo "check_golden: $gnbv not found: build gnbv first" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# extract CASE DIR: writes DIR/meta (key=value lines) and DIR/<section> files.
extract() {
	awk -v dir="$2" '
	function flush() {
		if (cur == "") return
		while (n > 0 && buf[n] == "") n--
		for (i = 1; i <= n; i++) printf "%s\n", buf[i] > (dir "/" cur)
		if (n == 0) printf "" > (dir "/" cur)
		close(dir "/" cur)
	}
	/^\[[a-z_]+\.csv\]$/ { flush(); cur = substr($0, 2, length($0) - 2); n = 0; next }
	cur == "" {
		if ($0 ~ /^#/ || $0 ~ /^[ \t]*$/) next
		k = $0; sub(/:.*/, "", k); v = $0; sub(/^[^:]*:[ \t]*/, "", v); sub(/[ \t]+$/, "", v)
		gsub(/[ \t]/, "", k)
		print k "=" v > (dir "/meta")
		next
	}
	{ buf[++n] = $0 }
	END { flush(); close(dir "/meta") }
	' "$1"
}

meta() { sed -n "s/^$1=//p" "$2/meta" 2>/dev/null | head -n1; }

pass=0 fail=0
for case in "$cases"/*.case; do
	name=$(basename "$case" .case)
	[ -n "$filter" ] && [[ "$name" != *"$filter"* ]] && continue
	d=$work/$name
	mkdir -p "$d"
	extract "$case" "$d"
	as_of=$(meta as_of "$d")
	standard=$(meta standard "$d")
	eol=$(meta input_eol "$d")
	extra=()
	read -r -a words <<<"$(meta args "$d")"
	skip_next=0
	for w in "${words[@]}"; do
		if [ $skip_next = 1 ]; then skip_next=0; continue; fi
		case $w in
		--explain) ;;
		--lang) skip_next=1 ;;
		--lang=*) ;;
		*) extra+=("$w") ;;
		esac
	done
	opts=(--as-of "$as_of")
	[ -n "$standard" ] && opts+=(--standard "$standard")
	if [ "$eol" = crlf ]; then
		for f in households.csv members.csv; do sed -i 's/$/\r/' "$d/$f"; done
	fi
	# shuffled members: whole records (quoted newlines kept), fixed seed
	python3 - "$d/members.csv" "$d/members_shuffled.csv" <<'EOF'
import random, sys
data = open(sys.argv[1], newline="").read()
recs, cur, q = [], "", False
for ch in data:
    cur += ch
    if ch == '"':
        q = not q
    elif ch == "\n" and not q:
        recs.append(cur); cur = ""
if cur:
    recs.append(cur if cur.endswith("\n") else cur + "\n")
head, body = recs[:1], recs[1:]
random.Random(20251001).shuffle(body)
open(sys.argv[2], "w", newline="").write("".join(head + body))
EOF
	ok=1
	for variant in members members_shuffled; do
		og=$d/out-gnbv-$variant od=$d/out-duckdb-$variant
		mkdir -p "$og" "$od"
		if ! "$gnbv" classify "$d/households.csv" "$d/$variant.csv" "${opts[@]}" "${extra[@]}" --out "$og" 2>"$d/gnbv.err"; then
			echo "not ok $name ($variant): gnbv failed: $(head -c 300 "$d/gnbv.err")"
			ok=0
			continue
		fi
		if ! node "$here/classify_duckdb.js" "$d/households.csv" "$d/$variant.csv" "${opts[@]}" "${extra[@]}" --threads 1 --out "$od" 2>"$d/duckdb.err"; then
			echo "not ok $name ($variant): duckdb failed: $(head -c 300 "$d/duckdb.err")"
			ok=0
			continue
		fi
		for f in assessments.csv summary.csv; do
			if ! cmp -s "$og/$f" "$od/$f"; then
				echo "not ok $name ($variant): $f differs (< gnbv, > duckdb):"
				diff "$og/$f" "$od/$f" | head -n 12 | sed 's/^/    /'
				ok=0
			fi
		done
	done
	if [ $ok = 1 ]; then
		pass=$((pass + 1))
		echo "ok $name"
	else
		fail=$((fail + 1))
	fi
done
echo "$pass agree, $fail differ"
[ $fail = 0 ]
