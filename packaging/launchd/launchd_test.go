package launchd_test

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/plugfs/plugfs/packaging/launchd"
)

// TestPlistBytes: with the shipped paths the plist is the shipped file,
// byte for byte; with others only the two ProgramArguments lines change,
// XML-escaped (testdata/custom.plist was written by hand).
func TestPlistBytes(t *testing.T) {
	for _, tc := range []struct{ binary, config, file string }{
		{"/usr/local/bin/plugfs", "/Library/Application Support/plugfs/config.yaml", "dev.plugfs.daemon.plist"},
		{"/Users/a & b/bin/plugfs", `/Volumes/Ext <1>/plugfs "main".yaml`, "testdata/custom.plist"},
	} {
		want, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		if got := launchd.Plist(tc.binary, tc.config); got != string(want) {
			t.Errorf("Plist(%q, %q) differs from %s:\n%s", tc.binary, tc.config, tc.file, got)
		}
	}
}

// TestPlistParses reads the rendered plist back as an XML property list
// and checks what launchd will see.
func TestPlistParses(t *testing.T) {
	const bin, cfg = "/opt/plug fs/bin/plugfs", "/Library/Application Support/plugfs/a&b <c>.yaml"
	got, err := parsePlist(launchd.Plist(bin, cfg))
	if err != nil {
		t.Fatalf("the plist does not parse: %v", err)
	}
	want := map[string]any{
		"Label":              "dev.plugfs.daemon",
		"ProgramArguments":   []any{bin, "daemon", "--config", cfg},
		"RunAtLoad":          true,
		"KeepAlive":          map[string]any{"SuccessfulExit": false},
		"ExitTimeOut":        45,
		"SoftResourceLimits": map[string]any{"NumberOfFiles": 65536},
		"StandardOutPath":    "/Library/Logs/plugfs/daemon.log",
		"StandardErrorPath":  "/Library/Logs/plugfs/daemon.log",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parsed plist\n got %#v\nwant %#v", got, want)
	}
	if got["Label"] != launchd.Label || got["StandardErrorPath"] != launchd.LogFile {
		t.Errorf("the plist disagrees with Label %q or LogFile %q", launchd.Label, launchd.LogFile)
	}
}

func TestPaths(t *testing.T) {
	if got := launchd.PlistPath("/"); got != "/Library/LaunchDaemons/dev.plugfs.daemon.plist" {
		t.Errorf("PlistPath(/) = %s", got)
	}
	if got := launchd.PlistPath("/tmp/img"); got != "/tmp/img/Library/LaunchDaemons/dev.plugfs.daemon.plist" {
		t.Errorf("PlistPath(/tmp/img) = %s", got)
	}
	if launchd.Target != "system/dev.plugfs.daemon" {
		t.Errorf("Target = %s", launchd.Target)
	}
}

// TestParsePrint: the job's own keys are read, nested blocks skipped.
// The sample follows launchctl print's layout on macOS 14 (written here
// by hand: no macOS runs these tests).
func TestParsePrint(t *testing.T) {
	running := `system/dev.plugfs.daemon = {
	active count = 1
	path = /Library/LaunchDaemons/dev.plugfs.daemon.plist
	type = LaunchDaemon
	state = running

	program = /usr/local/bin/plugfs
	arguments = {
		/usr/local/bin/plugfs
		daemon
		--config
		/Library/Application Support/plugfs/config.yaml
	}

	stdout path = /Library/Logs/plugfs/daemon.log
	default environment = {
		PATH => /usr/bin:/bin:/usr/sbin:/sbin
		state = not a key of the job
	}

	runs = 1
	pid = 4242
	immediate reason = speculative
	last exit code = (never exited)
}
`
	for _, tc := range []struct {
		out  string
		want launchd.Job
	}{
		{running, launchd.Job{State: "running", PID: 4242, LastExitCode: "(never exited)", Path: "/Library/LaunchDaemons/dev.plugfs.daemon.plist"}},
		{"system/dev.plugfs.daemon = {\n\tstate = not running\n\tlast exit code = 50\n}\n", launchd.Job{State: "not running", LastExitCode: "50"}},
		{"Bad request.\nCould not find service \"dev.plugfs.daemon\" in domain for system\n", launchd.Job{}},
	} {
		if got := launchd.ParsePrint(tc.out); got != tc.want {
			t.Errorf("ParsePrint:\n got %+v\nwant %+v\nfrom:\n%s", got, tc.want, tc.out)
		}
	}
}

// parsePlist decodes an XML property list (dict, array, string, integer,
// true, false) with encoding/xml, rejecting anything else.
func parsePlist(s string) (map[string]any, error) {
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, fmt.Errorf("no <plist>: %w", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local != "plist" {
				return nil, fmt.Errorf("root element <%s>, want <plist>", se.Name.Local)
			}
			break
		}
	}
	v, err := plistValue(d)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("top-level %T, want a dict", v)
	}
	return m, nil
}

// plistValue reads the next value element; errEnd at a closing tag.
func plistValue(d *xml.Decoder) (any, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.EndElement:
			return nil, errEnd
		case xml.StartElement:
			switch tok.Name.Local {
			case "true", "false":
				if err := d.Skip(); err != nil {
					return nil, err
				}
				return tok.Name.Local == "true", nil
			case "string":
				return text(d)
			case "integer":
				s, err := text(d)
				if err != nil {
					return nil, err
				}
				return strconv.Atoi(s)
			case "array":
				var a []any
				for {
					v, err := plistValue(d)
					if errors.Is(err, errEnd) {
						return a, nil
					} else if err != nil {
						return nil, err
					}
					a = append(a, v)
				}
			case "dict":
				m := map[string]any{}
				for {
					k, err := plistValue(d)
					if errors.Is(err, errEnd) {
						return m, nil
					} else if err != nil {
						return nil, err
					}
					key, ok := k.(plistKey)
					if !ok {
						return nil, fmt.Errorf("dict entry %v without a <key>", k)
					}
					if m[string(key)], err = plistValue(d); err != nil {
						return nil, fmt.Errorf("key %s: %w", key, err)
					}
				}
			case "key":
				s, err := text(d)
				return plistKey(s), err
			default:
				return nil, fmt.Errorf("unexpected <%s>", tok.Name.Local)
			}
		}
	}
}

type plistKey string

var errEnd = errors.New("end of container")

func text(d *xml.Decoder) (string, error) {
	var b strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return "", io.ErrUnexpectedEOF
		} else if err != nil {
			return "", err
		}
		switch tok := tok.(type) {
		case xml.CharData:
			b.Write(tok)
		case xml.EndElement:
			return b.String(), nil
		case xml.StartElement:
			return "", fmt.Errorf("<%s> inside text", tok.Name.Local)
		}
	}
}
