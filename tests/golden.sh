#!/bin/sh
# Golden tests: each folder tests/golden/CASE holds posts/, the expected
# unpacked book in expected/ and the expected messages in warnings.
#   tests/golden.sh BIN           compare
#   tests/golden.sh BIN --regen   rewrite expected/ and warnings (review the diff)
# Post files get a fixed modification time first, so the fallbacks that use
# it are deterministic too.
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
REGEN=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for case in "$here"/golden/*/; do
	name=$(basename "$case")
	work="$tmp/$name"
	mkdir -p "$work"
	cp -R "$case/posts" "$work/posts"
	find "$work/posts" -exec touch -h -d '2020-02-02 02:02:02Z' {} + 2>/dev/null
	args=""
	[ -f "$case/args" ] && args=$(cat "$case/args")
	# shellcheck disable=SC2086
	(cd "$work" && SOURCE_DATE_EPOCH=1700000000 "$BIN" $args posts -o book.epub) \
		>"$work/stdout" 2>"$work/warnings"
	echo "exit $?" >>"$work/warnings"
	mkdir -p "$work/unpacked"
	[ -f "$work/book.epub" ] && (cd "$work/unpacked" && unzip -q ../book.epub)
	if [ "$REGEN" = "--regen" ]; then
		rm -rf "$case/expected"
		cp -R "$work/unpacked" "$case/expected"
		cp "$work/warnings" "$case/warnings"
		echo "regenerated $name"
		continue
	fi
	if diff -r "$case/expected" "$work/unpacked" >"$work/diff" 2>&1; then
		ok
	else
		bad "golden $name: book differs"
		head -40 "$work/diff"
	fi
	if diff "$case/warnings" "$work/warnings" >"$work/wdiff"; then
		ok
	else
		bad "golden $name: messages differ"
		cat "$work/wdiff"
	fi
	[ -f "$work/book.epub" ] && epubcheck_clean "$work/book.epub"
done
[ "$REGEN" = "--regen" ] && exit 0
summary golden
