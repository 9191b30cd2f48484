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
	echo "PDIRFS-TAP-BEGIN vm-teardown"
	n=0
	step "no pdirfs mount left behind" sh -c '! grep -qw pdirfs /proc/mounts'
	step "rmmod pdirfs" rmmod pdirfs
	step "pdirfs unregistered" sh -c '! grep -qw pdirfs /proc/filesystems'
	echo "1..$n"
	echo "PDIRFS-TAP-END vm-teardown"
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
