#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything pdirfs needs to build a Rust-enabled Linux 7.3 and to
# run it in QEMU.  Idempotent: every step first checks whether its result is
# already there, so the top-level Makefile calls this unconditionally.
#
# Sources, and why each comes from where it does:
#   bookworm          compilers, kernel build deps, QEMU, busybox, spin.
#   trixie-backports  linux-source-7.3 and rust-src (same version as the rustc
#                     on PATH).  Added with a *low* pin priority so that apt
#                     never prefers it for anything we do not name: pulling
#                     trixie's libc into bookworm breaks the machine.
#   crates.io         bindgen-cli 0.72.1 (the kernel's minimum is older, but
#                     this is the version `make rustavailable` was checked with).
set -euo pipefail

say() { printf 'setup-toolchain: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (apt-get install)"

BOOKWORM_PKGS=(
	clang-19 lld-19 llvm-19 libclang-19-dev      # LLVM=-19 kernel build, bindgen's libclang
	flex bison bc libelf-dev libssl-dev cpio      # kernel build
	make gcc python3 rsync kmod xz-utils          # kernel build and module tooling
	qemu-system-x86                               # the test VM (TCG)
	busybox-static                                # the VM's hermetic userspace
	spin                                          # Promela model checker (locking proof)
	liburing-dev                                  # io_uring benchmark (tests/bench/uring_dirops.c)
)
BPO_SUITE=trixie-backports
BPO_LIST=/etc/apt/sources.list.d/pdirfs-trixie-backports.sources
BPO_PIN=/etc/apt/preferences.d/pdirfs-trixie-backports
BINDGEN_VERSION=0.72.1

missing_pkgs() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
	done
}

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return 0
	say "apt-get update"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	apt_updated=1
}

# 1. bookworm packages
mapfile -t need < <(missing_pkgs "${BOOKWORM_PKGS[@]}")
if [ "${#need[@]}" -gt 0 ]; then
	say "installing from bookworm: ${need[*]}"
	apt_update
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# 2. trixie-backports, low priority, for two named packages only
if [ ! -f "$BPO_LIST" ] || [ ! -f "$BPO_PIN" ]; then
	say "adding $BPO_SUITE with pin priority 50 (never preferred unless named)"
	cat > "$BPO_LIST" <<EOS
Types: deb
URIs: http://deb.debian.org/debian
Suites: $BPO_SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
	cat > "$BPO_PIN" <<EOS
# pdirfs: only linux-source-7.3 and rust-src are installed from here, by name.
Package: *
Pin: release n=$BPO_SUITE
Pin-Priority: 50
EOS
	apt_updated=
fi

rustc_ver=$(rustc --version 2>/dev/null | awk '{print $2}') || true
[ -n "$rustc_ver" ] || die "no rustc on PATH (install rustup's stable toolchain)"

if [ ! -f /usr/src/linux-source-7.3.tar.xz ]; then
	apt_update
	say "installing linux-source-7.3 from $BPO_SUITE"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"linux-source-7.3/$BPO_SUITE"
fi

# rust-src must match rustc exactly: the kernel builds `core` from it with
# that rustc, and a mismatch fails with obscure feature-gate errors.
have_src=$(dpkg-query -W -f='${Version}' rust-src 2>/dev/null || true)
if [ "${have_src%%+*}" != "$rustc_ver" ]; then
	apt_update
	want=$(apt-cache madison rust-src | awk -v v="$rustc_ver" '$3 ~ "^"v"[+~-]" {print $3; exit}')
	[ -n "$want" ] || die "no rust-src $rustc_ver in any apt source (rustc on PATH is $rustc_ver; $BPO_SUITE has: $(apt-cache madison rust-src | awk '{print $3}' | tr '\n' ' '))"
	say "installing rust-src $want (matches rustc $rustc_ver)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "rust-src=$want"
fi

# 3. bindgen
if ! command -v bindgen >/dev/null || [ "$(bindgen --version | awk '{print $2}')" != "$BINDGEN_VERSION" ]; then
	say "cargo install bindgen-cli $BINDGEN_VERSION (a few minutes)"
	LIBCLANG_PATH=/usr/lib/llvm-19/lib cargo install --locked --quiet --version "$BINDGEN_VERSION" bindgen-cli
fi

say "toolchain ready: rustc $rustc_ver, rust-src $(dpkg-query -W -f='${Version}' rust-src), $(bindgen --version), clang-19"
