package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// mount(8) helper. Installed (or linked) as /sbin/mount.plugfs, this
// binary serves `mount -t plugfs SOURCE DIR -o OPTS` and fstab lines of
// type plugfs:
//
//	memfs        /mnt/scratch  plugfs  opt.size=1G,noauto          0 0
//	local#/srv   /mnt/srv      plugfs  ro,_netdev,x-systemd.automount 0 0
//
// SOURCE is PLUGIN or PLUGIN#ROOT: a plugin name, path or NAME@sha256:HEX,
// and an optional ROOT handed to the plugin as its root option (for the
// local plugin: the directory it serves). Options:
//
//	opt.KEY=VALUE               a plugin option (as --opt KEY=VALUE)
//	driver= name= log_file= log_level= start_timeout= op_timeout=
//	                            the plugfs mount flags of the same name
//	ro, rw, allow_other, private, fsname=, subtype=, dataplane=, passthrough=,
//	readdirplus=, writeback=, readahead=
//	                            plugfs mount options (-o)
//	defaults, auto, noauto, user, users, nouser, owner, group, _netdev,
//	nofail, suid, nosuid, dev, nodev, exec, noexec, sync, async, *atime,
//	lazytime, loud, silent, x-*, comment=*, helper=*
//	                            ignored: mount(8) and systemd's business
//
// mount(8) runs the helper as `mount.plugfs SOURCE DIR [-sfnv] [-N NS]
// [-o OPTS] [-t TYPE]` and waits for it to exit, so the helper mounts in
// the background (as plugfs mount --background) and exits once the mount
// is ready, with plugfs's exit codes. -f (fake) checks nothing and exits
// 0; -v prints the server's pid; -n and -s are accepted and ignored (FUSE
// mounts are not written to /etc/mtab; every option is either used or
// ignored). umount(8) needs no helper: the server notices and exits.

// mountHelperName is the name mount(8) runs for type plugfs.
const mountHelperName = "mount.plugfs"

// asMountHelper runs the mount helper when the binary was invoked as
// mount.plugfs, returning its exit code and true; otherwise it returns
// false and does nothing.
func (a *app) asMountHelper() (int, bool) {
	if filepath.Base(os.Args[0]) != mountHelperName {
		return 0, false
	}
	req, err := parseMountHelperArgs(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", mountHelperName, err)
		return exitUsage, true
	}
	if req.fake {
		return exitOK, true
	}
	// The background child re-runs this binary with os.Args: make them
	// those of the plugfs command it stands for.
	os.Args = append([]string{"plugfs"}, req.args...)
	root := a.root()
	root.SetArgs(req.args)
	if !req.verbose {
		root.SetOut(io.Discard)
	}
	err = root.Execute()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", mountHelperName, err)
	}
	return exitCode(err), true
}

// mountHelperRequest is a parsed helper command line.
type mountHelperRequest struct {
	args    []string // the plugfs command line: mount PLUGIN DIR --background ...
	fake    bool
	verbose bool
}

// helperFlags maps helper options to plugfs mount flags.
var helperFlags = map[string]string{
	"driver": "--driver", "name": "--name", "log_file": "--log-file", "log_level": "--log-level",
	"start_timeout": "--start-timeout", "op_timeout": "--op-timeout",
}

// parseMountHelperArgs turns mount(8)'s helper arguments into a plugfs
// mount command line.
func parseMountHelperArgs(argv []string) (mountHelperRequest, error) {
	var req mountHelperRequest
	var pos, opts []string
	for i := 0; i < len(argv); i++ {
		arg := argv[i]
		switch {
		case arg == "-o" || arg == "-t" || arg == "-N":
			if i+1 >= len(argv) {
				return req, fmt.Errorf("%s needs a value", arg)
			}
			i++
			if arg == "-o" {
				opts = append(opts, argv[i])
			}
		case strings.HasPrefix(arg, "-o") && len(arg) > 2:
			opts = append(opts, arg[2:])
		case strings.HasPrefix(arg, "-") && len(arg) > 1:
			for _, c := range arg[1:] {
				switch c {
				case 'f':
					req.fake = true
				case 'v':
					req.verbose = true
				case 's', 'n':
				default:
					return req, fmt.Errorf("unknown flag -%c: usage: %s SOURCE DIR [-sfnv] [-o OPTIONS]", c, mountHelperName)
				}
			}
		default:
			pos = append(pos, arg)
		}
	}
	if len(pos) != 2 {
		return req, fmt.Errorf("want SOURCE and DIR, got %q: usage: %s SOURCE DIR [-sfnv] [-o OPTIONS]", pos, mountHelperName)
	}
	plugin, root, hasRoot := strings.Cut(pos[0], "#")
	if plugin == "" {
		return req, fmt.Errorf("source %q names no plugin: write PLUGIN or PLUGIN#ROOT", pos[0])
	}
	args := []string{"mount", plugin, pos[1], "--background"}
	if hasRoot {
		args = append(args, "--opt", "root="+root)
	}
	var mountOpts []string
	for _, group := range opts {
		for _, o := range strings.Split(group, ",") {
			k, v, hasValue := strings.Cut(o, "=")
			switch {
			case o == "" || ignoredMountOption(k):
			case strings.HasPrefix(k, "opt.") && len(k) > 4 && hasValue:
				args = append(args, "--opt", k[4:]+"="+v)
			case helperFlags[k] != "" && hasValue:
				args = append(args, helperFlags[k]+"="+v)
			default:
				mountOpts = append(mountOpts, o)
			}
		}
	}
	if len(mountOpts) > 0 {
		args = append(args, "-o", strings.Join(mountOpts, ","))
	}
	req.args = args
	return req, nil
}

// ignoredMountOption reports options meant for mount(8), systemd or the
// kernel's generic flags that FUSE sets itself.
func ignoredMountOption(k string) bool {
	switch k {
	case "defaults", "auto", "noauto", "user", "users", "nouser", "owner", "group", "_netdev", "nofail",
		"suid", "nosuid", "dev", "nodev", "exec", "noexec", "sync", "async", "dirsync", "lazytime", "nolazytime",
		"atime", "noatime", "relatime", "norelatime", "strictatime", "nostrictatime", "diratime", "nodiratime",
		"iversion", "noiversion", "loud", "silent", "comment", "helper", "bind", "rbind":
		return true
	}
	return strings.HasPrefix(k, "x-")
}
