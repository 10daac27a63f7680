// Command metabench runs the small-file metadata workload of
// scripts/bench/run.sh in one directory and prints operations per second as
// one JSON object:
//
//	{"create":N,"stat":N,"readdir":N,"read":N,"unlink":N}
//
// Phases, each over the same N files of -size bytes:
//   - create: open(O_CREAT|O_EXCL|O_WRONLY), write, close;
//   - stat: lstat of each file by name;
//   - readdir: list the directory, counted in entries per second;
//   - read: open, read to EOF, close;
//   - unlink: remove each file.
//
// With -drop (root only) the kernel's dentry and inode caches are dropped
// before stat, readdir and read, so a FUSE server sees every lookup instead
// of the kernel answering from names it cached during create.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

func main() {
	dir := flag.String("dir", "", "directory to work in (created; must not exist)")
	n := flag.Int("n", 2000, "number of files")
	size := flag.Int("size", 1024, "bytes written to each file")
	drop := flag.Bool("drop", false, "drop dentry and inode caches before stat, readdir and read (root)")
	flag.Parse()
	if *dir == "" || *n <= 0 || *size < 0 {
		flag.Usage()
		os.Exit(2)
	}
	res, err := run(*dir, *n, *size, *drop)
	if err != nil {
		fmt.Fprintln(os.Stderr, "metabench:", err)
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		fmt.Fprintln(os.Stderr, "metabench:", err)
		os.Exit(1)
	}
}

// phase is one timed step over all files; it returns how many operations
// it counted.
type phase struct {
	name string
	drop bool
	run  func() (int, error)
}

func run(dir string, n, size int, drop bool) (map[string]float64, error) {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("mkdir: %w", err)
	}
	names := make([]string, n)
	for i := range names {
		names[i] = filepath.Join(dir, fmt.Sprintf("f%06d", i))
	}
	data := make([]byte, size)
	for i := range data {
		data[i] = byte('a' + i%26)
	}
	buf := make([]byte, size+4096)
	phases := []phase{
		{"create", false, func() (int, error) { return n, each(names, func(p string) error { return create(p, data) }) }},
		{"stat", true, func() (int, error) {
			return n, each(names, func(p string) error { _, err := os.Lstat(p); return err })
		}},
		{"readdir", true, func() (int, error) { return readdir(dir, n) }},
		{"read", true, func() (int, error) { return n, each(names, func(p string) error { return read(p, buf, size) }) }},
		{"unlink", false, func() (int, error) { return n, each(names, os.Remove) }},
	}
	res := make(map[string]float64, len(phases))
	for _, ph := range phases {
		if drop && ph.drop {
			if err := dropCaches(); err != nil {
				return nil, err
			}
		}
		start := time.Now()
		ops, err := ph.run()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ph.name, err)
		}
		res[ph.name] = float64(ops) / time.Since(start).Seconds()
	}
	if err := os.Remove(dir); err != nil {
		return nil, fmt.Errorf("rmdir: %w", err)
	}
	return res, nil
}

func each(names []string, fn func(string) error) error {
	for _, p := range names {
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

func create(p string, data []byte) error {
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func read(p string, buf []byte, want int) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	got := 0
	for {
		k, err := f.Read(buf[got:])
		got += k
		if errors.Is(err, io.EOF) || (err == nil && k == 0) {
			break
		}
		if err != nil {
			return err
		}
	}
	if got != want {
		return fmt.Errorf("%s: read %d bytes, wrote %d", p, got, want)
	}
	return nil
}

// readdir lists dir and checks it holds the n files.
func readdir(dir string, n int) (int, error) {
	f, err := os.Open(dir)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return 0, err
	}
	if len(names) != n {
		return 0, fmt.Errorf("listed %d entries, want %d", len(names), n)
	}
	return len(names), nil
}

func dropCaches() error {
	if err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("2\n"), 0); err != nil {
		return fmt.Errorf("drop caches: %w", err)
	}
	return nil
}
