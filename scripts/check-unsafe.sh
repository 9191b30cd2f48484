#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Enforce the layering rule: `unsafe` code lives only in rust/vfs/.  Every
# other Rust file must start with #![forbid(unsafe_code)], which makes the
# compiler reject any unsafe block or fn in it (the crate root is exempt: it
# only declares modules, and `module!` expands to unsafe glue).
# In rust/vfs/, every `unsafe {` block must be preceded by a SAFETY comment.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0
for f in $(find rust -name '*.rs' -not -path 'rust/vfs/*' -not -name pdirfs.rs | sort); do
	if ! grep -q '^#!\[forbid(unsafe_code)\]' "$f"; then
		echo "check-unsafe: $f lacks #![forbid(unsafe_code)]" >&2
		bad=1
	fi
done
if grep -v '^\s*//' rust/pdirfs.rs | grep -qw 'unsafe'; then
	echo "check-unsafe: rust/pdirfs.rs must not contain unsafe code" >&2
	bad=1
fi
# Each `unsafe {` / `unsafe impl` in the layer needs a SAFETY comment within
# the three lines above it.
for f in rust/vfs/*.rs; do
	awk -v f="$f" '
		{ line[NR] = $0 }
		/unsafe \{|unsafe impl/ {
			ok = 0
			for (i = NR - 1; i >= NR - 6 && i > 0; i--) if (line[i] ~ /SAFETY:/) ok = 1
			if ($0 ~ /SAFETY:/) ok = 1
			if (!ok) { printf "check-unsafe: %s:%d: unsafe without a SAFETY comment\n", f, NR; bad = 1 }
		}
		END { exit bad }' "$f" >&2 || bad=1
done
[ "$bad" = 0 ] && echo "check-unsafe: ok (unsafe only in rust/vfs/, each with a SAFETY comment)"
exit "$bad"
