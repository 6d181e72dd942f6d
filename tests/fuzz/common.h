/* common.h — what the fuzz harnesses share: the libFuzzer entry point's
 * prototype, the built-in templates, and the checks every chapter must pass.
 *
 * Every check abort()s on failure so that libFuzzer (and the replay driver
 * in make check) reports the input.
 */
#ifndef POST2EPUB_FUZZ_COMMON_H
#define POST2EPUB_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The href the harness image callback answers with. */
#define FZ_IMAGE_HREF "../images/x.png"

/* Option bits shared by the harnesses that render chapters. */
enum {
	FZ_IMG_NONE = 0,   /* no image callback: every image dropped */
	FZ_IMG_ALL = 1,    /* callback answers FZ_IMAGE_HREF */
	FZ_IMG_REFUSE = 2, /* callback answers NULL */
	FZ_IMG_SOME = 3,   /* FZ_IMAGE_HREF for sources of even length */
};

/* What goes into a chapter besides its body. */
struct fz_page {
	const char *title;  /* NULL: "Post" */
	const char *author; /* NULL: slot removed */
	const char *date;   /* NULL: "1970-01-01" */
	const char *terms;  /* NULL: slot removed */
	const char *file;   /* for messages */
	unsigned long line;
	bool exact_lines;
	int img_mode;       /* FZ_IMG_* */
};

/* The built-in templates, loaded on first use and kept (harness state, not
 * library state). */
const struct templates *fz_templates(void);

/* The post-to-chapter tail of book.c's render_post(): a fresh chapter from
 * the template, head and slots filled, xhtml_images() and xhtml_render() of
 * the len bytes at html (which need not be NUL-terminated) into the body,
 * tpl_finish(), tpl_save(), then fz_check_chapter() on the result. The images
 * xhtml_images() lists must be those xhtml_render() asks about, in order. */
void fz_render_chapter(const char *html, size_t len, const struct fz_page *pg);

/* Aborts unless xml is a well-formed, namespace-well-formed XHTML document
 * whose body holds nothing that could run or load: no script, iframe,
 * object, embed, form, applet, style, link, meta, base, svg, math, frame
 * elements; no on* or style attributes; href only http(s):, mailto: or
 * "#..."; src only on img and equal to FZ_IMAGE_HREF; every img has alt; no
 * link inside a link; ids unique. */
void fz_check_chapter(const char *xml, size_t len);

/* abort() with a message on stderr. */
void fz_fail(const char *what, const char *detail) __attribute__((noreturn));

#endif
