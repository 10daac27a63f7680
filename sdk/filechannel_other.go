//go:build !unix

package sdk

import (
	"context"
	"errors"
	"net"
	"os"
)

// errNoFileChannel: descriptors travel over AF_UNIX SCM_RIGHTS, which this
// system lacks; hosts here never offer the file channel.
var errNoFileChannel = errors.New("file channel: not supported on this system")

type fileChannel struct{}

func newFileChannel(*net.UnixConn) *fileChannel { return nil }

// NewFileChannelPair fails: this system cannot pass descriptors.
func NewFileChannelPair() (hostEnd *net.UnixConn, pluginEnd *os.File, err error) {
	return nil, nil, errNoFileChannel
}

func fileChannelFromEnv() (*net.UnixConn, error) { return nil, nil }

func (c *fileChannel) send(*os.File) (uint64, error) { return 0, errNoFileChannel }

func (c *fileChannel) newToken() uint64 { return 0 }

func (c *fileChannel) receive(context.Context, uint64) (*os.File, error) {
	return nil, errNoFileChannel
}

func (c *fileChannel) pending() int { return 0 }

func (c *fileChannel) close() error { return nil }
