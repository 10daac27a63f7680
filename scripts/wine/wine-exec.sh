#!/usr/bin/env bash
# `go test -exec` wrapper: runs a Windows test binary under wine64 in the
# plugfs Wine prefix (see setup.sh). With --which, prints the wine binary.
set -euo pipefail
wine=""
for c in /usr/lib/wine/wine64 "$(command -v wine64 || true)" "$(command -v wine || true)"; do
	if [ -n "$c" ] && [ -x "$c" ]; then wine=$c; break; fi
done
if [ -z "$wine" ]; then
	echo "wine64 is not installed: run scripts/wine/setup.sh" >&2
	exit 1
fi
if [ "${1:-}" = "--which" ]; then
	echo "$wine"
	exit 0
fi
here=$(cd "$(dirname "$0")" && pwd)
export WINEPREFIX=${WINEPREFIX:-${PLUGFS_WINE_DIR:-$here/../../bin/wine}/prefix}
export WINEDEBUG=${WINEDEBUG:--all}
exec "$wine" "$@"
