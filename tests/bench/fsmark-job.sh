#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the Debian guest (scripts/fstests-init.sh runs /job/job.sh) for
# make bench (scripts/bench-fsmark.sh): fs_mark, the benchmark XFS and ext4
# developers use for metadata, creating zero-length files (-s 0, no sync:
# -S 0) with T threads in one shared directory (one -d: fs_mark's threads
# then all create in it), on pdirfs shared, pdirfs exclusive and tmpfs; and
# with a 20 ms round trip (latency_us=20000), pdirfs shared (both
# completions) against exclusive.
#
# For each run it prints
#   PDIRFS-FSMARK <config> <threads> <files/s of each iteration...>
# fs_mark -n is files per thread and iteration; -L the iterations.
threads=$(cat /job/threads)
files=$(cat /job/files)
reps=$(cat /job/reps)
lat_threads=$(cat /job/lat_threads)
lat_files=$(cat /job/lat_files)
insmod /job/pdirfs.ko || { echo "PDIRFS-FSMARK-ERROR insmod failed"; exit 1; }
mkdir -p /mnt/bench

# run <config> <type> <options> <threads> <files per thread>
run() {
	local cfg=$1 type=$2 opts=$3 t=$4 n=$5 rates
	mount -t "$type" -o "$opts" "$type" /mnt/bench || {
		echo "PDIRFS-FSMARK-ERROR $cfg: cannot mount $type -o $opts"
		return
	}
	echo "PDIRFS-FSMARK-PROGRESS $cfg threads=$t"
	# The rows of fs_mark's table: FSUse% Count Size Files/sec Overhead.
	rates=$(/job/fs_mark -d /mnt/bench -t "$t" -n "$n" -s 0 -S 0 -L "$reps" 2>&1 |
		awk '$1 ~ /^[0-9]+$/ && NF == 5 { printf "%s ", $4 }')
	echo "PDIRFS-FSMARK $cfg $t $rates"
	umount /mnt/bench
}

for t in $threads; do
	run pdirfs_shared pdirfs dirops=shared,nr_inodes=0 "$t" "$files"
	run pdirfs_exclusive pdirfs dirops=exclusive,nr_inodes=0 "$t" "$files"
	run tmpfs tmpfs size=50%,nr_inodes=0 "$t" "$files"
done
for t in $lat_threads; do
	run pdirfs_shared_lat20ms pdirfs dirops=shared,latency_us=20000 "$t" "$lat_files"
	run pdirfs_async_lat20ms pdirfs dirops=shared,completion=async,latency_us=20000 "$t" "$lat_files"
	run pdirfs_exclusive_lat20ms pdirfs dirops=exclusive,latency_us=20000 "$t" "$lat_files"
done
rmmod pdirfs
