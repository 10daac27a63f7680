package sdk

import (
	"net"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/plugfs/plugfs/sdk/proto/fsv1"
)

// AttachFileChannel gives the client the host's end of the plugin's file
// channel (see NewFileChannelPair). Call it before Init. Open calls made
// through OpenFile then take donated files, and when shmSize > 0 Init
// offers the plugin a shared-memory region of that many bytes for Read and
// Write. The client owns conn from now on (CloseDataPlane closes it).
func (c *Client) AttachFileChannel(conn *net.UnixConn, shmSize int) {
	c.files = newFileChannel(conn)
	c.shmSize = shmSize
}

// UseFastLane asks the plugin, at Init, for the fast lane: the same calls
// over plain sockets instead of gRPC, about ten times cheaper each (see
// sdk/proto/fsv1). Call it before Init; a plugin without one is served
// over gRPC as before.
func (c *Client) UseFastLane() {
	c.wantLane = true
}

// DataPlane tells which tiers of the data plane a client uses.
type DataPlane struct {
	// FileChannel: descriptors can travel (file donation).
	FileChannel bool
	// SharedMemory: Read and Write bytes travel through a shared region.
	SharedMemory bool
	// SharedMemorySize is the region's size in bytes.
	SharedMemorySize int
	// FastLane: calls travel on the fast lane rather than gRPC.
	FastLane bool
}

// DataPlane reports the tiers in use after Init.
func (c *Client) DataPlane() DataPlane {
	dp := DataPlane{FileChannel: c.files != nil, FastLane: c.lane != nil}
	if c.shm != nil {
		dp.SharedMemory = true
		dp.SharedMemorySize = c.shm.size()
	}
	return dp
}

// CloseDataPlane closes the fast lane and the file channel and unmaps the
// shared region. Call it once the plugin is gone or the client is no
// longer used.
func (c *Client) CloseDataPlane() error {
	if c.lane != nil {
		c.lane.close()
	}
	var err error
	if c.files != nil {
		err = c.files.close()
	}
	if c.shm != nil {
		if cerr := c.shm.close(); err == nil {
			err = cerr
		}
	}
	return err
}

// offerShm creates the region Init offers and sends it over the file
// channel; nil when there is none to offer.
func (c *Client) offerShm(req *fsv1.InitRequest) *shmRegion {
	if c.files == nil || c.shmSize <= 0 {
		return nil
	}
	r, f, err := newShmRegion(c.shmSize)
	if err != nil {
		return nil
	}
	defer f.Close()
	token, err := c.files.send(f)
	if err != nil {
		r.close()
		return nil
	}
	req.ShmToken, req.ShmSize = token, uint64(c.shmSize)
	return r
}

// releaseSlot returns a shared-memory slot after its call, unless the call
// failed in transport (cancelled, timed out, connection lost): the plugin
// may still be filling it, so it is retired instead.
func (c *Client) releaseSlot(slot int, err error) {
	reuse := true
	if err != nil {
		switch status.Code(err) {
		case codes.Canceled, codes.DeadlineExceeded, codes.Unavailable, codes.Unknown, codes.Internal:
			reuse = false
		}
	}
	c.shm.release(slot, reuse)
}
