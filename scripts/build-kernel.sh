#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Configure and build the patched kernel in $KBUILD_OUT (outside the repo).
#
# The build is keyed by everything that feeds it: the tree's content (git
# tree hash of HEAD: source version + patches/series), the config fragment,
# and the toolchain versions.  When the key matches the last successful build
# nothing runs; otherwise make rebuilds incrementally.  A changed toolchain
# starts from an empty build directory, because make does not notice it.
#
# A fresh build takes about 25 minutes on 2 cores and prints progress.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

fragment=$PDIRFS_ROOT/scripts/kconfig/pdirfs.config
# PDIRFS_KCONFIG_EXTRA: further fragments merged on top (make check-debug
# uses scripts/kconfig/debug.config with its own KBUILD_OUT).
read -r -a extra <<< "${PDIRFS_KCONFIG_EXTRA:-}"
jobs=${JOBS:-$(nproc)}

toolchain_id() {
	{
		rustc --version
		bindgen --version
		clang-19 --version | head -1
		ld.lld-19 --version | head -1
		dpkg-query -W -f='${Version}\n' rust-src
	} | sha256sum | cut -c1-16
}

tree=$(git -C "$KSRC" rev-parse 'HEAD^{tree}')
[ -z "$(git -C "$KSRC" status --porcelain --untracked-files=no)" ] ||
	tree="$tree-dirty-$(git -C "$KSRC" diff HEAD | sha256sum | cut -c1-16)"
tc=$(toolchain_id)
key="tree=$tree config=$(sha256sum < "$fragment" | cut -c1-16) toolchain=$tc"
[ "${#extra[@]}" = 0 ] || key="$key extra=$(cat "${extra[@]}" | sha256sum | cut -c1-16)"

stamp=$KBUILD_OUT/.pdirfs-build-key
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && [ -f "$KBUILD_OUT/arch/x86/boot/bzImage" ] &&
	[ -f "$KBUILD_OUT/Module.symvers" ]; then
	say "kernel up to date ($key)"
	exit 0
fi

if [ -f "$KBUILD_OUT/.pdirfs-toolchain" ] && [ "$(cat "$KBUILD_OUT/.pdirfs-toolchain")" != "$tc" ]; then
	say "toolchain changed: starting from an empty build directory"
	rm -rf "$KBUILD_OUT"
fi
mkdir -p "$KBUILD_OUT"
echo "$tc" > "$KBUILD_OUT/.pdirfs-toolchain"
rm -f "$stamp"

say "configuring: tinyconfig + $(basename "$fragment") ${extra[*]##*/}"
kmake -s tinyconfig
"$KSRC/scripts/kconfig/merge_config.sh" -m -O "$KBUILD_OUT" "$KBUILD_OUT/.config" "$fragment" "${extra[@]}" >/dev/null
kmake -s olddefconfig

# Every line of the fragment must have survived olddefconfig: a dependency
# that silently dropped an option (e.g. RUST when rustavailable fails) must
# stop the build here, not show up as a missing feature in the VM.  A later
# fragment overrides an earlier one, so only the last value of each counts.
bad=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue ;; esac
	opt=${line%%=*} val=${line#*=}
	if [ "$val" = n ]; then
		grep -qx "$opt=[ym]" "$KBUILD_OUT/.config" && { say "config: $opt should be off"; bad=1; }
	else
		grep -qx "$opt=$val" "$KBUILD_OUT/.config" || { say "config: $line did not stick (a dependency is missing)"; bad=1; }
	fi
done < <(cat "$fragment" "${extra[@]}" | grep '^CONFIG_' | tac | awk -F= '!seen[$1]++' | tac)
if [ "$bad" = 1 ]; then
	kmake rustavailable || true
	die "kernel configuration incomplete"
fi

say "building kernel with $jobs jobs (about 25 minutes from scratch; progress below)"
start=$(date +%s)
# Progress: make's own CC/RUSTC lines, thinned to one line in 200, plus a
# count; the full log goes to build.log for when something fails.
log=$KBUILD_OUT/build.log
set +e
# `modules` writes Module.symvers, which out-of-tree modules link against.
kmake -j"$jobs" bzImage modules modules_prepare 2>&1 | tee "$log" | awk '
	/^ *(CC|RUSTC|LD|AR|AS|BINDGEN)/ { n++; if (n % 200 == 1) { printf "  [%5d objects] %s\n", n, $0; fflush() } }
	/error|Error/ { print; fflush() }'
rc=${PIPESTATUS[0]}
set -e
[ "$rc" = 0 ] || die "kernel build failed (rc=$rc); see $log"
echo "$key" > "$stamp"
say "kernel built in $(( $(date +%s) - start )) s: $KBUILD_OUT/arch/x86/boot/bzImage"
