/* main.c — the command line: options → struct book_opts → book_build().
 * Exit status: 0 book written, 1 failed, 2 usage error. */
#include <errno.h>
#include <getopt.h>
#include <libxml/parser.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"
#include "datetime.h"
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
	      "into an EPUB 3 book.\n"
	      "\n"
	      "  -o, --output FILE      the book to write (replaced only when complete)\n"
	      "      --title TEXT       book title (default: the folder's name)\n"
	      "      --author TEXT      book author (default: the most frequent post author)\n"
	      "      --language TAG     book language, BCP 47 (default: the posts' majority)\n"
	      "      --identifier ID    dc:identifier (default: a UUID derived from the posts)\n"
	      "      --order oldest|newest  reading order by date (default: oldest first)\n"
	      "      --timezone ZONE    zone for dates written without one: UTC, +08:00, -0500\n"
	      "                         (default: UTC)\n"
	      "      --templates DIR    use chapter.xhtml, title.xhtml, cover.xhtml, style.css\n"
	      "                         from DIR instead of the built-in ones\n"
	      "      --max-post-size SIZE  skip post files larger than SIZE (default 16M)\n"
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

int
main(int argc, char **argv)
{
	struct book_opts o = {.max_post_size = 16u * 1024 * 1024};
	enum log_level level = LOG_NORMAL;
	int ch;

	while ((ch = getopt_long(argc, argv, "o:qvhV", longopts, NULL)) != -1) {
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
				return bad_usage("--identifier must not be empty%s", "");
			o.identifier = optarg;
			break;
		case OPT_ORDER:
			if (strcmp(optarg, "oldest") == 0)
				o.newest_first = false;
			else if (strcmp(optarg, "newest") == 0)
				o.newest_first = true;
			else
				return bad_usage("--order takes 'oldest' or 'newest', not '%s'", optarg);
			break;
		case OPT_TIMEZONE:
			if (dt_parse_zone(optarg, &o.tzoff) != 0)
				return bad_usage("--timezone: '%s' is not a zone such as UTC or +08:00",
						 optarg);
			break;
		case OPT_TEMPLATES:
			o.templates = optarg;
			break;
		case OPT_MAX_POST_SIZE:
			if (parse_size(optarg, &o.max_post_size) != 0)
				return bad_usage("--max-post-size: '%s' is not a size such as 16M",
						 optarg);
			break;
		case OPT_STRICT:
			o.strict = true;
			break;
		case 'q':
			level = LOG_QUIET;
			break;
		case 'v':
			level = LOG_VERBOSE;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("post2epub %s\n", POST2EPUB_VERSION);
			return 0;
		default:
			fputs("Try 'post2epub --help' for more information.\n", stderr);
			return 2;
		}
	}
	if (optind >= argc)
		return bad_usage("no folder of posts given%s", "");
	if (optind + 1 < argc)
		return bad_usage("one folder only; unexpected '%s'", argv[optind + 1]);
	o.input = argv[optind];
	if (o.output == NULL)
		return bad_usage("no output file given (-o FILE)%s", "");
	if (o.language != NULL) {
		/* Checked again by book.c; fail early with a usage error. */
		const char *s = o.language;
		size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");
		if (n != strlen(s) || n < 2)
			return bad_usage("--language: '%s' is not a language tag such as en or zh-Hans",
					 s);
	}
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde != NULL && *sde != '\0') {
		char *end = NULL;
		errno = 0;
		long long v = strtoll(sde, &end, 10);
		if (errno != 0 || *end != '\0' || v < 0 || v > 253402300799LL) {
			fprintf(stderr, "post2epub: SOURCE_DATE_EPOCH='%s' is not a time in seconds\n",
				sde);
			return 2;
		}
		o.has_epoch = true;
		o.epoch = v;
	}

	xmlInitParser();
	struct log *lg = log_new(stderr, level);
	int rc = book_build(&o, lg);
	log_free(lg);
	xmlCleanupParser();
	return rc == 0 ? 0 : 1;
}
