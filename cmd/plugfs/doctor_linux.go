package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/plugfs/plugfs/core"
)

// systemChecks runs the Linux checks.
func systemChecks(runDir, socket string) []doctorCheck {
	var uts unix.Utsname
	release := ""
	if unix.Uname(&uts) == nil {
		release = unix.ByteSliceToString(uts.Release[:])
	}
	root := os.Geteuid() == 0
	fusermount, _ := exec.LookPath("fusermount3")
	return []doctorCheck{
		checkFuseDevice("/dev/fuse"),
		checkFusermount(fusermount, root),
		checkPassthrough(release, root),
		checkAllowOther("/etc/fuse.conf", root),
		checkDrivers(core.Drivers()),
		checkRunDir(runDir),
		checkDaemonSocket(socket),
	}
}

// checkFuseDevice: the kernel's FUSE device exists and opens.
func checkFuseDevice(path string) doctorCheck {
	c := doctorCheck{Name: "fuse device"}
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		c.Status, c.Detail = checkFail, fmt.Sprintf("%s: %v", path, err)
		c.Fix = "load the module (modprobe fuse); in a container, pass the device (--device /dev/fuse)"
		return c
	case fi.Mode()&os.ModeCharDevice == 0:
		c.Status, c.Detail = checkFail, path+" is not a character device"
		c.Fix = "remove it and load the module (modprobe fuse), which creates the device"
		return c
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		c.Status, c.Detail = checkFail, fmt.Sprintf("cannot open %s: %v", path, err)
		c.Fix = "run as root, or make the device usable by your user (mode 0666 is the default)"
		return c
	}
	f.Close()
	c.Status, c.Detail = checkOK, path+" opens read-write"
	return c
}

// checkFusermount: fusermount3, which unprivileged mounts need, is
// installed and set-user-id root.
func checkFusermount(path string, root bool) doctorCheck {
	c := doctorCheck{Name: "fusermount3"}
	bad := checkFail
	if root {
		bad = checkWarn // root mounts directly; unmounting others' mounts still uses it
	}
	if path == "" {
		c.Status, c.Detail, c.Fix = bad, "not found on PATH", "apt-get install fuse3"
		return c
	}
	fi, err := os.Stat(path)
	if err != nil {
		c.Status, c.Detail, c.Fix = bad, err.Error(), "apt-get install --reinstall fuse3"
		return c
	}
	if fi.Mode()&os.ModeSetuid == 0 {
		c.Status, c.Detail, c.Fix = bad, path+" is not set-user-id: users other than root cannot mount", "chmod u+s "+path+" (owned by root)"
		return c
	}
	c.Status, c.Detail = checkOK, path+" (set-user-id)"
	return c
}

// checkPassthrough: the kernel can serve donated files itself (FUSE
// passthrough: Linux 6.9 and later, and CAP_SYS_ADMIN).
func checkPassthrough(release string, root bool) doctorCheck {
	c := doctorCheck{Name: "kernel passthrough"}
	major, minor, ok := kernelVersion(release)
	switch {
	case !ok:
		c.Status, c.Detail = checkWarn, fmt.Sprintf("cannot read the kernel version %q", release)
	case major < 6 || major == 6 && minor < 9:
		c.Status, c.Detail = checkWarn, fmt.Sprintf("kernel %s has no FUSE passthrough (6.9 and later): the host moves the bytes of donated files itself", release)
		c.Fix = "a kernel 6.9 or later"
	case !root:
		c.Status, c.Detail = checkWarn, "passthrough needs CAP_SYS_ADMIN: as this user the host moves the bytes of donated files itself"
		c.Fix = "mount as root (or through the daemon)"
	default:
		c.Status, c.Detail = checkOK, fmt.Sprintf("kernel %s, running as root", release)
	}
	return c
}

// kernelVersion reads "6.18.44-fc" as 6, 18.
func kernelVersion(release string) (major, minor int, ok bool) {
	parts := strings.SplitN(release, ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(strings.TrimRightFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	return major, minor, err1 == nil && err2 == nil
}

// checkAllowOther: users other than root may only open a mount to others
// (-o allow_other) when /etc/fuse.conf says user_allow_other.
func checkAllowOther(conf string, root bool) doctorCheck {
	c := doctorCheck{Name: "allow_other"}
	if root {
		c.Status, c.Detail = checkOK, "root may use allow_other"
		return c
	}
	f, err := os.Open(conf)
	if err == nil {
		defer f.Close()
		s := bufio.NewScanner(f)
		for s.Scan() {
			if strings.TrimSpace(s.Text()) == "user_allow_other" {
				c.Status, c.Detail = checkOK, conf+" has user_allow_other"
				return c
			}
		}
	}
	c.Status, c.Detail = checkWarn, "mounts by this user are private to it (no user_allow_other in "+conf+")"
	c.Fix = "add the line user_allow_other to " + conf + " to share mounts with -o allow_other"
	return c
}
