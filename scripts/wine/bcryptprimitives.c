/*
 * A stand-in bcryptprimitives.dll for Wine 8, which lacks ProcessPrng.
 * Go >= 1.24 gets its random numbers from ProcessPrng on Windows; without
 * it, every Go test binary dies at start under Wine. This DLL exports just
 * that function and fills the buffer with RtlGenRandom (advapi32's
 * SystemFunction036), which Wine has.
 *
 * Built by scripts/wine/setup.sh with Debian's gcc-mingw-w64-x86-64.
 */
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!RtlGenRandom(data, chunk))
			return FALSE;
		data += chunk;
		len -= chunk;
	}
	return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
	(void)inst; (void)reason; (void)reserved;
	return TRUE;
}
