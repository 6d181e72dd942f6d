#!/bin/sh
# Runs the binary under valgrind (memcheck) on the golden inputs and the
# samples: any invalid access, uninitialised value or definite leak fails.
#   tests/valgrind.sh BIN      (a build without sanitizers)
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind: not installed"
	bad "valgrind missing (tools/deps.sh --test installs it)"
	summary valgrind
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SOURCE_DATE_EPOCH=1700000000
for dir in "$here"/golden/*/posts "$here/../samples"; do
	name=$(basename "$(dirname "$dir")")
	[ "$name" = ".." ] || [ "$name" = "tests" ] && name=samples
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		"$BIN" -q "$dir" -o "$tmp/$name.epub" >"$tmp/$name.log" 2>&1
	rc=$?
	if [ $rc -eq 99 ]; then
		bad "valgrind $name"
		head -30 "$tmp/$name.log"
	else
		ok
	fi
done
summary valgrind
