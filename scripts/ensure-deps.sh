#!/usr/bin/env bash
# Installs what plugfs needs to mount on Debian/Ubuntu: fuse3 (fusermount3
# and libfuse3.so.3). With --cgofuse also libfuse3-dev, the headers the
# cgofuse driver is built against on Linux (make test-cgofuse).
set -euo pipefail

need=()
command -v fusermount3 >/dev/null 2>&1 || need+=(fuse3)
if [ "${1:-}" = --cgofuse ]; then
	[ -e /usr/include/fuse3/fuse.h ] || need+=(libfuse3-dev)
	command -v gcc >/dev/null 2>&1 || need+=(gcc)
fi

if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "plugfs needs: ${need[*]}. Install with: sudo apt-get install -y ${need[*]}" >&2
		exit 1
	fi
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "plugfs needs: ${need[*]} (no apt-get here: install them with your package manager)" >&2
		exit 1
	fi
	echo "installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ ! -e /dev/fuse ]; then
	if [ "$(id -u)" = 0 ]; then
		modprobe fuse 2>/dev/null || true
		[ -e /dev/fuse ] || mknod -m 0666 /dev/fuse c 10 229 || true
	fi
	[ -e /dev/fuse ] || { echo "/dev/fuse is missing: load the fuse module (modprobe fuse)" >&2; exit 1; }
fi
