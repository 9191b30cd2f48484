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
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
mount -o ro /dev/vdb /job
echo "PDIRFS-VM: begin mode=fstests"
bash /job/job.sh
echo "PDIRFS-VM: dmesg-begin"
dmesg
echo "PDIRFS-VM: dmesg-end"
echo "PDIRFS-VM: end"
sync
echo o > /proc/sysrq-trigger
sleep 30
