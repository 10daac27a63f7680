package catalog

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestEnviron(t *testing.T) {
	p := &Policy{Env: []string{"AWS_PROFILE", "MY_*"}}
	got := p.Environ([]string{"PATH=/bin", "SECRET=x", "AWS_PROFILE=a", "AWS_SECRET=b", "MY_ONE=1", "LC_ALL=C", "PLUGFS_X=y"})
	want := []string{"PATH=/bin", "AWS_PROFILE=a", "MY_ONE=1", "LC_ALL=C", "PLUGFS_X=y"}
	if !slices.Equal(got, want) {
		t.Errorf("Environ = %v; want %v", got, want)
	}
	if got := (&Policy{}).Environ(nil); got == nil {
		t.Error("Environ(nil) is nil: the host would pass its own environment")
	}
}

func TestCheckDefaultOpener(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "p")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	const sum = "c1d6ddad1cb8e8d3ba4a3a5d8d7a7fa4f9e8dfb4c8f6b8bcc1b2c3a0f2a2d5e0" // not its digest
	p := &Policy{Opener: DefaultOpener{}}
	v := p.Check(exe, "", "")
	if v.Err != nil || len(v.SHA256) != 64 {
		t.Fatalf("Check(plain) = %+v", v)
	}
	if v := p.Check(exe, v.SHA256, "test"); v.Err != nil {
		t.Errorf("Check(right pin) = %v", v.Err)
	}
	if v := p.Check(exe, sum, "test"); !errors.Is(v.Err, ErrDigestMismatch) || !strings.Contains(v.Err.Error(), "test pins "+sum) {
		t.Errorf("Check(wrong pin) = %v", v.Err)
	}
	if v := p.Check(exe, "abc", "test"); !errors.Is(v.Err, ErrUntrusted) {
		t.Errorf("Check(malformed pin) = %v", v.Err)
	}
	link := filepath.Join(dir, "link")
	os.Symlink(exe, link)
	if v := p.Check(link, "", ""); !errors.Is(v.Err, ErrUntrusted) || v.Err.(*TrustError).Reason != ReasonSymlink {
		t.Errorf("Check(symlink) = %v", v.Err)
	}
	if v := (&Policy{AllowInsecure: true}).Check(link, "", ""); v.Err != nil {
		t.Errorf("Check(symlink, insecure) = %v", v.Err)
	}
	os.Chmod(exe, 0o775)
	if v := p.Check(exe, "", ""); v.Err == nil || v.Err.(*TrustError).Reason != ReasonWritable {
		t.Errorf("Check(group-writable) = %v", v.Err)
	}
}

func TestCheckInfoOwner(t *testing.T) {
	p := &Policy{TrustedUIDs: []int{1000}}
	for uid, ok := range map[int]bool{0: true, 1000: true, -1: true, 65534: false} {
		err := p.checkInfo("/x", FileInfo{Mode: 0o755, UID: uid})
		if (err == nil) != ok {
			t.Errorf("uid %d: %v, want trusted=%v", uid, err, ok)
		}
	}
}
