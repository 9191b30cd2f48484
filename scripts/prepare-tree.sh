#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Make (or bring up to date) the patched kernel tree in $KSRC:
#   1. unpack Debian's linux-source-7.3 into a git repository, one base commit
#      tagged pdirfs-base (author and date fixed, so its hash is reproducible);
#   2. `git am` every patch of patches/series on branch pdirfs.
#
# Work on the kernel happens in that tree (commit there, then run
# scripts/export-patches.sh); this script refuses to throw away commits or
# changes that are not in patches/ yet.
#
# Re-applying is cheap and keeps make's incremental build working: `git
# checkout` only rewrites the files that differ, so only they get new mtimes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=$PDIRFS_ROOT/patches/series
[ -f "$KERNEL_TARBALL" ] || die "$KERNEL_TARBALL missing: run scripts/setup-toolchain.sh"

git_k() { git -C "$KSRC" "$@"; }

if ! git_k rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null 2>&1; then
	say "unpacking $(basename "$KERNEL_TARBALL") into $KSRC (about 2 minutes, 1.5 GB)"
	rm -rf "$KSRC" "$KSRC.tmp"
	mkdir -p "$KSRC.tmp"
	tar -C "$KSRC.tmp" --strip-components=1 -xJf "$KERNEL_TARBALL"
	git -C "$KSRC.tmp" init -q -b "$WORK_BRANCH"
	git -C "$KSRC.tmp" config core.autocrlf false
	git -C "$KSRC.tmp" config gc.auto 0
	git -C "$KSRC.tmp" add -A -f .
	ver=$(dpkg-query -W -f='${Version}' linux-source-7.3)
	GIT_AUTHOR_NAME="Debian linux-source-7.3" GIT_AUTHOR_EMAIL="debian-kernel@lists.debian.org" \
	GIT_COMMITTER_NAME="pdirfs" GIT_COMMITTER_EMAIL="pdirfs@localhost" \
	GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z" \
		git -C "$KSRC.tmp" commit -q -m "Linux 7.3 as shipped by Debian linux-source-7.3 $ver"
	git -C "$KSRC.tmp" tag "$BASE_TAG"
	mv "$KSRC.tmp" "$KSRC"
fi

git_k config user.name >/dev/null || git_k config user.name "pdirfs"
git_k config user.email >/dev/null || git_k config user.email "pdirfs@localhost"

# What the series would produce is identified by the hash of the patch files;
# remember which series the current HEAD was made from.
series_id() {
	if [ -f "$series" ]; then
		grep -v '^\s*#' "$series" | grep -v '^\s*$' | while read -r p; do
			cat "$PDIRFS_ROOT/patches/$p"
		done | sha256sum | cut -c1-16
	else
		echo none
	fi
}
want=$(series_id)
stamp=$(git -C "$KSRC" rev-parse --absolute-git-dir)/pdirfs-series
have=$(cat "$stamp" 2>/dev/null || true)
applied_head=${have#* }
have=${have%% *}

if [ "$have" = "$want" ] && [ "$(git_k rev-parse HEAD)" = "$applied_head" ] && [ -z "$(git_k status --porcelain)" ]; then
	say "tree up to date with patches/series ($want)"
	exit 0
fi

if [ -n "$(git_k status --porcelain)" ]; then
	die "$KSRC has uncommitted changes; commit them and run scripts/export-patches.sh, or 'git -C $KSRC stash'"
fi
if [ -n "$applied_head" ] && [ "$(git_k rev-parse HEAD)" != "$applied_head" ] && [ "${PDIRFS_FORCE:-}" != 1 ]; then
	if [ "$have" = "$want" ]; then
		say "note: $KSRC has commits beyond patches/series (export them with scripts/export-patches.sh); building the tree as it is"
		exit 0
	fi
	die "$KSRC has commits not in patches/ and patches/series changed; export or drop them (PDIRFS_FORCE=1 discards them)"
fi

say "applying patches/series to $BASE_TAG"
git_k am --abort >/dev/null 2>&1 || true
git_k checkout -q -f -B "$WORK_BRANCH" "$BASE_TAG"
if [ -f "$series" ]; then
	n=0
	while read -r p; do
		case "$p" in ''|'#'*) continue ;; esac
		if ! git_k am -q --keep-cr "$PDIRFS_ROOT/patches/$p"; then
			git_k am --abort || true
			die "patch $p does not apply"
		fi
		n=$((n + 1))
	done < "$series"
	say "applied $n patches"
fi
echo "$want $(git_k rev-parse HEAD)" > "$stamp"
