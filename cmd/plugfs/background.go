package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

// readyFDEnv tells a background child which inherited descriptor to report
// readiness on.
const readyFDEnv = "PLUGFS_READY_FD"

// readiness reports the outcome of a background mount to the parent that
// waits for it. Outside background mode it prints success to stdout.
type readiness struct {
	w *os.File
}

func readyReporter() *readiness {
	fd, err := strconv.Atoi(os.Getenv(readyFDEnv))
	if err != nil || fd < 3 {
		return &readiness{}
	}
	os.Unsetenv(readyFDEnv)
	return &readiness{w: os.NewFile(uintptr(fd), "ready")}
}

func (r *readiness) ok(msg string) {
	if r.w == nil {
		fmt.Fprintln(os.Stderr, msg)
		return
	}
	fmt.Fprintf(r.w, "ok %s\n", msg)
	r.w.Close()
	r.w = nil
}

func (r *readiness) fail(err error) {
	if r.w == nil {
		return
	}
	fmt.Fprintf(r.w, "err %d %s\n", exitCode(err), strings.ReplaceAll(err.Error(), "\n", " "))
	r.w.Close()
	r.w = nil
}

// exitError carries a child's exit code and message to main.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

// startBackground re-runs this command without --background as a detached
// child and waits until it reports the mount ready or failed.
func startBackground(cmd *cobra.Command) error {
	pr, pw, err := os.Pipe()
	if err != nil {
		return err
	}
	defer pr.Close()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	args := make([]string, 0, len(os.Args))
	for _, a := range os.Args[1:] {
		if a == "--background" || a == "--background=true" {
			continue
		}
		args = append(args, a)
	}
	child := exec.Command(self, args...)
	child.Env = append(os.Environ(), readyFDEnv+"=3")
	child.ExtraFiles = []*os.File{pw}
	child.SysProcAttr = detachAttr()
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer devnull.Close()
	child.Stdin, child.Stdout, child.Stderr = devnull, devnull, devnull
	if err := child.Start(); err != nil {
		pw.Close()
		return fmt.Errorf("start background server: %w", err)
	}
	pw.Close()
	line, rerr := bufio.NewReader(pr).ReadString('\n')
	_ = child.Process.Release()
	line = strings.TrimSpace(line)
	switch {
	case strings.HasPrefix(line, "ok "):
		fmt.Fprintln(cmd.OutOrStdout(), strings.TrimPrefix(line, "ok "))
		return nil
	case strings.HasPrefix(line, "err "):
		codeStr, msg, _ := strings.Cut(strings.TrimPrefix(line, "err "), " ")
		code, _ := strconv.Atoi(codeStr)
		if code == 0 {
			code = exitFailure
		}
		return exitError{code: code, msg: msg}
	}
	if rerr != nil && !errors.Is(rerr, os.ErrClosed) {
		return fmt.Errorf("background server exited before the mount was ready (run without --background to see why)")
	}
	return fmt.Errorf("background server said %q", line)
}
