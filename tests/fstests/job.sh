#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the fstests guest (from the job disk, /job): for each line of
# /job/configs ("<name> <fstype> <mount options>"), one `./check` over the
# tests of /job/tests.<name>, each test under the per-test timeout of
# /job/per_test_timeout (TEST_TIMEOUT, tests/fstests/0002-*.patch).
#
# One check per configuration, not per test: under TCG a program start
# costs about 50 ms, and check's own start-up (about 9 s of them) would
# otherwise be paid again for every test.
#
# For the host (scripts/fstests.sh, scripts/fstests-report.py) it prints,
# as each test ends,
#   PDIRFS-FSTESTS-RESULT <config> <test> pass|fail|notrun <seconds> <reason>
#   PDIRFS-FSTESTS-PROGRESS [n/total] ...
# and for a failure the start of its diff and of its .full log as "# ..."
# lines.
per_test=$(cat /job/per_test_timeout)
total=$(cat /job/total)
insmod /job/pdirfs.ko || { echo "PDIRFS-FSTESTS-ERROR insmod failed"; exit 1; }
cd /opt/xfstests-dev || exit 1
mapfile -t configs < /job/configs
n=0
start=$(date +%s)

# One line of check's output per finished test: "<test>  <outcome>".
report() {
	local cfg=$1 t=$2 rest=$3 secs=$4 status reason=
	rest=$(sed 's/^ *//; s/ *$//' <<< "$rest")
	if [[ $rest == *"[not run]"* ]]; then
		status=notrun reason=${rest#*\[not run\] }
	elif [[ $rest =~ ^([0-9]+s\ \.\.\.\ +)?[0-9]+s$ ]]; then
		status=pass
	elif [[ $rest == *"[failed, exit status 124]"* ]]; then
		status=fail reason="timeout after ${per_test}s"
	else
		status=fail reason=$(cut -c1-120 <<< "$rest")
	fi
	echo "PDIRFS-FSTESTS-RESULT $cfg $t $status $secs $reason"
	n=$((n + 1))
	echo "PDIRFS-FSTESTS-PROGRESS [$n/$total] $cfg $t: $status (${secs}s); $(( $(date +%s) - start ))s elapsed, $((total - n)) to go"
	if [ "$status" = fail ]; then
		tail -n 15 "/tmp/results/$cfg/$t.full" 2>/dev/null | sed "s|^|# $cfg $t full: |"
	fi
}

for line in "${configs[@]}"; do
	read -r cfg type opts <<< "$line"
	[ -s "/job/tests.$cfg" ] || continue
	# fstests adds size=1G to mounts of tmpfs and pdirfs itself, and
	# _scratch_mkfs_sized its own size=: a size= here would override that
	# (options given later win), so ENOSPC tests would fill 1G instead.
	fsopts=$(sed -E 's/(^|,)size=[^,]*//; s/^,//' <<< "$opts")
	cat > local.config <<EOC
export FSTYP=$type
export TEST_DEV=${type}_test
export TEST_DIR=/mnt/test
export SCRATCH_DEV=${type}_scratch
export SCRATCH_MNT=/mnt/scratch
export TMPFS_MOUNT_OPTIONS="${fsopts:+-o $fsopts}"
export PDIRFS_MOUNT_OPTIONS="${fsopts:+-o $fsopts}"
export TEST_FS_MOUNT_OPTS="-o $opts"
export RESULT_BASE=/tmp/results/$cfg
export TEST_TIMEOUT=$per_test
EOC
	mount -t "$type" -o "$opts" "${type}_test" /mnt/test || {
		echo "PDIRFS-FSTESTS-ERROR $cfg: cannot mount $type -o $opts"
		continue
	}
	t0=$(date +%s)
	failing=
	while IFS= read -r l; do
		if [[ $l =~ ^([a-z0-9]+/[0-9]+)\ +(.*)$ ]]; then
			now=$(date +%s)
			t=${BASH_REMATCH[1]}
			report "$cfg" "$t" "${BASH_REMATCH[2]}" $((now - t0))
			t0=$now
			failing=
			[[ $l == *"output mismatch"* ]] && failing=$t
		elif [ -n "$failing" ] && [[ $l == "    "* ]]; then
			echo "# $cfg $failing diff: $l"
		fi
	done < <(./check $(cat "/job/tests.$cfg") 2>&1)
	umount /mnt/scratch 2>/dev/null
	umount /mnt/test 2>/dev/null
done
echo "PDIRFS-FSTESTS-DONE"
