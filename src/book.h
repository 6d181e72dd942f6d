/* book.h — the pipeline driver: collect → front matter → order → render →
 * package → zip. main.c turns the command line into struct book_opts and
 * calls book_build(). */
#ifndef POST2EPUB_BOOK_H
#define POST2EPUB_BOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

struct book_opts {
	const char *input;      /* the folder of posts */
	const char *output;     /* the .epub to write */
	const char *title;      /* NULL: the folder's name */
	const char *author;     /* NULL: the most frequent post author */
	const char *language;   /* NULL: the posts' majority language */
	const char *identifier; /* NULL: a UUID derived from the content */
	const char *templates;  /* NULL: the built-in templates */
	bool newest_first;      /* --order newest */
	bool strict;            /* any warning fails the run */
	int tzoff;              /* minutes east of UTC for dates without a zone */
	bool has_epoch;         /* SOURCE_DATE_EPOCH given */
	int64_t epoch;          /* its value */
	size_t max_post_size;   /* bytes */
};

/* Builds the book. Returns 0 when a book was written, -1 when none was
 * (after reporting why through lg). */
int book_build(const struct book_opts *o, struct log *lg);

#endif
