#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test VM (see scripts/vm-init.sh).  Everything printed
# between "PDIRFS-TAP-BEGIN <name>" and "PDIRFS-TAP-END <name>" is TAP that
# the host counts (scripts/vm-results.py); KUnit's KTAP is read from the
# kernel log.
#   $1 = check: load the module (KUnit runs at load), run every selftest,
#               unload the module.
#   $1 = demo:  mount pdirfs and show it working.
mode=$1
MOD=/lib/modules/pdirfs.ko

# TAP for the steps of this script itself.
n=0
step() { # step <description> <command...>
	desc=$1
	shift
	n=$((n + 1))
	if "$@"; then echo "ok $n - $desc"; else echo "not ok $n - $desc"; fi
}

case "$mode" in
check)
	echo "PDIRFS-TAP-BEGIN vm-setup"
	n=0
	step "insmod pdirfs.ko" insmod $MOD
	step "pdirfs registered in /proc/filesystems" grep -qw pdirfs /proc/filesystems
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
		umount /mnt/bench
		echo "1..$n"
		echo "PDIRFS-TAP-END bench-smoke"
	fi
	echo "PDIRFS-TAP-BEGIN vm-teardown"
	n=0
	step "no pdirfs mount left behind" sh -c '! grep -qw pdirfs /proc/mounts'
	step "rmmod pdirfs" rmmod pdirfs
	step "pdirfs unregistered" sh -c '! grep -qw pdirfs /proc/filesystems'
	echo "1..$n"
	echo "PDIRFS-TAP-END vm-teardown"
	;;
bench)
	# Same workload on every configuration in this one boot; results are
	# the JSON lines prefixed with PDIRFS-BENCH (scripts/bench-report.py).
	insmod $MOD || exit 1
	threads=$(sed -n 's/.*pdirfs\.threads=\([0-9,]*\).*/\1/p' /proc/cmdline)
	files=$(sed -n 's/.*pdirfs\.files=\([0-9]*\).*/\1/p' /proc/cmdline)
	reps=$(sed -n 's/.*pdirfs\.reps=\([0-9]*\).*/\1/p' /proc/cmdline)
	walk=$(sed -n 's/.*pdirfs\.walk=\([0-9]*\).*/\1/p' /proc/cmdline)
	mkdir -p /mnt/bench
	# label fstype options
	while read -r label fs opts; do
		echo "PDIRFS-BENCH-PROGRESS $label: $opts"
		mount -t "$fs" -o "nr_inodes=0,$opts" "$fs" /mnt/bench || exit 1
		/tests/pdirfs-bench --dir /mnt/bench --label "$label" \
			--threads "$threads" --files "$files" --reps "$reps" |
			sed 's/^/PDIRFS-BENCH /'
		umount /mnt/bench
	done <<-EOF
		pdirfs_sync pdirfs dirops=shared,completion=sync
		pdirfs_async_lat1ms pdirfs dirops=shared,completion=async,latency_us=1000
		pdirfs_exclusive_lat1ms pdirfs dirops=exclusive,latency_us=1000
		pdirfs_exclusive pdirfs dirops=exclusive
		tmpfs tmpfs size=50%
	EOF
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
	rmmod pdirfs
	set +x
	;;
esac
