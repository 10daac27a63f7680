# targets.sh — how each benchmark target is set up. Sourced by run.sh.
#
# setup_target NAME mounts target NAME over its own fresh directory in the
# run's tmpfs and sets DIR[NAME] (where workloads run) and, for FUSE
# targets, SERVER[NAME] (the pid whose memory is reported). Every mount and
# process is registered with the cleanup ledger (lib.sh) as soon as it exists.

ALL_TARGETS=(tmpfs gofuse-loop gofuse-loop-pt rclone sshfs
	plugfs-local-gofuse plugfs-local-bazil plugfs-memfs-gofuse plugfs-memfs-bazil
	plugfs-memfs-shm plugfs-memfs-grpc)

declare -A DIR SERVER PLUGIN

# fresh NAME makes the target's backing directory and mount point.
fresh() {
	SRC=$TMPFS/$1
	MNT=$WORK/mnt/$1
	mkdir -p "$SRC" "$MNT"
}

setup_target() {
	local name=$1
	fresh "$name"
	case $name in
	tmpfs) DIR[$name]=$SRC ;;
	gofuse-loop) setup_loopback "$name" false ;;
	gofuse-loop-pt) setup_loopback "$name" true ;;
	rclone) setup_rclone "$name" ;;
	sshfs) setup_sshfs "$name" ;;
	plugfs-local-gofuse) setup_plugfs "$name" local gofuse --opt "root=$SRC" ;;
	plugfs-local-bazil) setup_plugfs "$name" local bazil --opt "root=$SRC" ;;
	plugfs-memfs-gofuse) setup_plugfs "$name" memfs gofuse ;;
	plugfs-memfs-bazil) setup_plugfs "$name" memfs bazil ;;
	# The tiers for plugins whose bytes are not in an OS file: shared
	# memory, and gRPC messages (the portable fallback).
	plugfs-memfs-shm) setup_plugfs "$name" memfs gofuse -o dataplane=shm ;;
	plugfs-memfs-grpc) setup_plugfs "$name" memfs gofuse -o dataplane=grpc ;;
	*) die "unknown target $name (known: ${ALL_TARGETS[*]})" ;;
	esac
}

# setup_loopback NAME PASSTHROUGH runs internal/benchref/loopback.
setup_loopback() {
	local name=$1 pt=$2 log=$WORK/logs/$1.log pid
	FUSE_MOUNTS+=("$MNT")
	"$LOOPBACK" -passthrough="$pt" "$SRC" "$MNT" >"$log" 2>&1 &
	pid=$!
	track_pid "$pid"
	wait_mount "$MNT" "$pid" || die "$name did not mount: $(cat "$log")"
	for _ in $(seq 50); do grep -q '^ready' "$log" && break; sleep 0.1; done
	if [ "$pt" = true ] && ! grep -q 'passthrough=true' "$log"; then
		note "$name: the kernel refused FUSE passthrough; measured without it"
	fi
	DIR[$name]=$MNT
	SERVER[$name]=$pid
}

# setup_rclone NAME: rclone mount of the backing directory, write cache on
# the same tmpfs.
setup_rclone() {
	local name=$1 log=$WORK/logs/$1.log pid
	: >"$WORK/rclone.conf"
	FUSE_MOUNTS+=("$MNT")
	rclone mount "$SRC" "$MNT" --config "$WORK/rclone.conf" --vfs-cache-mode writes \
		--cache-dir "$TMPFS/rclone-cache" --log-file "$log" --log-level ERROR &
	pid=$!
	track_pid "$pid"
	wait_mount "$MNT" "$pid" || die "rclone did not mount: $(cat "$log")"
	DIR[$name]=$MNT
	SERVER[$name]=$pid
}

# start_sshd runs an OpenSSH server on 127.0.0.1 with a throwaway host key,
# its own config and one authorized key; the system sshd is not touched.
start_sshd() {
	local d=$WORK/ssh
	mkdir -p "$d"
	chmod 700 "$d"
	ssh-keygen -q -t ed25519 -N '' -f "$d/host_key"
	ssh-keygen -q -t ed25519 -N '' -f "$d/client_key"
	cp "$d/client_key.pub" "$d/authorized_keys"
	SSH_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat >"$d/sshd_config" <<-EOF
		ListenAddress 127.0.0.1
		Port $SSH_PORT
		HostKey $d/host_key
		PidFile $d/sshd.pid
		AuthorizedKeysFile $d/authorized_keys
		PermitRootLogin prohibit-password
		PubkeyAuthentication yes
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		UsePAM no
		StrictModes no
		LogLevel ERROR
		Subsystem sftp internal-sftp
	EOF
	if [ ! -d /run/sshd ]; then # privilege separation directory
		mkdir -p /run/sshd
		chmod 755 /run/sshd
		MADE_SSHD_DIR=1
	fi
	"$(command -v sshd)" -D -e -f "$d/sshd_config" 2>"$WORK/logs/sshd.log" &
	SSHD_PID=$!
	track_pid "$SSHD_PID"
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$SSH_PORT") 2>/dev/null; then return 0; fi
		kill -0 "$SSHD_PID" 2>/dev/null || break
		sleep 0.1
	done
	die "sshd did not start: $(cat "$WORK/logs/sshd.log")"
}

# setup_sshfs NAME: sshfs (in the foreground, so its pid is ours) to the
# private sshd.
setup_sshfs() {
	local name=$1 log=$WORK/logs/$1.log pid
	[ -n "${SSHD_PID:-}" ] || start_sshd
	FUSE_MOUNTS+=("$MNT")
	sshfs -f "root@127.0.0.1:$SRC" "$MNT" -p "$SSH_PORT" \
		-o "IdentityFile=$WORK/ssh/client_key,BatchMode=yes,StrictHostKeyChecking=no,UserKnownHostsFile=/dev/null,LogLevel=ERROR" \
		>"$log" 2>&1 &
	pid=$!
	track_pid "$pid"
	wait_mount "$MNT" "$pid" || die "sshfs did not mount: $(cat "$log")"
	DIR[$name]=$MNT
	SERVER[$name]=$pid
}

# setup_plugfs NAME PLUGIN DRIVER [ARGS...]: plugfs mount --background with
# its own run directory; SERVER is the host process, PLUGIN the plugin's.
setup_plugfs() {
	local name=$1 plugin=$2 driver=$3 log=$WORK/logs/$1.log pids
	shift 3
	PLUGFS_MOUNTS+=("$MNT")
	"$PLUGFS" --run-dir "$RUNDIR" mount "$plugin" "$MNT" --driver "$driver" --background \
		--log-file "$log" "$@" >>"$log" 2>&1 ||
		die "$name did not mount: $(tail -5 "$log")"
	mapfile -t pids < <(plugfs_pids "$MNT")
	[ "${#pids[@]}" = 2 ] || die "$name: no run record in $RUNDIR"
	DIR[$name]=$MNT
	SERVER[$name]=${pids[0]}
	PLUGIN[$name]=${pids[1]}
}

# needs_sshd, needs_rclone ... say which packages the chosen targets need.
target_packages() {
	local t
	for t in "$@"; do
		case $t in
		rclone) command -v rclone >/dev/null || echo rclone ;;
		sshfs)
			command -v sshfs >/dev/null || echo sshfs
			command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || echo openssh-server
			command -v ssh-keygen >/dev/null || echo openssh-client
			;;
		esac
	done
}
