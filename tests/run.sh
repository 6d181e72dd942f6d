#!/bin/sh
# Runs every test against the build in $1 (default build/check): the cmocka
# unit tests, the fuzz corpus replays, the golden tests and the end-to-end
# tests (epubcheck); then valgrind on build/vg and the golden tests again on
# the release build (build/post2epub). Prints one closing line "N passed, N failed" and exits
# non-zero when anything failed.
set -u
O=${1:-build/check}
here=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0
# Leaks inside libraries libvips's SVG loader pulls in (fontconfig,
# librsvg): see the file. Never post2epub's own.
export LSAN_OPTIONS="suppressions=$here/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in "$O"/tests/test_*; do
	[ -x "$t" ] || continue
	"$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	p=${p:-0}; f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $t exited with $rc"
		f=1
	fi
	passed=$((passed + p)); failed=$((failed + f))
done

# The fuzz harnesses replayed over their seed corpus and kept crashes
# (tests/fuzz/): one test per harness, passed when it exits 0.
fp=0
ff=0
for r in "$O"/fuzz/replay_*; do
	[ -x "$r" ] || continue
	name=${r##*/replay_}
	set --
	for d in "$here/fuzz/corpus/$name" "$here/fuzz/regress/$name"; do
		[ -d "$d" ] && set -- "$@" "$d"
	done
	if "$r" "$@" >"$log" 2>&1; then
		grep '^fuzz-replay [^ ]*: ' "$log"
		fp=$((fp + 1))
	else
		tail -n 60 "$log"
		echo "FAIL: fuzz-replay $name"
		ff=$((ff + 1))
	fi
done
echo "fuzz-replay: $fp passed, $ff failed"
passed=$((passed + fp)); failed=$((failed + ff))

# valgrind needs a build without sanitizers: make check makes build/vg.
# release runs the program as shipped: make check makes build/post2epub.
VG=${VG:-build/vg}
REL=${REL:-build}
for s in golden e2e valgrind release; do
	[ -f "$here/$s.sh" ] || continue
	bin="$O/post2epub"
	if [ "$s" = valgrind ]; then
		[ -x "$VG/post2epub" ] || continue
		bin="$VG/post2epub"
	elif [ "$s" = release ]; then
		[ -x "$REL/post2epub" ] || continue
		bin="$REL/post2epub"
	fi
	sh "$here/$s.sh" "$bin" >"$log" 2>&1
	cat "$log"
	p=$(sed -n 's/^\([a-z0-9-]*: \)\{0,1\}\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\([a-z0-9-]*: \)\{0,1\}\([0-9]*\) passed, \([0-9]*\) failed$/\3/p' "$log" | tail -n 1)
	if [ -z "$p" ]; then
		echo "FAIL: $s.sh printed no summary"
		p=0; f=1
	fi
	passed=$((passed + p)); failed=$((failed + f))
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
