#!/usr/bin/env bash
# run.sh — `make bench`: the same workloads, interleaved per repetition,
# against native tmpfs, an in-process go-fuse loopback (with and without
# kernel passthrough), rclone mount, sshfs, and plugfs (local and memfs on
# both drivers). Prints a markdown table and writes
# bench-results/<date>.md and .json. Columns and knobs: docs/benchmarks.md.
#
# Knobs (environment):
#   BENCH_SIZE=256M     file size of the sequential and random fio runs
#   BENCH_REPS=3        repetitions (medians and min–max are reported)
#   BENCH_FILES=2000    files in the metadata run
#   BENCH_RANDTIME=5    seconds of each 4 KiB random run
#   BENCH_BIG=4G        file copied through each FUSE target for peak RSS (issue 4: 4 GiB)
#   BENCH_TARGETS=...   subset (space or comma separated), default all
#   BENCH_QUICK=1       smoke run (~2 min): small sizes, one repetition
#   BENCH_GOBENCH=0     skip the Go benchmarks of the plugin boundary
#   BENCH_GOBENCHTIME=1s  -benchtime of those
#   BENCH_NOBUILD=1     use the existing bin/plugfs instead of building it
#   BENCH_OUT=DIR       results directory (default bench-results)
#   BENCH_TIMEOUT=600   seconds any single workload step may take
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/scripts/bench
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=targets.sh
. "$HERE/targets.sh"
# shellcheck source=workloads.sh
. "$HERE/workloads.sh"

if [ "$(id -u)" != 0 ]; then
	echo "make bench must run as root: it mounts tmpfs and FUSE file systems, starts a" >&2
	echo "private sshd, and drops the kernel caches (/proc/sys/vm/drop_caches)." >&2
	echo "Run: sudo make bench" >&2
	exit 1
fi

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	: "${BENCH_SIZE:=32M}" "${BENCH_REPS:=1}" "${BENCH_FILES:=300}" "${BENCH_RANDTIME:=1}"
	: "${BENCH_BIG:=128M}" "${BENCH_GOBENCHTIME:=200ms}"
fi
: "${BENCH_SIZE:=256M}" "${BENCH_REPS:=3}" "${BENCH_FILES:=2000}" "${BENCH_RANDTIME:=5}"
: "${BENCH_BIG:=4G}" "${BENCH_GOBENCH:=1}" "${BENCH_GOBENCHTIME:=1s}" "${BENCH_TIMEOUT:=600}"
: "${BENCH_OUT:=$ROOT/bench-results}" "${BENCH_NOBUILD:=0}"
SIZE_BYTES=$(to_bytes "$BENCH_SIZE")
BIG_BYTES=$(to_bytes "$BENCH_BIG")
sel=${BENCH_TARGETS:-${ALL_TARGETS[*]}}
read -r -a TARGETS <<<"${sel//,/ }"
for t in "${TARGETS[@]}"; do
	[[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || die "unknown target $t (known: ${ALL_TARGETS[*]})"
done

# The big copy keeps up to three copies in memory at once (the tmpfs source,
# the target's backing file or memfs, rclone's write cache).
avail=$(($(awk '/^MemAvailable/ { print $2 }' /proc/meminfo) * 1024))
if [ $((3 * BIG_BYTES)) -gt "$avail" ]; then
	die "BENCH_BIG=$BENCH_BIG needs about 3 x $BENCH_BIG of free memory; $((avail >> 20)) MiB available"
fi

GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
[ -x "$GO" ] || die "go not found (set GO=/path/to/go)"

# --- dependencies ----------------------------------------------------------
need=()
for c in fio jq fusermount3 python3; do
	command -v "$c" >/dev/null || need+=("$(case $c in fusermount3) echo fuse3 ;; *) echo "$c" ;; esac)")
done
mapfile -t -O "${#need[@]}" need < <(target_packages "${TARGETS[@]}")
if [ "${#need[@]}" -gt 0 ]; then
	command -v apt-get >/dev/null ||
		die "missing: ${need[*]}; no apt-get here: install them with your package manager"
	log "installing ${need[*]}"
	# policy-rc.d on this image, and RUNLEVEL=1 elsewhere, keep the system sshd from starting.
	DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || {
		apt-get update -qq >/dev/null 2>&1
		DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq "${need[@]}" >/dev/null ||
			die "apt-get install ${need[*]} failed"
	}
fi

# --- work area and cleanup -------------------------------------------------
WORK=$(mktemp -d /tmp/plugfs-bench.XXXXXX)
RMDIRS+=("$WORK")
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
mkdir -p "$WORK"/{bin,logs,fio,mnt,run}
RUNDIR=$WORK/run
RAW=$WORK/raw.jsonl
: >"$RAW"

# --- build -----------------------------------------------------------------
PLUGFS=$ROOT/bin/plugfs
if [ "$BENCH_NOBUILD" = 1 ]; then
	[ -x "$PLUGFS" ] || die "BENCH_NOBUILD=1 but $PLUGFS does not exist"
	log "using the existing $PLUGFS"
else
	log "building bin/plugfs"
	(cd "$ROOT" && "$GO" build -o bin/plugfs ./cmd/plugfs) ||
		die "bin/plugfs does not build; fix the tree or run with BENCH_NOBUILD=1 on a built binary"
fi
LOOPBACK=$WORK/bin/loopback
METABENCH=$WORK/bin/metabench
(cd "$ROOT" && "$GO" build -o "$LOOPBACK" ./internal/benchref/loopback &&
	"$GO" build -o "$METABENCH" ./internal/benchref/metabench) || die "internal/benchref does not build"

# --- storage ---------------------------------------------------------------
TMPFS=$WORK/tmpfs
mkdir -p "$TMPFS"
# Room for every target's fio file, the big copy (source, destination and
# rclone's cache of it) and slack; a limit, not an allocation.
tmpfs_bytes=$((3 * BIG_BYTES + 2 * ${#TARGETS[@]} * SIZE_BYTES + (2 << 30)))
mount -t tmpfs -o "mode=755,size=$tmpfs_bytes" plugfs-bench "$TMPFS"
TMPFS_MOUNTS+=("$TMPFS")
TARBALL=$WORK/tree.tar
tar -C "$("$GO" env GOROOT)/src" -cf "$TARBALL" net
BIGSRC=$TMPFS/big.src
head -c "$BIG_BYTES" /dev/urandom >"$BIGSRC"

for t in "${TARGETS[@]}"; do
	log "mounting $t"
	setup_target "$t"
done

# --- the measurement -------------------------------------------------------
# Per repetition, every workload runs on each target in turn (A,B,C,A,B,C),
# the target order rotated by one each repetition so no target always runs
# first or last.
T0=$(now)
n=${#TARGETS[@]}
for ((REP = 1; REP <= BENCH_REPS; REP++)); do
	order=()
	for ((i = 0; i < n; i++)); do order+=("${TARGETS[(i + REP - 1) % n]}"); done
	for w in "${WORKLOADS[@]}"; do
		log "rep $REP/$BENCH_REPS: $w"
		for t in "${order[@]}"; do "wl_$w" "$t"; done
	done
done
REP=0
for t in "${TARGETS[@]}"; do
	[ "$t" = tmpfs ] && continue
	log "copying $BENCH_BIG through $t (peak RSS)"
	bigcopy "$t"
done
rm -f "$BIGSRC"
[ "$BENCH_GOBENCH" = 1 ] && gobench
ELAPSED=$(elapsed "$T0" "$(now)")

# --- report ----------------------------------------------------------------
mkdir -p "$BENCH_OUT"
STAMP=$(date -u +%Y-%m-%dT%H%M%SZ)
jq -n \
	--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	--arg commit "$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
	--arg dirty "$(cd "$ROOT" && git status --porcelain -- cmd core platform plugins sdk 2>/dev/null | wc -l)" \
	--arg kernel "$(uname -r)" \
	--arg cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
	--arg cores "$(nproc)" \
	--arg mem "$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)" \
	--arg plugfs "$("$PLUGFS" version 2>/dev/null | head -1)" \
	--arg fio "$(fio --version)" \
	--arg rclone "$(rclone version 2>/dev/null | head -1 || true)" \
	--arg sshfs "$(sshfs --version 2>&1 | head -1 || true)" \
	--arg size "$BENCH_SIZE" --arg reps "$BENCH_REPS" --arg files "$BENCH_FILES" \
	--arg randtime "$BENCH_RANDTIME" --arg big "$BENCH_BIG" --arg quick "${BENCH_QUICK:-0}" \
	--arg elapsed "$ELAPSED" --arg targets "${TARGETS[*]}" \
	'$ARGS.named' >"$WORK/meta.json"
python3 "$HERE/report.py" "$WORK/meta.json" "$RAW" "$BENCH_OUT/$STAMP"
log "results: $BENCH_OUT/$STAMP.md and .json"
