#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Model-check the shared-lock directory locking protocol
# (tests/model/dirops.pml, described in
# Documentation/filesystems/shared-dir-locking.rst) with spin, and print TAP.
#
#   1. the correct model, every scenario, exhaustive safety search:
#      no invalid end state (deadlock), no assertion violation (per-name
#      exclusion, one hashed dentry per name, dcache coherence);
#   2. the correct model, scenario 1 (all of them with PDIRFS_MODEL_FULL=1),
#      non-progress-cycle search: no livelock, so with (1) every operation
#      terminates;
#   3. every broken variant: spin must report the expected error (an invalid
#      end state for the deadlocks, an assertion violation for the others),
#      otherwise the check fails; and every witness (an assertion that a
#      state the protocol is for cannot happen) must be violated: the state
#      is reachable.
#
# Works in a temporary directory; exits 0 only if every test passes.  Takes
# about eight minutes on one core (most of it in gcc and test 1: 6.6e7
# states, about 3 GB).
#
# Environment: PDIRFS_MODEL_MEMLIM (MB, default 6144) bounds pan's memory;
# PDIRFS_MODEL_FULL=1 runs test 2 on every scenario (more than 5.4e7 states,
# about 5 minutes more, within the default 6 GB); PDIRFS_MODEL_KEEP=1 keeps the work directory (trails, logs).
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
model=$here/tests/model/dirops.pml
memlim=${PDIRFS_MODEL_MEMLIM:-6144}

for tool in spin gcc; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "Bail out! $tool not found: run scripts/setup-toolchain.sh (as root) first"
		exit 1
	fi
done
[ -f "$model" ] || { echo "Bail out! $model missing"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/pdirfs-model.XXXXXX")
if [ "${PDIRFS_MODEL_KEEP:-0}" = 1 ]; then
	echo "# work directory: $work"
else
	trap 'rm -rf "$work"' EXIT
fi

if [ "${PDIRFS_MODEL_FULL:-0}" = 1 ]; then term_mask=511; term_what="scenarios 1-9"
else term_mask=1; term_what="scenario 1"; fi
broken=(
	"BROKEN_READDIR		deadlock	1"
	"BROKEN_LOOKUP_ORDER	deadlock	1"
	"BROKEN_DLOCK_INSIDE	deadlock	2"
	"BROKEN_RENAME_ORDER	deadlock	8"
	"BROKEN_SAME_DENTRY	deadlock	8"
	"BROKEN_WHITEOUT	assert		2"
	"BROKEN_NO_PLACEHOLDER	assert		2"
	"BROKEN_READDIR_STALE	assert		2"
	"BROKEN_RMDIR_NO_DRAIN	assert		16"
	"BROKEN_RELOCK_PARENT	deadlock	16"
	"BROKEN_VICTIM_NO_WAIT	assert		32"
	"BROKEN_DRAIN_AT_END	deadlock	32"
	"BROKEN_VICTIM_NO_WAIT	assert		64	rename"
	"BROKEN_DRAIN_AT_END	deadlock	64	rename"
	"BROKEN_REMOVAL_NO_MARK	assert		16"
	"BROKEN_REMOVAL_NO_MARK	assert		4	rename"
	"BROKEN_REMOVAL_NO_MARK	assert		256	renamedir"
	"BROKEN_RMDIR_NO_DRAIN	assert		256	renamedir"
	"BROKEN_RELOCK_RENAME_MUTEX	deadlock	128"
	"WITNESS_WRITER_IN_FLIGHT	reach		16"
	"WITNESS_CROSS_IN_FLIGHT	reach		128"
)

ntests=$(( 2 + ${#broken[@]} ))
echo "TAP version 13"
echo "1..$ntests"
n=0
failed=0

# build DIR SPINFLAGS CCFLAGS: spin -a and gcc in DIR; log in DIR/build.log
build() {
	local dir=$1 spinflags=$2 ccflags=$3
	mkdir -p "$dir"
	cp "$model" "$dir/dirops.pml"
	( cd "$dir" &&
	  spin $spinflags -a dirops.pml &&
	  nice gcc $ccflags -DMEMLIM="$memlim" -o pan pan.c ) >"$dir/build.log" 2>&1
}

# field LOG: "states" and "time" of a pan run
states_of() { awk '/states, stored/ { print $1; exit }' "$1"; }
time_of() { awk '/pan: elapsed time/ { print $4; exit }' "$1"; }

# where the unfinished processes are at the end of an error trail, as TAP
# comments ("blocked" for a deadlock)
trail_summary() {
	local dir=$1 spinflags=$2 label=$3
	( cd "$dir" && spin $spinflags -t dirops.pml 2>&1 ) |
		awk -v label="$label" '/^#processes:/ { p = 1; next }
		     p && /proc +[0-9]+ \(/ && !/valid end state/ { print "#   " label ": " $0 }
		     /assertion violated/ { print "#   " $0 }' |
		sed 's/\t/ /g; s/  */ /g' | head -8
}

ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

# ---- 1. the correct model: safety, all scenarios ----------------------
dir=$work/safety
if ! build "$dir" "-DSCENARIOS=511" "-O2 -DSAFETY -DCOLLAPSE"; then
	notok "model: build failed"; sed 's/^/#   /' "$dir/build.log" | tail -20
else
	( cd "$dir" && nice ./pan -m200000 ) >"$dir/pan.log" 2>&1
	if grep -q 'errors: 0' "$dir/pan.log" &&
	   ! grep -qE 'Search not completed|reached -DMEMLIM|max search depth too small' "$dir/pan.log"; then
		ok "model: no deadlock, per-name exclusion, one dentry per name, coherent dcache, nothing completes into a removed directory, link counts changed one at a time, nothing enters a directory whose rmdir or replacing rename is in flight; scenarios 1-9 (states: $(states_of "$dir/pan.log"), time: $(time_of "$dir/pan.log")s)"
	else
		notok "model: safety search failed"
		grep -E 'pan:|errors|Search|MEMLIM' "$dir/pan.log" | sed 's/^/#   /' | head
		trail_summary "$dir" "-DSCENARIOS=511" "at"
	fi
fi

# ---- 2. the correct model: no non-progress cycle (termination) --------
dir=$work/term
if ! build "$dir" "-DSCENARIOS=$term_mask -DCHECK_TERM" "-O2 -DNP -DCOLLAPSE"; then
	notok "model: termination build failed"; sed 's/^/#   /' "$dir/build.log" | tail -20
else
	( cd "$dir" && nice ./pan -l -m400000 ) >"$dir/pan.log" 2>&1
	if grep -q 'errors: 0' "$dir/pan.log" &&
	   ! grep -qE 'Search not completed|reached -DMEMLIM|max search depth too small' "$dir/pan.log"; then
		ok "model: every operation terminates, no non-progress cycle; $term_what (states: $(states_of "$dir/pan.log"), time: $(time_of "$dir/pan.log")s)"
	else
		notok "model: non-progress search failed"
		grep -E 'pan:|errors|Search|MEMLIM' "$dir/pan.log" | sed 's/^/#   /' | head
	fi
fi

# ---- 3. every broken variant must fail --------------------------------
for entry in "${broken[@]}"; do
	read -r macro expect mask tag <<<"$entry"
	# a variant checked against two scenarios: one directory each
	dir=$work/$macro${tag:+-$tag}
	flags="-D$macro -DSCENARIOS=$mask"
	if ! build "$dir" "$flags" "-O0 -DSAFETY -DCOLLAPSE"; then
		notok "broken variant $macro${tag:+ ($tag)}: build failed"
		sed 's/^/#   /' "$dir/build.log" | tail -20
		continue
	fi
	( cd "$dir" && nice ./pan -m200000 ) >"$dir/pan.log" 2>&1
	case $expect in
	deadlock) pattern='invalid end state'; what="deadlocks as expected"; label=blocked ;;
	assert)   pattern='assertion violated'; what="violates an assertion as expected"; label=at ;;
	reach)    pattern='assertion violated'; what="is reachable, as intended"; label=at ;;
	esac
	if grep -q "$pattern" "$dir/pan.log"; then
		detail=$(grep -m1 -E "pan:1: " "$dir/pan.log" | sed 's/^pan:1: //')
		ok "$([ "$expect" = reach ] && echo witness || echo "broken variant") $macro${tag:+ ($tag)} $what ($detail; states: $(states_of "$dir/pan.log"))"
		trail_summary "$dir" "$flags" "$label"
	else
		notok "broken variant $macro${tag:+ ($tag)}: spin found no $pattern"
		grep -E 'pan:|errors' "$dir/pan.log" | sed 's/^/#   /' | head
	fi
done

echo "# $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
