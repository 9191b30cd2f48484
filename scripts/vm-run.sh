#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the patched kernel in QEMU with a hermetic busybox initramfs holding
# pdirfs.ko and the test binaries, run one job, and judge the result.
#
#   scripts/vm-run.sh check   run all tests; print "N passed, N failed"
#   scripts/vm-run.sh demo    mount pdirfs and show it
#
# QEMU always runs under `timeout` (PDIRFS_VM_TIMEOUT seconds).  TCG is the
# default; a working KVM is used when a quick probe boot shows one (on some
# machines /dev/kvm opens but guests hang before the kernel prints: the
# probe catches that and its verdict is cached per kernel image).
#
# PDIRFS_KERNEL=bzImage boots another kernel (say, one built without the
# latest patch, to see a new test fail there); PDIRFS_MODULE=pdirfs.ko
# likewise loads another module.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=${1:-check}
shift || true
# Further arguments (--tap NAME=FILE) go to vm-results.py: TAP produced
# outside the VM, counted with the VM's results.
extra_results=("$@")
timeout_s=${PDIRFS_VM_TIMEOUT:-2400}
kernel=${PDIRFS_KERNEL:-$KBUILD_OUT/arch/x86/boot/bzImage}
module=${PDIRFS_MODULE:-$PDIRFS_ROOT/pdirfs/pdirfs.ko}
[ -f "$kernel" ] || die "no kernel at $kernel: run 'make kernel'"
[ -f "$module" ] || die "no module at $module: run 'make module'"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: run scripts/setup-toolchain.sh"

# --- initramfs ------------------------------------------------------------
stage=$PDIRFS_CACHE/initramfs
rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,proc,sys,dev,tmp,mnt,lib/modules,tests/bin,samples,root}
cp /bin/busybox "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
cp "$PDIRFS_ROOT/scripts/vm-init.sh" "$stage/init"
cp "$PDIRFS_ROOT/tests/vm-tests.sh" "$stage/tests/vm-tests.sh"
cp "$module" "$stage/lib/modules/pdirfs.ko"
# The sample filesystem on the same VFS layer (samples/rust/asyncfs.rs).
sample_module=${PDIRFS_SAMPLE_MODULE:-$PDIRFS_ROOT/samples/rust/asyncfs.ko}
[ -f "$sample_module" ] || die "no sample module at $sample_module: run 'make module'"
cp "$sample_module" "$stage/lib/modules/"
# Only the tests of this checkout (the cache may hold binaries of others);
# PDIRFS_TESTS="races_test shadow_stress" narrows it down while developing.
for src in "$PDIRFS_ROOT"/tests/*.c; do
	name=$(basename "$src" .c)
	[ -z "${PDIRFS_TESTS:-}" ] || [[ " $PDIRFS_TESTS " == *" $name "* ]] || continue
	t=$PDIRFS_CACHE/tests/$name
	[ -x "$t" ] || die "test binary $t missing: run 'make tests'"
	cp "$t" "$stage/tests/bin/"
done
# The userspace samples (samples/userspace/): make run shows them, make
# check runs them.
for src in "$PDIRFS_ROOT"/samples/userspace/*.c; do
	t=$PDIRFS_CACHE/tests/samples/$(basename "$src" .c)
	[ -x "$t" ] || die "sample binary $t missing: run 'make tests'"
	cp "$t" "$stage/samples/"
done
# The benchmark program, when built (scripts/build-bench.sh): check mode
# runs a smoke test of it, bench mode the benchmark.
bench=$PDIRFS_CACHE/bench/pdirfs-bench
[ -x "$bench" ] && cp "$bench" "$stage/tests/"
[ -x "$PDIRFS_CACHE/bench/uring_dirops" ] && cp "$PDIRFS_CACHE/bench/uring_dirops" "$stage/tests/"
chmod +x "$stage/init"
initrd=$PDIRFS_CACHE/initramfs.cpio.gz
(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) > "$initrd"

# --- accelerator ----------------------------------------------------------
qemu_base=(qemu-system-x86_64 -machine pc -smp 2 -m 2G -display none -monitor none
	-serial stdio -no-reboot -kernel "$kernel" -initrd "$initrd")
append="console=ttyS0 loglevel=4 panic=-1 rdinit=/init"
accel=(-accel tcg,thread=multi -cpu max)
if [ -c /dev/kvm ] && [ -w /dev/kvm ] && [ "${PDIRFS_KVM:-probe}" != no ]; then
	probe=$PDIRFS_CACHE/kvm-probe.$(sha256sum < "$kernel" | cut -c1-16)
	if [ ! -f "$probe" ]; then
		if timeout 30 "${qemu_base[@]}" -accel kvm -cpu host \
			-append "$append pdirfs.mode=probe" </dev/null 2>/dev/null |
			grep -q 'PDIRFS-VM: end'; then
			echo kvm > "$probe"
		else
			echo tcg > "$probe"
		fi
	fi
	[ "$(cat "$probe")" = kvm ] && accel=(-accel kvm -cpu host)
fi
say "booting ${accel[1]%%,*} guest, mode=$mode (timeout ${timeout_s}s)"

# --- run ------------------------------------------------------------------
log=$PDIRFS_CACHE/vm-$mode${PDIRFS_VM_LOG_SUFFIX:-}.log
start=$(date +%s)
set +e
timeout --foreground -k 10 "$timeout_s" "${qemu_base[@]}" "${accel[@]}" \
	-append "$append pdirfs.mode=$mode ${PDIRFS_VM_APPEND:-}" </dev/null 2>&1 | tee "$log" |
	if [ "$mode" = check ]; then
		# Show progress (test starts and results), not the whole log.
		grep --line-buffered -E '^PDIRFS-TAP-BEGIN|^(not )?ok |^# (PASSED|FAILED|Totals)|\] (BUG|WARNING|Oops|Kernel panic)' |
			sed -u 's/^PDIRFS-TAP-BEGIN /== /'
	elif [ "$mode" = stress ]; then
		grep --line-buffered -E '^PDIRFS-STRESS-PROGRESS|^PDIRFS-TAP-BEGIN|^(not )?ok |\] (BUG|WARNING|Oops|Kernel panic)' |
			sed -u 's/^PDIRFS-STRESS-PROGRESS /== /; s/^PDIRFS-TAP-BEGIN /== /'
	elif [[ $mode == bench* ]]; then
		grep --line-buffered -E '^PDIRFS-BENCH-PROGRESS|^  |\] (BUG|WARNING|Oops|Kernel panic)' |
			sed -u 's/^PDIRFS-BENCH-PROGRESS /== /'
	else
		sed -u -n '/PDIRFS-VM: begin/,/PDIRFS-VM: dmesg-begin/p' | grep -v '^PDIRFS-VM'
	fi
rc=${PIPESTATUS[0]}
set -e
say "VM exited (rc=$rc) after $(( $(date +%s) - start )) s; console log: $log"
[ "$rc" = 124 ] && say "VM timed out"
python3 "$PDIRFS_ROOT/scripts/vm-results.py" --mode "$mode" --qemu-rc "$rc" "${extra_results[@]}" "$log"
