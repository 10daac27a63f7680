// Package winfsp finds the WinFsp installation that the Windows mount
// driver (cgofuse over WinFsp) needs: Installed reads InstallDir from
// HKLM\SOFTWARE\WOW6432Node\WinFsp (where the WinFsp MSI writes it) or
// HKLM\SOFTWARE\WinFsp, and checks that bin\winfsp-<arch>.dll is there.
// When it is not, the error wraps core.ErrDriverUnavailable and says how
// to install WinFsp.
//
// Reading the registry needs no privileges. The package is Windows-only;
// on other systems it is empty.
package winfsp
