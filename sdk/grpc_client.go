package sdk

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"time"

	"google.golang.org/grpc"

	"github.com/plugfs/plugfs/sdk/proto/fsv1"
)

// Client is the host side of the wire protocol: a FileSystem backed by a
// plugin over gRPC. It implements every optional interface; whether the
// plugin really has an operation is told by the Features that Init returns,
// and an operation it lacks fails as the interface's doc comment says.
type Client struct {
	rpc  fsv1.FileSystemClient
	conn grpc.ClientConnInterface

	// The fast lane, asked for before Init (UseFastLane).
	wantLane bool
	lane     *laneClient

	// The fast data plane, set up before Init (AttachFileChannel).
	files   *fileChannel
	shmSize int
	shm     *shmPool
}

// NewClient returns a Client speaking over conn.
func NewClient(conn grpc.ClientConnInterface) *Client {
	return &Client{rpc: fsv1.NewFileSystemClient(conn), conn: conn}
}

// InitResult is what a plugin announces at the capability exchange.
type InitResult struct {
	Name     string
	Version  string
	Revision uint32
	Features Features
}

// Init performs the capability exchange: it hands the plugin its options
// and returns its features. It must be the first call on a new plugin.
func (c *Client) Init(ctx context.Context, options map[string]string) (InitResult, error) {
	req := &fsv1.InitRequest{HostRevision: ProtocolRevision, Options: options, WantLane: c.wantLane}
	region := c.offerShm(req)
	r, err := c.rpc.Init(ctx, req)
	if err != nil {
		region.close()
		return InitResult{}, errorFromStatus(err)
	}
	if r.LaneAddress != "" && c.wantLane {
		// A lane that cannot be reached is no failure: calls stay on gRPC.
		if lane, err := dialLane(ctx, c.conn, r.LaneAddress, r.LaneKey); err == nil {
			lane.files = r.PluginRevision >= 4
			c.lane = lane
			c.rpc = fsv1.NewFileSystemClient(lane)
		}
	}
	if r.Shm && region != nil {
		c.shm = newShmPool(region, DefaultMaxIO)
	} else {
		region.close()
	}
	if c.files == nil {
		r.Features.DonateFiles = false
	}
	return InitResult{Name: r.Name, Version: r.Version, Revision: r.PluginRevision, Features: featuresFromWire(r.Features)}, nil
}

// Shutdown asks the plugin to close its file system before it is stopped.
func (c *Client) Shutdown(ctx context.Context) error {
	// Shutdown, like Init, always travels on gRPC.
	_, err := fsv1.NewFileSystemClient(c.conn).Shutdown(ctx, &fsv1.Empty{})
	return errorFromStatus(err)
}

// Stat implements FileSystem.
func (c *Client) Stat(ctx context.Context, path string) (Attr, error) {
	r, err := c.rpc.Stat(ctx, &fsv1.PathRequest{Caller: callerToWire(ctx), Path: path})
	if err != nil {
		return Attr{}, errorFromStatus(err)
	}
	return attrFromWire(r.Attr), nil
}

// StatHandle implements HandleStater.
func (c *Client) StatHandle(ctx context.Context, h Handle) (Attr, error) {
	r, err := c.rpc.StatHandle(ctx, &fsv1.HandleRequest{Caller: callerToWire(ctx), Handle: uint64(h)})
	if err != nil {
		return Attr{}, errorFromStatus(err)
	}
	return attrFromWire(r.Attr), nil
}

// OpenDir implements FileSystem.
func (c *Client) OpenDir(ctx context.Context, path string) (Handle, error) {
	r, err := c.rpc.OpenDir(ctx, &fsv1.PathRequest{Caller: callerToWire(ctx), Path: path})
	if err != nil {
		return 0, errorFromStatus(err)
	}
	return Handle(r.Handle), nil
}

// ReadDir implements FileSystem.
func (c *Client) ReadDir(ctx context.Context, h Handle, cookie uint64, max int) ([]DirEntry, error) {
	r, err := c.rpc.ReadDir(ctx, &fsv1.ReadDirRequest{Caller: callerToWire(ctx), Handle: uint64(h), Cookie: cookie, Max: uint32(max)})
	if err != nil {
		return nil, errorFromStatus(err)
	}
	out := make([]DirEntry, len(r.Entries))
	for i, e := range r.Entries {
		out[i] = DirEntry{Name: e.Name, Mode: ModeFromPOSIX(e.Mode), Ino: e.Ino, Cookie: e.Cookie}
		if e.Attr != nil {
			a := attrFromWire(e.Attr)
			out[i].Attr = &a
		}
	}
	return out, nil
}

// Open implements FileSystem.
func (c *Client) Open(ctx context.Context, path string, flags OpenFlags, mode fs.FileMode) (Handle, Attr, error) {
	h, a, _, err := c.open(ctx, path, flags, mode, false)
	return h, a, err
}

// OpenFile is Open that also takes the OS file behind the new handle when
// the plugin donates it (see FileDonor); file is nil when it does not. The
// caller owns file and closes it after releasing the handle.
func (c *Client) OpenFile(ctx context.Context, path string, flags OpenFlags, mode fs.FileMode) (h Handle, a Attr, file *os.File, err error) {
	return c.open(ctx, path, flags, mode, c.files != nil)
}

func (c *Client) open(ctx context.Context, path string, flags OpenFlags, mode fs.FileMode, wantFile bool) (Handle, Attr, *os.File, error) {
	po := postOpFrom(ctx)
	var sink laneFileSink
	var opts []grpc.CallOption
	if wantFile {
		opts = append(opts, &sink) // the lane may bring the file with the reply
	}
	r, err := c.rpc.Open(ctx, &fsv1.OpenRequest{Caller: callerToWire(ctx), Path: path, Flags: uint32(flags), Mode: ModeToPOSIX(mode), WantFile: wantFile,
		StatParent: po != nil && flags&Create != 0}, opts...)
	if err != nil {
		return 0, Attr{}, nil, errorFromStatus(err)
	}
	po.setParent(r.ParentAttr)
	var file *os.File
	switch {
	case sink.f != nil:
		// It came with the reply, over the lane.
		file = sink.f
		if r.FileToken == 0 {
			file.Close()
			file = nil
		}
	case r.FileToken != 0 && c.files != nil:
		// The plugin sent the descriptor before it answered, so it is
		// already in the socket: the wait is for our reader goroutine.
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		file, _ = c.files.receive(wctx, r.FileToken)
		cancel()
	}
	return Handle(r.Handle), attrFromWire(r.Attr), file, nil
}

// Read implements FileSystem. With shared memory the plugin puts the
// bytes in a free slot of the region instead of in the answer.
func (c *Client) Read(ctx context.Context, h Handle, p []byte, off int64) (int, error) {
	req := &fsv1.ReadRequest{Caller: callerToWire(ctx), Handle: uint64(h), Offset: off, Size: uint32(len(p))}
	slot, buf, ok := c.shm.get(len(p))
	if ok {
		req.Shm, req.ShmOffset = true, uint64(slot)
	}
	r, err := c.rpc.Read(ctx, req)
	if ok {
		defer c.releaseSlot(slot, err)
	}
	if err != nil {
		return 0, errorFromStatus(err)
	}
	if ok {
		if int(r.ShmLength) > len(buf) {
			return 0, NewError(CodeIO, fmt.Sprintf("plugin answered %d bytes for a %d-byte read", r.ShmLength, len(buf)))
		}
		return copy(p, buf[:r.ShmLength]), nil
	}
	return copy(p, r.Data), nil
}

// Write implements Writer. With shared memory the bytes travel in a slot
// of the region instead of in the message.
func (c *Client) Write(ctx context.Context, h Handle, p []byte, off int64) (int, error) {
	req := &fsv1.WriteRequest{Caller: callerToWire(ctx), Handle: uint64(h), Offset: off}
	slot, buf, ok := c.shm.get(len(p))
	if ok {
		copy(buf, p)
		req.Shm, req.ShmOffset, req.ShmLength = true, uint64(slot), uint32(len(p))
	} else {
		req.Data = p
	}
	r, err := c.rpc.Write(ctx, req)
	if ok {
		c.releaseSlot(slot, err)
	}
	if err != nil {
		return 0, errorFromStatus(err)
	}
	return int(r.Written), nil
}

// Release implements FileSystem.
func (c *Client) Release(ctx context.Context, h Handle) error {
	po := postOpFrom(ctx)
	req := &fsv1.HandleRequest{Caller: callerToWire(ctx), Handle: uint64(h)}
	if po != nil {
		req.StatPath = po.ReleasePath
	}
	r, err := c.rpc.Release(ctx, req)
	if err != nil {
		return errorFromStatus(err)
	}
	if po != nil && r.Attr != nil {
		a := attrFromWire(r.Attr)
		po.Self = &a
	}
	return nil
}

// Flush implements Flusher.
func (c *Client) Flush(ctx context.Context, h Handle) error {
	_, err := c.rpc.Flush(ctx, &fsv1.HandleRequest{Caller: callerToWire(ctx), Handle: uint64(h)})
	return errorFromStatus(err)
}

// Fsync implements Fsyncer.
func (c *Client) Fsync(ctx context.Context, h Handle, dataOnly bool) error {
	_, err := c.rpc.Fsync(ctx, &fsv1.FsyncRequest{Caller: callerToWire(ctx), Handle: uint64(h), DataOnly: dataOnly})
	return errorFromStatus(err)
}

// Setattr implements Setattrer.
func (c *Client) Setattr(ctx context.Context, path string, h Handle, a SetAttr) (Attr, error) {
	r, err := c.rpc.Setattr(ctx, &fsv1.SetattrRequest{
		Caller: callerToWire(ctx), Path: path, Handle: uint64(h), Valid: uint32(a.Valid),
		Mode: ModeToPOSIX(a.Mode) &^ posixIFMT, Uid: a.Uid, Gid: a.Gid, Size: a.Size,
		AtimeNs: timeToNs(a.Atime), MtimeNs: timeToNs(a.Mtime), CtimeNs: timeToNs(a.Ctime),
	})
	if err != nil {
		return Attr{}, errorFromStatus(err)
	}
	return attrFromWire(r.Attr), nil
}

// Mkdir implements Mkdirer.
func (c *Client) Mkdir(ctx context.Context, path string, mode fs.FileMode) (Attr, error) {
	po := postOpFrom(ctx)
	r, err := c.rpc.Mkdir(ctx, &fsv1.CreateRequest{Caller: callerToWire(ctx), Path: path, Mode: ModeToPOSIX(mode | fs.ModeDir), StatParent: po != nil})
	if err != nil {
		return Attr{}, errorFromStatus(err)
	}
	po.setParent(r.ParentAttr)
	return attrFromWire(r.Attr), nil
}

// Mknod implements Mknoder.
func (c *Client) Mknod(ctx context.Context, path string, mode fs.FileMode, rdev uint32) (Attr, error) {
	po := postOpFrom(ctx)
	r, err := c.rpc.Mknod(ctx, &fsv1.CreateRequest{Caller: callerToWire(ctx), Path: path, Mode: ModeToPOSIX(mode), Rdev: rdev, StatParent: po != nil})
	if err != nil {
		return Attr{}, errorFromStatus(err)
	}
	po.setParent(r.ParentAttr)
	return attrFromWire(r.Attr), nil
}

// Unlink implements Remover.
func (c *Client) Unlink(ctx context.Context, path string) error {
	po := postOpFrom(ctx)
	r, err := c.rpc.Unlink(ctx, &fsv1.PathRequest{Caller: callerToWire(ctx), Path: path, StatParent: po != nil})
	if err != nil {
		return errorFromStatus(err)
	}
	po.setParent(r.ParentAttr)
	return nil
}

// Rmdir implements Remover.
func (c *Client) Rmdir(ctx context.Context, path string) error {
	po := postOpFrom(ctx)
	r, err := c.rpc.Rmdir(ctx, &fsv1.PathRequest{Caller: callerToWire(ctx), Path: path, StatParent: po != nil})
	if err != nil {
		return errorFromStatus(err)
	}
	po.setParent(r.ParentAttr)
	return nil
}

// Rename implements Renamer.
func (c *Client) Rename(ctx context.Context, from, to string, flags RenameFlags) error {
	_, err := c.rpc.Rename(ctx, &fsv1.RenameRequest{Caller: callerToWire(ctx), From: from, To: to, Flags: uint32(flags)})
	return errorFromStatus(err)
}

// Symlink implements Symlinker.
func (c *Client) Symlink(ctx context.Context, target, path string) (Attr, error) {
	r, err := c.rpc.Symlink(ctx, &fsv1.SymlinkRequest{Caller: callerToWire(ctx), Target: target, Path: path})
	if err != nil {
		return Attr{}, errorFromStatus(err)
	}
	return attrFromWire(r.Attr), nil
}

// Readlink implements Readlinker.
func (c *Client) Readlink(ctx context.Context, path string) (string, error) {
	r, err := c.rpc.Readlink(ctx, &fsv1.PathRequest{Caller: callerToWire(ctx), Path: path})
	if err != nil {
		return "", errorFromStatus(err)
	}
	return r.Target, nil
}

// Link implements Linker.
func (c *Client) Link(ctx context.Context, oldpath, newpath string) (Attr, error) {
	r, err := c.rpc.Link(ctx, &fsv1.LinkRequest{Caller: callerToWire(ctx), OldPath: oldpath, NewPath: newpath})
	if err != nil {
		return Attr{}, errorFromStatus(err)
	}
	return attrFromWire(r.Attr), nil
}

// Statfs implements Statfser.
func (c *Client) Statfs(ctx context.Context) (Statfs, error) {
	r, err := c.rpc.Statfs(ctx, &fsv1.Empty{})
	if err != nil {
		return Statfs{}, errorFromStatus(err)
	}
	return Statfs{
		BlockSize: r.BlockSize, Blocks: r.Blocks, BlocksFree: r.BlocksFree,
		BlocksAvail: r.BlocksAvail, Files: r.Files, FilesFree: r.FilesFree, NameMax: r.NameMax,
	}, nil
}

// GetXattr implements Xattrer.
func (c *Client) GetXattr(ctx context.Context, path, name string) ([]byte, error) {
	r, err := c.rpc.GetXattr(ctx, &fsv1.XattrRequest{Caller: callerToWire(ctx), Path: path, Name: name})
	if err != nil {
		return nil, errorFromStatus(err)
	}
	return r.Value, nil
}

// SetXattr implements Xattrer.
func (c *Client) SetXattr(ctx context.Context, path, name string, value []byte, flags XattrFlags) error {
	_, err := c.rpc.SetXattr(ctx, &fsv1.XattrRequest{Caller: callerToWire(ctx), Path: path, Name: name, Value: value, Flags: uint32(flags)})
	return errorFromStatus(err)
}

// ListXattr implements Xattrer.
func (c *Client) ListXattr(ctx context.Context, path string) ([]string, error) {
	r, err := c.rpc.ListXattr(ctx, &fsv1.PathRequest{Caller: callerToWire(ctx), Path: path})
	if err != nil {
		return nil, errorFromStatus(err)
	}
	return r.Names, nil
}

// RemoveXattr implements Xattrer.
func (c *Client) RemoveXattr(ctx context.Context, path, name string) error {
	_, err := c.rpc.RemoveXattr(ctx, &fsv1.XattrRequest{Caller: callerToWire(ctx), Path: path, Name: name})
	return errorFromStatus(err)
}

// The Client forwards every optional operation.
var (
	_ FileSystem   = (*Client)(nil)
	_ Writer       = (*Client)(nil)
	_ Setattrer    = (*Client)(nil)
	_ Mkdirer      = (*Client)(nil)
	_ Remover      = (*Client)(nil)
	_ Renamer      = (*Client)(nil)
	_ Symlinker    = (*Client)(nil)
	_ Readlinker   = (*Client)(nil)
	_ Linker       = (*Client)(nil)
	_ Mknoder      = (*Client)(nil)
	_ Flusher      = (*Client)(nil)
	_ Fsyncer      = (*Client)(nil)
	_ Statfser     = (*Client)(nil)
	_ Xattrer      = (*Client)(nil)
	_ HandleStater = (*Client)(nil)
)
