package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// exitDoctorFailed: plugfs doctor found a problem that stops mounting.
const exitDoctorFailed = 60

// checkStatus grades one doctor check.
type checkStatus string

const (
	checkOK   checkStatus = "ok"
	checkWarn checkStatus = "warn" // works, but slower or narrower
	checkFail checkStatus = "fail" // mounting will not work
)

// doctorCheck is the outcome of one check: what was checked, what was
// found, and how to fix it when it is not ok.
type doctorCheck struct {
	Name   string      `json:"name"`
	Status checkStatus `json:"status"`
	Detail string      `json:"detail"`
	Fix    string      `json:"fix,omitempty"`
}

func init() { registerCommand((*app).doctorCmd) }

func (a *app) doctorCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check that this machine can mount plugfs volumes, and say how to fix what is missing",
		Long: `doctor checks what mounting needs on this system and prints ok, warn
(works, but slower or narrower) or fail (mounting will not work) with the
fix. It exits with 60 if any check fails.

Everywhere: the mount drivers built in (which can run here, and why the
others cannot: WinFsp on Windows, macFUSE or FUSE-T on macOS), the run
directory, and the daemon's control socket or named pipe. On Linux also
/dev/fuse, fusermount3, kernel FUSE passthrough and user_allow_other; on
Windows whether the process is elevated (mount-manager points, real
shares).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			checks := systemChecks(a.v.GetString("run-dir"), a.v.GetString("socket"))
			if err := printChecks(cmd.OutOrStdout(), checks, asJSON); err != nil {
				return err
			}
			for _, c := range checks {
				if c.Status == checkFail {
					return exitError{code: exitDoctorFailed, msg: "plugfs doctor: " + c.Name + ": " + c.Detail}
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the checks as JSON")
	return cmd
}

func printChecks(w io.Writer, checks []doctorCheck, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(checks)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range checks {
		line := fmt.Sprintf("%s\t%s\t%s", strings.ToUpper(string(c.Status)), c.Name, c.Detail)
		if c.Fix != "" {
			line += " (fix: " + c.Fix + ")"
		}
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}
