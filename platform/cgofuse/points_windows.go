//go:build windows

package cgofuse

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/windows"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/mountpoint"
	"github.com/plugfs/plugfs/platform/windows/dosdev"
	"github.com/plugfs/plugfs/platform/windows/mountmgr"
	"github.com/plugfs/plugfs/platform/windows/netshare"
	"github.com/plugfs/plugfs/platform/windows/session"
	"github.com/plugfs/plugfs/platform/windows/shellnotify"
)

// winOps are the system calls the Windows mounting points make; tests
// replace them to play WinFsp's part, which cannot run under Wine.
type winOps struct {
	// usedLetters lists the drive letters in use.
	usedLetters func() (map[byte]bool, error)
	// isLocalSystem tells whether this process runs as LocalSystem.
	isLocalSystem func() (bool, error)
	// inSessionZero tells whether this process runs in session 0, as
	// services do.
	inSessionZero func() (bool, error)
	// isElevated tells whether this process's token is elevated (an
	// administrator past UAC).
	isElevated func() bool
	// authID is this process's logon session.
	authID func() (uint64, error)
	// query, define and undefine are QueryDosDevice and
	// DefineDosDevice with a raw target and exact-match removal.
	query    func(name string) ([]string, error)
	define   func(name, device string) error
	undefine func(name, device string) error
	// folderTarget reads where a folder mount point leads.
	folderTarget func(folder string) (string, error)
	// fsName names the file system of the volume holding path.
	fsName func(path string) (string, error)
	// shareAdd and shareRemove create and delete SMB shares.
	shareAdd    func(netshare.Share) error
	shareRemove func(name, path string) error
	// tempRoot is where letterless mounts get their folder.
	tempRoot func() string
	// announce tells Explorer and applications a letter came or went.
	announce func(letter byte, ev shellnotify.Event, network bool) error
	// poll and wait pace and bound the wait for WinFsp's mount point.
	poll, wait time.Duration
}

// ops are the real calls.
var ops = winOps{
	usedLetters:   dosdev.UsedLetters,
	isLocalSystem: session.IsLocalSystem,
	inSessionZero: session.InSessionZero,
	isElevated:    func() bool { return windows.GetCurrentProcessToken().IsElevated() },
	authID:        session.CurrentAuthenticationID,
	query:         dosdev.Query,
	define:        func(name, device string) error { return dosdev.Define(name, device, true) },
	undefine:      dosdev.Remove,
	folderTarget:  mountmgr.FolderTarget,
	fsName:        volumeFSName,
	shareAdd:      netshare.Add,
	shareRemove:   netshare.Remove,
	tempRoot:      os.TempDir,
	announce:      shellnotify.Drive,
	poll:          20 * time.Millisecond,
	wait:          30 * time.Second,
}

// carrier is the mount point WinFsp itself makes, which plugfs waits for
// and reads the volume's device from.
type carrier int

const (
	// carrierLetter: WinFsp defines a drive letter (X:, \\.\X:); its
	// QueryDosDevice target is the volume's device.
	carrierLetter carrier = iota
	// carrierDir: WinFsp mounts on a new folder in a private directory,
	// giving the volume no letter; the folder's reparse point leads to
	// the device.
	carrierDir
	// carrierFolder: WinFsp mounts on the user's folder through the
	// mount manager.
	carrierFolder
)

// carrierSeq numbers letterless mounts within this process.
var carrierSeq atomic.Uint64

// plan is how one mounting point is made around WinFsp's mount: what
// WinFsp mounts, then the DOS names and share plugfs adds, and the state
// to undo.
type plan struct {
	spec        mountpoint.Spec  // settled: the letter of *, the scope
	asked       mountpoint.Scope // the scope the spec named, before settling
	arg, point  string
	opts        []string
	carrier     carrier
	carrierPath string // the letter (X:) or folder WinFsp mounts at
	names       []string
	share       *netshare.Share
	letter      byte   // the drive letter the point shows, if any
	net         bool   // the letter is a network drive
	dir         string // private directory holding carrierPath (carrierDir)
	folder      string // the user's folder, given back at cleanup

	mu        sync.Mutex
	device    string   // the volume's device, once known
	defined   []string // names defined so far
	shared    string   // the share made, if any
	removed   bool     // the user's folder was removed for WinFsp
	madeDir   bool     // dir was created
	announced bool     // the letter's arrival was announced
	finished  bool     // cleanup ran
}

// onLetter makes WinFsp mount at arg, a letter form, whose DOS name is x.
func (p *plan) onLetter(arg, x string) {
	p.arg, p.carrier, p.carrierPath = arg, carrierLetter, x
}

// onDirectory makes WinFsp mount without a letter, on a folder of a
// private directory under the temporary directory. That folder is also
// what a share shares: the Server service reaches the volume through it.
func (p *plan) onDirectory() {
	p.dir = filepath.Join(ops.tempRoot(), fmt.Sprintf("plugfs-%d-%d", os.Getpid(), carrierSeq.Add(1)))
	p.carrier, p.carrierPath = carrierDir, filepath.Join(p.dir, "volume")
	p.arg = p.carrierPath
}

// setup prepares WinFsp's mount point: the private directory of a
// letterless mount, or, for a folder, removing the empty folder (WinFsp
// creates its mount point itself and refuses one that exists).
func (p *plan) setup() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch p.carrier {
	case carrierDir:
		if err := os.Mkdir(p.dir, 0o700); err != nil {
			return fmt.Errorf("%w: %s: making the folder WinFsp mounts on: %w", core.ErrMountPointAccess, p.point, err)
		}
		p.madeDir = true
	case carrierFolder:
		if err := checkFolder(p.folder); err != nil {
			return err
		}
		// RemoveDirectory fails on a folder that is not empty, so a file
		// created since the check is not lost.
		if err := os.Remove(p.folder); err != nil {
			return fmt.Errorf("%w: %s: handing the folder to WinFsp: %w", core.ErrMountPointAccess, p.folder, err)
		}
		p.removed = true
	}
	return nil
}

// ready runs once WinFsp has initialised the file system: it waits for
// WinFsp's mount point (WinFsp makes it after init), learns the volume's
// device from it, defines the point's names, creates its share and
// announces its drive letter. What it made is undone by cleanup, also
// when it fails half way.
func (p *plan) ready(ctx context.Context, done <-chan struct{}) error {
	dev, err := p.waitCarrier(ctx, done)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return fmt.Errorf("%w: %s: unmounted while being made", core.ErrNotMounted, p.point)
	}
	p.device = dev
	for _, n := range p.names {
		if cur, err := ops.query(n); err == nil && len(cur) > 0 && strings.EqualFold(cur[0], dev) {
			// The name already leads to this volume: it is WinFsp's own
			// (LocalSystem's and Wine's Global\ are their own names), and
			// not plugfs's to remove.
			continue
		}
		if err := ops.define(n, dev); err != nil {
			return fmt.Errorf("%s: making %s point at the volume %s: %w", p.point, n, dev, defineError(n, p.asked, err))
		}
		p.defined = append(p.defined, n)
	}
	if p.share != nil {
		s := *p.share
		s.Path = p.carrierPath
		if err := ops.shareAdd(s); err != nil {
			return fmt.Errorf("%s: %w", p.point, err)
		}
		p.shared = s.Name
	}
	if p.letter != 0 {
		p.announce(shellnotify.Arrival)
		p.announced = true
	}
	return nil
}

// announce tells Explorer and applications about the point's letter:
// right away, or, with notify-async, in a goroutine nobody waits for. A
// failed announcement does not fail the mount (WinFsp ignores the
// broadcast's result too): the letter works, Explorer only shows it late.
func (p *plan) announce(ev shellnotify.Event) {
	letter, net := p.letter, p.net
	if p.spec.Flags&mountpoint.NotifyAsync != 0 {
		go func() { _ = ops.announce(letter, ev, net) }()
		return
	}
	_ = ops.announce(letter, ev, net)
}

// waitCarrier polls for WinFsp's mount point until it is there, WinFsp
// gives up (done), ctx ends or ops.wait passes, and returns the
// volume's device (for a folder, where the folder leads).
func (p *plan) waitCarrier(ctx context.Context, done <-chan struct{}) (string, error) {
	timeout := time.NewTimer(ops.wait)
	defer timeout.Stop()
	tick := time.NewTicker(ops.poll)
	defer tick.Stop()
	for {
		dev, err := p.probe()
		if err == nil {
			return dev, nil
		}
		select {
		case <-done:
			return "", fmt.Errorf("%w: %s: WinFsp stopped before making its mount point %s (its message is on standard error)", core.ErrMountPointInvalid, p.point, p.arg)
		case <-ctx.Done():
			return "", fmt.Errorf("%s: waiting for WinFsp's mount point %s: %w", p.point, p.arg, ctx.Err())
		case <-timeout.C:
			return "", fmt.Errorf("%w: %s: WinFsp's mount point %s did not appear within %v: %w", core.ErrMountPointAccess, p.point, p.arg, ops.wait, err)
		case <-tick.C:
		}
	}
}

// probe reads the carrier once.
func (p *plan) probe() (string, error) {
	if p.carrier == carrierLetter {
		t, err := ops.query(p.carrierPath)
		if err != nil {
			return "", err
		}
		if len(t) == 0 || t[0] == "" {
			return "", fmt.Errorf("%s has no target", p.carrierPath)
		}
		return t[0], nil
	}
	t, err := ops.folderTarget(p.carrierPath)
	if err != nil {
		return "", err
	}
	// WinFsp's folder leads to the volume's root: \Device\Volume{GUID}\.
	if len(t) > 1 {
		t = strings.TrimSuffix(t, `\`)
	}
	return t, nil
}

// cleanup undoes what setup and ready made, once WinFsp has unmounted:
// the share, the names (each only if it still points at this volume),
// then announces the letter's removal, removes the private directory and
// makes the user's folder again.
func (p *plan) cleanup() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finished = true
	var errs []error
	if p.shared != "" {
		if err := ops.shareRemove(p.shared, p.carrierPath); err != nil {
			errs = append(errs, fmt.Errorf("%s: removing share %s: %w", p.point, p.shared, err))
		}
		p.shared = ""
	}
	for i := len(p.defined) - 1; i >= 0; i-- {
		if err := ops.undefine(p.defined[i], p.device); err != nil {
			errs = append(errs, fmt.Errorf("%s: removing %s: %w", p.point, p.defined[i], err))
		}
	}
	p.defined = nil
	if p.announced {
		p.announce(shellnotify.Removal)
		p.announced = false
	}
	if p.madeDir {
		// WinFsp deletes its folder when the volume goes; remove it
		// anyway (a junction goes without its target) in case it did not.
		_ = os.Remove(p.carrierPath)
		if err := os.Remove(p.dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("%s: removing %s: %w", p.point, p.dir, err))
		}
		p.madeDir = false
	}
	if p.removed {
		if _, err := os.Lstat(p.folder); errors.Is(err, fs.ErrNotExist) {
			if err := os.Mkdir(p.folder, 0o755); err != nil {
				errs = append(errs, fmt.Errorf("%s: making the empty folder again: %w", p.folder, err))
			}
		}
		p.removed = false
	}
	return errors.Join(errs...)
}

// defineError explains the ways DefineDosDevice fails for a point's
// names beyond those dosdev maps; asked is the scope the point named
// before the default was settled.
func defineError(name string, asked mountpoint.Scope, err error) error {
	if strings.HasPrefix(name, `Global\`) && errors.Is(err, core.ErrMountPointAccess) {
		if asked == mountpoint.ScopeGlobal {
			return fmt.Errorf("%w: the point is global because 'global' was asked for: run elevated, or drop 'global' for a letter in your own session", err)
		}
		return fmt.Errorf("%w: the default scope is global for this process (LocalSystem, a service or elevated): give 'local' for a point in this process's own logon session", err)
	}
	if !errors.Is(err, windows.ERROR_PATH_NOT_FOUND) {
		return err
	}
	switch {
	case strings.HasPrefix(name, `Global\`):
		return fmt.Errorf("%w: %w: this system has no global DOS device directory (\\GLOBAL??; Wine has none): make the point local", core.ErrDriverUnavailable, err)
	case strings.HasPrefix(name, `GLOBALROOT\`):
		return fmt.Errorf("%w: %w: that logon session has no DOS device directory: check the auth id, and that the session is logged on", core.ErrMountPointMissing, err)
	}
	return err
}
