#!/usr/bin/env bash
# Prepares Wine to run Go (>= 1.24) Windows test binaries:
#   1. installs wine64 and the mingw-w64 cross compiler (as root, apt-get),
#   2. builds bcryptprimitives.dll (ProcessPrng over RtlGenRandom),
#   3. creates a Wine prefix and copies the DLL into its system32.
# Prints the WINEPREFIX to use. Idempotent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${PLUGFS_WINE_DIR:-$here/../../bin/wine}
mkdir -p "$out"
out=$(cd "$out" && pwd)
prefix=$out/prefix

need=()
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || need+=(gcc-mingw-w64-x86-64)
[ -x /usr/lib/wine/wine64 ] || command -v wine64 >/dev/null 2>&1 || need+=(wine64)
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "Windows tests need: ${need[*]}. Install with: sudo apt-get install -y ${need[*]}" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq "${need[@]}" >/dev/null
fi

dll=$out/bcryptprimitives.dll
if [ ! -f "$dll" ] || [ "$here/bcryptprimitives.c" -nt "$dll" ]; then
	x86_64-w64-mingw32-gcc -O2 -shared -o "$dll" \
		"$here/bcryptprimitives.c" "$here/bcryptprimitives.def" -ladvapi32
fi

wine=$("$here/wine-exec.sh" --which)
if [ ! -f "$prefix/system.reg" ]; then
	WINEPREFIX=$prefix WINEDEBUG=-all "$wine" wineboot --init >/dev/null 2>&1 || true
	# wineboot returns before the prefix is written out.
	WINEPREFIX=$prefix "$(dirname "$wine")/wineserver" --wait 2>/dev/null || wineserver --wait 2>/dev/null || true
fi
cp "$dll" "$prefix/drive_c/windows/system32/bcryptprimitives.dll"
echo "$prefix"
