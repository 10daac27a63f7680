package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Trust errors. Both are returned wrapped in a *TrustError that names the
// file and the fix; errors.Is tells the two apart.
var (
	// ErrUntrusted means the executable is a symbolic link, may be
	// written by others than its owner, or has an owner plugfs does not
	// trust.
	ErrUntrusted = errors.New("plugin executable not trusted")
	// ErrDigestMismatch means the executable's SHA-256 is not the pinned
	// one: it changed since it was pinned.
	ErrDigestMismatch = errors.New("plugin executable does not match its pinned sha256")
)

// Reason says why an executable was refused.
type Reason string

// Reasons for refusing an executable.
const (
	ReasonSymlink    Reason = "symlink"        // a symbolic link, not the file itself
	ReasonWritable   Reason = "writable"       // group- or world-writable
	ReasonOwner      Reason = "owner"          // owned by an untrusted user
	ReasonNotRegular Reason = "not-regular"    // a directory, device, ...
	ReasonDigest     Reason = "digest"         // content differs from the pin
	ReasonBadPin     Reason = "bad-pin"        // the pin itself is malformed
	ReasonUnreadable Reason = "unreadable"     // cannot be opened or read
	ReasonCatalog    Reason = "catalog-broken" // the catalog file holding the pin is untrusted
)

// TrustError is a refused plugin executable.
type TrustError struct {
	Path   string
	Reason Reason
	// Detail says what was found ("mode 0775", "owner uid 65534").
	Detail string
	// Fix says what to do about it.
	Fix string
	// Err is the underlying error, if any.
	Err error
}

func (e *TrustError) Error() string {
	kind := ErrUntrusted
	if e.Reason == ReasonDigest {
		kind = ErrDigestMismatch
	}
	msg := fmt.Sprintf("%v: %s: %s", kind, e.Path, e.Detail)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Fix != "" {
		msg += "; " + e.Fix
	}
	return msg
}

// Unwrap returns the kind of refusal and the underlying error.
func (e *TrustError) Unwrap() []error {
	kind := ErrUntrusted
	if e.Reason == ReasonDigest {
		kind = ErrDigestMismatch
	}
	if e.Err != nil {
		return []error{kind, e.Err}
	}
	return []error{kind}
}

// FileInfo describes an opened executable, as the system saw the
// descriptor (not the path).
type FileInfo struct {
	Mode fs.FileMode
	// UID is the owner's user id, or -1 where the system has none
	// (Windows): ownership is then not checked.
	UID int
}

// Executable is an opened plugin executable. Reading it reads the opened
// file; Command runs it.
type Executable interface {
	io.Reader
	// Info describes the opened file.
	Info() (FileInfo, error)
	// Command returns a command that runs the opened file with args
	// (args[0] is the name shown to the system). Where the system can run
	// an open descriptor (Linux), the command runs exactly the file that
	// was checked and keeps its own reference to it, so the Executable may
	// be closed at once. Elsewhere it runs the path again: a file swapped
	// between the check and the start goes unnoticed (see Opener.Exact).
	Command(args []string) *exec.Cmd
	// Close releases the executable (not a command made from it).
	Close() error
}

// Opener opens plugin executables for checking. platform/trust provides
// one per system; DefaultOpener uses only package os.
type Opener interface {
	// Open opens path for reading without following a symbolic link in
	// its last component. A symbolic link fails with an error wrapping
	// ErrSymlink.
	Open(path string) (Executable, error)
	// Exact reports whether Executable.Command runs the checked file
	// itself, leaving no window between check and start.
	Exact() bool
}

// ErrSymlink is returned by Opener.Open for a symbolic link.
var ErrSymlink = errors.New("is a symbolic link")

// Policy decides which plugin executables may run and with what
// environment. The zero Policy checks everything, trusts root only and
// passes DefaultEnv.
type Policy struct {
	// AllowInsecure skips the symlink, permission and owner checks (for
	// development). Pinned digests are still checked.
	AllowInsecure bool
	// TrustedUIDs own trusted executables besides root (0): typically the
	// uid plugfs runs as.
	TrustedUIDs []int
	// Env names the host variables plugins get, besides DefaultEnv. A
	// name ending in "*" matches a prefix; "*" passes everything.
	Env []string
	// Opener opens executables; nil means DefaultOpener.
	Opener Opener
}

// DefaultEnv are the variables every plugin gets from the host: the
// search path, home, temporary directory, locale, time zone, and plugfs's
// own PLUGFS_* settings (PLUGFS_PLUGIN_LOG_LEVEL and the like). The rest
// of the host's environment (tokens, keys) is not passed on.
var DefaultEnv = []string{"PATH", "HOME", "TMPDIR", "TZ", "LANG", "LC_*", "PLUGFS_*"}

func (p *Policy) opener() Opener {
	if p.Opener != nil {
		return p.Opener
	}
	return DefaultOpener{}
}

// Environ returns the entries of environ (os.Environ()) a plugin gets.
// The result is never nil: an empty environment is still one of our
// choosing.
func (p *Policy) Environ(environ []string) []string {
	out := []string{}
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if envMatch(DefaultEnv, k) || envMatch(p.Env, k) {
			out = append(out, kv)
		}
	}
	return out
}

func envMatch(patterns []string, k string) bool {
	for _, p := range patterns {
		if pre, ok := strings.CutSuffix(p, "*"); ok {
			if strings.HasPrefix(k, pre) {
				return true
			}
		} else if p == k {
			return true
		}
	}
	return false
}

// Verdict is the outcome of checking one executable.
type Verdict struct {
	// SHA256 is the executable's digest (hex), when it could be read.
	SHA256 string
	// Err is why it is refused, or nil.
	Err error
}

// Check opens path, checks it and hashes it, then closes it. pin, if not
// empty, is the hex SHA-256 it must have; pinnedBy says where the pin
// comes from, for the message.
func (p *Policy) Check(path, pin, pinnedBy string) Verdict {
	x, v := p.open(path, pin, pinnedBy)
	if x != nil {
		x.Close()
	}
	return v
}

// Command opens and checks path as Check does and returns a command
// running the checked file with args (see Executable.Command).
func (p *Policy) Command(path, pin, pinnedBy string, args []string) (*exec.Cmd, error) {
	x, v := p.open(path, pin, pinnedBy)
	if v.Err != nil {
		if x != nil {
			x.Close()
		}
		return nil, v.Err
	}
	// Where the opener is exact, the command holds its own reference to
	// the file (an inherited descriptor); x is not needed any more.
	cmd := x.Command(append([]string{path}, args...))
	x.Close()
	return cmd, nil
}

// open returns the opened executable (nil if it could not be opened)
// and the verdict on it.
func (p *Policy) open(path, pin, pinnedBy string) (Executable, Verdict) {
	if pin != "" {
		if err := ValidDigest(pin); err != nil {
			return nil, Verdict{Err: &TrustError{Path: path, Reason: ReasonBadPin, Detail: "pinned by " + pinnedBy, Err: err,
				Fix: "give the 64 hex digits printed by sha256sum"}}
		}
	}
	x, err := p.opener().Open(path)
	if err != nil {
		if errors.Is(err, ErrSymlink) && p.AllowInsecure {
			var target string
			if target, err = filepath.EvalSymlinks(path); err == nil {
				x, err = p.opener().Open(target)
			}
		}
		if errors.Is(err, ErrSymlink) {
			return nil, Verdict{Err: &TrustError{Path: path, Reason: ReasonSymlink, Detail: "is a symbolic link",
				Fix: "install the file itself (plugfs plugin install TARGET), not a link to it"}}
		}
		if err != nil {
			return nil, Verdict{Err: &TrustError{Path: path, Reason: ReasonUnreadable, Detail: "cannot open", Err: err,
				Fix: "check that it exists and that plugfs may read it"}}
		}
	}
	info, err := x.Info()
	if err != nil {
		return x, Verdict{Err: &TrustError{Path: path, Reason: ReasonUnreadable, Detail: "cannot stat", Err: err}}
	}
	if !info.Mode.IsRegular() {
		return x, Verdict{Err: &TrustError{Path: path, Reason: ReasonNotRegular, Detail: "is not a regular file (" + info.Mode.Type().String() + ")",
			Fix: "give a plugin executable"}}
	}
	if !p.AllowInsecure {
		if err := p.checkInfo(path, info); err != nil {
			return x, Verdict{Err: err}
		}
	}
	h := sha256.New()
	if _, err := io.Copy(h, x); err != nil {
		return x, Verdict{Err: &TrustError{Path: path, Reason: ReasonUnreadable, Detail: "cannot read", Err: err}}
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if pin != "" && !strings.EqualFold(sum, pin) {
		return x, Verdict{SHA256: sum, Err: &TrustError{Path: path, Reason: ReasonDigest,
			Detail: fmt.Sprintf("its sha256 is %s but %s pins %s", sum, pinnedBy, strings.ToLower(pin)),
			Fix:    "it was modified after it was pinned: reinstall it (plugfs plugin install) or, if the change is wanted, update the pin"}}
	}
	return x, Verdict{SHA256: sum}
}

// checkInfo applies the permission and owner rules to an opened file.
func (p *Policy) checkInfo(path string, info FileInfo) error {
	if perm := info.Mode.Perm(); perm&0o022 != 0 {
		who := "group"
		if perm&0o002 != 0 {
			who = "world"
		}
		return &TrustError{Path: path, Reason: ReasonWritable,
			Detail: fmt.Sprintf("is %s-writable (mode %04o)", who, perm),
			Fix:    fmt.Sprintf("chmod go-w %s", path)}
	}
	if info.UID >= 0 && info.UID != 0 && !slices.Contains(p.TrustedUIDs, info.UID) {
		return &TrustError{Path: path, Reason: ReasonOwner,
			Detail: fmt.Sprintf("is owned by uid %d, not root%s", info.UID, p.trustedList()),
			Fix:    fmt.Sprintf("chown root %s (or install it with plugfs plugin install)", path)}
	}
	return nil
}

func (p *Policy) trustedList() string {
	var s []string
	for _, u := range p.TrustedUIDs {
		if u != 0 {
			s = append(s, fmt.Sprint(u))
		}
	}
	if len(s) == 0 {
		return ""
	}
	return " or uid " + strings.Join(s, ", ")
}

// ValidDigest checks that s is a hex SHA-256.
func ValidDigest(s string) error {
	if len(s) != sha256.Size*2 {
		return fmt.Errorf("sha256 %q has %d characters, want %d hex digits", s, len(s), sha256.Size*2)
	}
	if _, err := hex.DecodeString(s); err != nil {
		return fmt.Errorf("sha256 %q is not hexadecimal", s)
	}
	return nil
}
