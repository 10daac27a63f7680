// Package benchref holds the reference programs and baselines that
// scripts/bench/run.sh measures plugfs against. It is not part of plugfs:
// nothing outside the benchmark imports it.
//
// The package itself carries only BenchmarkMemcpy1MiB, the memory-copy
// bandwidth the plugin-boundary benchmarks of core/host are compared with.
// The programs live in subdirectories:
//
//   - loopback: an in-process hanwen/go-fuse loopback of a directory, with or
//     without kernel FUSE passthrough (the best a Go FUSE server reaches);
//   - metabench: the small-file metadata workload (create+write, stat,
//     readdir, read, unlink), reporting operations per second as JSON.
package benchref
