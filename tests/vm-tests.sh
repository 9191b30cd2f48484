#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test VM (see scripts/vm-init.sh).  Everything printed
# between "PDIRFS-TAP-BEGIN <name>" and "PDIRFS-TAP-END <name>" is TAP that
# the host counts (scripts/vm-results.py); KUnit's KTAP is read from the
# kernel log.
#   $1 = check: load the module (KUnit runs at load), run every selftest,
#               unload the module.
#   $1 = stress: the shadow-model stress (tests/shadow_stress.c) in the sync,
#               async, async+latency, exclusive and io_uring (async+latency,
#               half of the directory operations through io_uring) modes
#               at once, each for
#               pdirfs.stress_seconds= seconds (and, on a kernel with fault
#               injection, the fault variants after them).
#   $1 = demo:  mount pdirfs and show it working.
mode=$1
MOD=/lib/modules/pdirfs.ko

# On a kernel with kmemleak (make check-debug, no automatic scan): a scan
# before the tests, whose suspects (boot-time allocations) "clear" then
# marks grey, and scans after the tests that fail the run on any new
# suspected leak, so only what the tests leaked is reported.
kmemleak_baseline() {
	[ -w /sys/kernel/debug/kmemleak ] || return 0
	echo scan > /sys/kernel/debug/kmemleak
	echo clear > /sys/kernel/debug/kmemleak
}

kmemleak_section() {
	[ -w /sys/kernel/debug/kmemleak ] || return 0
	echo "PDIRFS-TAP-BEGIN kmemleak"
	# Two scans some seconds apart: an object is reported only when it was
	# unreferenced in both (kmemleak's own rule against transient pointers
	# held in registers or in flight in RCU).
	sleep 5
	echo scan > /sys/kernel/debug/kmemleak
	sleep 5
	echo scan > /sys/kernel/debug/kmemleak
	leaks=$(grep -c '^unreferenced object' /sys/kernel/debug/kmemleak)
	if [ "$leaks" = 0 ]; then
		echo "ok 1 - kmemleak: no suspected leaks"
	else
		head -60 /sys/kernel/debug/kmemleak | sed 's/^/# /'
		echo "not ok 1 - kmemleak: $leaks suspected leaks"
	fi
	echo "1..1"
	echo "PDIRFS-TAP-END kmemleak"
}

# TAP for the steps of this script itself.
n=0
step() { # step <description> <command...>
	desc=$1
	shift
	n=$((n + 1))
	if "$@"; then echo "ok $n - $desc"; else echo "not ok $n - $desc"; fi
}

# parallel_create_rate <dirops> <latency_us> <threads> <files>: creates/s
# of samples/userspace/parallel_create on a new pdirfs mount, or nothing.
parallel_create_rate() {
	mkdir -p /mnt/pc
	mount -t pdirfs -o "dirops=$1,latency_us=$2" pdirfs /mnt/pc || return 1
	/samples/parallel_create /mnt/pc "$3" "$4" | sed -n 's/.*create_per_s=\([0-9.]*\).*/\1/p'
	umount /mnt/pc
}

# parallel_create_table <latency_us> <files> <threads...>: the point of
# pdirfs in one table: creates/s of N threads in one directory, with the
# directory locked exclusively (every filesystem today) and shared.
parallel_create_table() {
	lat=$1
	files=$2
	shift 2
	echo "N threads create $files files each in one directory; every create is a"
	echo "$((lat / 1000)) ms round trip (latency_us=$lat), as to a file server:"
	echo
	printf '%8s %18s %18s %8s\n' threads "dirops=exclusive" "dirops=shared" ratio
	for t in "$@"; do
		ex=$(parallel_create_rate exclusive "$lat" "$t" "$files")
		shr=$(parallel_create_rate shared "$lat" "$t" "$files")
		awk -v t="$t" -v e="$ex" -v s="$shr" 'BEGIN {
			printf "%8d %15.1f /s %15.1f /s %7.1fx\n", t, e, s, (e > 0 ? s / e : 0) }'
	done
}


# The io_uring benchmark (tests/bench/uring_dirops.c): D creates and
# unlinks in flight in one directory with a 20 ms round trip, from one
# thread through io_uring or from D threads; operations/s, CPU per
# operation and the io-wq workers the ring needed (issue 19); then chmod
# of the directory while 64 are in flight.  Last, io_uring as it does
# directory operations today: the round trip inside the method
# (completion=sync), so that each operation holds an io-wq worker.  Lines
# PDIRFS-URING for scripts/bench-report.py.
uring_bench() {
	[ -x /tests/uring_dirops ] || return 0
	mount -t pdirfs -o nr_inodes=0,completion=async,latency_us=20000 pdirfs /mnt/bench || exit 1
	for d in 1 4 16 64 256; do
		for how in uring threads; do
			echo "PDIRFS-BENCH-PROGRESS io_uring: $how, $d in flight"
			/tests/uring_dirops $how /mnt/bench $d 3 | sed 's/^/PDIRFS-URING completion=async /'
		done
	done
	echo "PDIRFS-BENCH-PROGRESS chmod of the directory, 64 operations in flight"
	/tests/uring_dirops chmod /mnt/bench 64 3 | sed 's/^/PDIRFS-URING completion=async /'
	umount /mnt/bench
	mount -t pdirfs -o nr_inodes=0,completion=sync,latency_us=20000 pdirfs /mnt/bench || exit 1
	for d in 16 64 256; do
		echo "PDIRFS-BENCH-PROGRESS io_uring, round trip in the method: $d in flight"
		/tests/uring_dirops uring /mnt/bench $d 3 | sed 's/^/PDIRFS-URING completion=sync /'
	done
	umount /mnt/bench
}
case "$mode" in
check)
	kmemleak_baseline
	echo "PDIRFS-TAP-BEGIN vm-setup"
	n=0
	step "insmod pdirfs.ko" insmod $MOD
	step "pdirfs registered in /proc/filesystems" grep -qw pdirfs /proc/filesystems
	step "insmod asyncfs.ko (the sample filesystem)" insmod /lib/modules/asyncfs.ko
	step "asyncfs registered in /proc/filesystems" grep -qw asyncfs /proc/filesystems
	echo "1..$n"
	echo "PDIRFS-TAP-END vm-setup"
	for t in /tests/bin/*; do
		name=$(basename "$t")
		echo "PDIRFS-TAP-BEGIN $name"
		(cd /tmp && "$t")
		echo "# exit status $?"
		echo "PDIRFS-TAP-END $name"
	done
	# The benchmark must not rot: one short run of it, checked for output.
	if [ -x /tests/pdirfs-bench ]; then
		echo "PDIRFS-TAP-BEGIN bench-smoke"
		n=0
		insmod $MOD 2>/dev/null
		mkdir -p /mnt/bench
		step "bench smoke: mount pdirfs (async, latency_us=1000)" \
			mount -t pdirfs -o completion=async,latency_us=1000 pdirfs /mnt/bench
		step "bench smoke: 1 and 2 threads, both layouts, JSON out" sh -c \
			'/tests/pdirfs-bench --dir /mnt/bench --label smoke --threads 1,2 \
				--files 16 --reps 1 > /tmp/smoke.json &&
			 [ "$(grep -c "\"phase\":" /tmp/smoke.json)" = 20 ]'
		step "bench smoke: walk with priming" sh -c \
			'/tests/pdirfs-bench --dir /mnt/bench --label smoke --walk 200 |
			 grep -q "\"entries\":200"'
		step "bench smoke: hand-off floor, one CPU" sh -c \
			'taskset 1 /tests/pdirfs-bench --dir /tmp --label smoke --handoff 200 |
			 grep -q "\"test\":\"handoff\",\"round_trips\":200"'
		if [ -x /tests/uring_dirops ]; then
			step "bench smoke: io_uring, 8 in flight, creates and no errors" sh -c \
				'mkdir /mnt/bench/uring &&
				 /tests/uring_dirops uring /mnt/bench/uring 8 1 | grep -q "creates=[1-9].* errors=0"'
			step "bench smoke: io_uring benchmark left its directory empty" \
				rmdir /mnt/bench/uring
		fi
		umount /mnt/bench
		echo "1..$n"
		echo "PDIRFS-TAP-END bench-smoke"
	fi
	# The sample make run shows, and what it shows: 8 threads creating in
	# one directory with a 10 ms round trip run side by side with
	# dirops=shared (8x in theory), one at a time with dirops=exclusive.
	echo "PDIRFS-TAP-BEGIN parallel-create-sample"
	n=0
	insmod $MOD 2>/dev/null
	ex=$(parallel_create_rate exclusive 10000 8 4)
	shr=$(parallel_create_rate shared 10000 8 4)
	echo "# 8 threads x 4 creates, latency_us=10000: exclusive $ex/s, shared $shr/s"
	step "parallel_create runs on dirops=exclusive and dirops=shared" test -n "$ex" -a -n "$shr"
	step "8 threads in one directory: shared >= 3 x exclusive" \
		awk -v e="$ex" -v s="$shr" 'BEGIN { exit !(e > 0 && s >= 3 * e) }'
	echo "1..$n"
	echo "PDIRFS-TAP-END parallel-create-sample"
	# With CONFIG_LOCK_STAT (the debug kernel): where the benchmark's
	# 16-thread create in one directory waits, shared against exclusive.
	if [ -w /proc/lock_stat ] && [ -x /tests/pdirfs-bench ]; then
		echo "PDIRFS-TAP-BEGIN lockstat"
		n=0
		for opts in completion=async,latency_us=1000 dirops=exclusive,latency_us=1000; do
			mount -t pdirfs -o "$opts" pdirfs /mnt/bench
			echo 0 > /proc/lock_stat
			echo 1 > /proc/sys/kernel/lock_stat
			/tests/pdirfs-bench --dir /mnt/bench --label lockstat --threads 16 \
				--files 32 --reps 1 --layout shared > /tmp/lockstat.json
			echo 0 > /proc/sys/kernel/lock_stat
			echo "# $opts: $(grep -o '"phase":"create"[^}]*' /tmp/lockstat.json | head -1)"
			# the lock classes ("name: numbers"), by total wait time (field 6)
			grep -E '^ +[^ -].*: +[0-9]' /proc/lock_stat | sort -k6 -gr | head -8 |
				cut -c1-150 | sed "s/^/# $opts: /"
			step "lock statistics recorded ($opts)" grep -q 'class name' /proc/lock_stat
			umount /mnt/bench
		done
		echo "1..$n"
		echo "PDIRFS-TAP-END lockstat"
	fi
	echo "PDIRFS-TAP-BEGIN vm-teardown"
	n=0
	step "no pdirfs mount left behind" sh -c '! grep -qw pdirfs /proc/mounts'
	step "rmmod pdirfs" rmmod pdirfs
	step "pdirfs unregistered" sh -c '! grep -qw pdirfs /proc/filesystems'
	step "rmmod asyncfs" rmmod asyncfs
	step "asyncfs unregistered" sh -c '! grep -qw asyncfs /proc/filesystems'
	echo "1..$n"
	echo "PDIRFS-TAP-END vm-teardown"
	kmemleak_section
	;;
stress)
	secs=$(sed -n 's/.*pdirfs\.stress_seconds=\([0-9]*\).*/\1/p' /proc/cmdline)
	kmemleak_baseline
	insmod $MOD || exit 1
	start=$(date +%s)
	pids=
	modes="pdirfs_sync pdirfs_async pdirfs_async_latency pdirfs_exclusive pdirfs_async_uring"
	for v in $modes; do
		(cd /tmp && PDIRFS_SHADOW_SECONDS=$secs /tests/bin/shadow_stress -v $v \
			> /tmp/stress-$v.tap 2>&1; echo "# exit status $?" >> /tmp/stress-$v.tap) &
		pids="$pids $!"
	done
	running() { for p in $pids; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
	while running; do
		sleep 30
		for v in $modes; do
			p=$(grep '^# progress' /tmp/stress-$v.tap | tail -1)
			echo "PDIRFS-STRESS-PROGRESS $(( $(date +%s) - start ))s $v: ${p#*s, }"
		done
	done
	wait
	for v in $modes; do
		echo "PDIRFS-TAP-BEGIN stress-$v"
		cat /tmp/stress-$v.tap
		echo "PDIRFS-TAP-END stress-$v"
	done
	if [ -w /sys/kernel/debug/failslab/probability ]; then
		for v in pdirfs_sync_faults pdirfs_async_faults; do
			echo "PDIRFS-STRESS-PROGRESS $v for $((secs / 5))s"
			echo "PDIRFS-TAP-BEGIN stress-$v"
			(cd /tmp && PDIRFS_SHADOW_SECONDS=$((secs / 5)) /tests/bin/shadow_stress -v $v)
			echo "# exit status $?"
			echo "PDIRFS-TAP-END stress-$v"
		done
	fi
	echo "PDIRFS-TAP-BEGIN stress-teardown"
	n=0
	step "rmmod pdirfs after the stress" rmmod pdirfs
	echo "1..$n"
	echo "PDIRFS-TAP-END stress-teardown"
	kmemleak_section
	;;
bench)
	# Same workload on every configuration in this one boot; results are
	# the JSON lines prefixed with PDIRFS-BENCH (scripts/bench-report.py).
	insmod $MOD || exit 1
	threads=$(sed -n 's/.*pdirfs\.threads=\([0-9,]*\).*/\1/p' /proc/cmdline)
	files=$(sed -n 's/.*pdirfs\.files=\([0-9]*\).*/\1/p' /proc/cmdline)
	reps=$(sed -n 's/.*pdirfs\.reps=\([0-9]*\).*/\1/p' /proc/cmdline)
	walk=$(sed -n 's/.*pdirfs\.walk=\([0-9]*\).*/\1/p' /proc/cmdline)
	# pdirfs.only=a,b,...: only these parts (labels below, "walk",
	# "uring"): BENCH_ONLY of scripts/bench.sh, for a quick comparison.
	only=$(sed -n 's/.*pdirfs\.only=\([^ ]*\).*/\1/p' /proc/cmdline)
	wanted() { [ -z "$only" ] || case ",$only," in *",$1,"*) true ;; *) false ;; esac; }
	mkdir -p /mnt/bench
	# What a sleep really costs here: the floor of the latency-bound runs.
	for us in 1000 20000; do
		/tests/pdirfs-bench --dir /tmp --label guest_timer --timer $us |
			sed 's/^/PDIRFS-BENCH /'
	done
	# What handing work to another thread and back costs: the floor
	# under async completion's CPU (one work item and one wake-up each).
	# Both threads on one CPU, as a waiting caller and the work item of
	# its per-CPU queue are; and free, which adds the wake-ups from idle.
	taskset 1 /tests/pdirfs-bench --dir /tmp --label guest_handoff_1cpu --handoff 20000 |
		sed 's/^/PDIRFS-BENCH /'
	/tests/pdirfs-bench --dir /tmp --label guest_handoff --handoff 20000 |
		sed 's/^/PDIRFS-BENCH /'
	# label fstype options [benchmark arguments replacing the defaults]
	#
	# The *_1t lines repeat the uncontended 1-thread case (own directory)
	# with 32 times the files: its targets compare within 3%, and the CPU
	# time per create comes from /proc/stat in 10 ms ticks, which the 384
	# creates of a short run turn into 3 or 6 ticks.  The *_2t lines repeat
	# the CPU-bound 2-thread case with 8 times the files and more
	# repetitions: that target compares two layouts within 5-10%, which the
	# short runs of the full sweep cannot resolve under TCG.
	# The last two are the latency-bound pair again with a 20 ms round trip
	# and only the shared directory: at 1 ms, N/latency (32,000 creates/s at
	# 32 threads) is far beyond what two emulated CPUs can do at all, so
	# those runs measure the CPUs; at 20 ms N/latency stays below that
	# ceiling up to 32 threads and the runs measure the locking.
	while read -r label fs opts args; do
		wanted "$label" || continue
		echo "PDIRFS-BENCH-PROGRESS $label: $opts $args"
		mount -t "$fs" -o "nr_inodes=0,$opts" "$fs" /mnt/bench || exit 1
		# shellcheck disable=SC2086 # $args is a list of arguments
		/tests/pdirfs-bench --dir /mnt/bench --label "$label" \
			--threads "$threads" --files "$files" --reps "$reps" $args |
			sed 's/^/PDIRFS-BENCH /'
		umount /mnt/bench
	done <<-EOF
		pdirfs_sync pdirfs dirops=shared,completion=sync
		pdirfs_async pdirfs dirops=shared,completion=async
		pdirfs_async_lat1ms pdirfs dirops=shared,completion=async,latency_us=1000
		pdirfs_exclusive_lat1ms pdirfs dirops=exclusive,latency_us=1000
		pdirfs_exclusive pdirfs dirops=exclusive
		tmpfs tmpfs size=50%
		pdirfs_sync_1t pdirfs dirops=shared,completion=sync --threads 1 --files 4096 --reps 5 --layout per-thread
		pdirfs_async_1t pdirfs dirops=shared,completion=async --threads 1 --files 4096 --reps 5 --layout per-thread
		pdirfs_exclusive_1t pdirfs dirops=exclusive --threads 1 --files 4096 --reps 5 --layout per-thread
		pdirfs_sync_2t pdirfs dirops=shared,completion=sync --threads 2 --files 1024 --reps 7
		pdirfs_exclusive_2t pdirfs dirops=exclusive --threads 2 --files 1024 --reps 7
		tmpfs_2t tmpfs size=50% --threads 2 --files 1024 --reps 7
		pdirfs_async_lat20ms pdirfs dirops=shared,completion=async,latency_us=20000 --threads 1,2,4,8,16,32 --files 16 --layout shared
		pdirfs_exclusive_lat20ms pdirfs dirops=exclusive,latency_us=20000 --threads 1,2,4,8,16,32 --files 16 --layout shared
	EOF
	if wanted walk; then
		for prime in on off; do
			echo "PDIRFS-BENCH-PROGRESS walk of $walk entries, readdir_prime=$prime"
			mount -t pdirfs -o nr_inodes=0,readdir_prime=$prime pdirfs /mnt/bench || exit 1
			/tests/pdirfs-bench --dir /mnt/bench --label "pdirfs_prime_$prime" --walk "$walk" |
				sed 's/^/PDIRFS-BENCH /'
			umount /mnt/bench
		done
		mount -t tmpfs -o size=50% tmpfs /mnt/bench
		/tests/pdirfs-bench --dir /mnt/bench --label tmpfs --walk "$walk" | sed 's/^/PDIRFS-BENCH /'
		umount /mnt/bench
	fi
	wanted uring && uring_bench
	rmmod pdirfs
	;;
bench-uring)
	# Only the io_uring part of bench (make bench-uring).
	insmod $MOD || exit 1
	mkdir -p /mnt/bench
	uring_bench
	rmmod pdirfs
	;;
demo)
	insmod $MOD || exit 1
	mkdir -p /mnt/pdirfs
	cd /tmp
	set -x
	mount -t pdirfs -o size=64m,nr_inodes=10k,mode=755 pdirfs /mnt/pdirfs
	grep pdirfs /proc/mounts
	df -T /mnt/pdirfs
	mkdir -p /mnt/pdirfs/dir/sub
	echo hello > /mnt/pdirfs/dir/file
	ln /mnt/pdirfs/dir/file /mnt/pdirfs/dir/hardlink
	ln -s file /mnt/pdirfs/dir/symlink
	mknod /mnt/pdirfs/dir/fifo p
	mv /mnt/pdirfs/dir/sub /mnt/pdirfs/moved
	ls -lai /mnt/pdirfs /mnt/pdirfs/dir
	# The namespace lives in pdirfs' own index, not in the dcache:
	echo 2 > /proc/sys/vm/drop_caches
	cat /mnt/pdirfs/dir/symlink
	stat -c '%n: %F, %h links, %s bytes' /mnt/pdirfs/dir/*
	mount -t pdirfs -o size=12q pdirfs /mnt 2>&1 || true
	dmesg | grep 'pdirfs:' | tail -1
	umount /mnt/pdirfs
	set +x
	echo
	echo "=== what pdirfs is for (samples/userspace/parallel_create.c) ==="
	parallel_create_table 10000 8 1 4 16
	rmmod pdirfs
	;;
esac
