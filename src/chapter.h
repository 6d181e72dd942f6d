/* chapter.h — each post as an XHTML chapter, rendered on every core.
 *
 * A post's body is read again from its file (only its metadata stays in
 * memory between stages), rendered through the chapter template, cleaned
 * (xhtml.c), serialised and deflated on a worker thread. Results come back
 * to the calling thread in post order, with the messages the rendering
 * gave, so output and warnings are the same whatever the thread count.
 */
#ifndef POST2EPUB_CHAPTER_H
#define POST2EPUB_CHAPTER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "images.h"
#include "links.h"
#include "log.h"
#include "post.h"

struct chapter_env {
	const char *templates;  /* --templates DIR, or NULL (already checked) */
	struct images *images;  /* shared; thread-safe */
	const struct links *links; /* posts by URL and name, or NULL */
	bool user_css;          /* link ../user.css after ../style.css */
	size_t max_post_size;
	unsigned threads;       /* threads that render, >= 1 */
	const volatile sig_atomic_t *stop; /* stop early when set */
	/* Pictures to download first. A chapter showing a remote picture that
	 * is neither downloaded nor in the download cache is put off: defer()
	 * gets each such URL (on the calling thread, in post order), download()
	 * is called once every chapter was tried (non-zero: give up), then the
	 * chapters put off are rendered again. defer NULL: such pictures are
	 * left out, as failed downloads are. */
	void (*defer)(void *ctx, const char *url, const char *who, unsigned long line);
	int (*download)(void *ctx);
	void *defer_ctx;
};

/* One rendered chapter, deflated (raw deflate, level 6). */
struct chapter_out {
	int rc;                  /* 0, or -1: the post is left out (reported) */
	struct log *lg;          /* what rendering said (chapters_render passes
				    it on to its caller's log) */
	struct strlist deferred; /* remote pictures to download first: the
				    chapter is put off (rc 1) */
	unsigned long *deferred_lines;
	unsigned char *zdata;    /* the deflated XHTML (owned) */
	size_t zlen, ulen;
	uint32_t crc;            /* CRC-32 of the XHTML */
	const struct image *head; /* the picture at the chapter's head, or NULL */
	const struct image **used; /* every image the chapter shows (owned array) */
	size_t nused;
	char *title;             /* the title shown (owned) */
};

/* Renders posts[0 .. n) and calls done(ctx, i, out) once for each, on
 * this thread: in order, but for the chapters put off for their pictures
 * (see chapter_env), which come after the others. done takes what it wants
 * out of *out (setting pointers to NULL), the rest is freed. Messages reach
 * lg in post order all the same. A worker never runs more than a bounded
 * number of posts ahead, so memory does not grow with n (but for the
 * messages of chapters done while an earlier one waits). Returns 0, or -1
 * when stopped or when download() failed (reported). */
int chapters_render(const struct chapter_env *env, struct post *const *posts, size_t n,
		    enum log_level level, struct log *lg,
		    void (*done)(void *ctx, size_t i, struct chapter_out *out), void *ctx);

/* The title a post is shown with: its own, or its file name without
 * folders, extension or leading date. Caller frees. */
char *chapter_title(const struct post *p);

#endif
