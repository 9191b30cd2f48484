#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# /pdirfs-init of the fstests guest (scripts/fstests-guest.sh): mounts the
# basics, runs the job that scripts/fstests.sh put on the second disk, and
# powers off.  Everything the host reads comes over the serial console.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
# What udev would add: bash's process substitution and some tests need them.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
mount -o ro /dev/vdb /job
# Loopback for the lock testers that talk TCP (generic/131).
ip link set lo up
echo "PDIRFS-VM: begin mode=fstests"
bash /job/job.sh
echo "PDIRFS-VM: dmesg-begin"
dmesg
echo "PDIRFS-VM: dmesg-end"
echo "PDIRFS-VM: end"
sync
echo o > /proc/sysrq-trigger
# Wait for the power-off with builtins only: the disks shut down first, and
# an exec of sleep(1) from the root disk would then fail, ending init in a
# panic.
while :; do read -r -t 10 _ <> /dev/console || true; done
