//go:build windows

package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"

	"github.com/plugfs/plugfs/platform/windows/session"
	"github.com/plugfs/plugfs/platform/windows/shellnotify"
	"github.com/plugfs/plugfs/platform/winsvc"
)

// agentRunKey is the key, under HKEY_CURRENT_USER, whose values Windows
// runs at each logon of the user.
const agentRunKey = `Software\Microsoft\Windows\CurrentVersion\Run`

var procFreeConsole = windows.NewLazySystemDLL("kernel32.dll").NewProc("FreeConsole")

// runAgent runs plugfs agent: installs or removes the Run value, or
// announces the daemon's letters in this session until interrupted
// (Ctrl-C, logoff).
func runAgent(cmd *cobra.Command, a *app, f agentFlags) error {
	switch {
	case f.install:
		return installAgent(cmd, a, f)
	case f.uninstall:
		return uninstallAgent(cmd)
	}
	if f.noConsole {
		procFreeConsole.Call() // the console window closes once nobody is attached
	}
	log := agentLogger(cmd)
	sess, err := session.CurrentAuthenticationID()
	if err != nil {
		log.Warn("this logon session is not known: only global points are announced", "err", err)
		sess = 0
	}
	src := &daemonPoints{addr: a.v.GetString("socket")}
	defer src.close()
	w := agentWatcher(sessionLetters(src.list, sess), f.interval, announceDrive, log)
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log.Info("plugfs agent watching the daemon", "socket", src.addr, "session", fmt.Sprintf("%#x", sess), "interval", f.interval)
	return watchAgent(ctx, w, f.once)
}

// announceDrive announces letter in this session through shellnotify.
func announceDrive(letter byte, arrival, network bool) error {
	ev := shellnotify.Removal
	if arrival {
		ev = shellnotify.Arrival
	}
	return shellnotify.Drive(letter, ev, network)
}

// agentCommandLine is the command line the Run value starts: this
// binary's agent with the same control address and interval, detached
// from the console window Windows would open for it.
func agentCommandLine(a *app, f agentFlags) (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find this program's path for the Run value: %w", err)
	}
	if p, err := filepath.EvalSymlinks(exe); err == nil {
		exe = p
	}
	return winsvc.CommandLine(exe, "agent", "--no-console", "--socket", a.v.GetString("socket"), "--interval", f.interval.String()), nil
}

func installAgent(cmd *cobra.Command, a *app, f agentFlags) error {
	line, err := agentCommandLine(a, f)
	if err != nil {
		return err
	}
	if err := setRunValue(agentRunKey, agentRunValue, line); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "added HKCU\\%s\\%s: %s\nit starts at your next logon; to start it now, run: plugfs agent\n", agentRunKey, agentRunValue, line)
	return nil
}

func uninstallAgent(cmd *cobra.Command) error {
	found, err := deleteRunValue(agentRunKey, agentRunValue)
	if err != nil {
		return err
	}
	if !found {
		fmt.Fprintf(cmd.OutOrStdout(), "HKCU\\%s has no value %s: nothing to remove\n", agentRunKey, agentRunValue)
		return nil
	}
	fmt.Fprintf(cmd.OutOrStdout(), "removed HKCU\\%s\\%s; a running agent keeps running until you log off or stop it\n", agentRunKey, agentRunValue)
	return nil
}

// setRunValue writes the string value name = line under HKCU\key,
// creating the key if needed.
func setRunValue(key, name, line string) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, key, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("open HKCU\\%s to add %s: %w", key, name, err)
	}
	defer k.Close()
	if err := k.SetStringValue(name, line); err != nil {
		return fmt.Errorf("write HKCU\\%s\\%s: %w", key, name, err)
	}
	return nil
}

// runValue reads the string value name under HKCU\key; found is false
// when the key or the value does not exist.
func runValue(key, name string) (line string, found bool, err error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, key, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("open HKCU\\%s: %w", key, err)
	}
	defer k.Close()
	line, _, err = k.GetStringValue(name)
	if errors.Is(err, registry.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read HKCU\\%s\\%s: %w", key, name, err)
	}
	return line, true, nil
}

// deleteRunValue removes the value name under HKCU\key; found is false
// when there was none.
func deleteRunValue(key, name string) (found bool, err error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, key, registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("open HKCU\\%s to remove %s: %w", key, name, err)
	}
	defer k.Close()
	err = k.DeleteValue(name)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("remove HKCU\\%s\\%s: %w", key, name, err)
	}
	return true, nil
}
