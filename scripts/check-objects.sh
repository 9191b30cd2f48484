#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Compile every C file that patches/ changes, in a separate build directory
# configured with all the filesystems the patches touch (NFS, SMB, AFS, XFS,
# NTFS, efivarfs, overlayfs, ...).  The VM kernel leaves most of them out to
# build quickly; this makes sure none of the changed code is left uncompiled.
# Cached like the kernel: keyed by the tree's content and the config.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$PDIRFS_CACHE/objcheck
fragment=$PDIRFS_ROOT/scripts/kconfig/objcheck.config
tree=$(git -C "$KSRC" rev-parse 'HEAD^{tree}')
key="tree=$tree config=$(sha256sum < "$fragment" | cut -c1-16) clang=$(clang-19 --version | head -1 | sha256sum | cut -c1-8)"
if [ "$(cat "$out/.pdirfs-objcheck-key" 2>/dev/null)" = "$key" ]; then
	say "changed objects compiled before ($key)"
	exit 0
fi

omake() { make -C "$KSRC" O="$out" LLVM="$LLVM" "$@"; }
mkdir -p "$out"
rm -f "$out/.pdirfs-objcheck-key"
omake -s tinyconfig
"$KSRC/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$fragment" >/dev/null
omake -s olddefconfig
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) grep -qx "$line" "$out/.config" || die "objcheck config: $line did not stick" ;; esac
done < "$fragment"

# fs/tests/*.c are #included by the file they test (fs/tests/namei_dirop_kunit.c
# by fs/namei.c, with CONFIG_SHARED_DIROPS_KUNIT_TEST in objcheck.config).
mapfile -t files < <(git -C "$KSRC" diff --name-only "$BASE_TAG" HEAD -- '*.c' |
	grep -v -e '^rust/' -e '^tools/' -e '^fs/tests/' | sort)
say "compiling ${#files[@]} changed C files with all affected filesystems enabled"
omake -s -j"$(nproc)" prepare >/dev/null
objs=()
for f in "${files[@]}"; do
	[ -f "$KSRC/$f" ] && objs+=("${f%.c}.o")
done
if [ "${#objs[@]}" -gt 0 ]; then
	# Warnings are errors: new code must build clean.
	omake -j"$(nproc)" KCFLAGS=-Werror "${objs[@]}"
fi
echo "$key" > "$out/.pdirfs-objcheck-key"
say "all ${#objs[@]} changed objects compile: ${objs[*]}"
