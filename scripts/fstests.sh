#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make fstests: the filesystem community's suite on pdirfs in each mode and
# on tmpfs, in one boot of the Debian guest (scripts/fstests-guest.sh) with
# the project's kernel and module.
#
#   FSTESTS_TESTS   tests to run (default: the generic tests of the quick
#                   group, less tests/fstests/exclude)
#   FSTESTS_CONFIGS which configurations (default: all four, below)
#   FSTESTS_TIMEOUT seconds per test (default 600; TCG is slow)
#   FSTESTS_VMS     how many guests run configurations at once (default 1)
#   FSTESTS_KERNEL  the bzImage to boot (default: the project's build);
#   PDIRFS_MODULE   the pdirfs.ko to test (default: pdirfs/pdirfs.ko).
#                   A copy of both, made when a run starts, lets a run that
#                   spans sessions go on with the same kernel and module
#                   while the tree moves on.
#   FSTESTS_RESUME  1: keep the results of earlier runs with the same
#                   kernel, module, guest and job, and run only what is
#                   missing (the whole quick group takes many hours under
#                   TCG: stop it any time and resume it later).  Without
#                   it, the tests asked for run again and replace their
#                   earlier results; other tests' results are kept.
#   FSTESTS_REV     a commit of this repository: test its kernel and module,
#                   built from `git archive` of it with a cache of their own
#                   ($PDIRFS_CACHE/fstests/rev-<commit>; a kernel build, once
#                   per machine): how a run that spans sessions goes on with
#                   the kernel it began with while the tree moves on.
#   FSTESTS_RESULTS where the results are kept (default $PDIRFS_CACHE/fstests).
#                   The record of the whole quick group is kept in the
#                   repository, tests/fstests/results/, because a run of it
#                   spans sessions and machines: results are keyed by what
#                   produced them (inputs, not build outputs), so a resumed
#                   run on another machine with the same tree goes on.
#
# Arguments go to scripts/fstests-report.py (make check: --tap FILE).
# Prints progress as it goes, then a per-test table and a summary
# ($PDIRFS_CACHE/fstests/report.md); fails on any test that passes on tmpfs
# but not on a pdirfs configuration, and on any kernel splat.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$PDIRFS_CACHE/fstests
img=$("$PDIRFS_ROOT/scripts/fstests-guest.sh")
module_src=$PDIRFS_ROOT
build_key=$KBUILD_OUT/.pdirfs-build-key
kernel=${FSTESTS_KERNEL:-$KBUILD_OUT/arch/x86/boot/bzImage}
if [ -n "${FSTESTS_REV:-}" ]; then
	[ -z "${FSTESTS_KERNEL:-}${PDIRFS_MODULE:-}" ] ||
		die "FSTESTS_REV names the kernel and module: no FSTESTS_KERNEL or PDIRFS_MODULE"
	rev=$(git -C "$PDIRFS_ROOT" rev-parse --short=12 "$FSTESTS_REV^{commit}") ||
		die "FSTESTS_REV=$FSTESTS_REV: not a commit of this repository"
	revdir=$out/rev-$rev
	module_src=$revdir/src
	if [ ! -f "$module_src/pdirfs/pdirfs.ko" ]; then
		say "building the kernel and module of $rev in $revdir"
		rm -rf "$module_src"
		mkdir -p "$module_src"
		git -C "$PDIRFS_ROOT" archive "$rev" | tar -x -C "$module_src"
		# Its own cache: its kernel tree and build, never this tree's.
		PDIRFS_CACHE=$revdir/cache make -C "$module_src" module >&2 ||
			die "could not build the kernel and module of $rev"
	fi
	build_key=$revdir/cache/build/.pdirfs-build-key
	kernel=$revdir/cache/build/arch/x86/boot/bzImage
	PDIRFS_MODULE=$module_src/pdirfs/pdirfs.ko
fi
[ -f "$kernel" ] || die "no kernel at $kernel: run 'make kernel'"
module=${PDIRFS_MODULE:-$PDIRFS_ROOT/pdirfs/pdirfs.ko}
[ -f "$module" ] || die "no module at $module: run 'make module'"

ALL_CONFIGS=(
	"pdirfs_sync pdirfs size=1G,nr_inodes=1m,dirops=shared,completion=sync"
	"pdirfs_async pdirfs size=1G,nr_inodes=1m,dirops=shared,completion=async"
	"pdirfs_exclusive pdirfs size=1G,nr_inodes=1m,dirops=exclusive"
	"tmpfs tmpfs size=1G,nr_inodes=1m"
)
job=$out/job
rm -rf "$job"
mkdir -p "$job"
for c in "${ALL_CONFIGS[@]}"; do
	name=${c%% *}
	[ -z "${FSTESTS_CONFIGS:-}" ] || [[ " $FSTESTS_CONFIGS " == *" $name "* ]] || continue
	echo "$c" >> "$job/configs"
done
[ -s "$job/configs" ] || die "FSTESTS_CONFIGS=$FSTESTS_CONFIGS names no configuration"

exclude=$PDIRFS_ROOT/tests/fstests/exclude
if [ -n "${FSTESTS_TESTS:-}" ]; then
	tr ' ' '\n' <<< "$FSTESTS_TESTS" | grep . > "$job/tests"
else
	# The quick group, from the tests' own _begin_fstest lines.
	src=$(mktemp -d)
	tarball=$(ls "$PDIRFS_ROOT"/../shared/third_party/xfstests-dev-*.tar.gz 2>/dev/null | tail -1 || true)
	if [ -n "${FSTESTS_SRC:-}" ]; then
		cp -a "$FSTESTS_SRC/tests" "$src/"
	else
		tar -C "$src" --strip-components=1 -xzf "$tarball" xfstests-dev/tests
	fi
	grep -lE '^_begin_fstest .*\bquick\b' "$src"/tests/generic/[0-9]* |
		sed 's|.*/tests/||' | sort > "$job/tests"
	rm -rf "$src"
fi
if [ -f "$exclude" ]; then
	grep -v -x -F -f <(sed 's/#.*//; s/[[:space:]]*$//' "$exclude" | grep .) "$job/tests" > "$job/tests.run" || true
	mv "$job/tests.run" "$job/tests"
fi
per_test=${FSTESTS_TIMEOUT:-600}
echo "$per_test" > "$job/per_test_timeout"
cp "$module" "$job/pdirfs.ko"
cp "$PDIRFS_ROOT/tests/fstests/job.sh" "$job/job.sh"

# Results accumulate per configuration, under a key of what produced them
# (kernel, guest, job, the configuration, the timeout, and for pdirfs the
# module): a resumed run skips what is there.  tmpfs results do not depend
# on the module, so they survive changes to pdirfs.
# The kernel and the module are named by their inputs: the kernel's build
# key (the patched tree's git tree hash, the config, the toolchain), the
# module's sources; a copy of either (FSTESTS_KERNEL=, PDIRFS_MODULE=) by
# the FILE.key written beside it when it was made, else by its bytes.
if [ -n "${FSTESTS_KERNEL:-}" ] && [ -f "$kernel.key" ]; then
	kernel_id=$(cat "$kernel.key")
elif [ -z "${FSTESTS_KERNEL:-}" ] && [ -f "$build_key" ]; then
	kernel_id=$(cat "$build_key")
else
	kernel_id=$(sha256sum < "$kernel")
fi
if [ -n "${PDIRFS_MODULE:-}" ] && [ -f "$module.key" ]; then
	module_key=$(cat "$module.key")
elif [ -z "${PDIRFS_MODULE:-}" ] || [ -n "${FSTESTS_REV:-}" ]; then
	module_key=$(cd "$module_src" && cat Kbuild pdirfs/Kbuild pdirfs/*.rs vfs/*.rs |
		sha256sum | cut -c1-16)
else
	module_key=$(sha256sum < "$module" | cut -c1-16)
fi
echo "$kernel_id" > "$job/kernel.key"
echo "$module_key" > "$job/module.key"
base_key=$(cat <(echo "$kernel_id") "$PDIRFS_ROOT/tests/fstests/job.sh" "$job/per_test_timeout" \
	<(basename "$img") | sha256sum | cut -c1-16)
results_dir=${FSTESTS_RESULTS:-$out}
mkdir -p "$results_dir"
total=0
: > "$job/results"
while read -r cfg type opts; do
	key=$(echo "$base_key $cfg $type $opts $([ "$type" = tmpfs ] || echo "$module_key")" |
		sha256sum | cut -c1-16)
	results=$results_dir/results-$cfg-$key.log
	[ -s "$results" ] || printf '# fstests results of %s (%s: %s), kernel %s, module %s, %s s per test\n' \
		"$cfg" "$type" "$opts" "$kernel_id" "$([ "$type" = tmpfs ] && echo - || echo "$module_key")" \
		"$per_test" > "$results"
	if [ "${FSTESTS_RESUME:-0}" != 1 ]; then
		# Run these tests afresh: forget their results (and the kernel
		# log problems of earlier boots), keep the other tests'.
		awk 'NR == FNR { t[$1] = 1; next }
		     /^#/ || ($1 == "PDIRFS-FSTESTS-RESULT" && !($3 in t))' "$job/tests" "$results" > "$results.new"
		mv "$results.new" "$results"
	fi
	echo "$cfg $results" >> "$job/results"
	grep -v -x -F -f <(awk '$1 == "PDIRFS-FSTESTS-RESULT" { print $3 }' "$results") \
		"$job/tests" > "$job/tests.$cfg" || true
	total=$(( total + $(wc -l < "$job/tests.$cfg") ))
done < "$job/configs"
echo "$total" > "$job/total"
ntests=$(wc -l < "$job/tests")
nconfigs=$(wc -l < "$job/configs")
say "$ntests tests x $nconfigs configurations: $total to run ($(( ntests * nconfigs - total )) done before); at most ${per_test}s each"

# FSTESTS_VMS=N runs the configurations in N guests at once (each with
# its own job disk and console log), as kvm-xfstests shards a run: one
# TCG guest running fstests keeps about 1.2 of 2 host cores busy.  The
# default is one guest.
vms=${FSTESTS_VMS:-1}
[ "$vms" -ge 1 ] 2>/dev/null || die "FSTESTS_VMS=$vms: expected a number >= 1"
[ "$vms" -le "$nconfigs" ] || vms=$nconfigs
jobs=()
if [ "$vms" = 1 ]; then
	jobs=("$job")
else
	for i in $(seq 1 "$vms"); do
		d=$out/job.$i
		rm -rf "$d"
		mkdir -p "$d"
		cp "$job/tests" "$job/per_test_timeout" "$job/pdirfs.ko" "$job/job.sh" "$d/"
		# Configuration k goes to guest (k mod vms) + 1.
		awk -v i="$i" -v n="$vms" '(NR - 1) % n == i - 1' "$job/configs" > "$d/configs"
		t=0
		while read -r cfg _; do
			cp "$job/tests.$cfg" "$d/"
			t=$((t + $(wc -l < "$job/tests.$cfg")))
		done < "$d/configs"
		echo "$t" > "$d/total"
		jobs+=("$d")
	done
fi

log=$out/console.log
start=$(date +%s)
pids=()
logs=()
for i in "${!jobs[@]}"; do
	d=${jobs[$i]}
	img_i=$d.img
	log_i=$log
	[ "$vms" = 1 ] || log_i=$out/console.$((i + 1)).log
	mkfs.ext4 -q -F -d "$d" "$img_i" 64M >/dev/null
	timeout_s=$(( $(cat "$d/total") * per_test + 600 ))
	prefix="== "
	[ "$vms" = 1 ] || prefix="== vm$((i + 1)) "
	(
		set +e
		# Each result goes to its configuration's results file as it
		# arrives, so that a run stopped half-way (killed, or a session
		# that ends) keeps what it measured for FSTESTS_RESUME; the
		# report adds them again at the end (a later line of the same
		# test replaces an earlier one).  Kernel splats are judged from
		# the whole console log when the guests end; a stopped run
		# leaves its console.*.log for reading.
		# (A shell loop, not awk: Debian's mawk reads a pipe in blocks
		# of several KiB and would sit on hours of results.)
		declare -A results_of
		while read -r c f; do results_of[$c]=$f; done < "$job/results"
		debian_guest "$timeout_s" "$kernel" "$img" "$img_i" 2>&1 | tee "$log_i" |
			grep --line-buffered -E '^PDIRFS-FSTESTS-(PROGRESS|ERROR|RESULT)|\] (BUG|WARNING|Oops|Kernel panic)' |
			while IFS= read -r line; do
				if [[ $line == "PDIRFS-FSTESTS-RESULT "* ]]; then
					read -r _ c _ <<< "$line"
					[ -z "${results_of[$c]:-}" ] || printf '%s\n' "$line" >> "${results_of[$c]}"
					continue
				fi
				printf '%s\n' "${line/#PDIRFS-FSTESTS-PROGRESS /$prefix}"
			done
		exit "${PIPESTATUS[0]}"
	) &
	pids+=($!)
	logs+=("$log_i")
done
set +e
rc=0
for p in "${pids[@]}"; do
	wait "$p"
	r=$?
	[ "$r" = 0 ] || rc=$r
done
set -e
# One log for the report: every guest's results and kernel messages.
[ "$vms" = 1 ] || cat "${logs[@]}" > "$log"
say "guests exited (rc=$rc) after $(( $(date +%s) - start )) s; console log: $log"
python3 "$PDIRFS_ROOT/scripts/fstests-report.py" --qemu-rc "$rc" --exclude "$exclude" \
	--configs "$job/configs" --tests "$job/tests" --results "$job/results" \
	--report "$results_dir/report.md" "$@" "$log"
