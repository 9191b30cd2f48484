#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the Debian guest that runs fstests: a bookworm root made by
# mmdebstrap with what fstests needs at run time and to build, fstests
# built inside it (so it links against the guest's libraries) with our
# patches from tests/fstests/, and an ext4 image of it that the test
# kernel boots from a virtio disk.  Prints the image's path.
#
# Cached in $PDIRFS_CACHE/fstests/root-KEY.img, KEY hashing everything that
# feeds it (package list, fstests source, patches, this script, the guest's
# init); about 2 minutes on 2 cores when the key changes.
#
# fstests source, in order: FSTESTS_SRC= (a checkout), then the snapshot in
# ../shared/third_party/ beside this repository.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || die "must run as root (mmdebstrap, chroot, apt-get)"
out=$PDIRFS_CACHE/fstests
mkdir -p "$out"

# Run time (bash ... fio, quota: what fstests' README lists) and build.
PKGS=(bash perl mount util-linux xfsprogs attr acl bc gawk psmisc fio quota
	kmod procps e2fsprogs file sed grep coreutils findutils uuid-runtime
	xfsdump dbench python3 sqlite3 libcap2-bin indent
	build-essential autoconf automake libtool libtool-bin pkg-config uuid-dev
	libattr1-dev libacl1-dev libaio-dev libgdbm-dev libgdbm-compat-dev
	xfslibs-dev liburing-dev libcap-dev
	linux-perf iproute2)
# linux-perf: the profile of `make bench` (scripts/bench-profile.sh), which
# boots this guest too.  Bookworm's perf (6.1) reads the 7.3 kernel's
# software cpu-clock samples and frame-pointer call chains.

# --- fstests source -------------------------------------------------------
tarball=$(ls "$PDIRFS_ROOT"/../shared/third_party/xfstests-dev-*.tar.gz 2>/dev/null | tail -1 || true)
if [ -n "${FSTESTS_SRC:-}" ]; then
	[ -f "$FSTESTS_SRC/check" ] || die "FSTESTS_SRC=$FSTESTS_SRC is not an fstests checkout (no ./check)"
	# The content, whatever the checkout's state.
	src_id=$(tar -C "$FSTESTS_SRC" --exclude=.git --sort=name --mtime=@0 -cf - . | sha256sum | cut -c1-16)
elif [ -n "$tarball" ]; then
	src_id=$(sha256sum < "$tarball" | cut -c1-16)
else
	die "no fstests source: set FSTESTS_SRC to a checkout of
  git://git.kernel.org/pub/scm/fs/xfs/xfstests-dev.git (or its GitHub mirror,
  kdave/xfstests), or put its snapshot in ../shared/third_party/"
fi

init=$PDIRFS_ROOT/scripts/fstests-init.sh
key=$({
	printf '%s\n' "${PKGS[@]}"
	echo "$src_id"
	cat "$PDIRFS_ROOT"/tests/fstests/*.patch "$0" "$init"
} | sha256sum | cut -c1-16)
img=$out/root-$key.img
if [ -f "$img" ]; then
	say "guest up to date: $img"
	echo "$img"
	exit 0
fi

if ! command -v mmdebstrap >/dev/null; then
	say "installing mmdebstrap"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >&2 || {
		apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >&2
	}
fi

root=$out/root-$key
rm -rf "$root"
say "mmdebstrap bookworm with ${#PKGS[@]} packages into $root (about a minute)"
start=$(date +%s)
mmdebstrap --quiet --variant=apt --include="$(IFS=,; echo "${PKGS[*]}")" \
	--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
	bookworm "$root" http://deb.debian.org/debian >&2

say "fstests: unpacking, patching (tests/fstests/*.patch), building in the guest root"
mkdir -p "$root/opt"
if [ -n "${FSTESTS_SRC:-}" ]; then
	cp -a "$FSTESTS_SRC" "$root/opt/xfstests-dev"
	rm -rf "$root/opt/xfstests-dev/.git"
else
	tar -C "$root/opt" -xzf "$tarball"
fi
for p in "$PDIRFS_ROOT"/tests/fstests/*.patch; do
	patch -d "$root/opt/xfstests-dev" -p1 -s < "$p" || die "$(basename "$p") does not apply"
done
mount -t proc proc "$root/proc"
trap 'umount "$root/proc" 2>/dev/null || true' EXIT
chroot "$root" sh -c 'cd /opt/xfstests-dev && make -j'"$(nproc)" > "$out/build.log" 2>&1 ||
	die "fstests build failed: $out/build.log"
umount "$root/proc"
trap - EXIT

# The users fstests' README asks for: tests of ownership, quotas and
# permissions run as them, and are not run without them.
chroot "$root" sh -c 'useradd -m fsgqa && useradd -m fsgqa2 && useradd 123456-fsgqa' ||
	die "cannot add the fstests users"

install -m 755 "$init" "$root/pdirfs-init"
mkdir -p "$root/mnt/test" "$root/mnt/scratch" "$root/job"
echo fstests > "$root/etc/hostname"
# Names the lock testers (generic/131 and friends) resolve: without these
# they fail with "Couldn't get hostbyname for localhost" on every
# filesystem.  The init brings lo up.
printf '127.0.0.1\tlocalhost\n127.0.1.1\tfstests\n::1\tlocalhost ip6-localhost\n' > "$root/etc/hosts"
say "making the ext4 image"
mkfs.ext4 -q -F -L pdirfs-fstests -d "$root" "$img.tmp" 3G >&2
mv "$img.tmp" "$img"
rm -rf "$root"
# Older guests are of no use any more.
find "$out" -maxdepth 1 -name 'root-*.img' ! -name "$(basename "$img")" -delete
say "guest built in $(( $(date +%s) - start )) s: $img"
echo "$img"
