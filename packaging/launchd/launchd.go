// Package launchd carries the launchd LaunchDaemon plist plugfs ships,
// for `plugfs service install` on macOS to write with this machine's
// paths, and reads what `launchctl print` says about the loaded job.
//
// It is plain text processing and is tested on Linux (the plist byte for
// byte and parsed back as an XML property list). launchd itself runs only
// on macOS, where nothing here is executed by this project's tests: the
// macOS side of `plugfs service` is compile-only.
package launchd

import (
	_ "embed"
	"encoding/xml"
	"path/filepath"
	"strconv"
	"strings"
)

// Label is the job's label, and the plist's base name.
const Label = "dev.plugfs.daemon"

// Where the job's files go, below the root of the system.
const (
	// DaemonsDir holds system-wide LaunchDaemons.
	DaemonsDir = "/Library/LaunchDaemons"
	// LogDir holds the daemon's log (its standard output and error).
	LogDir = "/Library/Logs/plugfs"
	// LogFile is where launchd sends the daemon's output.
	LogFile = LogDir + "/daemon.log"
)

//go:embed dev.plugfs.daemon.plist
var shipped string

// The ProgramArguments entries of the shipped plist that Plist rewrites.
const (
	shippedBinary = "\t\t<string>/usr/local/bin/plugfs</string>\n"
	shippedConfig = "\t\t<string>/Library/Application Support/plugfs/config.yaml</string>\n"
)

// Plist returns the shipped plist with ProgramArguments running binary
// with the configuration file config (XML-escaped).
func Plist(binary, config string) string {
	s := strings.Replace(shipped, shippedBinary, stringElem(binary), 1)
	return strings.Replace(s, shippedConfig, stringElem(config), 1)
}

func stringElem(v string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(v)) // a strings.Builder does not fail
	return "\t\t<string>" + b.String() + "</string>\n"
}

// PlistPath is where the plist goes under root ("/" for the system).
func PlistPath(root string) string {
	return filepath.Join(root, DaemonsDir, Label+".plist")
}

// Target is the job's launchctl service target in the system domain.
const Target = "system/" + Label

// Job is what `launchctl print system/<label>` says about a loaded job.
type Job struct {
	State        string // "running", "not running", …
	PID          int    // 0 when not running
	LastExitCode string // as printed: "0", "1", "(never exited)", …
	Path         string // the plist it was loaded from
}

// ParsePrint reads the job's own top-level "key = value" lines from
// launchctl print output; nested blocks (environment, endpoints, …) are
// skipped. launchctl's format is not a stable interface: keys it does not
// find stay empty.
func ParsePrint(out string) Job {
	var j Job
	depth := 0
	for _, line := range strings.Split(out, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasSuffix(t, "{"):
			depth++
			continue
		case t == "}":
			depth--
			continue
		}
		if depth != 1 {
			continue
		}
		k, v, ok := strings.Cut(t, " = ")
		if !ok {
			continue
		}
		switch k {
		case "state":
			j.State = v
		case "pid":
			j.PID, _ = strconv.Atoi(v)
		case "last exit code":
			j.LastExitCode = v
		case "path":
			j.Path = v
		}
	}
	return j
}
