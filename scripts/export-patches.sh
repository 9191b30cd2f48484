#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Export the commits of the kernel tree ($KSRC, pdirfs-base..HEAD) to
# patches/ as `git format-patch` files and rewrite patches/series.  This is
# the only way patches/ changes: never edit a hunk by hand.
#
# Comment lines at the top of an existing series file are kept.
#
# Documentation/filesystems/shared-dir-locking.rst is written here too,
# from the tree: its one source is the kernel patch that adds it, and the
# copy in the repository is there to be read (scripts/check-docs.sh, part
# of make check, fails when the two differ).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$PDIRFS_ROOT/patches
series=$out/series
[ -z "$(git -C "$KSRC" status --porcelain)" ] || die "$KSRC has uncommitted changes"

header=$(mktemp)
if [ -f "$series" ]; then grep '^#' "$series" > "$header" || true; fi
mkdir -p "$out"
rm -f "$out"/[0-9][0-9][0-9][0-9]-*.patch
# --zero-commit and --no-signature keep the files stable across rebases and
# git versions, so a diff of patches/ shows only real changes.
git -C "$KSRC" format-patch -q --zero-commit --no-signature -N -o "$out" "$BASE_TAG..HEAD"
{
	cat "$header"
	(cd "$out" && ls [0-9][0-9][0-9][0-9]-*.patch 2>/dev/null || true)
} > "$series"
rm -f "$header"
n=$(grep -vc '^#' "$series" || true)
say "exported $n patches to $out"
doc=Documentation/filesystems/shared-dir-locking.rst
git -C "$KSRC" show "HEAD:$doc" > "$PDIRFS_ROOT/$doc"
# The tree now matches the series exactly.
id=$(grep -v '^\s*#' "$series" | grep -v '^\s*$' | while read -r p; do cat "$out/$p"; done | sha256sum | cut -c1-16)
echo "$id $(git -C "$KSRC" rev-parse HEAD)" > "$(git -C "$KSRC" rev-parse --absolute-git-dir)/pdirfs-series"
