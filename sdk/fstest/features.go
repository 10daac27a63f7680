package fstest

import (
	"errors"
	"io/fs"

	"github.com/plugfs/plugfs/sdk"
)

// feature is one optional interface of the sdk.
type feature int

const (
	fWrite feature = iota
	fSetattr
	fMkdir
	fRemove
	fRename
	fSymlink
	fReadlink
	fLink
	fMknod
	fFlush
	fFsync
	fStatfs
	fXattr
	fStatHandle
)

// absentHandle is a handle no backend under test has handed out; calls on
// it exercise the fallback for a missing interface, which must not look at
// the handle.
const absentHandle sdk.Handle = 1<<63 + 12345

// featureInfo says how to tell whether a backend has a feature and what it
// must answer when it has not (a wire client has every method, so it must
// answer with the documented fallback).
type featureInfo struct {
	name      string
	announced func(sdk.Features) bool
	methods   func(sdk.FileSystem) bool
	fallback  func(e *env) error // nil error: the fallback is right
}

// wantIs returns nil if err matches target, or an error describing both.
func wantIs(op string, err, target error) error {
	if errors.Is(err, target) {
		return nil
	}
	return &mismatch{op: op, got: err, want: target}
}

type mismatch struct {
	op        string
	got, want error
}

func (m *mismatch) Error() string {
	return m.op + " = " + errString(m.got) + ", want " + m.want.Error()
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func implements[I any](f sdk.FileSystem) bool { _, ok := f.(I); return ok }

var features = map[feature]featureInfo{
	fWrite: {"Writer", func(f sdk.Features) bool { return f.Write && !f.ReadOnly }, implements[sdk.Writer],
		func(e *env) error {
			_, err := e.fs.(sdk.Writer).Write(e.ctx, absentHandle, []byte("x"), 0)
			return wantIs("Write", err, sdk.ErrReadOnly)
		}},
	fSetattr: {"Setattrer", func(f sdk.Features) bool { return f.Setattr }, implements[sdk.Setattrer],
		func(e *env) error {
			_, err := e.fs.(sdk.Setattrer).Setattr(e.ctx, "/", 0, sdk.SetAttr{Valid: sdk.SetMode, Mode: 0o755})
			return wantIs("Setattr", err, sdk.ErrNotSupported)
		}},
	fMkdir: {"Mkdirer", func(f sdk.Features) bool { return f.Mkdir }, implements[sdk.Mkdirer],
		func(e *env) error {
			_, err := e.fs.(sdk.Mkdirer).Mkdir(e.ctx, "/fstest-absent", 0o755)
			return wantIs("Mkdir", err, sdk.ErrNotSupported)
		}},
	fRemove: {"Remover", func(f sdk.Features) bool { return f.Remove }, implements[sdk.Remover],
		func(e *env) error {
			if err := e.fs.(sdk.Remover).Unlink(e.ctx, "/fstest-absent"); wantIs("Unlink", err, sdk.ErrNotSupported) != nil {
				return wantIs("Unlink", err, sdk.ErrNotSupported)
			}
			return wantIs("Rmdir", e.fs.(sdk.Remover).Rmdir(e.ctx, "/fstest-absent"), sdk.ErrNotSupported)
		}},
	fRename: {"Renamer", func(f sdk.Features) bool { return f.Rename }, implements[sdk.Renamer],
		func(e *env) error {
			return wantIs("Rename", e.fs.(sdk.Renamer).Rename(e.ctx, "/fstest-a", "/fstest-b", 0), sdk.ErrCrossDevice)
		}},
	fSymlink: {"Symlinker", func(f sdk.Features) bool { return f.Symlink }, implements[sdk.Symlinker],
		func(e *env) error {
			_, err := e.fs.(sdk.Symlinker).Symlink(e.ctx, "t", "/fstest-absent")
			return wantIs("Symlink", err, sdk.ErrNotSupported)
		}},
	fReadlink: {"Readlinker", func(f sdk.Features) bool { return f.Readlink }, implements[sdk.Readlinker],
		func(e *env) error {
			_, err := e.fs.(sdk.Readlinker).Readlink(e.ctx, "/")
			return wantIs("Readlink", err, sdk.ErrInvalid)
		}},
	fLink: {"Linker", func(f sdk.Features) bool { return f.Link }, implements[sdk.Linker],
		func(e *env) error {
			_, err := e.fs.(sdk.Linker).Link(e.ctx, "/fstest-a", "/fstest-b")
			return wantIs("Link", err, sdk.ErrNotPermitted)
		}},
	fMknod: {"Mknoder", func(f sdk.Features) bool { return f.Mknod }, implements[sdk.Mknoder],
		func(e *env) error {
			_, err := e.fs.(sdk.Mknoder).Mknod(e.ctx, "/fstest-absent", fs.ModeNamedPipe|0o644, 0)
			return wantIs("Mknod", err, sdk.ErrNotSupported)
		}},
	fFlush: {"Flusher", func(f sdk.Features) bool { return f.Flush }, implements[sdk.Flusher],
		func(e *env) error { return wantNil("Flush", e.fs.(sdk.Flusher).Flush(e.ctx, absentHandle)) }},
	fFsync: {"Fsyncer", func(f sdk.Features) bool { return f.Fsync }, implements[sdk.Fsyncer],
		func(e *env) error { return wantNil("Fsync", e.fs.(sdk.Fsyncer).Fsync(e.ctx, absentHandle, false)) }},
	fStatfs: {"Statfser", func(f sdk.Features) bool { return f.Statfs }, implements[sdk.Statfser],
		func(e *env) error {
			st, err := e.fs.(sdk.Statfser).Statfs(e.ctx)
			if err != nil {
				return err
			}
			if st != sdk.DefaultStatfs {
				return errors.New("Statfs without Statfser must report sdk.DefaultStatfs")
			}
			return nil
		}},
	fXattr: {"Xattrer", func(f sdk.Features) bool { return f.Xattr }, implements[sdk.Xattrer],
		func(e *env) error {
			_, err := e.fs.(sdk.Xattrer).GetXattr(e.ctx, "/", "user.fstest")
			return wantIs("GetXattr", err, sdk.ErrNotSupported)
		}},
	fStatHandle: {"HandleStater", func(f sdk.Features) bool { return f.StatHandle }, implements[sdk.HandleStater],
		func(e *env) error {
			_, err := e.fs.(sdk.HandleStater).StatHandle(e.ctx, absentHandle)
			return wantIs("StatHandle", err, sdk.ErrNoSys)
		}},
}

func wantNil(op string, err error) error {
	if err != nil {
		return errors.New(op + " without the interface must succeed, got " + err.Error())
	}
	return nil
}

// has reports whether the backend announces every one of fs. For each it
// does not, has checks that the backend really lacks it, so a missing
// feature is verified rather than skipped.
func (e *env) has(fs ...feature) bool {
	e.t.Helper()
	all := true
	for _, f := range fs {
		info := features[f]
		if info.announced(e.feat) {
			continue
		}
		all = false
		e.absent(info)
	}
	return all
}

// absent checks that a feature the backend does not announce is really
// missing.
func (e *env) absent(info featureInfo) {
	e.t.Helper()
	if !info.methods(e.fs) {
		e.t.Logf("fstest: backend has no %s: checked it is not implemented", info.name)
		return
	}
	if _, reporter := e.fs.(sdk.FeatureReporter); !reporter {
		if info.name == "Writer" && e.feat.ReadOnly {
			e.t.Logf("fstest: backend declares ReadOnly: write tests do not run")
			return
		}
		e.t.Errorf("fstest: backend implements %s but sdk.DetectFeatures does not announce it", info.name)
		return
	}
	if err := info.fallback(e); err != nil {
		e.t.Errorf("fstest: %s not announced, so it must fail as documented: %v", info.name, err)
		return
	}
	e.t.Logf("fstest: backend announces no %s: checked that it answers with the documented fallback", info.name)
}
