#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the fstests guest (from the job disk, /job): every test of
# /job/tests on every configuration of /job/configs, one `./check` per
# test under a timeout, printing one line per result for the host
# (scripts/fstests-report.py) and a progress line:
#   PDIRFS-FSTESTS-RESULT <config> <test> pass|fail|notrun <seconds> <reason>
# /job/configs: "<name> <fstype> <mount options>" per line.
per_test=$(cat /job/per_test_timeout)
insmod /job/pdirfs.ko || { echo "PDIRFS-FSTESTS-ERROR insmod failed"; exit 1; }
cd /opt/xfstests-dev || exit 1
mapfile -t tests < /job/tests
mapfile -t configs < /job/configs
total=$(( ${#tests[@]} * ${#configs[@]} ))
n=0
start=$(date +%s)
for line in "${configs[@]}"; do
	read -r cfg type opts <<< "$line"
	opts=${opts:-size=1G}
	cat > local.config <<EOC
export FSTYP=$type
export TEST_DEV=${type}_test
export TEST_DIR=/mnt/test
export SCRATCH_DEV=${type}_scratch
export SCRATCH_MNT=/mnt/scratch
export TMPFS_MOUNT_OPTIONS="-o $opts"
export PDIRFS_MOUNT_OPTIONS="-o $opts"
export TEST_FS_MOUNT_OPTS="-o $opts"
export RESULT_BASE=/tmp/results/$cfg
EOC
	mount -t "$type" -o "$opts" "${type}_test" /mnt/test || {
		echo "PDIRFS-FSTESTS-ERROR $cfg: cannot mount $type -o $opts"
		continue
	}
	for t in "${tests[@]}"; do
		n=$((n + 1))
		t0=$(date +%s)
		out=$(timeout -k 10 "$per_test" ./check "$t" 2>&1)
		rc=$?
		secs=$(( $(date +%s) - t0 ))
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			status=fail reason="timeout after ${per_test}s"
			# A test killed midway may leave its mounts behind.
			umount -l /mnt/scratch 2>/dev/null
		elif grep -q '^Not run:' <<< "$out"; then
			status=notrun
			reason=$(grep -m1 -F "[not run]" <<< "$out" | sed 's/.*\[not run\] *//')
		elif grep -q '^Passed all' <<< "$out"; then
			status=pass reason=
		else
			status=fail
			reason=$(grep -m1 -E -- '- output mismatch|\[failed|_check_.*inconsistent|dmesg' <<< "$out" |
				sed "s|^$t *||" | cut -c1-120)
			echo "$out" | sed "s/^/# $cfg $t: /" | head -40
			diff=$(ls /tmp/results/"$cfg"/"$t".out.bad 2>/dev/null)
			[ -n "$diff" ] && diff -u "tests/$t.out" "$diff" | head -30 | sed "s/^/# $cfg $t diff: /"
		fi
		echo "PDIRFS-FSTESTS-RESULT $cfg $t $status $secs ${reason:-}"
		el=$(( $(date +%s) - start ))
		echo "PDIRFS-FSTESTS-PROGRESS [$n/$total] $cfg $t: $status (${secs}s); ${el}s elapsed, $((total - n)) to go"
		mountpoint -q /mnt/test || mount -t "$type" -o "$opts" "${type}_test" /mnt/test
	done
	umount /mnt/scratch 2>/dev/null
	umount /mnt/test 2>/dev/null
done
echo "PDIRFS-FSTESTS-DONE"
