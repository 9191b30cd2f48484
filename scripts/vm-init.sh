#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test VM (busybox initramfs).  Mounts the basics, runs the job
# named by pdirfs.mode= on the kernel command line, dumps the kernel log
# between markers for the host to parse, and powers off.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmp /tmp
mode=$(sed -n 's/.*pdirfs\.mode=\([a-z]*\).*/\1/p' /proc/cmdline)
echo "PDIRFS-VM: begin mode=$mode"
case "$mode" in
probe) ;;
*) sh /tests/vm-tests.sh "$mode" ;;
esac
echo "PDIRFS-VM: dmesg-begin"
dmesg
echo "PDIRFS-VM: dmesg-end"
echo "PDIRFS-VM: end"
sync
poweroff -f
