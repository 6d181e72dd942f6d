#!/bin/sh
# The program as shipped: build/post2epub (optimised, linked with mimalloc
# unless built with MALLOC=), which the other suites do not run — they use
# the sanitizer build and the valgrind build, both on their own allocators.
#   tests/release.sh BIN
# Checks that mimalloc, when linked, is the allocator actually in use, then
# runs the golden and end-to-end tests on BIN.
set -u
BIN=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

if [ ! -x "$BIN" ]; then
	bad "$BIN not built"
	summary release
	exit 1
fi
if readelf -d "$BIN" 2>/dev/null | grep -q 'NEEDED.*libmimalloc'; then
	# mimalloc announces itself at start-up when asked; glibc's malloc
	# would not (the program then still runs, on the wrong allocator).
	if MIMALLOC_VERBOSE=1 "$BIN" --version 2>&1 >/dev/null | grep -q '^mimalloc: process init'; then
		ok
	else
		bad "$BIN links libmimalloc but malloc is not mimalloc's (link order?)"
	fi
else
	echo "release: $BIN is not linked with mimalloc (MALLOC=); allocator check skipped"
fi

# The golden and end-to-end suites again, on BIN: the same books byte for
# byte, every picture conversion (libvips) and download on this allocator.
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for suite in golden e2e; do
	sh "$here/$suite.sh" "$BIN" >"$out" 2>&1
	grep -v "^$suite: [0-9]* passed" "$out"
	p=$(sed -n "s/^$suite: \([0-9]*\) passed, \([0-9]*\) failed\$/\1/p" "$out")
	f=$(sed -n "s/^$suite: \([0-9]*\) passed, \([0-9]*\) failed\$/\2/p" "$out")
	if [ -z "$p" ]; then
		bad "$suite.sh printed no summary"
	else
		pass=$((pass + p)); fail=$((fail + f))
	fi
done
summary release
