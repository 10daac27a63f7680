// Package winsvc makes plugfs daemon a Windows service: it installs,
// starts, stops, inspects and removes the service through the service
// control manager (SCM), and runs the daemon inside it.
//
// # Installing
//
// [Install] creates an automatic-start service running as LocalSystem
// with the command line "exe" arg…, each argument quoted the way the SCM
// and the C runtime split it ([CommandLine]). It sets recovery actions:
// restart 5 s after a failure, [Restarts] times, the count reset after a
// day of good health; a stop with a non-zero exit code counts as a
// failure, like systemd's Restart=on-failure. It also registers the
// service name as an event source of the Application log, which
// [NewEventLog] writes to. An existing service of the same name is
// refused ([ErrExists]), never overwritten.
//
// [Uninstall] stops the service, waiting a bounded time, then deletes it
// and its event source. [Status] says whether it is installed, its state
// and process id.
//
// # Running
//
// [Run] connects a [Program] to the SCM: the program's Main runs with a
// context; Main calls ready once it serves, and the service goes from
// StartPending to Running. Stop and Shutdown cancel the context (the
// service reports StopPending and waits, bounded, for Main to return),
// ParamChange calls Program.Reload. [IsService] tells whether this
// process was started by the SCM.
//
// # Where it is tested
//
// The tests run under Wine, whose services.exe is a real SCM: they
// install a service pointing at the test binary itself, start it (it
// calls Run), send ParamChange and Stop, query it, and uninstall it. What
// Wine does not implement is named in the tests.
//
// The package is Windows-only; on other systems it is empty.
package winsvc
