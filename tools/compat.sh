#!/bin/sh
# make compat: the path to Kindle and a look at the pages.
#   tools/compat.sh BIN
# Converts the samples book and a generated 2,000-post Chinese archive with
# calibre (ebook-convert EPUB -> AZW3), converts the AZW3 back and checks
# that the table of contents survived, entry for entry; then renders the
# first pages of the samples book to PNG (EPUB -> PDF -> pdftoppm) in
# build/compat/pages/ for a person to look at. calibre is large (hundreds of
# packages), so this is not part of make check; it is installed here when
# missing.
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
out="$top/build/compat"
rm -rf "$out"
mkdir -p "$out/pages"
export QT_QPA_PLATFORM=offscreen SOURCE_DATE_EPOCH=1700000000
# calibre's PDF output runs Chromium, which refuses its sandbox as root.
export QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox" QTWEBENGINE_DISABLE_SANDBOX=1

if ! command -v ebook-convert >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then
	echo "compat: installing calibre and poppler-utils"
	run=""
	[ "$(id -u)" = 0 ] || run=sudo
	DEBIAN_FRONTEND=noninteractive $run apt-get install -y -qq --no-install-recommends \
		calibre poppler-utils >/dev/null || {
		echo "compat: cannot install calibre; run: apt-get install calibre poppler-utils"
		exit 1
	}
fi

# ncx_titles BOOK.epub: the labels of its NCX navPoints, in order, one a line.
ncx_titles() {
	unzip -p "$1" '*.ncx' | python3 -c '
import sys, xml.etree.ElementTree as ET
ns = {"n": "http://www.daisy.org/z3986/2005/ncx/"}
root = ET.fromstring(sys.stdin.buffer.read())
for p in root.iter("{%s}navPoint" % ns["n"]):
    print(p.find("n:navLabel/n:text", ns).text or "")'
}

python3 "$top/tests/gen_posts.py" "$out/zh" 2000 >/dev/null
for name in samples zh; do
	src="$top/samples"
	[ "$name" = zh ] && src="$out/zh"
	"$BIN" -q "$src" -o "$out/$name.epub"
	check "$name: book written" [ -s "$out/$name.epub" ]
	ebook-convert "$out/$name.epub" "$out/$name.azw3" >"$out/$name.azw3.log" 2>&1
	check "$name: ebook-convert to AZW3 succeeds" [ $? -eq 0 ] && [ -s "$out/$name.azw3" ]
	ebook-convert "$out/$name.azw3" "$out/$name.back.epub" >"$out/$name.back.log" 2>&1
	check "$name: the AZW3 converts back" [ $? -eq 0 ]
	ncx_titles "$out/$name.epub" >"$out/$name.toc"
	ncx_titles "$out/$name.back.epub" >"$out/$name.back.toc"
	n=$(wc -l <"$out/$name.toc")
	check "$name: the TOC survives the AZW3, all $n entries in order" \
		cmp -s "$out/$name.toc" "$out/$name.back.toc"
done

ebook-convert "$out/samples.epub" "$out/samples.pdf" --paper-size a6 --pdf-default-font-size 14 \
	>"$out/pdf.log" 2>&1
check "samples: renders to PDF" [ -s "$out/samples.pdf" ]
pdftoppm -png -r 70 -f 1 -l 8 "$out/samples.pdf" "$out/pages/page"
check "samples: pages rendered to PNG" [ -n "$(ls "$out/pages")" ]
echo "compat: pages to look at in $out/pages/"
summary compat
