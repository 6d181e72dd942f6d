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
# Pictures from a loopback server: chapters put off, downloaded, made again
# (cold cache), then resolved from the cache (warm), with failures on the way.
feeder "$tmp/feed" 300 | python3 "$here/httpd.py" --lifetime 300 >"$tmp/port" 2>/dev/null &
srv=$!
for _ in $(seq 1 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(head -n 1 "$tmp/port")
if [ -z "$port" ]; then
	bad "valgrind pictures: tests/httpd.py did not start"
else
	base="http://127.0.0.1:$port"
	mkdir -p "$tmp/pics"
	for i in 1 2 3 4; do
		{
			echo "---"
			echo "title: Pictures $i"
			echo "date: 2020-01-0$i"
			[ $i -eq 2 ] && echo "thumbnail: $base/noext/t$i"
			echo "---"
			echo "<p><img src=\"$base/img/p$i.png\" alt=\"a\"><img src=\"$base/img/w$i.webp\" alt=\"w\"></p>"
			[ $i -eq 3 ] && echo "<p><img src=\"$base/status/404\" alt=\"gone\"><img src=\"$base/htmlimage\" alt=\"h\"></p>"
			echo "<p><img src=\"missing$i.png\" alt=\"m\"> Text $i.</p>"
		} >"$tmp/pics/p$i.html"
	done
	for run in cold warm; do
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
			"$BIN" -q "$tmp/pics" -o "$tmp/pics-$run.epub" --cache-dir "$tmp/cache" \
			>"$tmp/pics-$run.log" 2>&1
		rc=$?
		if [ $rc -eq 99 ] || [ ! -s "$tmp/pics-$run.epub" ]; then
			bad "valgrind pictures, $run cache (exit $rc)"
			head -30 "$tmp/pics-$run.log"
		else
			ok
		fi
	done
fi
stop_server "$srv" "$tmp/feed"
summary valgrind
