#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Documents that the repository carries as copies of what a kernel patch
# adds must be exactly what the patched tree has: the patch is their one
# source (scripts/export-patches.sh writes the copies).  Fails, with the
# difference, when a copy was edited by hand or the patch changed without
# an export.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

bad=0
for doc in Documentation/filesystems/shared-dir-locking.rst; do
	if ! diff -u <(git -C "$KSRC" show "HEAD:$doc") "$PDIRFS_ROOT/$doc" >&2; then
		echo "check-docs: $doc differs from the patched tree: edit it in the tree, commit, run scripts/export-patches.sh" >&2
		bad=1
	fi
done
[ "$bad" = 0 ] && echo "check-docs: ok (copies of patched documents match the tree)"
exit "$bad"
