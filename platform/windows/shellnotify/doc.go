// Package shellnotify tells Explorer and other applications that a
// drive letter came or went, as the file system kits do after defining
// or removing one:
//
//   - BroadcastSystemMessageW of WM_DEVICECHANGE with DBT_DEVICEARRIVAL or
//     DBT_DEVICEREMOVECOMPLETE and a DEV_BROADCAST_VOLUME whose
//     dbcv_unitmask has the letter's bit (dbcv_flags DBTF_NET for a
//     network drive), to BSM_APPLICATIONS, and to BSM_ALLDESKTOPS as well
//     when the process runs as LocalSystem (Dokan enables SE_TCB_NAME for
//     it; WinFsp checks for LocalSystem);
//   - SHChangeNotify(SHCNE_DRIVEADD or SHCNE_DRIVEREMOVED, SHCNF_PATHW,
//     "X:\"), which the shell's own views follow.
//
// The broadcast is posted (BSF_POSTMESSAGE), not sent: WinFsp found that
// a sent broadcast (Dokan's BSF_NOHANG | BSF_FORCEIFHUNG |
// BSF_NOTIMEOUTIFNOTHUNG) can wait forever on an application that
// neither answers nor counts as hung. BSF_IGNORECURRENTTASK leaves out
// this process's own windows, which have nothing to refresh.
//
// A broadcast reaches the desktops of the caller's session only: a
// service in session 0 does not reach a user's Explorer (that takes an
// agent running in the user's session).
//
// # Wine
//
// Wine 8 executes both calls: BroadcastSystemMessageW returns a positive
// value and leaves BSM_APPLICATIONS as the recipients; SHChangeNotify
// returns nothing.
//
// The package is Windows-only; on other systems it is empty.
package shellnotify
