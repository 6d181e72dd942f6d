/* book.h — the pipeline driver: collect → front matter → order → render →
 * package → zip. main.c turns the command line into struct book_opts and
 * calls book_build(). */
#ifndef POST2EPUB_BOOK_H
#define POST2EPUB_BOOK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "convert.h"
#include "fetch.h"
#include "log.h"

enum toc_mode {
	TOC_AUTO,     /* flat for up to 50 posts, else by year, or by year and
			 month past 300 posts or when all are in one year */
	TOC_FLAT,
	TOC_YEAR,     /* year → post */
	TOC_MONTH,    /* year → month → post */
	TOC_CATEGORY, /* first category → post; the reading order follows */
};

enum split_mode {
	SPLIT_NONE,
	SPLIT_YEAR,  /* archive-2019.epub, … */
	SPLIT_MONTH, /* archive-2019-09.epub, … */
	SPLIT_COUNT, /* archive-01.epub: split_count posts each */
	SPLIT_SIZE,  /* archive-01.epub: about split_size bytes each */
};

struct book_opts {
	const char *input;      /* the folder of posts */
	const char *output;     /* the .epub to write */
	const char *title;      /* NULL: the folder's name */
	const char *author;     /* NULL: the most frequent post author */
	const char *language;   /* NULL: the posts' majority language */
	const char *identifier; /* NULL: a UUID derived from the content */
	const char *publisher;  /* dc:publisher, or NULL */
	const char *templates;  /* NULL: the built-in templates */
	const char *css;        /* a stylesheet read after ours, or NULL */
	bool newest_first;      /* --order newest */
	enum toc_mode toc;
	bool strict;            /* any warning fails the run */
	int tzoff;              /* minutes east of UTC for dates without a zone */
	bool has_epoch;         /* SOURCE_DATE_EPOCH given */
	int64_t epoch;          /* its value */
	size_t max_post_size;   /* bytes */
	const char *cover;      /* --cover FILE|URL|none; NULL: the newest post's */
	enum split_mode split;  /* volumes, oldest first, each a complete book */
	size_t split_count;
	uint64_t split_size;
	uint64_t max_book_size; /* warn above this many bytes; 0: no limit */
	struct fetch_opts fetch; /* downloads (max_size also bounds local images) */
	struct convert_opts convert; /* pictures for e-readers (convert_init done) */
	const volatile sig_atomic_t *stop; /* non-zero: stop at the next step,
					     remove every temporary file and
					     write nothing (a signal came) */
};

/* Builds the book. Returns 0 when a book was written, -1 when none was
 * (after reporting why through lg). */
int book_build(const struct book_opts *o, struct log *lg);

#endif
