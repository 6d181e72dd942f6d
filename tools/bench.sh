#!/bin/sh
# tools/bench.sh — post2epub's benchmark (issue 6). Run it through `make bench`:
#
#     make bench                                  # 200, 2,000 and 20,000 posts
#     make bench BENCH_SIZES="200 2000"           # fewer sizes
#     sh tools/bench.sh build/post2epub           # the same, without make
#
# Environment:
#   BENCH_SIZES="200 2000 20000"  corpus sizes (posts)
#   BENCH_REPS=7          runs of each fast case; the table shows the median
#                         wall time and the largest peak RSS
#   BENCH_CORPUS=DIR      generate the corpora into DIR once and reuse them
#                         (default: fresh ones in the scratch folder)
#   BENCH_KEEP=1          keep the scratch folder (books, logs, caches)
#   BENCH_PANDOC_MAX=2000 run pandoc only up to this many posts (it is slow)
#   BENCH_TIMEOUT=900     seconds allowed for any one run
#   BENCH_STRICT=1        exit 1 when a target is missed
#   BENCH_NO_GNU_TIME=1   use the /proc fallback even when GNU time is there
#   TMPDIR                where the scratch folder goes (default /tmp)
#
# What it does, for each size N (everything on 127.0.0.1):
#   corpus   tests/gen_posts.py N --body-kb 10: ~10 KB posts, mixed Chinese and
#            English, HTML (3 in 4) and Markdown (1 in 4) bodies, in year
#            folders. Twice: "img" with --images-base pointing at our own
#            tests/httpd.py (--latency-ms 50) and --images 100000, so every
#            HTML post has its own picture (1,500 distinct images for 2,000
#            posts); "noimg" without --images-base — the same posts, same
#            bytes, minus the <img> line.
#   cold     post2epub img -j 16 with an empty cache: downloads every image.
#   offline  post2epub img --offline with an (other) empty cache: the same
#            work minus the downloads (each image gives a warning and keeps its
#            alt text). The download phase is estimated as cold - offline and
#            compared with its target, images x 50 ms / 16.
#   warm     post2epub img -j 16 again with the cache the cold run filled: the
#            server must see no request.
#   noimg    post2epub noimg: the no-image time; warm / noimg <= 1.2.
#   zip -6   the floor: the warm run's book unpacked into a folder, then
#            `zip -6 -q -r` over its contents (mimetype included), in this run.
#   pandoc   when installed, for N <= BENCH_PANDOC_MAX. The fairest realistic
#            invocation we know: the posts, in reading order, concatenated into
#            one Markdown file, each post becoming "# title" followed by its
#            body (front matter dropped; HTML bodies pass through as raw HTML,
#            which pandoc's EPUB writer still scans for <img> to download and
#            pack), then `pandoc -f markdown -t epub3 --toc -o book.epub`.
#            Only pandoc is timed, not the concatenation. pandoc has no image
#            cache: it downloads the images from the same 50 ms server, which
#            is what a pandoc user pays on every run.
#
# Wall time is taken with `date +%s%N` around the run (a few ms of process
# start-up included); peak RSS comes from GNU time (`/usr/bin/time -f %M`),
# or, without it, from polling VmHWM in /proc (less exact; a note says so).
# The machine may be shared: figures are noisy, the load average is printed.
# The two targets that compare runs (warm / no images, warm / zip -6) are
# judged on paired runs: each round runs warm, no images and zip -6 back to
# back, the ratio is taken within the round, and the verdict uses the median
# of the rounds' ratios. Load from other processes that comes and goes over
# seconds then falls on both sides of a ratio alike, instead of on whichever
# case's median it happened to hit (medians taken apart were seen to move
# the warm / no-images ratio between 1.07x and 1.55x on the same binary).
set -u

here=$(cd "$(dirname "$0")/.." && pwd)
ARG=${1:-build/post2epub}
BIN=$ARG
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
[ -x "$BIN" ] || { echo "bench: $BIN not found; run 'make' first" >&2; exit 2; }

SIZES=${BENCH_SIZES:-"200 2000 20000"}
REPS=${BENCH_REPS:-7}
PANDOC_MAX=${BENCH_PANDOC_MAX:-2000}
LIMIT=${BENCH_TIMEOUT:-900}
JOBS=16
LATENCY_MS=50
GEN="$here/tests/gen_posts.py"
HTTPD="$here/tests/httpd.py"

for tool in python3 zip unzip timeout awk; do
	command -v $tool >/dev/null 2>&1 || { echo "bench: needs $tool (Debian: apt-get install python3 zip unzip coreutils gawk)" >&2; exit 2; }
done
if [ "${BENCH_NO_GNU_TIME:-0}" != 1 ] && [ -x /usr/bin/time ] &&
	/usr/bin/time -f '%e %M' true >/dev/null 2>&1; then
	GNU_TIME=1 RSS_SRC="GNU time"
else
	GNU_TIME= RSS_SRC="VmHWM polling of /proc"
	echo "bench: GNU time is missing (apt-get install time); peak RSS comes from polling /proc"
fi
if command -v pandoc >/dev/null 2>&1; then
	PANDOC=$(command -v pandoc)
else
	PANDOC=
	echo "pandoc: not installed (apt-get install pandoc)"
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/post2epub-bench.XXXXXX") || exit 2
# A private copy, so that a rebuild during the bench does not change the binary.
cp "$BIN" "$scratch/post2epub" || exit 2
BIN=$scratch/post2epub
corpus=${BENCH_CORPUS:-$scratch/corpus}
mkdir -p "$corpus" || exit 2
corpus=$(cd "$corpus" && pwd)
srvpid=

cleanup() {
	[ -n "$srvpid" ] && kill "$srvpid" 2>/dev/null
	exec 9>&-
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: kept $scratch"
	else
		rm -rf "$scratch"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# --- the image server ---------------------------------------------------------
# Its stdin is a FIFO held open by this shell (fd 9): it exits when we do, even
# if we are killed, and after --lifetime in any case.
start_server() { # PORT
	rm -f "$scratch/ctl" "$scratch/port"
	mkfifo "$scratch/ctl" || exit 2
	python3 "$HTTPD" --latency-ms $LATENCY_MS --lifetime $((LIMIT * 20)) --port "$1" \
		<"$scratch/ctl" >"$scratch/port" 2>"$scratch/httpd.err" &
	srvpid=$!
	exec 9>"$scratch/ctl"
	i=0
	while [ ! -s "$scratch/port" ] && kill -0 $srvpid 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	port=$(head -n 1 "$scratch/port" 2>/dev/null)
	if [ -z "$port" ]; then
		kill $srvpid 2>/dev/null; wait $srvpid 2>/dev/null; srvpid=
		exec 9>&-
		return 1
	fi
}
# The port a kept corpus (BENCH_CORPUS) was written for: reuse it when free.
corpus_port() { # DIR
	grep -rho -m 1 'http://127\.0\.0\.1:[0-9]*/img/' "$1" 2>/dev/null | head -n 1 | sed 's#.*:\([0-9]*\)/img/#\1#'
}
oldport=
for d in "$corpus"/img-*; do
	[ -d "$d" ] && oldport=$(corpus_port "$d") && [ -n "$oldport" ] && break
done
start_server "${oldport:-0}" || start_server 0 || {
	echo "bench: tests/httpd.py did not start:" >&2; cat "$scratch/httpd.err" >&2; exit 2; }
base="http://127.0.0.1:$port"
stats() { # prints the number of requests since the last reset, then resets
	python3 -c "import json,urllib.request as u
print(json.load(u.urlopen('$base/stats'))['requests']); u.urlopen('$base/stats/reset').read()"
}

# --- measuring ----------------------------------------------------------------
# measure LOG CMD...: runs CMD (stdin /dev/null, output to LOG); sets W (wall
# seconds), R (peak RSS, KiB) and ST (exit status).
measure() {
	_log=$1; shift
	if [ -n "$GNU_TIME" ]; then
		_t0=$(date +%s%N)
		timeout "$LIMIT" /usr/bin/time -f '%e %M' -o "$scratch/time.out" "$@" \
			</dev/null >"$_log" 2>&1 9>&-
		ST=$?
		_t1=$(date +%s%N)
		R=$(tail -n 1 "$scratch/time.out" | awk '{print $2}')
	else
		_t0=$(date +%s%N)
		"$@" </dev/null >"$_log" 2>&1 9>&- &
		_pid=$!
		R=0
		while :; do
			_s=$(awk '/^State:/{s=$2} /^VmHWM:/{h=$2} END{print s, h+0}' /proc/$_pid/status 2>/dev/null)
			case $_s in ''|Z*) break ;; esac
			[ "${_s#* }" -gt "$R" ] && R=${_s#* }
			if [ $(( ($(date +%s%N) - _t0) / 1000000000 )) -ge "$LIMIT" ]; then kill $_pid; fi
			sleep 0.01
		done
		wait $_pid
		ST=$?
		_t1=$(date +%s%N)
	fi
	W=$(awk -v a="$_t0" -v b="$_t1" 'BEGIN{printf "%.3f", (b - a) / 1e9}')
	[ -n "$R" ] || R=0
	if [ $ST -ne 0 ]; then
		echo "bench: failed (status $ST): $*" >&2
		tail -n 5 "$_log" >&2
	fi
}
median() { sort -n | awk '{v[NR]=$1} END{if (NR) print v[int((NR+1)/2)]; else print 0}'; }
maxof() { sort -n | tail -n 1; }
# Repeated cases are interleaved (warm, no images, zip, warm, ...) so that the
# load from other processes falls on all of them alike.
# acc LABEL: records W and R of the last measure; summary LABEL: sets W
# (median), R (max) and ST (worst status) over the recorded runs.
acc() {
	echo "$W" >>"$scratch/w.$1"; echo "$R" >>"$scratch/r.$1"; echo "$ST" >>"$scratch/s.$1"
}
summary() {
	W=$(median <"$scratch/w.$1"); R=$(maxof <"$scratch/r.$1"); ST=$(maxof <"$scratch/s.$1")
	rm -f "$scratch/w.$1" "$scratch/r.$1" "$scratch/s.$1"
}
mb() { find "$1" -type f \( -name '*.md' -o -name '*.txt' \) -printf '%s\n' | awk '{s+=$1} END{printf "%.1f", s/1048576}'; }
calc() { awk "BEGIN{printf \"$1\", $2}"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", (b > 0 ? a / b : 999)}'; }
pair() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.4f\n", (b > 0 ? a / b : 999)}'; }

# --- corpora ------------------------------------------------------------------
# A corpus is reused only if it was completed with the same generator options
# ($dir.ok); URLs written for another port are rewritten to ours.
gen() { # DIR N [options...]
	_dir=$1; _n=$2; shift 2
	_sig="gen_posts.py $_n --body-kb 10 $*"
	_sig=$(echo "$_sig" | sed 's#127\.0\.0\.1:[0-9]*#LOOPBACK#g')
	if [ -f "$_dir.ok" ] && [ "$(cat "$_dir.ok")" = "$_sig" ]; then
		return 0
	fi
	rm -rf "$_dir" "$_dir.ok"
	python3 "$GEN" "$_dir" "$_n" --body-kb 10 "$@" >/dev/null || { echo "bench: gen_posts.py failed" >&2; exit 1; }
	echo "$_sig" >"$_dir.ok"
}
for d in "$corpus"/img-*; do
	[ -d "$d" ] || continue
	p=$(corpus_port "$d")
	[ -n "$p" ] && [ "$p" != "$port" ] || continue
	echo "bench: rewriting the image URLs in $d for port $port"
	find "$d" -name '*.txt' -exec sed -i "s#http://127\.0\.0\.1:$p/img/#$base/img/#g" {} +
done

# Pandoc's input: the posts in reading order (by the generator's seq marker),
# each as "# title" + body, front matter dropped.
pandoc_input() { # DIR OUT
	python3 - "$1" "$2" <<'EOF'
import os, re, sys
src, out = sys.argv[1], sys.argv[2]
posts = []
for root, dirs, files in os.walk(src):
    for f in files:
        if not f.endswith((".md", ".txt")):
            continue
        text = open(os.path.join(root, f), encoding="utf-8").read()
        m = re.match(r"\s*---\n(.*?)\n---\n", text, re.S)
        if not m:
            continue
        title = re.search(r"^title: '(.*)'$", m.group(1), re.M).group(1)
        seq = int(re.search(r"seq-(\d+)", text).group(1))
        posts.append((seq, title, text[m.end():]))
posts.sort()
with open(out, "w", encoding="utf-8") as f:
    for _, title, body in posts:
        f.write("# %s\n\n%s\n\n" % (title, body))
EOF
}

# --- the runs -----------------------------------------------------------------
rows="$scratch/rows"
: >"$rows"
row() { # posts MB case wall posts/s rss vs_pandoc vs_zip note
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$rows"
}
pps() { calc "%.0f" "$1 / ($2 > 0 ? $2 : 0.001)"; }
mib() { calc "%.1f" "$1 / 1024"; }
failed=0

echo "bench: $("$BIN" --version 2>/dev/null | head -n 1); sizes: $SIZES; $REPS runs of each fast case"
echo "bench: image server $base, ${LATENCY_MS} ms per request; scratch $scratch"
for n in $SIZES; do
	img="$corpus/img-$n"; noimg="$corpus/noimg-$n"
	gen "$img" "$n" --images-base "$base" --images 100000
	gen "$noimg" "$n"
	mb_img=$(mb "$img"); mb_noimg=$(mb "$noimg")
	nimg=$(grep -rho "$base/img/[0-9]*\.jpg" "$img" | sort -u | wc -l)
	run="$scratch/run-$n"; mkdir -p "$run"
	echo "bench: $n posts: $mb_img MB with $nimg image links, $mb_noimg MB without"

	# cold: empty cache, -j 16
	stats >/dev/null
	measure "$run/cold.log" "$BIN" "$img" -o "$run/cold.epub" -j $JOBS --cache-dir "$run/cache" -q
	cold_w=$W cold_r=$R; [ $ST -eq 0 ] || failed=1
	cold_req=$(stats)
	# the same work without downloads: --offline, empty cache
	measure "$run/offline.log" "$BIN" "$img" -o "$run/offline.epub" -j $JOBS --cache-dir "$run/cache-empty" -q --offline
	off_w=$W off_r=$R; [ $ST -eq 0 ] || failed=1
	dl=$(calc "%.3f" "$cold_w - $off_w")
	dl_target=$(calc "%.3f" "$nimg * $LATENCY_MS / 1000 / $JOBS")
	dl_ratio=$(calc "%.2f" "$dl / ($dl_target > 0 ? $dl_target : 1)")
	# warm (the cache the cold run filled), no images, and the zip floor (the
	# warm book's contents, zip -6), REPS times each, interleaved
	stats >/dev/null
	rm -rf "$run/unz"
	k=0
	while [ $k -lt "$REPS" ]; do
		measure "$run/warm.log" "$BIN" "$img" -o "$run/warm.epub" -j $JOBS --cache-dir "$run/cache" -q
		acc warm; _ww=$W
		if [ ! -d "$run/unz" ]; then
			mkdir -p "$run/unz"
			unzip -q "$run/warm.epub" -d "$run/unz" || { echo "bench: cannot unzip the book" >&2; exit 1; }
		fi
		measure "$run/noimg.log" "$BIN" "$noimg" -o "$run/noimg.epub" -j $JOBS --cache-dir "$run/cache-noimg" -q
		acc noimg; _nw=$W
		measure "$run/zip.log" sh -c 'rm -f "$2" && cd "$1" && exec zip -6 -q -r "$2" .' sh "$run/unz" "$run/floor.zip"
		acc zip
		pair "$_ww" "$_nw" >>"$scratch/p.noimg"
		pair "$_ww" "$W" >>"$scratch/p.zip"
		k=$((k + 1))
	done
	p_noimg=$(median <"$scratch/p.noimg"); p_zip=$(median <"$scratch/p.zip")
	rm -f "$scratch/p.noimg" "$scratch/p.zip"
	summary warm; warm_w=$W warm_r=$R; [ $ST -eq 0 ] || failed=1
	warm_req=$(stats)
	summary noimg; noimg_w=$W noimg_r=$R; [ $ST -eq 0 ] || failed=1
	summary zip; zip_w=$W zip_r=$R; [ $ST -eq 0 ] || failed=1
	book_mb=$(calc "%.1f" "$(wc -c <"$run/warm.epub") / 1048576")
	# pandoc
	pd_w=
	if [ -n "$PANDOC" ] && [ "$n" -le "$PANDOC_MAX" ]; then
		pandoc_input "$img" "$run/pandoc-in.md"
		stats >/dev/null
		measure "$run/pandoc.log" "$PANDOC" -f markdown -t epub3 --toc --metadata title="bench $n" \
			-o "$run/pandoc.epub" "$run/pandoc-in.md"
		if [ $ST -eq 0 ]; then pd_w=$W pd_r=$R; else pd_w=; fi
		pd_req=$(stats)
	fi

	vs_pd() { if [ -n "$pd_w" ]; then calc "%.1fx" "$pd_w / ($1 > 0 ? $1 : 0.001)"; else echo -; fi; }
	vs_zip() { calc "%.2fx" "$1 / ($zip_w > 0 ? $zip_w : 0.001)"; }
	row "$n" "$mb_img" "cold -j$JOBS" "$cold_w" "$(pps "$n" "$cold_w")" "$(mib "$cold_r")" "$(vs_pd "$cold_w")" - \
		"$nimg img, $cold_req requests; download ~$dl s = ${dl_ratio}x of $dl_target s"
	row "$n" "$mb_img" "offline, no cache" "$off_w" "$(pps "$n" "$off_w")" "$(mib "$off_r")" - - "cold minus this = download phase"
	row "$n" "$mb_img" "warm" "$warm_w" "$(pps "$n" "$warm_w")" "$(mib "$warm_r")" "$(vs_pd "$warm_w")" "$(vs_zip "$warm_w")" \
		"$(calc "%.2f" "$p_noimg")x no-images (paired); $warm_req requests; book $book_mb MB"
	row "$n" "$mb_noimg" "no images" "$noimg_w" "$(pps "$n" "$noimg_w")" "$(mib "$noimg_r")" "$(vs_pd "$noimg_w")" "$(vs_zip "$noimg_w")" ""
	row "$n" "" "zip -6 floor" "$zip_w" "" "$(mib "$zip_r")" - 1.00x "same book contents"
	if [ -n "$pd_w" ]; then
		row "$n" "$mb_img" "pandoc" "$pd_w" "$(pps "$n" "$pd_w")" "$(mib "$pd_r")" 1.0x "$(vs_zip "$pd_w")" "$pd_req requests"
	elif [ -n "$PANDOC" ] && [ "$n" -le "$PANDOC_MAX" ]; then
		row "$n" "$mb_img" "pandoc" "failed" "" "" - - "see $run/pandoc.log"
	fi
	# for the targets
	max_r=$(printf '%s\n' "$cold_r" "$off_r" "$warm_r" "$noimg_r" | maxof)
	eval "T_warm_$n=$warm_w T_noimg_$n=$noimg_w T_zip_$n=$zip_w T_pd_$n=\"$pd_w\" T_rss_$n=$max_r"
	eval "T_dl_$n=$dl T_dlt_$n=$dl_target T_nimg_$n=$nimg T_wreq_$n=$warm_req"
	eval "T_pnoimg_$n=$p_noimg T_pzip_$n=$p_zip"
done

# --- the report ---------------------------------------------------------------
cpu=$(awk -F': *' '/^model name/{print $2; exit}' /proc/cpuinfo)
echo
echo "post2epub benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'); $(uname -sm), $(nproc) cores ($cpu)," \
	"$(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wall s: median of $REPS for warm / no images / zip (one run for cold, offline, pandoc);" \
	"peak RSS: $RSS_SRC; MB = 2^20 bytes of post files; vs pandoc = pandoc wall / this wall; vs zip -6 = this wall / zip -6 wall;" \
	"(paired) = median over the $REPS rounds of the ratio within a round"
echo
{
	printf 'posts\tMB in\tcase\twall s\tposts/s\tpeak RSS MiB\tvs pandoc\tvs zip -6\tnotes\n'
	cat "$rows"
} | awk -F'\t' '
	{ for (i = 1; i <= NF; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NR; nf = NF }
	END {
		for (r = 1; r <= n; r++) {
			line = ""
			for (i = 1; i <= nf; i++) {
				f = (i == 3 || i == nf) ? "%-" w[i] "s" : "%" w[i] "s"
				line = line sprintf(f, c[r, i]) (i < nf ? " | " : "")
			}
			sub(/ +$/, "", line); print line
			if (r == 1) { s = ""; for (i = 1; i <= nf; i++) { d = sprintf("%" w[i] "s", ""); gsub(/ /, "-", d); s = s d (i < nf ? "-|-" : "") } print s }
		}
	}'
echo

# PASS / FAIL lines; a target whose size was not run says so.
missed=0
verdict() { # CONDITION(awk) TEXT
	if awk "BEGIN{exit !($1)}"; then echo "PASS  $2"; else echo "FAIL  $2"; missed=1; fi
}
has() { eval "[ -n \"\${T_warm_$1:-}\" ]"; }
get() { eval "echo \"\${T_$1_$2:-}\""; }
echo "Targets (issue 6):"
if has 2000; then
	w=$(get warm 2000)
	verdict "$w < 1" "throughput: 2,000 posts, images in the cache: $w s < 1 s"
	pd=$(get pd 2000)
	if [ -n "$pd" ]; then
		verdict "$(ratio "$pd" "$w") >= 50" "vs pandoc: $(ratio "$pd" "$w")x faster >= 50x (pandoc $pd s)"
	else
		if [ -z "$PANDOC" ]; then
			echo "-     vs pandoc: not measured (pandoc not installed)"
		else
			echo "-     vs pandoc: not measured (BENCH_PANDOC_MAX=$PANDOC_MAX < 2000)"
		fi
	fi
	z=$(get zip 2000); pz=$(get pzip 2000)
	verdict "$pz <= 2" "zip floor: warm / zip -6 = $(calc "%.2f" "$pz")x <= 2x (paired; medians $w s / $z s = $(ratio "$w" "$z")x)"
	r=$(get rss 2000)
	verdict "$r / 1024 < 64" "memory: 2,000 posts, peak RSS over all runs $(mib "$r") MiB < 64 MiB"
	dl=$(get dl 2000); dlt=$(get dlt 2000)
	verdict "$dl <= 1.3 * $dlt" "downloads: $(get nimg 2000) images, 50 ms each, -j 16: download phase ~$dl s <= 1.3 x $dlt s ($(ratio "$dl" "$dlt")x)"
	nw=$(get noimg 2000)
	pn=$(get pnoimg 2000)
	verdict "$pn <= 1.2" "warm cache: warm / no images = $(calc "%.2f" "$pn")x <= 1.2x (paired; medians $w s / $nw s = $(ratio "$w" "$nw")x)"
	verdict "$(get wreq 2000) == 0" "warm cache: no request to the server ($(get wreq 2000))"
else
	echo "-     2,000-post targets: not run (BENCH_SIZES=\"$SIZES\")"
fi
if has 20000; then
	r=$(get rss 20000)
	verdict "$r / 1024 < 96" "memory: 20,000 posts, peak RSS over all runs $(mib "$r") MiB < 96 MiB"
else
	echo "-     20,000-post memory target: not run (BENCH_SIZES=\"$SIZES\")"
fi
printf 'Scaling (warm): '
for n in $SIZES; do
	w=$(get warm "$n"); r=$(get rss "$n")
	printf '%s posts: %s us/post, %s MiB.  ' "$n" "$(calc "%.0f" "$w * 1e6 / $n")" "$(mib "$r")"
done
echo
echo "Command: make bench BENCH_SIZES=\"$SIZES\"  (sh tools/bench.sh $ARG)"
[ $failed -eq 0 ] || { echo "bench: some post2epub runs failed (see the messages above)"; exit 1; }
[ "${BENCH_STRICT:-0}" = 1 ] && [ $missed -ne 0 ] && exit 1
exit 0
