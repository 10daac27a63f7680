// Package systemd carries the systemd unit plugfs ships, for
// `plugfs service install` to write with this machine's paths.
package systemd

import (
	_ "embed"
	"strings"
)

//go:embed plugfs.service
var unit string

// shippedExecStart is the ExecStart line of the shipped unit.
const shippedExecStart = "ExecStart=/usr/local/bin/plugfs daemon --config /etc/plugfs/config.yaml"

// Unit returns the shipped unit with ExecStart running binary with the
// configuration file config.
func Unit(binary, config string) string {
	return strings.Replace(unit, shippedExecStart, "ExecStart="+binary+" daemon --config "+config, 1)
}
