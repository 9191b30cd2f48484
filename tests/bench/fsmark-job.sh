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
#
# Then, when the job asks for it (/job/profile), the profile: perf samples
# every CPU with the software cpu-clock (TCG has no PMU) and kernel call
# chains (frame pointers) while fs_mark runs once per configuration, and
# again while rm(1) unlinks the files fs_mark made (<config>_unlink); it
# prints perf's tables as
#   PDIRFS-PROFILE <config> <threads> <files> <table> <perf's line>
# <table>: comm (samples per task, idle included), self and children
# (per kernel or user symbol).
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

# profile <config> <type> <options> <threads> <files per thread>
profile() {
	local cfg=$1 type=$2 opts=$3 t=$4 n=$5 perf tag
	# Bookworm's linux-perf (6.1) installs /usr/bin/perf; later Debian
	# releases a wrapper that picks perf_<version> by the running kernel.
	perf=$(ls /usr/bin/perf_* 2>/dev/null | head -1)
	[ -n "$perf" ] || perf=$(command -v perf)
	[ -n "$perf" ] || { echo "PDIRFS-FSMARK-ERROR no perf in the guest"; return; }
	mount -t "$type" -o "$opts" "$type" /mnt/bench || {
		echo "PDIRFS-FSMARK-ERROR $cfg: cannot mount $type -o $opts"
		return
	}
	echo "PDIRFS-FSMARK-PROGRESS profile $cfg threads=$t"
	# The creates (fs_mark keeps its files: -k), then their unlinks
	# (rm -r of fs_mark's directory: a getdents(2) per batch, then an
	# unlinkat(2) per file).
	mkdir /mnt/bench/d
	"$perf" record -q -e cpu-clock -F "$profile_hz" -a -g -o /tmp/perf.data -- \
		/job/fs_mark -d /mnt/bench/d -t "$t" -n "$n" -s 0 -S 0 -L 1 -k >/dev/null 2>&1
	perf_tables "PDIRFS-PROFILE $cfg $t $((t * n))"
	"$perf" record -q -e cpu-clock -F "$profile_hz" -a -g -o /tmp/perf.data -- \
		rm -r /mnt/bench/d >/dev/null 2>&1
	perf_tables "PDIRFS-PROFILE ${cfg}_unlink $t $((t * n))"
	umount /mnt/bench
}
perf_tables() {
	"$perf" report -i /tmp/perf.data --stdio --no-children -n --sort comm -g none 2>/dev/null |
		grep -v '^#' | grep . | sed "s/^/$1 comm /"
	"$perf" report -i /tmp/perf.data --stdio --no-children --sort comm,sym -g none \
		--percent-limit 0.3 2>/dev/null | grep -v '^#' | grep . | sed "s/^/$1 self /"
	"$perf" report -i /tmp/perf.data --stdio --children --sort comm,sym -g none \
		--percent-limit 1 2>/dev/null | grep -v '^#' | grep . | sed "s/^/$1 children /"
	rm -f /tmp/perf.data
}
if [ -f /job/profile ]; then
	read -r profile_hz profile_files < /job/profile
	profile pdirfs_exclusive pdirfs dirops=exclusive,nr_inodes=0 1 "$profile_files"
	profile pdirfs_shared pdirfs dirops=shared,nr_inodes=0 1 "$profile_files"
	profile pdirfs_async pdirfs dirops=shared,completion=async,nr_inodes=0 1 "$profile_files"
	profile pdirfs_shared pdirfs dirops=shared,nr_inodes=0 2 "$profile_files"
	profile tmpfs tmpfs size=50%,nr_inodes=0 2 "$profile_files"
fi
rmmod pdirfs
