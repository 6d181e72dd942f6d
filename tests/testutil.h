/* testutil.h — shared by the cmocka unit tests. */
#ifndef POST2EPUB_TESTUTIL_H
#define POST2EPUB_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

/* A logger whose output lands in memory: read it with tlog_text(). */
struct tlog {
	char *text;
	size_t len;
	FILE *f;
	struct log *lg;
};

static inline void
tlog_open(struct tlog *t, enum log_level level)
{
	memset(t, 0, sizeof *t);
	t->f = open_memstream(&t->text, &t->len);
	t->lg = log_new(t->f, level);
}

static inline const char *
tlog_text(struct tlog *t)
{
	fflush(t->f);
	return t->text ? t->text : "";
}

static inline void
tlog_close(struct tlog *t)
{
	log_free(t->lg);
	fclose(t->f);
	free(t->text);
	memset(t, 0, sizeof *t);
}

#define assert_contains(hay, needle)                                                       \
	do {                                                                               \
		const char *h_ = (hay), *n_ = (needle);                                    \
		if (strstr(h_, n_) == NULL)                                                \
			fail_msg("expected to find \"%s\" in \"%s\"", n_, h_);             \
	} while (0)
#define assert_not_contains(hay, needle)                                                   \
	do {                                                                               \
		const char *h_ = (hay), *n_ = (needle);                                    \
		if (strstr(h_, n_) != NULL)                                                \
			fail_msg("did not expect \"%s\" in \"%s\"", n_, h_);               \
	} while (0)

#endif
