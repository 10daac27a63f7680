package core

import "fmt"

// Writeback says whether a driver lets the kernel cache writes (FUSE
// writeback cache: write(2) fills the page cache and the kernel sends the
// pages to the server later, in large batches).
type Writeback int

const (
	// WritebackAuto caches writes when the plugin declares
	// sdk.Declared.ExclusiveData and the mount gives up nothing for it:
	// no file the plugin donates would be served by kernel passthrough
	// (a connection has one or the other).
	WritebackAuto Writeback = iota
	// WritebackOn caches writes whenever the plugin declares
	// ExclusiveData, passthrough or not; a plugin that does not declare it
	// is refused.
	WritebackOn
	// WritebackOff never caches writes: each write(2) reaches the plugin
	// before it returns.
	WritebackOff
)

// String names the setting as the mount option does.
func (w Writeback) String() string {
	switch w {
	case WritebackAuto:
		return "auto"
	case WritebackOn:
		return "on"
	case WritebackOff:
		return "off"
	}
	return "unknown"
}

// ParseWriteback reads a writeback setting: auto, on or off.
func ParseWriteback(s string) (Writeback, error) {
	for _, w := range []Writeback{WritebackAuto, WritebackOn, WritebackOff} {
		if s == w.String() {
			return w, nil
		}
	}
	return 0, fmt.Errorf("unknown writeback setting %q: use auto, on or off", s)
}
