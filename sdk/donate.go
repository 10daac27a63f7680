package sdk

import (
	"context"
	"os"
)

// FileDonor is implemented by file systems whose open files are OS files: a
// local directory, or contents kept in memory files (memfd). The host then
// takes the OS file behind each handle when it opens one, reads and writes
// it itself, or hands it to the kernel (FUSE passthrough) so reads, writes
// and mmap never leave the kernel. The plugin still answers every metadata
// call, so its Stat must report the file's real size and times.
//
// DonateFile returns the OS file behind h, readable, and writable when h
// was opened for writing; it may be one open file shared by every handle
// of the file (the host reads and writes it at explicit offsets only, and
// writes only through handles opened for writing). The file must not be
// in append mode. The plugin keeps owning f: the SDK sends a duplicate
// descriptor and never closes f. Returning an error declines for this
// handle; the host then moves the bytes through Read and Write calls.
//
// Donation needs the file channel, which hosts offer on Unix systems only
// (see the protocol file); elsewhere DonateFile is never called.
type FileDonor interface {
	DonateFile(ctx context.Context, h Handle) (f *os.File, err error)
}

// FileChannelEnv names the environment variable by which a host tells a
// plugin process which inherited descriptor is its file channel.
const FileChannelEnv = "PLUGFS_FILE_CHANNEL_FD"
