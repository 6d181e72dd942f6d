/* post.h — one post as it travels down the pipeline.
 *
 * collect.c creates it (paths, raw bytes); frontmatter.c fills the metadata
 * fields and the body; book.c resolves the date. Every char * here is owned by
 * the post and released by post_free().
 */
#ifndef POST2EPUB_POST_H
#define POST2EPUB_POST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum post_format {
	POST_HTML,
	POST_MARKDOWN,
};

struct strlist {
	char **v;
	size_t n;
	size_t cap;
};

void strlist_add(struct strlist *l, const char *s);
/* Adds s, which the list takes over; returns it. */
char *strlist_take(struct strlist *l, char *s);
/* Adds s unless an equal string is already present. */
void strlist_add_unique(struct strlist *l, const char *s);
void strlist_free(struct strlist *l);

struct post {
	char *path;    /* path to open the file with */
	char *relpath; /* relative to the input folder: messages, ordering */
	int64_t mtime; /* file modification time, seconds since the epoch */

	/* Front matter (NULL / empty when absent). */
	char *title;
	char *author;
	char *lang;
	char *date_raw;    /* the `date` scalar as written */
	unsigned long date_line;
	char *updated_raw; /* the `updated` scalar as written */
	char *thumbnail;   /* `thumbnail` */
	char *headimg;     /* `headimg` */
	char *cover;       /* `cover` */
	char *url;         /* `permalink`/`url`/`link`, when present */
	struct strlist categories; /* Hexo hierarchy flattened as "a / b" */
	struct strlist tags;

	/* Body (UTF-8, NUL-terminated). */
	char *body;
	size_t body_len;
	unsigned long body_line; /* 1-based line of the body's first byte */
	enum post_format format;

	uint64_t size;              /* bytes of text, once read */
	struct strlist remote;      /* its downloaded pictures (with --split SIZE) */

	/* Resolved by book.c. */
	int64_t date;   /* UTC seconds */
	int tzoff;      /* minutes east of UTC the date was written in */
	bool has_updated;
	int64_t updated;
};

void post_free(struct post *p);
/* Frees what p owns but not p itself (a post on the stack). */
void post_free_fields(struct post *p);

#endif
