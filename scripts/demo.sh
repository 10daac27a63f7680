#!/usr/bin/env bash
# The README's main job: mount the built-in memfs (served by its own plugin
# process), use it like any file system, show it in `plugfs list`, unmount.
set -euo pipefail
plugfs=${1:-bin/plugfs}
mnt=$(mktemp -d /tmp/plugfs-demo.XXXXXX)
trap '"$plugfs" unmount "$mnt" >/dev/null 2>&1 || true; rmdir "$mnt" 2>/dev/null || true' EXIT

set -x
"$plugfs" mount memfs "$mnt" --opt size=256M --background
echo "hello from plugfs" > "$mnt/hello.txt"
mkdir -p "$mnt/dir/sub"
ln -s ../hello.txt "$mnt/dir/link"
cat "$mnt/dir/link"
dd if=/dev/urandom of="$mnt/dir/sub/blob" bs=1M count=8 status=none
sha256sum "$mnt/dir/sub/blob"
ls -lR "$mnt"
df -h "$mnt"
"$plugfs" list
"$plugfs" unmount "$mnt"
set +x
echo "demo: memfs mounted, used and unmounted cleanly"
