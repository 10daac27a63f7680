# workloads.sh — the measured workloads. Sourced by run.sh.
#
# Each wl_NAME TARGET runs one workload in DIR[TARGET] and records its
# figures with sample (lib.sh). run.sh calls them interleaved: for every
# repetition, for every workload, each target in turn.

WORKLOADS=(seqwrite seqread randread randwrite meta untar)

# fio_json TARGET JOB ARGS... runs fio on the target's bench file, the JSON
# report in $WORK/fio/TARGET-JOB.json; prints its path.
fio_json() {
	local t=$1 job=$2 out=$WORK/fio/$1-$2.json
	shift 2
	if ! timeout "$BENCH_TIMEOUT" fio --name="$job" --filename="${DIR[$t]}/bench.dat" \
		--size="$SIZE_BYTES" --ioengine=psync --iodepth=1 --numjobs=1 --fallocate=none \
		--output-format=json --output="$out" "$@" >"$WORK/logs/fio.log" 2>&1; then
		die "fio $job on $t failed: $(tail -5 "$WORK/logs/fio.log")"
	fi
	echo "$out"
}

# seqwrite: 1 MiB sequential writes of BENCH_SIZE, fsync at the end (fio
# counts the fsync in the runtime).
wl_seqwrite() {
	local t=$1 f
	rm -f "${DIR[$t]}/bench.dat"
	f=$(fio_json "$t" seqwrite --rw=write --bs=1M --end_fsync=1)
	sample "$t" seqwrite "$(jq '.jobs[0].write.bw_bytes / 1048576' "$f")" MiB/s
}

# seqread: 1 MiB sequential reads of the file seqwrite left, after dropping
# the kernel caches.
wl_seqread() {
	local t=$1 f
	drop_caches
	f=$(fio_json "$t" seqread --rw=read --bs=1M)
	sample "$t" seqread "$(jq '.jobs[0].read.bw_bytes / 1048576' "$f")" MiB/s
}

# randread: 4 KiB random reads over the same file for BENCH_RANDTIME
# seconds, caches dropped first.
wl_randread() {
	local t=$1 f
	drop_caches
	f=$(fio_json "$t" randread --rw=randread --bs=4k --time_based --runtime="$BENCH_RANDTIME")
	sample "$t" randread "$(jq '.jobs[0].read.iops' "$f")" IOPS
}

# randwrite: 4 KiB random writes over the same file for BENCH_RANDTIME
# seconds, then fsync; the file is removed afterwards.
wl_randwrite() {
	local t=$1 f
	f=$(fio_json "$t" randwrite --rw=randwrite --bs=4k --time_based --runtime="$BENCH_RANDTIME" --end_fsync=1)
	sample "$t" randwrite "$(jq '.jobs[0].write.iops' "$f")" IOPS
	rm -f "${DIR[$t]}/bench.dat"
}

# meta: BENCH_FILES small files through internal/benchref/metabench
# (create+write, stat, readdir, read, unlink; dentry caches dropped before
# stat, readdir and read).
wl_meta() {
	local t=$1 out k
	out=$(timeout "$BENCH_TIMEOUT" "$METABENCH" -dir "${DIR[$t]}/meta" -n "$BENCH_FILES" -drop) ||
		die "metabench on $t failed"
	for k in create stat readdir read unlink; do
		sample "$t" "$k" "$(jq ".$k" <<<"$out")" ops/s
	done
}

# untar: extract the source-tree tarball, then rm -rf it (seconds each).
wl_untar() {
	local t=$1 d=${DIR[$1]}/tree t0 t1 t2
	mkdir "$d"
	t0=$(now)
	timeout "$BENCH_TIMEOUT" tar -xf "$TARBALL" -C "$d" || die "untar on $t failed"
	t1=$(now)
	timeout "$BENCH_TIMEOUT" rm -rf "$d" || die "rm -rf on $t failed"
	t2=$(now)
	sample "$t" untar "$(elapsed "$t0" "$t1")" s
	sample "$t" rmrf "$(elapsed "$t1" "$t2")" s
}

# bigcopy TARGET copies BENCH_BIG into the target and reads it back, and
# records the peak RSS (VmHWM, reset first through clear_refs) of the
# target's server process and, for plugfs, of its plugin.
bigcopy() {
	local t=$1 pid=${SERVER[$1]:-} plug=${PLUGIN[$1]:-} t0 t1 t2 p
	for p in $pid $plug; do echo 5 >"/proc/$p/clear_refs" 2>/dev/null || true; done
	t0=$(now)
	timeout "$BENCH_TIMEOUT" cp "$BIGSRC" "${DIR[$t]}/big.dat" || die "big copy into $t failed"
	sync -f "${DIR[$t]}/big.dat" 2>/dev/null || true
	t1=$(now)
	drop_caches
	t2=$(now)
	timeout "$BENCH_TIMEOUT" cat "${DIR[$t]}/big.dat" >/dev/null || die "big read from $t failed"
	sample "$t" bigwrite "$(awk -v b="$BIG_BYTES" -v s="$(elapsed "$t0" "$t1")" 'BEGIN { print b / 1048576 / s }')" MiB/s
	sample "$t" bigread "$(awk -v b="$BIG_BYTES" -v s="$(elapsed "$t2" "$(now)")" 'BEGIN { print b / 1048576 / s }')" MiB/s
	if [ -n "$pid" ]; then
		sample "$t" server_hwm "$(awk -v k="$(vm_kib "$pid" VmHWM)" 'BEGIN { print k / 1024 }')" MiB
	fi
	if [ -n "$plug" ]; then
		sample "$t" plugin_hwm "$(awk -v k="$(vm_kib "$plug" VmHWM)" 'BEGIN { print k / 1024 }')" MiB
	fi
	rm -f "${DIR[$t]}/big.dat"
}

# gobench runs the Go benchmarks of the plugin boundary (core/host) and the
# memcpy baseline (internal/benchref); records ns/op and MB/s per benchmark.
gobench() {
	local out=$WORK/gobench.txt
	log "go benchmarks: core/host (plugin boundary), internal/benchref (memcpy)"
	if ! (cd "$ROOT" && timeout 600 "$GO" test -run '^$' -bench . -benchtime "$BENCH_GOBENCHTIME" \
		-count "$BENCH_REPS" ./core/host ./internal/benchref) >"$out" 2>&1; then
		note "go test -bench failed (is core/host mid-change?): $(grep -v '^ok\|^PASS' "$out" | tail -3 | tr '\n' ' ')"
	fi
	local name ns mbs i=0
	# Benchmark lines: "BenchmarkName-2  N  123 ns/op  [45.6 MB/s]  ...",
	# recorded as PKG.Name (host.RoundTrip, benchref.Memcpy1MiB); -count
	# repeats each, recorded as repetitions.
	while read -r name ns mbs; do
		i=$((i + 1))
		REP=$i sample go "$name" "$ns" ns/op
		[ "$mbs" = - ] || REP=$i sample go "$name.MBps" "$mbs" MB/s
	done < <(awk '/^pkg: / { pkg = $2; sub(/.*\//, "", pkg) }
		/^Benchmark/ {
			name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name); ns = "-"; mb = "-"
			for (i = 3; i < NF; i++) { if ($(i+1) == "ns/op") ns = $i; if ($(i+1) == "MB/s") mb = $i }
			if (ns != "-") print pkg "." name, ns, mb
		}' "$out")
}
