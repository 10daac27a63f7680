//go:build linux

package unmount

import "testing"

func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{`/mnt/a\040b`: "/mnt/a b", `/plain`: "/plain", `/x\134y`: `/x\y`, `/end\04`: `/end\04`} {
		if got := unescape(in); got != want {
			t.Errorf("unescape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFSTypeOfRoot(t *testing.T) {
	if _, ok := FSType("/"); !ok {
		t.Fatal("/ is not reported as a mount")
	}
	if _, ok := FSType("/definitely/not/a/mount"); ok {
		t.Fatal("a missing path is reported as a mount")
	}
}
