/* main.c — the command line: options → struct book_opts → book_build().
 * Exit status: 0 book written, 1 failed, 2 usage error. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <libxml/parser.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"
#include "convert.h"
#include "datetime.h"
#include "fetch.h"
#include "log.h"
#include "util.h"

#ifndef POST2EPUB_VERSION
#define POST2EPUB_VERSION "0.0.0"
#endif

enum {
	OPT_TITLE = 256,
	OPT_AUTHOR,
	OPT_LANGUAGE,
	OPT_IDENTIFIER,
	OPT_ORDER,
	OPT_TIMEZONE,
	OPT_TEMPLATES,
	OPT_MAX_POST_SIZE,
	OPT_STRICT,
	OPT_COVER,
	OPT_MAX_IMAGE_SIZE,
	OPT_HEADER,
	OPT_CACHE_DIR,
	OPT_NO_CACHE,
	OPT_OFFLINE,
	OPT_REFRESH,
	OPT_TIMEOUT,
	OPT_TOC,
	OPT_CSS,
	OPT_PUBLISHER,
	OPT_SPLIT,
	OPT_MAX_BOOK_SIZE,
	OPT_MAX_IMAGE_DIM,
	OPT_JPEG_QUALITY,
	OPT_GRAYSCALE,
	OPT_KEEP_ANIMATION,
};

static const struct option longopts[] = {
	{"output", required_argument, NULL, 'o'},
	{"title", required_argument, NULL, OPT_TITLE},
	{"author", required_argument, NULL, OPT_AUTHOR},
	{"language", required_argument, NULL, OPT_LANGUAGE},
	{"identifier", required_argument, NULL, OPT_IDENTIFIER},
	{"order", required_argument, NULL, OPT_ORDER},
	{"timezone", required_argument, NULL, OPT_TIMEZONE},
	{"templates", required_argument, NULL, OPT_TEMPLATES},
	{"max-post-size", required_argument, NULL, OPT_MAX_POST_SIZE},
	{"strict", no_argument, NULL, OPT_STRICT},
	{"cover", required_argument, NULL, OPT_COVER},
	{"jobs", required_argument, NULL, 'j'},
	{"max-image-size", required_argument, NULL, OPT_MAX_IMAGE_SIZE},
	{"header", required_argument, NULL, OPT_HEADER},
	{"cache-dir", required_argument, NULL, OPT_CACHE_DIR},
	{"no-cache", no_argument, NULL, OPT_NO_CACHE},
	{"offline", no_argument, NULL, OPT_OFFLINE},
	{"refresh", no_argument, NULL, OPT_REFRESH},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"toc", required_argument, NULL, OPT_TOC},
	{"css", required_argument, NULL, OPT_CSS},
	{"publisher", required_argument, NULL, OPT_PUBLISHER},
	{"split", required_argument, NULL, OPT_SPLIT},
	{"max-book-size", required_argument, NULL, OPT_MAX_BOOK_SIZE},
	{"max-image-dim", required_argument, NULL, OPT_MAX_IMAGE_DIM},
	{"jpeg-quality", required_argument, NULL, OPT_JPEG_QUALITY},
	{"grayscale", no_argument, NULL, OPT_GRAYSCALE},
	{"keep-animation", no_argument, NULL, OPT_KEEP_ANIMATION},
	{"quiet", no_argument, NULL, 'q'},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static void
usage(FILE *f)
{
	fputs("Usage: post2epub [OPTIONS] DIR -o FILE\n"
	      "Turn a folder of blog posts (Markdown or HTML with YAML front matter)\n"
	      "into an EPUB 3 book. DIR may also be a Hexo or Jekyll site root.\n"
	      "\n"
	      "  -o, --output FILE      the book to write (replaced only when complete)\n"
	      "      --title TEXT       book title (default: the folder's name)\n"
	      "      --author TEXT      book author (default: the most frequent post author)\n"
	      "      --language TAG     book language, BCP 47 (default: the posts' majority)\n"
	      "      --identifier ID    dc:identifier (default: a UUID derived from the posts)\n"
	      "      --publisher TEXT   dc:publisher\n"
	      "      --order oldest|newest  reading order by date (default: oldest first)\n"
	      "      --toc auto|flat|year|month|category  how the contents are grouped\n"
	      "                         (default auto: flat up to 50 posts, then by year,\n"
	      "                         by year and month past 300)\n"
	      "      --css FILE         a stylesheet applied after the built-in one\n"
	      "      --split year|month|N|SIZE  write volumes: FILE-2019.epub, FILE-2019-09.epub,\n"
	      "                         or FILE-01.epub… of N posts or about SIZE (50M) each\n"
	      "      --max-book-size SIZE  warn when a book is larger than SIZE\n"
	      "\n"
	      "Pictures are made fit for e-readers: WebP and AVIF converted to JPEG or PNG,\n"
	      "large ones scaled down, EXIF rotation applied; small JPEG/PNG/GIF kept as is.\n"
	      "      --max-image-dim PX longest side of a picture (default 1600; 0 keeps sizes)\n"
	      "      --jpeg-quality Q   quality of converted JPEGs, 1-100 (default 80)\n"
	      "      --grayscale        pictures in shades of grey, for e-ink\n"
	      "      --keep-animation   keep animated GIFs (default: their first frame)\n"
	      "      --timezone ZONE    zone for dates written without one: UTC, +08:00, -0500\n"
	      "                         (default: UTC)\n"
	      "      --templates DIR    use chapter.xhtml, title.xhtml, cover.xhtml, style.css\n"
	      "                         from DIR instead of the built-in ones\n"
	      "      --max-post-size SIZE  skip post files larger than SIZE (default 16M)\n"
	      "      --cover FILE|URL|none  the cover image (default: the newest post's picture)\n"
	      "\n"
	      "Images named by URL are downloaded into a cache:\n"
	      "  -j, --jobs N           concurrent downloads (default 8, at most 64)\n"
	      "      --max-image-size SIZE  refuse larger images (default 20M)\n"
	      "      --timeout SECONDS  give up on one image after this long (default 60)\n"
	      "      --header 'NAME: VALUE'  send this request header (repeatable)\n"
	      "      --cache-dir DIR    the download cache (default $XDG_CACHE_HOME/post2epub)\n"
	      "      --no-cache         download everything again and keep nothing\n"
	      "      --refresh          ask the server whether cached images changed\n"
	      "      --offline          use the cache only; no network\n"
	      "\n"
	      "      --strict           fail, writing nothing, when there is any warning\n"
	      "  -q, --quiet            print errors only\n"
	      "  -v, --verbose          print progress notes\n"
	      "  -h, --help             show this help and exit\n"
	      "  -V, --version          show the version and exit\n"
	      "\n"
	      "Exit status: 0 book written, 1 failed, 2 usage error.\n"
	      "SOURCE_DATE_EPOCH, when set, fixes the book's modification time.\n",
	      f);
}

static int
bad_usage(const char *fmt, const char *arg)
{
	fputs("post2epub: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'post2epub --help' for more information.\n", stderr);
	return 2;
}

/* "16M", "512k", "1000000": bytes. Returns 0 or -1. */
static int
parse_size(const char *s, size_t *out)
{
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *s == '-')
		return -1;
	unsigned long long mul = 1;
	if (*end == 'k' || *end == 'K')
		mul = 1024ULL, end++;
	else if (*end == 'm' || *end == 'M')
		mul = 1024ULL * 1024, end++;
	else if (*end == 'g' || *end == 'G')
		mul = 1024ULL * 1024 * 1024, end++;
	if (*end == 'i' || *end == 'B' || *end == 'b')
		end += (*end == 'i' && (end[1] == 'B' || end[1] == 'b')) ? 2 : 1;
	if (*end != '\0' || v == 0 || v > SIZE_MAX / mul)
		return -1;
	*out = (size_t)(v * mul);
	return 0;
}

/* The one piece of global state: a signal handler can reach nothing else.
 * book_build and the fetcher see it through the pointers in their options. */
static volatile sig_atomic_t stop_signal;

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static int
parse_toc(const char *s, enum toc_mode *out)
{
	static const struct {
		const char *name;
		enum toc_mode mode;
	} modes[] = {{"auto", TOC_AUTO},   {"flat", TOC_FLAT},         {"year", TOC_YEAR},
		     {"month", TOC_MONTH}, {"category", TOC_CATEGORY}};
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		if (strcmp(s, modes[i].name) == 0) {
			*out = modes[i].mode;
			return 0;
		}
	}
	return -1;
}

/* --split year|month|N|SIZE: a plain number is a count of posts, a number
 * with a unit (k, M, G) a size. */
static int
parse_split(const char *s, struct book_opts *o)
{
	size_t n;
	if (strcmp(s, "year") == 0) {
		o->split = SPLIT_YEAR;
		return 0;
	}
	if (strcmp(s, "month") == 0) {
		o->split = SPLIT_MONTH;
		return 0;
	}
	if (*s == '\0' || parse_size(s, &n) != 0)
		return -1;
	if (s[strspn(s, "0123456789")] == '\0') {
		o->split = SPLIT_COUNT;
		o->split_count = n;
	} else {
		if (n < 64 * 1024)
			return -1; /* a volume needs room for more than its package */
		o->split = SPLIT_SIZE;
		o->split_size = n;
	}
	return 0;
}

/* A number in [min, max]. Returns 0 or -1. */
static int
parse_long(const char *s, long min, long max, long *out)
{
	char *end = NULL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "Name: value": a token name, a colon, no line breaks. */
static bool
header_ok(const char *h)
{
	size_t n = strcspn(h, ":");
	if (n == 0 || h[n] != ':' || strpbrk(h, "\r\n") != NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		if (h[i] <= ' ' || h[i] >= 127)
			return false;
	return true;
}

int
main(int argc, char **argv)
{
	struct book_opts o = {.max_post_size = 16u * 1024 * 1024};
	enum log_level level = LOG_NORMAL;
	const char **headers = NULL;
	size_t nheaders = 0;
	char *cache_dir = NULL;
	bool no_cache = false;
	int ch, rc = 2;
	long num;

#ifdef __GLIBC__
	/* For builds on glibc's malloc (MALLOC=, the sanitizer and valgrind
	 * builds; the release build uses mimalloc and ignores this): every
	 * chapter allocates and frees a few hundred KiB (parse trees), and by
	 * default glibc hands that back to the kernel each time and takes the
	 * page faults again. 16 MiB of slack at the top of each heap halved the
	 * page faults and saved a sixth of the CPU time of a 2,000-post build
	 * (perf stat, make bench corpus). */
	mallopt(M_TOP_PAD, 16 * 1024 * 1024);
#endif
	/* libzip turns every entry's time into a time_t and back with mktime()
	 * and localtime_r() (epubzip.c); with TZ unset, glibc stats
	 * /etc/localtime again on each call: five times an entry. Naming the
	 * same file in TZ lets it be read once. The book's bytes do not depend
	 * on the zone (tested under TZ=Asia/Shanghai). */
	if (getenv("TZ") == NULL)
		setenv("TZ", ":/etc/localtime", 0);
	/* libvips would load all its modules (ImageMagick, poppler…) from
	 * $VIPSHOME/lib when it starts; convert.c loads the one it needs. A
	 * VIPSHOME the user set is theirs. */
	if (getenv("VIPSHOME") == NULL)
		setenv("VIPSHOME", "/nonexistent/post2epub-no-vips-modules", 0);
	fetch_opts_default(&o.fetch);
	convert_opts_init(&o.convert);
	o.fetch.user_agent = "post2epub/" POST2EPUB_VERSION;

	while ((ch = getopt_long(argc, argv, "o:j:qvhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			o.output = optarg;
			break;
		case OPT_TITLE:
			o.title = optarg;
			break;
		case OPT_AUTHOR:
			o.author = optarg;
			break;
		case OPT_LANGUAGE:
			o.language = optarg;
			break;
		case OPT_IDENTIFIER:
			if (*optarg == '\0')
				{
				rc = bad_usage("--identifier must not be empty%s", "");
				goto out;
			}
			o.identifier = optarg;
			break;
		case OPT_ORDER:
			if (strcmp(optarg, "oldest") == 0)
				o.newest_first = false;
			else if (strcmp(optarg, "newest") == 0)
				o.newest_first = true;
			else
				{
				rc = bad_usage("--order takes 'oldest' or 'newest', not '%s'", optarg);
				goto out;
			}
			break;
		case OPT_TIMEZONE:
			if (dt_parse_zone(optarg, &o.tzoff) != 0)
				{
				rc = bad_usage("--timezone: '%s' is not a zone such as UTC or +08:00",
						 optarg);
				goto out;
			}
			break;
		case OPT_TEMPLATES:
			o.templates = optarg;
			break;
		case OPT_MAX_POST_SIZE:
			if (parse_size(optarg, &o.max_post_size) != 0)
				{
				rc = bad_usage("--max-post-size: '%s' is not a size such as 16M",
						 optarg);
				goto out;
			}
			break;
		case OPT_STRICT:
			o.strict = true;
			break;
		case OPT_COVER:
			o.cover = optarg;
			break;
		case OPT_TOC:
			if (parse_toc(optarg, &o.toc) != 0) {
				rc = bad_usage("--toc takes auto, flat, year, month or category, not '%s'",
					       optarg);
				goto out;
			}
			break;
		case OPT_CSS:
			o.css = optarg;
			break;
		case OPT_PUBLISHER:
			o.publisher = optarg;
			break;
		case OPT_MAX_IMAGE_DIM:
			if (parse_long(optarg, 0, 20000, &num) != 0) {
				rc = bad_usage("--max-image-dim takes pixels from 0 to 20000, not '%s'",
					       optarg);
				goto out;
			}
			o.convert.max_dim = (int)num;
			break;
		case OPT_JPEG_QUALITY:
			if (parse_long(optarg, 1, 100, &num) != 0) {
				rc = bad_usage("--jpeg-quality takes 1 to 100, not '%s'", optarg);
				goto out;
			}
			o.convert.jpeg_quality = (int)num;
			break;
		case OPT_GRAYSCALE:
			o.convert.grayscale = true;
			break;
		case OPT_KEEP_ANIMATION:
			o.convert.keep_animation = true;
			break;
		case OPT_SPLIT:
			if (parse_split(optarg, &o) != 0) {
				rc = bad_usage("--split takes year, month, a number of posts or a size "
					       "such as 50M, not '%s'",
					       optarg);
				goto out;
			}
			break;
		case OPT_MAX_BOOK_SIZE: {
			size_t sz;
			if (parse_size(optarg, &sz) != 0) {
				rc = bad_usage("--max-book-size: '%s' is not a size such as 50M", optarg);
				goto out;
			}
			o.max_book_size = sz;
			break;
		}
		case 'j':
			if (parse_long(optarg, 1, 64, &num) != 0) {
				rc = bad_usage("--jobs takes a number from 1 to 64, not '%s'", optarg);
				goto out;
			}
			o.fetch.jobs = (unsigned)num;
			break;
		case OPT_MAX_IMAGE_SIZE:
			if (parse_size(optarg, &o.fetch.max_size) != 0) {
				rc = bad_usage("--max-image-size: '%s' is not a size such as 20M", optarg);
				goto out;
			}
			break;
		case OPT_TIMEOUT:
			if (parse_long(optarg, 1, 3600, &num) != 0) {
				rc = bad_usage("--timeout takes seconds from 1 to 3600, not '%s'", optarg);
				goto out;
			}
			o.fetch.timeout_ms = num * 1000;
			if (o.fetch.connect_timeout_ms > o.fetch.timeout_ms)
				o.fetch.connect_timeout_ms = o.fetch.timeout_ms;
			break;
		case OPT_HEADER:
			if (!header_ok(optarg)) {
				rc = bad_usage("--header takes 'Name: value', not '%s'", optarg);
				goto out;
			}
			headers = xrealloc(headers, (nheaders + 1) * sizeof *headers);
			headers[nheaders++] = optarg;
			break;
		case OPT_CACHE_DIR:
			free(cache_dir);
			cache_dir = xstrdup(optarg);
			break;
		case OPT_NO_CACHE:
			no_cache = true;
			break;
		case OPT_OFFLINE:
			o.fetch.offline = true;
			break;
		case OPT_REFRESH:
			o.fetch.refresh = true;
			break;
		case 'q':
			level = LOG_QUIET;
			break;
		case 'v':
			level = LOG_VERBOSE;
			break;
		case 'h':
			usage(stdout);
			rc = 0;
			goto out;
		case 'V':
			printf("post2epub %s\n", POST2EPUB_VERSION);
			rc = 0;
			goto out;
		default:
			fputs("Try 'post2epub --help' for more information.\n", stderr);
			goto out;
		}
	}
	if (optind >= argc)
		{
				rc = bad_usage("no folder of posts given%s", "");
				goto out;
			}
	if (optind + 1 < argc)
		{
				rc = bad_usage("one folder only; unexpected '%s'", argv[optind + 1]);
				goto out;
			}
	o.input = argv[optind];
	if (o.output == NULL)
		{
				rc = bad_usage("no output file given (-o FILE)%s", "");
				goto out;
			}
	if (o.language != NULL) {
		/* Checked again by book.c; fail early with a usage error. */
		const char *s = o.language;
		size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");
		if (n != strlen(s) || n < 2)
			{
				rc = bad_usage("--language: '%s' is not a language tag such as en or zh-Hans",
					 s);
				goto out;
			}
	}
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde != NULL && *sde != '\0') {
		char *end = NULL;
		errno = 0;
		long long v = strtoll(sde, &end, 10);
		if (errno != 0 || *end != '\0' || v < 0 || v > 253402300799LL) {
			fprintf(stderr, "post2epub: SOURCE_DATE_EPOCH='%s' is not a time in seconds\n",
				sde);
			goto out;
		}
		o.has_epoch = true;
		o.epoch = v;
	}

	if (!no_cache) {
		if (cache_dir == NULL)
			cache_dir = fetch_default_cache_dir();
		o.fetch.cache_dir = cache_dir;
	} else if (o.fetch.offline) {
		rc = bad_usage("--offline needs the cache; it cannot go with --no-cache%s", "");
		goto out;
	}
	/* One host usually serves a whole archive's pictures: --jobs is the cap
	 * per host too. */
	o.fetch.per_host = o.fetch.jobs;
	o.fetch.headers = headers;
	o.fetch.nheaders = nheaders;
	o.fetch.progress = true;

	/* SIGINT, SIGTERM, SIGHUP: the pipeline stops at its next step and
	 * cleans up (partial downloads, the temporary book); then the signal
	 * is raised again so the caller sees how we ended. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	o.stop = &stop_signal;
	o.fetch.stop = &stop_signal;

	xmlInitParser();
	struct log *lg = log_new(stderr, level);
	if (convert_init(argv[0]) != 0) {
		log_error(lg, NULL, 0, "cannot start libvips (image conversion)");
		log_free(lg);
		rc = 1;
		goto out;
	}
	rc = book_build(&o, lg) == 0 ? 0 : 1;
	convert_shutdown();
	if (stop_signal != 0)
		log_error(lg, NULL, 0, "interrupted; nothing was written");
	log_free(lg);
	xmlCleanupParser();
out:
	free(headers);
	free(cache_dir);
	if (stop_signal != 0) {
		signal(stop_signal, SIG_DFL);
		raise(stop_signal);
	}
	return rc;
}
