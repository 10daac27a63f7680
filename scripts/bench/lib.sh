# lib.sh — shared helpers of the benchmark harness: logging, samples, timing,
# and the cleanup ledger. Sourced by run.sh; not run on its own.

# log prints a progress line on stderr (stdout carries only the report).
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# die logs and exits non-zero; the EXIT trap cleans up.
die() { log "error: $*"; exit 1; }

# now prints the time in seconds with microseconds.
now() { printf '%s\n' "${EPOCHREALTIME/,/.}"; }

# elapsed T0 T1 prints T1-T0 in seconds.
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f\n", b - a }'; }

# sample TARGET WORKLOAD VALUE UNIT records one measurement of one repetition
# (REP) as a JSON line in $RAW.
sample() {
	jq -cn --arg t "$1" --arg w "$2" --argjson v "$3" --arg u "$4" --argjson r "${REP:-0}" \
		'{target: $t, workload: $w, value: $v, unit: $u, rep: $r}' >>"$RAW"
}

# note TEXT records a remark for the report (a skipped target, a failure).
note() {
	log "note: $*"
	jq -cn --arg n "$*" '{note: $n}' >>"$RAW"
}

# to_bytes SIZE converts 256M, 1G, 4096k or a plain number to bytes.
to_bytes() {
	numfmt --from=iec "${1^^}" 2>/dev/null || die "bad size: $1"
}

# drop_caches writes back dirty data and drops the page, dentry and inode
# caches (tmpfs and memfs keep their data: it is their storage).
drop_caches() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
}

# is_mounted DIR is true when DIR is a mount point in /proc/mounts.
is_mounted() {
	awk -v d="$1" '$2 == d { found = 1 } END { exit !found }' /proc/mounts
}

# wait_mount DIR PID waits up to 20 s for DIR to become a mount point while
# PID (the server) stays alive.
wait_mount() {
	local dir=$1 pid=${2:-} i
	for i in $(seq 200); do
		is_mounted "$dir" && return 0
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			return 1
		fi
		sleep 0.1
	done
	return 1
}

# --- cleanup ledger --------------------------------------------------------
# Everything the run creates is registered here the moment it exists, and
# cleanup undoes it in reverse: FUSE mounts first (while their servers still
# answer), then processes, then the tmpfs, then the work directory.

FUSE_MOUNTS=()   # mount points to unmount (fusermount3 -u, then lazily)
PLUGFS_MOUNTS=() # plugfs mount points (plugfs unmount, then as FUSE_MOUNTS)
PIDS=()          # processes to stop (TERM, then KILL)
TMPFS_MOUNTS=()  # tmpfs mounts to unmount
RMDIRS=()        # directories to remove (the work directory)

track_pid() { PIDS+=("$1"); }

# stop_pid PID sends TERM, waits up to 5 s, then KILL.
stop_pid() {
	local pid=$1
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# unmount_fuse DIR detaches a FUSE mount, lazily if it is busy.
unmount_fuse() {
	local dir=$1
	is_mounted "$dir" || return 0
	fusermount3 -u "$dir" 2>/dev/null || umount "$dir" 2>/dev/null ||
		umount -l "$dir" 2>/dev/null || fusermount3 -uz "$dir" 2>/dev/null || true
}

cleanup() {
	local rc=$? m p pid
	set +e
	trap - EXIT INT TERM HUP
	[ -n "${CLEANUP_DONE:-}" ] && return
	CLEANUP_DONE=1
	log "cleaning up"
	for m in "${PLUGFS_MOUNTS[@]}"; do
		is_mounted "$m" || continue
		# The run record names the server and plugin: stop them even if the
		# unmount cannot.
		for p in $(plugfs_pids "$m"); do PIDS+=("$p"); done
		timeout 30 "$PLUGFS" --run-dir "$RUNDIR" unmount --wait 10s "$m" >/dev/null 2>&1 ||
			unmount_fuse "$m"
	done
	for m in "${FUSE_MOUNTS[@]}"; do unmount_fuse "$m"; done
	for ((p = ${#PIDS[@]} - 1; p >= 0; p--)); do stop_pid "${PIDS[p]}"; done
	for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
	for m in "${TMPFS_MOUNTS[@]}"; do
		is_mounted "$m" && { umount "$m" 2>/dev/null || umount -l "$m"; }
	done
	for m in "${RMDIRS[@]}"; do rm -rf "$m"; done
	if [ -n "${MADE_SSHD_DIR:-}" ]; then rmdir /run/sshd 2>/dev/null; fi
	[ "$rc" = 0 ] || log "failed (exit $rc); everything the run made is removed"
	exit "$rc"
}

# plugfs_pids MNT prints the server and plugin pids from the run record.
plugfs_pids() {
	local f
	for f in "$RUNDIR"/*.json; do
		[ -e "$f" ] || continue
		jq -r --arg p "$1" 'select(.point == $p) | .server_pid, .plugin_pid' "$f" 2>/dev/null
	done
}

# vm_kib PID FIELD prints a /proc/PID/status memory field (VmHWM, VmRSS) in KiB.
vm_kib() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null; }
