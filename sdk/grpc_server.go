package sdk

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/plugfs/plugfs/sdk/proto/fsv1"
)

// grpcServer serves a Plugin's FileSystem over the wire protocol.
type grpcServer struct {
	fsv1.UnimplementedFileSystemServer
	plugin *Plugin

	files   *fileChannel // nil when the host offered none
	laneDir string       // where the fast lane's socket goes

	mu   sync.RWMutex
	fsys FileSystem
	feat Features
	shm  *shmRegion  // the host's region, once mapped
	lane *laneServer // the fast lane, once the host asked for it
}

func newGRPCServer(p *Plugin, files *fileChannel) *grpcServer {
	return &grpcServer{plugin: p, files: files}
}

// region returns the shared region's bytes [off, off+size) or an error
// naming the bad request.
func (s *grpcServer) region(off uint64, size int) ([]byte, error) {
	s.mu.RLock()
	r := s.shm
	s.mu.RUnlock()
	if r == nil {
		return nil, NewError(CodeInvalid, "shared memory requested, but none was set up at Init")
	}
	if size < 0 || off > uint64(len(r.mem)) || uint64(size) > uint64(len(r.mem))-off {
		return nil, NewError(CodeInvalid, fmt.Sprintf("shared memory range %d+%d outside the %d-byte region", off, size, len(r.mem)))
	}
	return r.mem[off : off+uint64(size)], nil
}

// mapShm takes the region the host offered at Init, if it can. Failing to
// is not an error: the host then sends bytes in messages.
func (s *grpcServer) mapShm(ctx context.Context, token, size uint64) *shmRegion {
	if token == 0 || s.files == nil || size == 0 || size > 1<<32 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	f, err := s.files.receive(ctx, token)
	if err != nil {
		return nil
	}
	defer f.Close()
	r, err := mapShmRegion(f, int(size))
	if err != nil {
		return nil
	}
	return r
}

var errNotInitialized = NewError(CodeUnavailable, "plugin not initialized: the host must call Init first")

func (s *grpcServer) get() (FileSystem, Features, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.fsys == nil {
		return nil, Features{}, errNotInitialized
	}
	return s.fsys, s.feat, nil
}

func (s *grpcServer) Init(ctx context.Context, req *fsv1.InitRequest) (*fsv1.InitResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fsys != nil {
		return nil, errorToStatus(NewError(CodeBusy, "plugin already initialized"))
	}
	opts, err := s.plugin.Validate(req.Options)
	if err != nil {
		return nil, errorToStatus(err)
	}
	if s.plugin.New == nil {
		return nil, errorToStatus(NewError(CodeInvalid, fmt.Sprintf("plugin %s has no New function", s.plugin.Name)))
	}
	fsys, err := s.plugin.New(ctx, opts)
	if err != nil {
		return nil, errorToStatus(err)
	}
	s.fsys = fsys
	s.feat = DetectFeatures(fsys)
	if s.files == nil {
		s.feat.DonateFiles = false
	}
	s.shm = s.mapShm(ctx, req.ShmToken, req.ShmSize)
	resp := &fsv1.InitResponse{
		PluginRevision: ProtocolRevision,
		Name:           s.plugin.Name,
		Version:        s.plugin.Version,
		Features:       featuresToWire(s.feat),
		Shm:            s.shm != nil,
	}
	if req.WantLane {
		// Without a lane the host keeps using gRPC: not an error.
		if lane, err := startLaneServer(s, s.laneDir); err == nil {
			s.lane = lane
			resp.LaneAddress, resp.LaneKey = lane.path, lane.key
		}
	}
	return resp, nil
}

// close stops the fast lane, if any.
func (s *grpcServer) close() {
	s.mu.Lock()
	lane := s.lane
	s.lane = nil
	s.mu.Unlock()
	if lane != nil {
		lane.close()
	}
}

// call runs op against the initialized file system with the caller set.
func call[T any](s *grpcServer, ctx context.Context, c *fsv1.Caller, op func(context.Context, FileSystem) (T, error)) (T, error) {
	var zero T
	fsys, _, err := s.get()
	if err != nil {
		return zero, errorToStatus(err)
	}
	out, err := op(withWireCaller(ctx, c), fsys)
	if err != nil {
		return zero, errorToStatus(err)
	}
	return out, nil
}

// optional asserts that fsys implements I or fails with the documented error.
func optional[I any](fsys FileSystem, missing error) (I, error) {
	i, ok := fsys.(I)
	if !ok {
		return i, missing
	}
	return i, nil
}

var empty = &fsv1.Empty{}

func (s *grpcServer) Stat(ctx context.Context, r *fsv1.PathRequest) (*fsv1.AttrResponse, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.AttrResponse, error) {
		a, err := f.Stat(ctx, r.Path)
		return &fsv1.AttrResponse{Attr: attrToWire(a)}, err
	})
}

func (s *grpcServer) StatHandle(ctx context.Context, r *fsv1.HandleRequest) (*fsv1.AttrResponse, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.AttrResponse, error) {
		hs, err := optional[HandleStater](f, ErrNoSys)
		if err != nil {
			return nil, err
		}
		a, err := hs.StatHandle(ctx, Handle(r.Handle))
		return &fsv1.AttrResponse{Attr: attrToWire(a)}, err
	})
}

func (s *grpcServer) OpenDir(ctx context.Context, r *fsv1.PathRequest) (*fsv1.HandleResponse, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.HandleResponse, error) {
		h, err := f.OpenDir(ctx, r.Path)
		return &fsv1.HandleResponse{Handle: uint64(h)}, err
	})
}

func (s *grpcServer) ReadDir(ctx context.Context, r *fsv1.ReadDirRequest) (*fsv1.ReadDirResponse, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.ReadDirResponse, error) {
		max := int(r.Max)
		if max <= 0 || max > 4096 {
			max = 4096
		}
		ents, err := f.ReadDir(ctx, Handle(r.Handle), r.Cookie, max)
		if err != nil {
			return nil, err
		}
		out := &fsv1.ReadDirResponse{Entries: make([]*fsv1.DirEntry, len(ents))}
		for i, e := range ents {
			we := &fsv1.DirEntry{Name: e.Name, Mode: ModeToPOSIX(e.Mode), Ino: e.Ino, Cookie: e.Cookie}
			if e.Attr != nil {
				we.Attr = attrToWire(*e.Attr)
			}
			out.Entries[i] = we
		}
		return out, nil
	})
}

func (s *grpcServer) Open(ctx context.Context, r *fsv1.OpenRequest) (*fsv1.OpenResponse, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.OpenResponse, error) {
		h, a, err := f.Open(ctx, r.Path, OpenFlags(r.Flags), PermMode(ModeFromPOSIX(r.Mode)))
		if err != nil {
			return nil, err
		}
		return &fsv1.OpenResponse{Handle: uint64(h), Attr: attrToWire(a), FileToken: s.donate(ctx, f, h, r.WantFile),
			ParentAttr: parentAttr(ctx, f, r.Path, r.StatParent && OpenFlags(r.Flags)&Create != 0)}, nil
	})
}

// donate sends the OS file behind h when the host wants it and the plugin
// gives it, and returns its token (0: none; the handle works either way).
func (s *grpcServer) donate(ctx context.Context, f FileSystem, h Handle, want bool) uint64 {
	d, ok := f.(FileDonor)
	if !want || !ok || s.files == nil {
		return 0
	}
	file, err := d.DonateFile(ctx, h)
	if err != nil || file == nil {
		return 0
	}
	if slot := laneFileSlotFrom(ctx); slot != nil {
		// The lane sends it with the reply (laneReplyOKFile).
		slot.f = file
		return s.files.newToken()
	}
	token, err := s.files.send(file)
	if err != nil {
		return 0
	}
	return token
}

func (s *grpcServer) Read(ctx context.Context, r *fsv1.ReadRequest) (*fsv1.ReadResponse, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.ReadResponse, error) {
		size := int(r.Size)
		if size > DefaultMaxIO {
			size = DefaultMaxIO
		}
		if r.Shm {
			buf, err := s.region(r.ShmOffset, size)
			if err != nil {
				return nil, err
			}
			n, err := f.Read(ctx, Handle(r.Handle), buf, r.Offset)
			if err != nil {
				return nil, err
			}
			return &fsv1.ReadResponse{ShmLength: uint32(n)}, nil
		}
		buf := make([]byte, size)
		n, err := f.Read(ctx, Handle(r.Handle), buf, r.Offset)
		if err != nil {
			return nil, err
		}
		return &fsv1.ReadResponse{Data: buf[:n]}, nil
	})
}

func (s *grpcServer) Write(ctx context.Context, r *fsv1.WriteRequest) (*fsv1.WriteResponse, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.WriteResponse, error) {
		w, err := optional[Writer](f, ErrReadOnly)
		if err != nil {
			return nil, err
		}
		data := r.Data
		if r.Shm {
			if data, err = s.region(r.ShmOffset, int(r.ShmLength)); err != nil {
				return nil, err
			}
		}
		n, err := w.Write(ctx, Handle(r.Handle), data, r.Offset)
		return &fsv1.WriteResponse{Written: uint32(n)}, err
	})
}

func (s *grpcServer) Release(ctx context.Context, r *fsv1.HandleRequest) (*fsv1.ReleaseResponse, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.ReleaseResponse, error) {
		if err := f.Release(ctx, Handle(r.Handle)); err != nil {
			return nil, err
		}
		resp := &fsv1.ReleaseResponse{}
		if r.StatPath != "" {
			resp.Attr = statWire(ctx, f, r.StatPath)
		}
		return resp, nil
	})
}

func (s *grpcServer) Flush(ctx context.Context, r *fsv1.HandleRequest) (*fsv1.Empty, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.Empty, error) {
		if fl, ok := f.(Flusher); ok {
			return empty, fl.Flush(ctx, Handle(r.Handle))
		}
		return empty, nil
	})
}

func (s *grpcServer) Fsync(ctx context.Context, r *fsv1.FsyncRequest) (*fsv1.Empty, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.Empty, error) {
		if fs, ok := f.(Fsyncer); ok {
			return empty, fs.Fsync(ctx, Handle(r.Handle), r.DataOnly)
		}
		return empty, nil
	})
}

func (s *grpcServer) Setattr(ctx context.Context, r *fsv1.SetattrRequest) (*fsv1.AttrResponse, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.AttrResponse, error) {
		sa, err := optional[Setattrer](f, ErrNotSupported)
		if err != nil {
			return nil, err
		}
		a, err := sa.Setattr(ctx, r.Path, Handle(r.Handle), SetAttr{
			Valid: SetAttrMask(r.Valid), Mode: PermMode(ModeFromPOSIX(r.Mode)),
			Uid: r.Uid, Gid: r.Gid, Size: r.Size,
			Atime: nsToTime(r.AtimeNs), Mtime: nsToTime(r.MtimeNs), Ctime: nsToTime(r.CtimeNs),
		})
		return &fsv1.AttrResponse{Attr: attrToWire(a)}, err
	})
}

func (s *grpcServer) Mkdir(ctx context.Context, r *fsv1.CreateRequest) (*fsv1.AttrResponse, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.AttrResponse, error) {
		m, err := optional[Mkdirer](f, ErrNotSupported)
		if err != nil {
			return nil, err
		}
		a, err := m.Mkdir(ctx, r.Path, PermMode(ModeFromPOSIX(r.Mode)))
		if err != nil {
			return nil, err
		}
		return &fsv1.AttrResponse{Attr: attrToWire(a), ParentAttr: parentAttr(ctx, f, r.Path, r.StatParent)}, nil
	})
}

func (s *grpcServer) Mknod(ctx context.Context, r *fsv1.CreateRequest) (*fsv1.AttrResponse, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.AttrResponse, error) {
		m, err := optional[Mknoder](f, ErrNotSupported)
		if err != nil {
			return nil, err
		}
		a, err := m.Mknod(ctx, r.Path, ModeFromPOSIX(r.Mode), r.Rdev)
		if err != nil {
			return nil, err
		}
		return &fsv1.AttrResponse{Attr: attrToWire(a), ParentAttr: parentAttr(ctx, f, r.Path, r.StatParent)}, nil
	})
}

func (s *grpcServer) Unlink(ctx context.Context, r *fsv1.PathRequest) (*fsv1.RemoveResponse, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.RemoveResponse, error) {
		rm, err := optional[Remover](f, ErrNotSupported)
		if err != nil {
			return nil, err
		}
		if err := rm.Unlink(ctx, r.Path); err != nil {
			return nil, err
		}
		return &fsv1.RemoveResponse{ParentAttr: parentAttr(ctx, f, r.Path, r.StatParent)}, nil
	})
}

func (s *grpcServer) Rmdir(ctx context.Context, r *fsv1.PathRequest) (*fsv1.RemoveResponse, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.RemoveResponse, error) {
		rm, err := optional[Remover](f, ErrNotSupported)
		if err != nil {
			return nil, err
		}
		if err := rm.Rmdir(ctx, r.Path); err != nil {
			return nil, err
		}
		return &fsv1.RemoveResponse{ParentAttr: parentAttr(ctx, f, r.Path, r.StatParent)}, nil
	})
}

func (s *grpcServer) Rename(ctx context.Context, r *fsv1.RenameRequest) (*fsv1.Empty, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.Empty, error) {
		rn, err := optional[Renamer](f, ErrCrossDevice)
		if err != nil {
			return nil, err
		}
		return empty, rn.Rename(ctx, r.From, r.To, RenameFlags(r.Flags))
	})
}

func (s *grpcServer) Symlink(ctx context.Context, r *fsv1.SymlinkRequest) (*fsv1.AttrResponse, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.AttrResponse, error) {
		sl, err := optional[Symlinker](f, ErrNotSupported)
		if err != nil {
			return nil, err
		}
		a, err := sl.Symlink(ctx, r.Target, r.Path)
		return &fsv1.AttrResponse{Attr: attrToWire(a)}, err
	})
}

func (s *grpcServer) Readlink(ctx context.Context, r *fsv1.PathRequest) (*fsv1.ReadlinkResponse, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.ReadlinkResponse, error) {
		rl, err := optional[Readlinker](f, ErrInvalid)
		if err != nil {
			return nil, err
		}
		t, err := rl.Readlink(ctx, r.Path)
		return &fsv1.ReadlinkResponse{Target: t}, err
	})
}

func (s *grpcServer) Link(ctx context.Context, r *fsv1.LinkRequest) (*fsv1.AttrResponse, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.AttrResponse, error) {
		l, err := optional[Linker](f, ErrNotPermitted)
		if err != nil {
			return nil, err
		}
		a, err := l.Link(ctx, r.OldPath, r.NewPath)
		return &fsv1.AttrResponse{Attr: attrToWire(a)}, err
	})
}

func (s *grpcServer) Statfs(ctx context.Context, _ *fsv1.Empty) (*fsv1.StatfsResponse, error) {
	return call(s, ctx, nil, func(ctx context.Context, f FileSystem) (*fsv1.StatfsResponse, error) {
		st := DefaultStatfs
		if sf, ok := f.(Statfser); ok {
			var err error
			if st, err = sf.Statfs(ctx); err != nil {
				return nil, err
			}
		}
		return &fsv1.StatfsResponse{
			BlockSize: st.BlockSize, Blocks: st.Blocks, BlocksFree: st.BlocksFree,
			BlocksAvail: st.BlocksAvail, Files: st.Files, FilesFree: st.FilesFree, NameMax: st.NameMax,
		}, nil
	})
}

func (s *grpcServer) GetXattr(ctx context.Context, r *fsv1.XattrRequest) (*fsv1.XattrResponse, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.XattrResponse, error) {
		x, err := optional[Xattrer](f, ErrNotSupported)
		if err != nil {
			return nil, err
		}
		v, err := x.GetXattr(ctx, r.Path, r.Name)
		return &fsv1.XattrResponse{Value: v}, err
	})
}

func (s *grpcServer) SetXattr(ctx context.Context, r *fsv1.XattrRequest) (*fsv1.Empty, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.Empty, error) {
		x, err := optional[Xattrer](f, ErrNotSupported)
		if err != nil {
			return nil, err
		}
		return empty, x.SetXattr(ctx, r.Path, r.Name, r.Value, XattrFlags(r.Flags))
	})
}

func (s *grpcServer) ListXattr(ctx context.Context, r *fsv1.PathRequest) (*fsv1.ListXattrResponse, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.ListXattrResponse, error) {
		x, err := optional[Xattrer](f, ErrNotSupported)
		if err != nil {
			return nil, err
		}
		names, err := x.ListXattr(ctx, r.Path)
		return &fsv1.ListXattrResponse{Names: names}, err
	})
}

func (s *grpcServer) RemoveXattr(ctx context.Context, r *fsv1.XattrRequest) (*fsv1.Empty, error) {
	return call(s, ctx, r.Caller, func(ctx context.Context, f FileSystem) (*fsv1.Empty, error) {
		x, err := optional[Xattrer](f, ErrNotSupported)
		if err != nil {
			return nil, err
		}
		return empty, x.RemoveXattr(ctx, r.Path, r.Name)
	})
}

// Shutdown calls the file system's Close (if any) with a bounded time.
func (s *grpcServer) Shutdown(ctx context.Context, _ *fsv1.Empty) (*fsv1.Empty, error) {
	s.close()
	fsys, _, err := s.get()
	if err != nil {
		return empty, nil
	}
	if c, ok := fsys.(Closer); ok {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := c.Close(ctx); err != nil {
			return nil, errorToStatus(err)
		}
	}
	return empty, nil
}
