package sdk

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// The fast lane carries unary calls of the FileSystem service over plain
// stream sockets; sdk/proto/fsv1/filesystem.proto documents the framing.
// This file holds what both ends share.

const (
	// laneKeySize is the size of the random key a plugin answers in Init.
	laneKeySize = 32
	// laneCallHeader is flags (1) + timeout (8) + method length (1).
	laneCallHeader = 10
	// laneReplyOK and laneReplyStatus are the first byte of a reply.
	laneReplyOK     = 0
	laneReplyStatus = 1
	// laneMaxFrame bounds a frame's body: the largest message plus room
	// for the call header and method name.
	laneMaxFrame = MaxMessageSize + 512
)

// errLaneFrame reports a frame that breaks the framing rules; the
// connection is unusable after it.
var errLaneFrame = errors.New("fast lane: malformed frame")

// laneBuffer is a connection's reusable frame buffer. The first four bytes
// of buf are the length prefix while a frame is being built.
type laneBuffer struct {
	buf []byte
}

// start resets b for a new outgoing frame and returns it with room for the
// length prefix.
func (b *laneBuffer) start() []byte {
	if b.buf == nil {
		b.buf = make([]byte, 0, 4096)
	}
	return append(b.buf[:0], 0, 0, 0, 0)
}

// send writes frame (built from start) with its length prefix filled in,
// in one write, and keeps the grown buffer for the next frame.
func (b *laneBuffer) send(w io.Writer, frame []byte) error {
	if err := b.seal(frame); err != nil {
		return err
	}
	_, err := w.Write(frame)
	return err
}

// sendFile is send with f's descriptor attached to the frame.
func (b *laneBuffer) sendFile(w fileCarrier, frame []byte, f *os.File) error {
	if err := b.seal(frame); err != nil {
		return err
	}
	return w.writeFile(frame, f)
}

// seal fills in frame's length prefix and keeps the grown buffer for the
// next frame.
func (b *laneBuffer) seal(frame []byte) error {
	body := len(frame) - 4
	if body > laneMaxFrame {
		return fmt.Errorf("fast lane: frame of %d bytes exceeds the %d-byte limit", body, laneMaxFrame)
	}
	binary.LittleEndian.PutUint32(frame, uint32(body))
	b.buf = frame[:0]
	return nil
}

// receive reads one frame's body into the buffer and returns it; the bytes
// are valid until the next receive or start.
func (b *laneBuffer) receive(r io.Reader) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := int(binary.LittleEndian.Uint32(hdr[:]))
	if n > laneMaxFrame {
		return nil, fmt.Errorf("%w: %d-byte body exceeds the %d-byte limit", errLaneFrame, n, laneMaxFrame)
	}
	if cap(b.buf) < n {
		b.buf = make([]byte, n)
	}
	body := b.buf[:n]
	if _, err := io.ReadFull(r, body); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return body, nil
}
