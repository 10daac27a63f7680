//go:build linux

// Command loopback serves a directory through an in-process go-fuse loopback
// file system: the reference for the best a Go FUSE server reaches, which
// scripts/bench/run.sh measures plugfs against.
//
// Usage:
//
//	loopback [-passthrough=false] SOURCE MOUNTPOINT
//
// With -passthrough (the default) go-fuse hands every opened file's
// descriptor to the kernel (FUSE_PASSTHROUGH, Linux >= 6.9, needs
// CAP_SYS_ADMIN), so reads and writes never reach this process. With
// -passthrough=false every open file is wrapped so that go-fuse cannot offer
// its descriptor, and data goes through the server (splice for reads).
//
// The program prints "ready passthrough=BOOL" once mounted, where BOOL says
// whether the kernel granted passthrough, and unmounts on SIGINT or SIGTERM.
// Mount settings follow plugfs's gofuse driver: 1 MiB requests and
// read-ahead, 1 s entry and attribute timeouts, allow_other with
// default_permissions as root.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

const maxIO = 1 << 20

func main() {
	passthrough := flag.Bool("passthrough", true, "let the kernel serve file data from the backing files (FUSE passthrough)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: loopback [-passthrough=false] SOURCE MOUNTPOINT")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 2 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), flag.Arg(1), *passthrough); err != nil {
		fmt.Fprintln(os.Stderr, "loopback:", err)
		os.Exit(1)
	}
}

func run(source, point string, passthrough bool) error {
	var st syscall.Stat_t
	if err := syscall.Stat(source, &st); err != nil {
		return fmt.Errorf("stat source: %w", err)
	}
	root := &fs.LoopbackRoot{Path: source, Dev: st.Dev}
	var node fs.InodeEmbedder = &fs.LoopbackNode{RootData: root}
	if !passthrough {
		root.NewNode = func(r *fs.LoopbackRoot, _ *fs.Inode, _ string, _ *syscall.Stat_t) fs.InodeEmbedder {
			return &noPassthroughNode{LoopbackNode: fs.LoopbackNode{RootData: r}}
		}
		node = root.NewNode(root, nil, "", &st)
	}
	root.RootNode = node

	sec := time.Second
	root0 := os.Geteuid() == 0
	opts := &fs.Options{
		EntryTimeout: &sec,
		AttrTimeout:  &sec,
		MountOptions: fuse.MountOptions{
			FsName:       source,
			Name:         "benchref",
			MaxWrite:     maxIO,
			MaxReadAhead: maxIO,
			AllowOther:   root0,
			DirectMount:  root0,
		},
	}
	if root0 {
		opts.MountOptions.Options = append(opts.MountOptions.Options, "default_permissions")
	}
	srv, err := fs.Mount(point, node, opts)
	if err != nil {
		return fmt.Errorf("mount %s: %w", point, err)
	}
	granted := srv.KernelSettings().Flags64()&fuse.CAP_PASSTHROUGH != 0
	fmt.Printf("ready passthrough=%t\n", passthrough && granted)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		for range 50 {
			if srv.Unmount() == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		fmt.Fprintln(os.Stderr, "loopback: mount busy, still serving")
	}()
	srv.Wait()
	return nil
}
