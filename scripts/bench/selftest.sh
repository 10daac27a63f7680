#!/usr/bin/env bash
# selftest.sh — checks that the bench harness itself works (not part of
# make test: it takes a few minutes). As root:
#
#   scripts/bench/selftest.sh
#
# 1. A smoke run (BENCH_QUICK=1, every target) exits 0, writes its .md and
#    .json with a figure for every target and workload, and leaves no mount,
#    process or work directory behind.
# 2. A run interrupted with SIGINT in the middle of its workloads (as Ctrl-C
#    on `make bench` would) exits non-zero and also leaves nothing behind.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUN=$ROOT/scripts/bench/run.sh
[ "$(id -u)" = 0 ] || { echo "selftest.sh must run as root (like make bench)" >&2; exit 1; }

OUT=$(mktemp -d /tmp/plugfs-benchtest.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

# leftovers prints whatever a bench run left: mounts, work directories and
# processes whose command line names one.
leftovers() {
	grep 'plugfs-bench\.' /proc/mounts | sed 's/^/mount: /' || true
	ls -d /tmp/plugfs-bench.* 2>/dev/null | sed 's/^/dir: /' || true
	pgrep -af '/tmp/plugfs-bench\.' | sed 's/^/process: /' || true
	# plugfs processes (host and plugin) that did not exist before the run.
	comm -13 <(echo "$1") <(pgrep -f "$ROOT/bin/plugfs" | sort) | sed 's/^/new plugfs process: /' || true
}

[ -z "$(leftovers "")" ] || { echo "a bench run is already active or left debris:" >&2; leftovers "" >&2; exit 1; }

echo "== 1. smoke run (BENCH_QUICK=1)"
before=$(pgrep -f "$ROOT/bin/plugfs" | sort || true)
if BENCH_QUICK=1 BENCH_OUT="$OUT" "$RUN" >"$OUT/stdout" 2>"$OUT/stderr"; then
	echo "exit 0"
else
	bad "smoke run exited $?: $(tail -5 "$OUT/stderr")"
fi
md=$(ls "$OUT"/*.md 2>/dev/null | head -1 || true)
json=${md%.md}.json
if [ -z "$md" ] || [ ! -s "$json" ]; then
	bad "no results written in $OUT"
else
	# Every target has a median for every workload column.
	missing=$(python3 - "$json" <<-'EOF'
		import json, sys
		r = json.load(open(sys.argv[1]))
		cols = ["seqwrite", "seqread", "randread", "randwrite", "create", "stat",
		        "readdir", "read", "unlink", "untar", "rmrf"]
		for t in r["meta"]["targets"].split():
		    for c in cols:
		        if c not in r["results"].get(t, {}):
		            print(t, c)
		if "host.RoundTrip" not in r["results"].get("go", {}):
		    print("go host.RoundTrip")
	EOF
	)
	[ -z "$missing" ] || bad "figures missing: $missing"
	cmp -s "$md" "$OUT/stdout" || bad "stdout differs from $md"
	grep -q '^| target | measured | verdict |' "$md" || bad "no issue-4 verdict table"
fi
left=$(leftovers "$before")
[ -z "$left" ] || bad "smoke run left: $left"

echo "== 2. SIGINT during the workloads"
before=$(pgrep -f "$ROOT/bin/plugfs" | sort || true)
# A background job of a script starts with SIGINT ignored, which bash cannot
# trap; python3 restores the default first, as in a terminal's foreground.
BENCH_QUICK=1 BENCH_NOBUILD=1 BENCH_GOBENCH=0 BENCH_OUT="$OUT/int" setsid python3 -c '
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$RUN" >/dev/null 2>"$OUT/int.err" &
pid=$!
for _ in $(seq 600); do
	grep -q 'rep 1/1: randread' "$OUT/int.err" 2>/dev/null && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -INT -- "-$pid" 2>/dev/null || bad "run ended before it could be interrupted: $(tail -3 "$OUT/int.err")"
rc=0
wait "$pid" || rc=$?
[ "$rc" != 0 ] || bad "interrupted run exited 0"
echo "interrupted run exited $rc"
left=$(leftovers "$before")
[ -z "$left" ] || bad "interrupted run left: $left"

if [ "$fail" = 0 ]; then
	echo "selftest: PASS"
else
	echo "selftest: FAIL" >&2
	exit 1
fi
