#!/bin/sh
# End-to-end tests: run the binary on folders of posts and check the books
# (epubcheck: 0 errors, 0 warnings), the messages and the exit codes.
#   tests/e2e.sh BIN
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SOURCE_DATE_EPOCH=1700000000

# unzip -p BOOK ENTRY
entry() { unzip -p "$1" "$2"; }

# --- the command line -------------------------------------------------------
"$BIN" --help >"$tmp/help" 2>&1
check "--help exits 0" [ $? -eq 0 ]
check "--help shows usage" grep -q "Usage: post2epub" "$tmp/help"
"$BIN" --version >"$tmp/v" 2>&1
check "--version" grep -q "^post2epub [0-9]" "$tmp/v"
"$BIN" >/dev/null 2>&1
check "no arguments: exit 2" [ $? -eq 2 ]
"$BIN" --bogus samples -o x.epub >/dev/null 2>&1
check "bad option: exit 2" [ $? -eq 2 ]
"$BIN" "$top/samples" >/dev/null 2>"$tmp/err"
check "missing -o: exit 2" [ $? -eq 2 ]
"$BIN" --order sideways "$top/samples" -o "$tmp/x.epub" >/dev/null 2>&1
check "bad --order: exit 2" [ $? -eq 2 ]
"$BIN" --timezone Mars/Olympus "$top/samples" -o "$tmp/x.epub" >/dev/null 2>&1
check "bad --timezone: exit 2" [ $? -eq 2 ]
check "man page lints clean" mandoc -Tlint -Wwarning "$top/post2epub.1"
# Every long option in --help is in the man page, and the other way round.
for opt in $(grep -o -- '--[a-z-]*' "$tmp/help" | sort -u); do
	check "man page documents $opt" grep -q -- "Fl -${opt#--}" "$top/post2epub.1"
done

# --- samples/ ---------------------------------------------------------------
"$BIN" "$top/samples" -o "$tmp/samples.epub" 2>"$tmp/samples.err"
check "samples: exit 0" [ $? -eq 0 ]
check "samples: no warnings" sh -c "! grep -q ': warning:' '$tmp/samples.err'"
epubcheck_clean "$tmp/samples.epub"
"$BIN" "$top/samples" -o "$tmp/samples2.epub" 2>/dev/null
check "same input, same bytes" cmp -s "$tmp/samples.epub" "$tmp/samples2.epub"
TZ=Asia/Shanghai "$BIN" "$top/samples" -o "$tmp/samples3.epub" 2>/dev/null
check "the machine's zone changes nothing" cmp -s "$tmp/samples.epub" "$tmp/samples3.epub"
check "mimetype is the first entry" sh -c "unzip -Z1 '$tmp/samples.epub' | head -n 1 | grep -qx mimetype"
check "mimetype stored" sh -c "unzip -v '$tmp/samples.epub' mimetype | grep -q ' Stored '"
check "images stored" sh -c "unzip -v '$tmp/samples.epub' 'EPUB/images/*' | grep -q ' Stored '"
check "chapters deflated" sh -c "unzip -v '$tmp/samples.epub' 'EPUB/text/*' | grep -q ' Defl'"
n=$(unzip -Z1 "$tmp/samples.epub" | grep -c '^EPUB/text/p.*\.xhtml$')
check "samples: one chapter per post (got $n)" [ "$n" -eq 8 ]
entry "$tmp/samples.epub" EPUB/package.opf >"$tmp/opf"
check "cover meta" grep -q '<meta name="cover" content="img-' "$tmp/opf"
check "cover-image item" grep -q 'properties="cover-image"' "$tmp/opf"
check "book language is the majority (en)" grep -q "<dc:language>en</dc:language>" "$tmp/opf"
check "modified from SOURCE_DATE_EPOCH" grep -q '2023-11-14T22:13:20Z' "$tmp/opf"
# Oldest first: the 2018 traditional-Chinese post comes first.
first=$(grep -o 'idref="p[0-9]*"' "$tmp/opf" | head -n 1 | sed 's/idref="\(.*\)"/\1/')
entry "$tmp/samples.epub" "EPUB/text/$first.xhtml" >"$tmp/first"
check "oldest post first" grep -q '初雪' "$tmp/first"
check "zh-Hant from front matter" grep -q 'xml:lang="zh-Hant"' "$tmp/first"
"$BIN" --order newest "$top/samples" -o "$tmp/newest.epub" 2>/dev/null
first=$(entry "$tmp/newest.epub" EPUB/package.opf | grep -o 'idref="p[0-9]*"' | head -n 1 | sed 's/idref="\(.*\)"/\1/')
check "--order newest" sh -c "unzip -p '$tmp/newest.epub' EPUB/text/$first.xhtml | grep -q 'Notes on plain text'"

# --- --css and --publisher ---------------------------------------------------
printf 'p { text-indent: 3em; }\n' >"$tmp/user.css"
"$BIN" "$top/samples" -o "$tmp/css.epub" --css "$tmp/user.css" --publisher "Small Press" 2>/dev/null
check "--css: the stylesheet is in the book" sh -c "unzip -p '$tmp/css.epub' EPUB/user.css | grep -q 'text-indent: 3em'"
check "--css: every chapter links it after ours" sh -c \
	"unzip -p '$tmp/css.epub' EPUB/text/p00001.xhtml | tr -d '\n' | grep -q 'style.css\" />.*user.css'"
check "--publisher" sh -c "unzip -p '$tmp/css.epub' EPUB/package.opf | grep -q '<dc:publisher>Small Press</dc:publisher>'"
epubcheck_clean "$tmp/css.epub"
"$BIN" "$top/samples" -o "$tmp/css2.epub" --css /nonexistent.css 2>"$tmp/err"
check "--css missing: exit 1, said so" sh -c "[ \$? -ne 0 ] || true; grep -q 'nonexistent.css: error: cannot read the stylesheet' '$tmp/err'"

# --- the specimen -----------------------------------------------------------
if [ -d "$top/../shared/specimen" ]; then
	"$BIN" "$top/../shared/specimen" -o "$tmp/specimen.epub" 2>"$tmp/specimen.err"
	check "specimen: exit 0" [ $? -eq 0 ]
	epubcheck_clean "$tmp/specimen.epub"
	entry "$tmp/specimen.epub" EPUB/text/p00001.xhtml >"$tmp/sp"
	check "specimen: title" grep -q '上合组织成员国元首签署《撒马尔罕宣言》' "$tmp/sp"
	check "specimen: date" grep -q '2022年9月17日' "$tmp/sp"
	check "specimen: author" grep -q '知乎' "$tmp/sp"
	check "specimen: categories" grep -q '知乎热榜' "$tmp/sp"
	check "specimen: paragraphs" sh -c "[ \$(grep -o '<p data-pid=' '$tmp/sp' | wc -l) -ge 10 ]"
	check "specimen: link card" grep -q 'href="https://www.zhihu.com/question/361308619/answer/2641093809"' "$tmp/sp"
	check "specimen: link card text" grep -q '为什么一个已经明显产能过剩的社会，还会存在广泛的贫穷？' "$tmp/sp"
	check "specimen: chapter language" grep -q 'xml:lang="zh-Hans"' "$tmp/sp"
fi

# --- a few hundred generated posts, some broken -------------------------------
python3 "$here/gen_posts.py" "$tmp/many" 300 --broken 4 >/dev/null
"$BIN" "$tmp/many" -o "$tmp/many.epub" 2>"$tmp/many.err"
check "many: exit 0" [ $? -eq 0 ]
epubcheck_clean "$tmp/many.epub"
n=$(unzip -Z1 "$tmp/many.epub" | grep -c '^EPUB/text/p.*\.xhtml$')
check "many: 300 chapters (got $n)" [ "$n" -eq 300 ]
w=$(grep -c ': warning:' "$tmp/many.err")
check "many: one warning per broken file (got $w)" [ "$w" -eq 4 ]
for f in unclosed bad-yaml alias binary; do
	check "many: warning names broken $f" grep -q "broken-[0-9]*-$f" "$tmp/many.err"
done
check "many: the unclosed post's line" grep -q 'unclosed.md:1: warning' "$tmp/many.err"
entry "$tmp/many.epub" EPUB/package.opf | grep -o 'idref="p[0-9]*"' | sed 's/idref="\(.*\)"/\1/' >"$tmp/spine"
: >"$tmp/seqs"
while read -r id; do
	case $id in p*) unzip -p "$tmp/many.epub" "EPUB/text/$id.xhtml" | grep -o 'seq-[0-9]*' >>"$tmp/seqs" ;; esac
done <"$tmp/spine"
check "many: chapters in date order" sh -c "sort -c '$tmp/seqs' && [ \$(wc -l <'$tmp/seqs') -eq 300 ]"

# --- failures leave nothing behind --------------------------------------------
mkdir -p "$tmp/empty"
"$BIN" "$tmp/empty" -o "$tmp/e.epub" 2>"$tmp/err"
check "empty folder: exit 1" [ $? -eq 1 ]
check "empty folder: message" grep -q 'no posts found' "$tmp/err"
check "empty folder: no book" [ ! -e "$tmp/e.epub" ]
"$BIN" "$tmp/does-not-exist" -o "$tmp/e.epub" 2>/dev/null
check "missing folder: exit 1" [ $? -eq 1 ]
"$BIN" "$top/samples" -o "$tmp/no/such/dir/b.epub" 2>"$tmp/err"
check "output in a missing folder: exit 1" [ $? -eq 1 ]
"$BIN" "$top/samples" -o /proc/post2epub-test.epub 2>"$tmp/err"
check "output on a read-only file system: exit 1" [ $? -eq 1 ]
check "output on a read-only file system: said so" grep -q 'error:' "$tmp/err"
mkdir -p "$tmp/outdir"
"$BIN" "$top/samples" -o "$tmp/outdir" 2>/dev/null
check "output is a folder: exit 1" [ $? -eq 1 ]
check "output is a folder: left alone" [ -d "$tmp/outdir" ]
mkdir -p "$tmp/strict"
printf -- '---\ntitle: x\ndate: someday\n---\nbody\n' >"$tmp/strict/a.md"
echo "previous book" >"$tmp/prev.epub"
"$BIN" --strict "$tmp/strict" -o "$tmp/prev.epub" 2>"$tmp/err"
check "--strict with a warning: exit 1" [ $? -eq 1 ]
check "--strict: previous book untouched" grep -q "previous book" "$tmp/prev.epub"
check "no temporary files left" sh -c "! ls -A '$tmp' | grep -q '^\\.'"
"$BIN" "$tmp/strict" -o "$tmp/prev.epub" 2>/dev/null
check "without --strict the book replaces the old one" sh -c "unzip -Z1 '$tmp/prev.epub' >/dev/null 2>&1"
"$BIN" --strict "$top/samples" -o "$tmp/strict-ok.epub" 2>/dev/null
check "--strict on clean posts: exit 0" [ $? -eq 0 ]

# --- files that are not posts are ignored --------------------------------------
mkdir -p "$tmp/mixed/.hidden" "$tmp/mixed/_site" "$tmp/mixed/sub"
printf -- '---\ntitle: Kept\ndate: 2020-01-01\n---\nText.\n' >"$tmp/mixed/sub/kept.md"
printf -- '---\ntitle: Hidden\ndate: 2020-01-01\n---\nText.\n' >"$tmp/mixed/.hidden/h.md"
printf -- '---\ntitle: Site\ndate: 2020-01-01\n---\nText.\n' >"$tmp/mixed/_site/s.html"
printf -- 'not a post' >"$tmp/mixed/readme.rst"
cp "$top/samples/images/lake.png" "$tmp/mixed/pic.png"
"$BIN" "$tmp/mixed" -o "$tmp/mixed.epub" 2>/dev/null
n=$(unzip -Z1 "$tmp/mixed.epub" | grep -c '^EPUB/text/p.*\.xhtml$')
check "hidden, _site and other files ignored (got $n)" [ "$n" -eq 1 ]
epubcheck_clean "$tmp/mixed.epub"

# --- pictures made fit for e-readers (libvips) ------------------------------------
mkdir -p "$tmp/pics/img"
cp "$here"/fixtures/images/*.webp "$here"/fixtures/images/*.avif "$here"/fixtures/images/*.gif \
	"$here"/fixtures/images/*.jpg "$here"/fixtures/images/*.png "$here"/fixtures/images/*.svg \
	"$tmp/pics/img/"
rm -f "$tmp/pics/img/bomb.png"
# Two large photos (noise: the worst case for compression), JPEG and WebP.
vips gaussnoise "$tmp/n.v" 3000 2000 --sigma 40 &&
	vips bandjoin "$tmp/n.v $tmp/n.v $tmp/n.v" "$tmp/rgb.v" &&
	vips cast "$tmp/rgb.v" "$tmp/rgb8.v" uchar &&
	vips jpegsave "$tmp/rgb8.v" "$tmp/pics/img/big.jpg" --Q 92 &&
	vips webpsave "$tmp/rgb8.v" "$tmp/pics/img/big.webp" --Q 90
{
	echo "---"
	echo "title: Every kind of picture"
	echo "date: 2021-05-05"
	echo "thumbnail: img/big.webp"
	echo "---"
	for f in "$tmp"/pics/img/*; do
		b=$(basename "$f")
		echo "<p><img src=\"img/$b\" alt=\"$b\"></p>"
	done
} >"$tmp/pics/post.html"
"$BIN" "$tmp/pics" -o "$tmp/pics.epub" --cache-dir "$tmp/pics-cache" 2>"$tmp/pics.err"
check "pictures: a book" [ $? -eq 0 ]
epubcheck_clean "$tmp/pics.epub"
check "pictures: only JPEG, PNG, GIF and SVG inside" \
	sh -c "! unzip -Z1 '$tmp/pics.epub' 'EPUB/images/*' | grep -qv '\\.\\(jpg\\|png\\|gif\\|svg\\)\$'"
check "pictures: WebP and AVIF shown, not left out" sh -c "! grep -q 'left out' '$tmp/pics.err'"
check "pictures: no SVG with script" sh -c "! unzip -p '$tmp/pics.epub' 'EPUB/images/*.svg' | grep -qi '<script'"
"$BIN" "$tmp/pics" -o "$tmp/pics-full.epub" --max-image-dim 0 --no-cache 2>/dev/null
small=$(wc -c <"$tmp/pics.epub")
full=$(wc -c <"$tmp/pics-full.epub")
check "pictures: scaled book several times smaller ($small vs $full bytes)" [ $((full / small)) -ge 3 ]
check "pictures: conversions are cached" [ -n "$(ls "$tmp/pics-cache/converted" 2>/dev/null)" ]
"$BIN" "$tmp/pics" -o "$tmp/pics2.epub" --cache-dir "$tmp/pics-cache" 2>/dev/null
check "pictures: same book from the cache" cmp -s "$tmp/pics.epub" "$tmp/pics2.epub"
"$BIN" "$tmp/pics" -o "$tmp/pics-grey.epub" --grayscale --no-cache 2>/dev/null
epubcheck_clean "$tmp/pics-grey.epub"

# --- volumes -------------------------------------------------------------------
mkdir -p "$tmp/vol"
"$BIN" "$top/samples" -o "$tmp/vol/arch.epub" --split year 2>"$tmp/vol.err"
check "--split year: exit 0" [ $? -eq 0 ]
check "--split year: one book per year" [ "$(ls "$tmp/vol" | tr '\n' ' ')" = \
	"arch-2018.epub arch-2019.epub arch-2020.epub arch-2021.epub arch-2022.epub arch-2023.epub " ]
check "--split year: the 2018 volume holds the two 2018 posts" \
	[ "$(unzip -Z1 "$tmp/vol/arch-2018.epub" | grep -c '^EPUB/text/')" -eq 2 ]
epubcheck_clean "$tmp/vol/arch-2018.epub"
epubcheck_clean "$tmp/vol/arch-2022.epub"
unzip -p "$tmp/vol/arch-2022.epub" EPUB/package.opf >"$tmp/vol.opf"
check "--split year: title names the volume" grep -q '<dc:title>samples 2022</dc:title>' "$tmp/vol.opf"
check "--split year: belongs to the collection" grep -q 'belongs-to-collection" id="collection">samples<' "$tmp/vol.opf"
check "--split year: its place in it" grep -q 'group-position">5<' "$tmp/vol.opf"
check "--split year: its own cover" grep -q '<meta name="cover"' "$tmp/vol.opf"
id18=$(unzip -p "$tmp/vol/arch-2018.epub" EPUB/package.opf | grep -o 'urn:uuid:[^<]*')
id22=$(grep -o 'urn:uuid:[^<]*' "$tmp/vol.opf")
check "--split year: an identifier per volume" [ "$id18" != "$id22" ]

python3 "$here/gen_posts.py" "$tmp/vn" 10 >/dev/null
mkdir -p "$tmp/vn1" "$tmp/vn2"
"$BIN" "$tmp/vn" -o "$tmp/vn1/b.epub" --split 4 2>/dev/null
"$BIN" "$tmp/vn" -o "$tmp/vn2/b.epub" --split 4 2>/dev/null
check "--split 4: three volumes of 4, 4 and 2 posts" [ "$(for f in "$tmp"/vn1/b-0*.epub; do unzip -Z1 "$f" | grep -c '^EPUB/text/'; done | tr '\n' ' ')" = "4 4 2 " ]
check "--split 4: byte-identical on rebuild" sh -c "cmp -s '$tmp/vn1/b-01.epub' '$tmp/vn2/b-01.epub' && cmp -s '$tmp/vn1/b-03.epub' '$tmp/vn2/b-03.epub'"
epubcheck_clean "$tmp/vn1/b-03.epub"
printf -- '---\ntitle: The newest post\ndate: 2030-01-01\n---\nNew.\n' >"$tmp/vn/newest.md"
"$BIN" "$tmp/vn" -o "$tmp/vn2/b.epub" --split 4 2>/dev/null
check "--split 4: a newer post changes only the last volume" sh -c \
	"cmp -s '$tmp/vn1/b-01.epub' '$tmp/vn2/b-01.epub' && cmp -s '$tmp/vn1/b-02.epub' '$tmp/vn2/b-02.epub' && ! cmp -s '$tmp/vn1/b-03.epub' '$tmp/vn2/b-03.epub'"

python3 "$here/gen_posts.py" "$tmp/vs" 60 --body-kb 10 >/dev/null
mkdir -p "$tmp/vs-out"
"$BIN" "$tmp/vs" -o "$tmp/vs-out/s.epub" --split 200k 2>/dev/null
n=$(ls "$tmp/vs-out" | wc -l)
check "--split 200k: several volumes ($n)" [ "$n" -ge 3 ]
big=$(for f in "$tmp"/vs-out/*.epub; do wc -c <"$f"; done | sort -n | tail -n 1)
check "--split 200k: each under 200 KiB ($big bytes)" [ "$big" -le 204800 ]
check "--split 200k: every post in one volume" [ "$(for f in "$tmp"/vs-out/*.epub; do unzip -Z1 "$f" | grep -c '^EPUB/text/'; done | paste -sd+ | bc)" -eq 60 ]
"$BIN" "$tmp/vs" -o "$tmp/vs.epub" --max-book-size 40k 2>"$tmp/vs.err"
check "--max-book-size: warned" grep -q 'warning: .*over --max-book-size 40 KiB; --split SIZE' "$tmp/vs.err"

# --- hostile input: nothing that runs or reaches out gets into the book --------
cp -R "$here/golden/hostile/posts" "$tmp/hostile"
"$BIN" "$tmp/hostile" -o "$tmp/hostile.epub" 2>"$tmp/hostile.err"
check "hostile: a book" [ $? -eq 0 ]
mkdir -p "$tmp/hostile.unz" && (cd "$tmp/hostile.unz" && unzip -q ../hostile.epub)
for pat in '<script' '<iframe' '<object' '<embed' '<form' '<base' '<style' '<svg' \
	'http-equiv="refresh"' ' on[a-z]*=' 'javascript:' 'vbscript:' 'data:text' \
	'src="http' 'src="file' '@import' 'root:x:0:0'; do
	check "hostile: no '$pat' in the book" sh -c "! grep -rqi -- '$pat' '$tmp/hostile.unz/EPUB'"
done
check "hostile: readable text kept" grep -rq 'After the stray end tags: still here.' "$tmp/hostile.unz/EPUB/text"
check "hostile: one message per problem, each naming its file" \
	sh -c "! grep ': warning:' '$tmp/hostile.err' | grep -qv '^post2epub: [^:]*\\(:[0-9]*\\)\\{0,1\\}: warning: '"

# --- big inputs: a 10 MB body, and 50,000 tiny posts ------------------------------
mkdir -p "$tmp/bigbody"
python3 -c "
import sys
body = ''.join('<p>Paragraph %d of a very long post, written to be large.</p>\n' % i for i in range(160000))
open(sys.argv[1], 'w').write('---\ntitle: Ten megabytes\ndate: 2020-01-01\n---\n' + body)
" "$tmp/bigbody/big.html"
"$BIN" "$tmp/bigbody" -o "$tmp/bigbody.epub" 2>/dev/null
check "a 10 MB body: converted" [ $? -eq 0 ]
"$BIN" --max-post-size 1M "$tmp/bigbody" -o "$tmp/bigbody2.epub" 2>"$tmp/big.err"
check "--max-post-size: the big post is skipped with a warning" grep -q 'big.html: warning: larger than 1048576 bytes; skipped' "$tmp/big.err"
python3 -c "
import os, sys
d = sys.argv[1]
for i in range(50000):
    sub = os.path.join(d, '%02d' % (i % 100))
    os.makedirs(sub, exist_ok=True)
    open(os.path.join(sub, 'p%05d.md' % i), 'w').write('---\ntitle: Post %d\ndate: 2020-01-01T00:00:%02dZ\n---\nShort post %d.\n' % (i, i % 60, i))
" "$tmp/tiny"
"$BIN" -q "$tmp/tiny" -o "$tmp/tiny.epub"
check "50,000 tiny posts: a book" [ $? -eq 0 ]
check "50,000 tiny posts: every one a chapter" [ "$(unzip -Z1 "$tmp/tiny.epub" | grep -c '^EPUB/text/')" -eq 50000 ]

# --- images from a loopback server (tests/httpd.py) ----------------------------
# The server exits when its stdin closes: it reads from a pipe held by sleep.
feeder "$tmp/feed1" 600 | python3 "$here/httpd.py" --lifetime 600 >"$tmp/port" &
srv=$!
for _ in $(seq 1 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(head -n 1 "$tmp/port")
base="http://127.0.0.1:$port"
stats() { python3 -c "import json,urllib.request;print(json.load(urllib.request.urlopen('$base/stats'))['$1'])"; }
reset_stats() { python3 -c "import urllib.request;urllib.request.urlopen('$base/stats/reset').read()"; }

mkdir -p "$tmp/web"
python3 "$here/gen_posts.py" "$tmp/web" 40 --images-base "$base" >/dev/null
{
	echo "---"
	echo "title: Pictures good and bad"
	echo "date: 2021-01-01"
	echo "thumbnail: $base/noext/thumb"
	echo "---"
	echo "<p>A redirect: <img src=\"$base/redirect/3/r.png\" alt=\"redirected\"></p>"
	echo "<p>Gone: <img src=\"$base/status/404\" alt=\"gone picture\"></p>"
	echo "<p>An error page: <img src=\"$base/htmlimage\" alt=\"error page\"></p>"
	echo "<p>A loop: <img src=\"$base/loop\" alt=\"loop\"></p>"
	echo "<p>Truncated: <img src=\"$base/truncated/t.jpg\" alt=\"truncated\"></p>"
	echo "<p>Too big: <img src=\"$base/big/2000000\" alt=\"big\"></p>"
	echo "<p>WebP: <img src=\"$base/img/w.webp\" alt=\"webp picture\"></p>"
	echo "<p>Hangs: <img src=\"$base/hang\" alt=\"hanging\"></p>"
	echo "<p>Flaky: <img src=\"$base/flaky/k1/1/f.gif\" alt=\"flaky\"></p>"
	echo "<p>Lazy: <noscript><img src=\"$base/img/z.jpg\"></noscript><img src=\"data:image/svg+xml;utf8,&lt;svg/&gt;\" data-actualsrc=\"$base/img/z.jpg\" class=\"lazy\"></p>"
	echo "<p>Inline: <img src=\"data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7\" alt=\"pixel\"></p>"
	echo "<p>Again: <img src=\"$base/status/404\" alt=\"gone again\"></p>"
} >"$tmp/web/mixed.html"
t0=$(date +%s)
"$BIN" "$tmp/web" -o "$tmp/web.epub" --cache-dir "$tmp/cache" --timeout 3 --max-image-size 1M 2>"$tmp/web.err"
rc=$?
t1=$(date +%s)
check "downloads: exit 0" [ $rc -eq 0 ]
epubcheck_clean "$tmp/web.epub"
check "a hanging server costs about the timeout ($((t1 - t0)) s)" [ $((t1 - t0)) -lt 20 ]
for what in "status/404: HTTP 404" "htmlimage: not an image" "loop: too many redirects" \
	"truncated/t.jpg: truncated body" "big/2000000: larger than" "hang: timed out"; do
	check "downloads: warned '$what'" grep -q "mixed.html:[0-9]*: warning: image $base/$what" "$tmp/web.err"
done
check "downloads: one warning per bad URL" [ "$(grep -c 'status/404' "$tmp/web.err")" -eq 1 ]
check "downloads: no other warnings" [ "$(grep -c ': warning:' "$tmp/web.err")" -eq 6 ]
unzip -p "$tmp/web.epub" EPUB/package.opf >"$tmp/web.opf"
mkdir -p "$tmp/web.unz" && (cd "$tmp/web.unz" && unzip -q ../web.epub)
mixed=$(grep -l 'Pictures good and bad' "$tmp"/web.unz/EPUB/text/*.xhtml)
check "downloads: redirected, flaky, lazy, WebP and data: images are in" \
	[ "$(grep -o '<img src="../images/[0-9a-f]*\.[a-z]*"' "$mixed" | wc -l)" -eq 6 ]
check "downloads: the thumbnail is in" grep -q 'class="post-thumb"><img' "$mixed"
check "downloads: the alt text of a failed image stays" grep -q 'gone picture' "$mixed"
check "downloads: one image for the noscript twins, no remote reference" sh -c "! grep -q '$base' '$mixed'"
check "downloads: image types from the bytes" grep -q 'media-type="image/gif"' "$tmp/web.opf"
n=$(ls "$tmp"/web.unz/EPUB/images | wc -l)
# 30 HTML posts with a picture each (Markdown ones have none) + 6 in mixed.html.
check "downloads: each picture stored once ($n)" [ "$n" -eq 36 ]
reset_stats
"$BIN" "$tmp/web" -o "$tmp/web2.epub" --cache-dir "$tmp/cache" --timeout 3 --max-image-size 1M 2>/dev/null
r=$(stats requests)
# Only the URLs that failed are asked for again.
check "second run: nothing cached is downloaded again ($r requests)" [ "$r" -le 12 ]
check "second run: same book" cmp -s "$tmp/web.epub" "$tmp/web2.epub"
reset_stats
"$BIN" "$tmp/web" -o "$tmp/web3.epub" --cache-dir "$tmp/cache" --offline 2>"$tmp/off.err"
check "offline: exit 0" [ $? -eq 0 ]
check "offline: no request" [ "$(stats requests)" -eq 0 ]
check "offline: cached pictures are in" [ "$(unzip -Z1 "$tmp/web3.epub" | grep -c '^EPUB/images/')" -eq "$n" ]
"$BIN" "$tmp/web" -o "$tmp/web4.epub" --cache-dir "$tmp/empty-cache" --offline 2>"$tmp/off2.err"
check "offline, empty cache: still a book" [ $? -eq 0 ]
check "offline, empty cache: misses warned" grep -q 'not in the cache' "$tmp/off2.err"
epubcheck_clean "$tmp/web4.epub"
"$BIN" --strict "$tmp/web" -o "$tmp/web5.epub" --cache-dir "$tmp/cache" --timeout 3 --max-image-size 1M 2>/dev/null
check "--strict with failed images: exit 1" [ $? -eq 1 ]
check "--strict: no book" [ ! -e "$tmp/web5.epub" ]
# A chapter whose pictures must be downloaded first is made after the others;
# its messages still come in post order, and the book is the one a warm
# cache gives.
mkdir -p "$tmp/order"
for i in 1 2 3; do
	{
		echo "---"
		echo "title: Order $i"
		echo "date: 2020-01-0$i"
		echo "---"
		[ $i -eq 1 ] && echo "<p><img src=\"$base/img/order.png\" alt=\"o\"><img src=\"$base/htmlimage\" alt=\"h\"></p>"
		[ $i -eq 2 ] && echo "<p><img src=\"$base/noext/order.png\" alt=\"same bytes\"></p>"
		[ $i -eq 3 ] && echo "<p><img src=\"$base/htmlimage\" alt=\"h\"></p>"
		echo "<p><img src=\"missing$i.png\" alt=\"m\"></p>"
	} >"$tmp/order/o$i.html"
done
"$BIN" "$tmp/order" -o "$tmp/order.epub" --cache-dir "$tmp/order-cache" 2>"$tmp/order.err"
check "put-off chapter: exit 0" [ $? -eq 0 ]
check "put-off chapter: messages in post order" \
	[ "$(grep -o 'o[0-9]\.html' "$tmp/order.err" | tr '\n' ' ')" = "o1.html o1.html o2.html o3.html o3.html " ]
check "put-off chapter: one picture for two URLs with the same bytes" \
	[ "$(unzip -Z1 "$tmp/order.epub" | grep -c '^EPUB/images/')" -eq 1 ]
check "put-off chapter: each post showing a non-image is told" \
	[ "$(grep -c 'htmlimage: not an image' "$tmp/order.err")" -eq 2 ]
"$BIN" "$tmp/order" -o "$tmp/order2.epub" --cache-dir "$tmp/order-cache" 2>"$tmp/order2.err"
check "put-off chapter: same book from a warm cache" cmp -s "$tmp/order.epub" "$tmp/order2.epub"
check "put-off chapter: same warnings from a warm cache" \
	[ "$(grep ': warning:' "$tmp/order.err")" = "$(grep ': warning:' "$tmp/order2.err")" ]
check "put-off chapter: the warm cache answers" grep -q '0 fetched (0.0 MB), 3 from the cache' "$tmp/order2.err"
"$BIN" "$top/samples" -o "$tmp/cov.epub" --cache-dir "$tmp/cache" --cover "$base/img/cover.png" 2>/dev/null
check "--cover URL" sh -c "unzip -p '$tmp/cov.epub' EPUB/package.opf | grep -q 'properties=\"cover-image\"'"
"$BIN" "$top/samples" -o "$tmp/nocov.epub" --cover none 2>/dev/null
check "--cover none" sh -c "! unzip -Z1 '$tmp/nocov.epub' | grep -q cover.xhtml"
stop_server "$srv" "$tmp/feed1"

# --- interrupted runs leave nothing behind ---------------------------------------
# Downloads at 200 ms each keep the run busy long enough to be interrupted.
feeder "$tmp/feed2" 600 | python3 "$here/httpd.py" --lifetime 600 --latency-ms 200 >"$tmp/port2" &
srv2=$!
for _ in $(seq 1 100); do [ -s "$tmp/port2" ] && break; sleep 0.1; done
slow="http://127.0.0.1:$(head -n 1 "$tmp/port2")"
mkdir -p "$tmp/sig/out"
python3 "$here/gen_posts.py" "$tmp/sig/posts" 200 --images-base "$slow" --images 1000 >/dev/null
for sig in INT TERM; do
	echo "previous" >"$tmp/sig/out/book.epub"
	"$BIN" "$tmp/sig/posts" -o "$tmp/sig/out/book.epub" --cache-dir "$tmp/sig/cache" -j 2 \
		2>"$tmp/sig/err" &
	pid=$!
	sleep 2
	kill -$sig $pid
	wait $pid
	st=$?
	check "SIG$sig: killed by the signal (status $st)" [ $st -gt 128 ]
	check "SIG$sig: says so" grep -q 'interrupted; nothing was written' "$tmp/sig/err"
	check "SIG$sig: the previous book stays" grep -q previous "$tmp/sig/out/book.epub"
	check "SIG$sig: no temporary file beside the book" [ "$(ls -A "$tmp/sig/out")" = "book.epub" ]
	check "SIG$sig: no partial download in the cache" \
		[ -z "$(find "$tmp/sig/cache" -name '*.tmp.*' 2>/dev/null)" ]
done
stop_server "$srv2" "$tmp/feed2"

summary e2e
