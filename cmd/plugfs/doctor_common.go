package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/plugfs/plugfs/core"
)

// checkDrivers: at least one mount driver built into this binary can run
// here (on Windows that is WinFsp, on macOS macFUSE or FUSE-T, on Linux
// /dev/fuse); each unavailable one is named with its fix.
func checkDrivers(drivers []core.Driver) doctorCheck {
	c := doctorCheck{Name: "mount drivers"}
	var ok, missing []string
	var fixes []string
	for _, d := range drivers {
		if err := d.Available(); err != nil {
			missing = append(missing, fmt.Sprintf("%s: %v", d.Name(), err))
			fixes = append(fixes, err.Error())
			continue
		}
		ok = append(ok, d.Name())
	}
	switch {
	case len(drivers) == 0:
		c.Status, c.Detail = checkFail, "no mount driver is built into this binary for this system"
		c.Fix = "build plugfs for this system with its driver (see docs/mounting-points.md)"
	case len(ok) == 0:
		c.Status, c.Detail = checkFail, "no mount driver can run here: "+strings.Join(missing, "; ")
		c.Fix = fixes[0]
	case len(missing) > 0:
		c.Status, c.Detail = checkOK, fmt.Sprintf("%s (default %s); not available: %s", strings.Join(ok, ", "), ok[0], strings.Join(missing, "; "))
	default:
		c.Status, c.Detail = checkOK, fmt.Sprintf("%s (default %s)", strings.Join(ok, ", "), ok[0])
	}
	return c
}

// checkRunDir: the directory of run records exists and is writable, or
// can be created: a file is created and removed in it, or in its nearest
// existing ancestor, which is what writing a record will need.
func checkRunDir(dir string) doctorCheck {
	c := doctorCheck{Name: "run directory"}
	probe := dir
	for {
		if _, err := os.Stat(probe); err == nil {
			break
		}
		parent := filepath.Dir(probe)
		if parent == probe {
			break
		}
		probe = parent
	}
	if fi, err := os.Stat(probe); err == nil && !fi.IsDir() {
		c.Status, c.Detail = checkFail, fmt.Sprintf("%s: %s is not a directory", dir, probe)
		c.Fix = "set --run-dir (or PLUGFS_RUN_DIR) to a directory you can write"
		return c
	}
	f, err := os.CreateTemp(probe, ".plugfs-doctor-*")
	if err != nil {
		c.Status, c.Detail = checkFail, fmt.Sprintf("%s: cannot write in %s: %v", dir, probe, errors.Unwrap(err))
		c.Fix = "set --run-dir (or PLUGFS_RUN_DIR) to a directory you can write"
		return c
	}
	f.Close()
	os.Remove(f.Name())
	c.Status, c.Detail = checkOK, dir
	return c
}

// checkDaemonSocket says whether a daemon answers; none is not a problem,
// a process posing as one (Windows: an untrusted server of the pipe) is.
func checkDaemonSocket(socket string) doctorCheck {
	c := doctorCheck{Name: "daemon"}
	conn, err := dialDaemon(socket)
	switch {
	case errors.Is(err, errServerUntrusted):
		c.Status, c.Detail = checkFail, err.Error()
		c.Fix = "stop the process the message names, then run the daemon as a service (plugfs service install)"
		return c
	case errors.Is(err, errDaemonDenied):
		c.Status, c.Detail = checkWarn, err.Error()
		c.Fix = controlDeniedFix() + " (daemon.socket_group)"
		return c
	case err != nil:
		c.Status, c.Detail = checkOK, "no daemon at "+socket+" (plugfs works standalone)"
		return c
	}
	conn.Close()
	c.Status, c.Detail = checkOK, "a daemon answers at "+socket
	return c
}
