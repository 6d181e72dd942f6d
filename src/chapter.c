/* chapter.c — see chapter.h. */
#include "chapter.h"

#include <errno.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "datetime.h"
#include "epubzip.h"
#include "lang.h"
#include "markdown.h"
#include "pmap.h"
#include "template.h"
#include "util.h"
#include "xhtml.h"

/* How many posts the workers may run ahead of the consumer. */
#define WINDOW 32

char *
chapter_title(const struct post *p)
{
	if (p->title != NULL && *p->title != '\0')
		return xstrdup(p->title);
	const char *base = strrchr(p->relpath, '/');
	base = base ? base + 1 : p->relpath;
	const char *dot = strrchr(base, '.');
	size_t n = dot && dot > base ? (size_t)(dot - base) : strlen(base);
	int64_t t;
	int off;
	if (n > 11 && dt_from_filename(base, 0, &t, &off) == 0 &&
	    (base[10] == '-' || base[10] == '_' || base[10] == ' ')) {
		base += 11;
		n -= 11;
	}
	return xstrndup(base, n);
}

/* Categories then tags, in the terms slot. */
static void
fill_terms(xmlDocPtr doc, const struct post *p)
{
	xmlNodePtr slot = tpl_slot(doc, "terms");
	if (slot == NULL)
		return;
	for (size_t i = 0; i < p->categories.n; i++) {
		if (i > 0)
			tpl_add_text(doc, slot, " · ");
		tpl_add_text(doc, tpl_add_elem(doc, slot, "span", "post-category"),
			     p->categories.v[i]);
	}
	for (size_t i = 0; i < p->tags.n; i++) {
		if (i > 0 || p->categories.n > 0)
			tpl_add_text(doc, slot, " ");
		char *t = xasprintf("#%s", p->tags.v[i]);
		tpl_add_text(doc, tpl_add_elem(doc, slot, "span", "post-tag"), t);
		free(t);
	}
}

/* Zhihu's link cards (<a data-draft-type="link-card">) are links to other
 * answers shown as a block: give them the stylesheet's class. */
static void
mark_link_cards(xmlNodePtr top)
{
	xmlNodePtr n = top->children;
	while (n != NULL && n != top) {
		if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "a") == 0) {
			xmlChar *t = xmlGetProp(n, BAD_CAST "data-draft-type");
			if (t != NULL && strcmp((const char *)t, "link-card") == 0)
				xmlSetProp(n, BAD_CAST "class", BAD_CAST "link-card");
			xmlFree(t);
		}
		if (n->type == XML_ELEMENT_NODE && n->children != NULL) {
			n = n->children;
			continue;
		}
		while (n != top && n->next == NULL)
			n = n->parent;
		if (n != top)
			n = n->next;
	}
}

struct img_ctx {
	const struct chapter_env *env;
	const struct post *p;
	struct log *lg;
	struct chapter_out *out;
	size_t cap, dcap;
	bool may_defer; /* pictures not at hand put the chapter off */
	bool deferred;  /* and one did: the chapter is made again later */
};

/* A remote picture to download before the chapter can be made. */
static void
defer_image(struct img_ctx *ic, const char *src, unsigned long line)
{
	char *url = NULL;
	images_ref_kind(src, &url);
	if (url == NULL)
		return;
	struct chapter_out *out = ic->out;
	out->deferred_lines =
		xgrow(out->deferred_lines, &ic->dcap, out->deferred.n + 1, sizeof *out->deferred_lines);
	out->deferred_lines[out->deferred.n] = line;
	strlist_take(&out->deferred, url);
	ic->deferred = true;
}

static const struct image *
resolve(struct img_ctx *ic, const char *src, unsigned long line)
{
	bool deferred = false;
	const struct image *im = images_resolve(ic->env->images, src, ic->p->path, ic->p->relpath,
						line, ic->lg, ic->may_defer ? &deferred : NULL);
	if (deferred)
		defer_image(ic, src, line);
	return im;
}

/* Notes an image the chapter shows: the book lists only those. */
static void
use_image(struct img_ctx *ic, const struct image *im)
{
	ic->out->used = xgrow(ic->out->used, &ic->cap, ic->out->nused + 1, sizeof *ic->out->used);
	ic->out->used[ic->out->nused++] = im;
}

/* xhtml_image_fn: images in a chapter live in ../images/. */
static char *
chapter_image(void *ctx, const char *src, unsigned long line)
{
	struct img_ctx *ic = ctx;
	const struct image *im = resolve(ic, src, line);
	if (im == NULL)
		return NULL;
	use_image(ic, im);
	return xasprintf("../%s", im->name);
}

/* A link to another post of the book becomes a link to its chapter. */
static char *
chapter_link(void *ctx, const char *href)
{
	const struct chapter_env *env = ctx;
	return links_resolve(env->links, href);
}

/* The first usable picture of cover, thumbnail, headimg. */
static const struct image *
head_image(struct img_ctx *ic)
{
	const struct post *p = ic->p;
	const char *cand[3] = {p->cover, p->thumbnail, p->headimg};
	for (size_t i = 0; i < 3; i++) {
		if (cand[i] == NULL || *cand[i] == '\0')
			continue;
		const struct image *im = resolve(ic, cand[i], 0);
		if (im != NULL)
			return im;
	}
	return NULL;
}

/* The body again, from the file: everything but the metadata was let go
 * after the posts were read. *text is the whole file (caller frees). */
static int
read_body(const struct chapter_env *env, const struct post *p, char **text, const char **body,
	  size_t *blen)
{
	size_t len = 0;
	/* Its warnings were given when the post was first read. */
	struct log *quiet = log_new(NULL, LOG_QUIET);
	int rc = collect_read(p, env->max_post_size, quiet, text, &len);
	log_free(quiet);
	if (rc != 0)
		return -1;
	size_t n = p->body_len <= len ? p->body_len : len; /* the file changed since */
	*body = *text + (len - n);
	*blen = n;
	return 0;
}

/* What each worker thread has of its own: libxml2 documents and
 * compressors are not shared. */
struct worker {
	struct templates *tpl;
	struct libdeflate_compressor *z;
};

/* One post → out. With may_defer, a picture still to download puts the
 * chapter off (out->rc 1, nothing made). */
static void
render_one(const struct chapter_env *env, struct worker *w, const struct post *p, bool may_defer,
	   struct chapter_out *out)
{
	struct templates *tpl = w->tpl;
	xmlDocPtr doc = NULL;
	char *text = NULL, *html = NULL, *date = NULL, *xml = NULL;
	const char *body = NULL;
	size_t blen = 0, hlen = 0, xlen = 0;
	struct log *lg = out->lg;

	out->rc = -1;
	out->title = chapter_title(p);
	if (read_body(env, p, &text, &body, &blen) != 0) {
		log_warn(lg, p->relpath, 0, "cannot read the post again: %s; skipped",
			 strerror(errno));
		goto out;
	}
	doc = tpl_instantiate(tpl, "chapter");
	tpl_set_head(doc, p->lang, out->title);
	tpl_set_text(doc, "title", out->title);

	date = lang_date(p->date, p->tzoff, p->lang);
	xmlNodePtr dn = tpl_slot(doc, "date");
	char iso[11];
	dt_format_date(p->date, p->tzoff, iso);
	if (dn != NULL && strcmp((const char *)dn->name, "time") == 0)
		xmlSetProp(dn, BAD_CAST "datetime", BAD_CAST iso);
	tpl_set_text(doc, "date", date);
	tpl_set_text(doc, "author", p->author);
	fill_terms(doc, p);

	struct img_ctx ic = {env, p, lg, out, 0, 0, may_defer, false};
	out->head = head_image(&ic);
	if (out->head != NULL)
		use_image(&ic, out->head);
	xmlNodePtr thumb = tpl_slot(doc, "thumbnail");
	if (thumb != NULL && out->head != NULL) {
		char *src = xasprintf("../%s", out->head->name);
		xmlNodePtr img = tpl_add_elem(doc, thumb, "img", NULL);
		xmlSetProp(img, BAD_CAST "src", BAD_CAST src);
		xmlSetProp(img, BAD_CAST "alt", BAD_CAST "");
		free(src);
	}

	if (p->format == POST_MARKDOWN) {
		if (md_render(body, blen, &html, &hlen) != 0) {
			log_warn(lg, p->relpath, p->body_line, "cannot render Markdown; skipped");
			goto out;
		}
		body = html;
		blen = hlen;
	}
	struct xhtml_opts xo = {
		.file = p->relpath,
		.line = p->body_line,
		.exact_lines = p->format == POST_HTML,
		/* collect_read checked the file; md4c's output is checked. */
		.clean_utf8 = p->format == POST_HTML,
		.lg = lg,
		.image = chapter_image,
		.image_ctx = &ic,
		.link = env->links != NULL ? chapter_link : NULL,
		.link_ctx = (void *)(uintptr_t)env,
		.give_up = &ic.deferred,
	};
	xmlNodePtr slot = tpl_slot(doc, "body");
	int xr = xhtml_render(body, blen, &xo, slot);
	if (ic.deferred) { /* put off: nothing more to do now */
		out->rc = 1;
		goto out;
	}
	if (xr != 0)
		goto out;
	mark_link_cards(slot);
	tpl_add_body_class(doc, lang_is_cjk(p->lang) ? "cjk" : "latin");
	if (env->user_css)
		tpl_add_stylesheet(doc, "../user.css");
	tpl_finish(doc);
	if (tpl_save(doc, &xml, &xlen) != 0) {
		log_warn(lg, p->relpath, 0, "cannot write the chapter; skipped");
		goto out;
	}
	out->zdata = epubzip_deflate(w->z, xml, xlen, &out->zlen, &out->crc);
	out->ulen = xlen;
	out->rc = 0;
out:
	xmlFreeDoc(doc);
	free(text);
	free(html);
	free(date);
	free(xml);
}

/* ------------------------------------------------------------------ pool */

struct run {
	const struct chapter_env *env;
	struct post *const *posts;
	size_t n;
	enum log_level level;
	void (*done)(void *ctx, size_t i, struct chapter_out *out);
	void *ctx;
	struct log *lg;
	const size_t *index; /* the second pass: the posts put off */
	size_t *put_off;     /* the first pass: posts waiting for pictures */
	size_t nput_off, cap_put_off;
	/* Once a chapter is put off, the messages of the later ones wait for
	 * it here (by post), so that lg hears them in post order. */
	struct log **held;
	size_t first_held;
};

static void
tls_free(void *tls)
{
	struct worker *w = tls;
	if (w == NULL)
		return;
	tpl_free(w->tpl);
	epubzip_compressor_free(w->z);
	free(w);
}

/* NULL when the templates cannot be loaded (each post then says so). */
static void *
tls_new(void *ctx)
{
	struct run *r = ctx;
	struct log *quiet = log_new(NULL, LOG_QUIET);
	struct worker *w = xcalloc(1, sizeof *w);
	w->tpl = tpl_new(r->env->templates, quiet);
	w->z = epubzip_compressor();
	log_free(quiet);
	if (w->tpl == NULL) {
		tls_free(w);
		return NULL;
	}
	return w;
}

static size_t
post_index(const struct run *r, size_t k)
{
	return r->index != NULL ? r->index[k] : k;
}

static void
work(void *ctx, void *tls, size_t k, void *slot)
{
	struct run *r = ctx;
	struct chapter_out *out = slot;
	size_t i = post_index(r, k);
	out->rc = -1;
	out->lg = log_new_buffer(r->level);
	bool may_defer = r->index == NULL && r->env->defer != NULL;
	if (tls != NULL)
		render_one(r->env, tls, r->posts[i], may_defer, out);
	else
		log_error(out->lg, r->posts[i]->relpath, 0, "cannot load the templates");
}

static void
out_free(struct chapter_out *out)
{
	log_free(out->lg);
	free(out->zdata);
	free(out->used);
	free(out->title);
	strlist_free(&out->deferred);
	free(out->deferred_lines);
}

static void
consume(void *ctx, size_t k, void *slot)
{
	struct run *r = ctx;
	struct chapter_out *out = slot;
	size_t i = post_index(r, k);
	const struct post *p = r->posts[i];

	if (out->rc == 1) {
		/* Put off: what it said is said again when it is made. */
		for (size_t j = 0; j < out->deferred.n; j++)
			r->env->defer(r->env->defer_ctx, out->deferred.v[j], p->relpath,
				      out->deferred_lines[j]);
		r->put_off = xgrow(r->put_off, &r->cap_put_off, r->nput_off + 1,
				   sizeof *r->put_off);
		r->put_off[r->nput_off++] = i;
		if (r->held == NULL) {
			r->held = xcalloc(r->n, sizeof *r->held);
			r->first_held = i;
		}
	} else {
		if (r->held != NULL) {
			r->held[i] = out->lg;
			out->lg = NULL;
		} else {
			log_flush_into(out->lg, r->lg);
		}
		r->done(r->ctx, i, out);
	}
	out_free(out);
}

static int
pass(struct run *r, size_t n)
{
	struct pmap m = {
		.n = n,
		.threads = r->env->threads,
		.window = WINDOW,
		.slot_size = sizeof(struct chapter_out),
		.ctx = r,
		.work = work,
		.consume = consume,
		.tls_new = tls_new,
		.tls_free = tls_free,
		.stop = r->env->stop,
	};
	return pmap_run(&m);
}

int
chapters_render(const struct chapter_env *env, struct post *const *posts, size_t n,
		enum log_level level, struct log *lg,
		void (*done)(void *ctx, size_t i, struct chapter_out *out), void *ctx)
{
	struct run r = {.env = env, .posts = posts, .n = n, .level = level, .done = done,
			.ctx = ctx, .lg = lg};
	int rc = pass(&r, n);
	if (rc == 0 && r.nput_off > 0) {
		rc = env->download(env->defer_ctx);
		if (rc == 0) {
			r.index = r.put_off;
			rc = pass(&r, r.nput_off);
		}
	}
	for (size_t i = r.held != NULL ? r.first_held : n; i < n; i++) {
		if (r.held[i] != NULL)
			log_flush_into(r.held[i], lg);
		log_free(r.held[i]);
	}
	free(r.held);
	free(r.put_off);
	return rc;
}
