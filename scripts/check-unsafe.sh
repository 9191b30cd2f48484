#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Enforce the layering rule: `unsafe` code lives only in vfs/, the VFS layer.
# Every Rust file of a filesystem (pdirfs/, samples/rust/) must start with
# #![forbid(unsafe_code)], which makes the compiler reject any unsafe block
# or fn in it; a crate root (the file with `module!`, which expands to
# unsafe glue) is exempt from the attribute but may not contain `unsafe`.
# In vfs/, every `unsafe {` block and `unsafe impl` must be preceded by a
# SAFETY comment.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0
for f in $(find pdirfs samples -name '*.rs' 2>/dev/null | sort); do
	if grep -q '^module!' "$f"; then
		if grep -v '^\s*//' "$f" | grep -qw 'unsafe'; then
			echo "check-unsafe: $f (a crate root) must not contain unsafe code" >&2
			bad=1
		fi
	elif ! grep -q '^#!\[forbid(unsafe_code)\]' "$f"; then
		echo "check-unsafe: $f lacks #![forbid(unsafe_code)]" >&2
		bad=1
	fi
done
# Each `unsafe {` / `unsafe impl` in the layer needs a SAFETY comment within
# the six lines above it.
for f in vfs/*.rs; do
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
[ "$bad" = 0 ] && echo "check-unsafe: ok (unsafe only in vfs/, each with a SAFETY comment)"
exit "$bad"
