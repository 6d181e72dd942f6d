/* book.c — see book.h. The pipeline driver and the book model. */
#include "book.h"

#include <errno.h>
#include <libxml/hash.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chapter.h"
#include "collect.h"
#include "datetime.h"
#include "epubzip.h"
#include "fetch.h"
#include "frontmatter.h"
#include "images.h"
#include "lang.h"
#include "markdown.h"
#include "media.h"
#include "package.h"
#include "pmap.h"
#include "post.h"
#include "site.h"
#include "template.h"
#include "util.h"
#include "verify.h"
#include "xhtml.h"

/* A rendered page waiting to be zipped: a front page in memory, or a
 * chapter deflated into the spool file. */
struct page {
	char *name; /* inside EPUB/: "text/p00001.xhtml" */
	char id[32];
	char *title;
	char *data; /* front pages */
	size_t len;
	uint64_t zoff, zlen, ulen; /* chapters: where in the spool, sizes */
	uint32_t crc;
	const struct image *head; /* the picture at the head of a chapter */
	const struct post *post;  /* the chapter's post; NULL for front pages */
};

/* A picture a chapter waits for. */
struct wanted {
	char *url;
	const char *who; /* the post's relpath (borrowed) */
	unsigned long line;
};

/* Everything one run owns; freed in one place (ctx_free). */
struct ctx {
	const struct book_opts *o;
	struct log *lg;
	char *root; /* realpath of the folder of posts */
	struct site site; /* when the input is a Hexo or Jekyll site root */
	struct templates *tpl;
	struct post_list posts;
	struct images *images;
	struct fetcher *fetch; /* NULL until a post names a remote image */
	struct page *pages;
	size_t npages, cappages;
	enum toc_mode toc; /* resolved: never TOC_AUTO */
	char *user_css;    /* --css contents, or NULL */
	size_t user_css_len;
	/* The volume being built (the whole book without --split). */
	struct post **vol; /* borrowed from posts, in reading order */
	size_t nvol;
	const struct image **vimg; /* the images its chapters show */
	size_t nvimg, capvimg;
	xmlHashTablePtr vimg_seen;
	int spool;         /* an unlinked temporary file of deflated chapters */
	uint64_t spool_len;
	struct page *chap; /* the chapters, by post, as they come (name NULL:
			      none could be made; reported) */
	size_t nchap;
	bool load_failed;  /* the download cache could not be set up */
	/* Pictures the chapters wait for (chapter_env.defer), in post order. */
	struct wanted *wanted;
	size_t nwanted, capwanted;
};

/* Seconds on a monotonic clock, for --verbose timings. */
static double
seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A signal asked us to stop (main.c sets the flag). */
static bool
stopped(const struct ctx *c)
{
	return c->o->stop != NULL && *c->o->stop;
}

static void
wanted_clear(struct ctx *c)
{
	for (size_t i = 0; i < c->nwanted; i++)
		free(c->wanted[i].url);
	c->nwanted = 0;
}

/* Forgets what one volume built. */
static void
volume_reset(struct ctx *c)
{
	for (size_t i = 0; i < c->npages; i++) {
		free(c->pages[i].name);
		free(c->pages[i].title);
		free(c->pages[i].data);
	}
	c->npages = 0;
	free(c->vol);
	c->vol = NULL;
	c->nvol = 0;
	free(c->vimg);
	c->vimg = NULL;
	c->nvimg = c->capvimg = 0;
	xmlHashFree(c->vimg_seen, NULL);
	c->vimg_seen = NULL;
	for (size_t i = 0; c->chap != NULL && i < c->nchap; i++) {
		free(c->chap[i].name);
		free(c->chap[i].title);
	}
	free(c->chap);
	c->chap = NULL;
	c->nchap = 0;
	wanted_clear(c);
	if (c->spool >= 0)
		close(c->spool);
	c->spool = -1;
	c->spool_len = 0;
}

static void
ctx_free(struct ctx *c)
{
	post_list_free(&c->posts);
	images_free(c->images);
	fetch_free(c->fetch);
	volume_reset(c);
	free(c->pages);
	tpl_free(c->tpl);
	free(c->user_css);
	site_free(&c->site);
	free(c->wanted);
	free(c->root);
}

/* ------------------------------------------------------------------ dates */

/* The date of a post: front matter, then the file name, then the file time. */
static void
resolve_date(int tzoff, struct post *p, struct log *lg)
{
	int64_t t;
	int off;
	if (p->date_raw != NULL) {
		if (dt_parse(p->date_raw, tzoff, &t, &off) == 0) {
			p->date = t;
			p->tzoff = off;
			goto updated;
		}
		if (dt_from_filename(p->relpath, tzoff, &t, &off) == 0) {
			log_warn(lg, p->relpath, p->date_line,
				 "unrecognised date '%s'; using the date in the file name",
				 p->date_raw);
			p->date = t;
			p->tzoff = off;
			goto updated;
		}
		log_warn(lg, p->relpath, p->date_line,
			 "unrecognised date '%s'; using the file's modification time", p->date_raw);
	} else if (dt_from_filename(p->relpath, tzoff, &t, &off) == 0) {
		p->date = t;
		p->tzoff = off;
		goto updated;
	} else {
		log_warn(lg, p->relpath, 0, "no date; using the file's modification time");
	}
	p->date = p->mtime;
	p->tzoff = tzoff;
updated:
	if (p->updated_raw != NULL && dt_parse(p->updated_raw, tzoff, &t, &off) == 0) {
		p->has_updated = true;
		p->updated = t;
	}
}

/* ---------------------------------------------------------------- pages */

static struct page *
add_page(struct ctx *c, char *name, const char *id, const char *title, char *data, size_t len)
{
	c->pages = xgrow(c->pages, &c->cappages, c->npages + 1, sizeof *c->pages);
	struct page *pg = &c->pages[c->npages++];
	memset(pg, 0, sizeof *pg);
	pg->name = name;
	snprintf(pg->id, sizeof pg->id, "%s", id);
	pg->title = xstrdup(title);
	pg->data = data;
	pg->len = len;
	return pg;
}

/* An anonymous temporary file (unlinked at once: nothing is left behind,
 * whatever happens to the process) that collects the deflated chapters. */
static int
spool_open(struct ctx *c)
{
	const char *t = getenv("TMPDIR");
	char *path = xasprintf("%s/post2epub-spool-XXXXXX", t != NULL && *t ? t : "/tmp");
	c->spool = mkstemp(path);
	if (c->spool < 0) {
		log_error(c->lg, path, 0, "cannot create a temporary file: %s", strerror(errno));
		free(path);
		return -1;
	}
	unlink(path);
	free(path);
	return 0;
}

/* The volume shows im (once in its list however often it is used). */
static void
volume_use_image(struct ctx *c, const struct image *im)
{
	if (c->vimg_seen == NULL)
		c->vimg_seen = xmlHashCreate(64);
	if (xmlHashLookup(c->vimg_seen, BAD_CAST im->name) != NULL)
		return;
	xmlHashAddEntry(c->vimg_seen, BAD_CAST im->name, (void *)(uintptr_t)1);
	c->vimg = xgrow(c->vimg, &c->capvimg, c->nvimg + 1, sizeof *c->vimg);
	c->vimg[c->nvimg++] = im;
}

static int
cmp_image_names(const void *a, const void *b)
{
	return strcmp((*(const struct image *const *)a)->name,
		      (*(const struct image *const *)b)->name);
}

/* Appends len bytes to the spool; their offset in *off. */
static int
spool_write(struct ctx *c, const void *data, size_t len, uint64_t *off)
{
	if (c->spool < 0)
		return -1;
	if (pwrite_all(c->spool, data, len, c->spool_len) != 0) {
		log_error(c->lg, NULL, 0, "cannot write a temporary file: %s", strerror(errno));
		close(c->spool);
		c->spool = -1; /* the rest fail; the build stops */
		return -1;
	}
	*off = c->spool_len;
	c->spool_len += len;
	return 0;
}

/* Adds data (len bytes, taken) to z as name, deflated into the spool at
 * once: memory does not hold it until the archive is written. */
static int
add_spooled(struct ctx *c, struct epubzip *z, const char *name, char *data, size_t len)
{
	struct libdeflate_compressor *d = epubzip_compressor();
	size_t zlen = 0;
	uint32_t crc = 0;
	uint64_t off = 0;
	unsigned char *out = epubzip_deflate(d, data, len, &zlen, &crc);
	epubzip_compressor_free(d);
	free(data);
	int rc = spool_write(c, out, zlen, &off) != 0
			 ? -1
			 : epubzip_add_deflated(z, name, c->spool, off, zlen, len, crc);
	free(out);
	return rc;
}

/* chapters_render's callback, on this thread, once for each post (those
 * that waited for pictures last): the chapter into the spool and c->chap. */
static void
chapter_done(void *ctx, size_t i, struct chapter_out *out)
{
	struct ctx *c = ctx;
	uint64_t off = 0;
	if (out->rc != 0 || spool_write(c, out->zdata, out->zlen, &off) != 0)
		return;
	struct page *pg = &c->chap[i];
	snprintf(pg->id, sizeof pg->id, "p%05zu", i + 1);
	pg->name = xasprintf("text/%s.xhtml", pg->id);
	pg->title = out->title;
	out->title = NULL;
	pg->zoff = off;
	pg->zlen = out->zlen;
	pg->ulen = out->ulen;
	pg->crc = out->crc;
	pg->head = out->head;
	pg->post = c->vol[i];
	for (size_t k = 0; k < out->nused; k++)
		volume_use_image(c, out->used[k]);
}

/* ------------------------------------------------------------ downloads */

/* True when text may hold an image: "<img" (any case), or "![" in Markdown. */
static bool
may_have_images(const struct post *p)
{
	const char *s = p->body, *end = p->body + p->body_len;
	for (; s + 4 <= end; s++) {
		if (s[0] == '<' && ascii_ncasecmp(s + 1, "img", 3) == 0)
			return true;
		if (s[0] == '!' && s[1] == '[' && p->format == POST_MARKDOWN)
			return true;
	}
	return false;
}

/* Queues url for download, starting the fetcher on the first one. */
static int
want_url(struct ctx *c, const char *ref, const char *who, unsigned long line)
{
	char *url = NULL;
	if (images_ref_kind(ref, &url) != REF_REMOTE)
		return 0;
	if (c->fetch == NULL) {
		c->fetch = fetch_new(&c->o->fetch, c->lg);
		if (c->fetch == NULL) {
			free(url);
			return -1;
		}
	}
	fetch_add(c->fetch, url, who, line);
	free(url);
	return 0;
}

/* The remote pictures a post names, found while its body is at hand. */
struct found {
	struct strlist urls;
	unsigned long *lines;
	size_t cap;
};

static void
found_add(struct found *f, const char *url, unsigned long line)
{
	if (images_ref_kind(url, NULL) != REF_REMOTE)
		return;
	f->lines = xgrow(f->lines, &f->cap, f->urls.n + 1, sizeof *f->lines);
	f->lines[f->urls.n] = line;
	strlist_add(&f->urls, url);
}

/* xhtml_found_fn */
static void
scan_found(void *ctx, const char *src, unsigned long line)
{
	found_add(ctx, src, line);
}

/* The remote pictures of p: its head pictures and the images of its body. */
static void
scan_post(const struct post *p, struct found *f)
{
	const char *cand[3] = {p->cover, p->thumbnail, p->headimg};
	for (size_t k = 0; k < 3; k++)
		if (cand[k] != NULL)
			found_add(f, cand[k], 0);
	if (!may_have_images(p))
		return;
	char *html = NULL;
	size_t hlen = 0;
	if (p->format == POST_MARKDOWN && md_render(p->body, p->body_len, &html, &hlen) != 0)
		return; /* the render reports it */
	struct xhtml_opts xo = {
		.file = p->relpath,
		.line = p->body_line,
		.exact_lines = p->format == POST_HTML,
		.clean_utf8 = p->format == POST_HTML,
	};
	xhtml_images(html ? html : p->body, html ? hlen : p->body_len, &xo, scan_found, f);
	free(html);
}

/* Downloads what is queued, all at once; images then find the results. */
static int
run_downloads(struct ctx *c)
{
	double t0 = seconds();
	if (c->fetch == NULL) /* nothing that can be downloaded */
		return 0;
	if (fetch_run(c->fetch) != 0 || stopped(c))
		return -1;
	images_set_fetcher(c->images, c->fetch);
	log_info(c->lg, "downloaded in %.2f s", seconds() - t0);
	return 0;
}

/* Before any chapter: --cover, and (--split SIZE) the pictures of every
 * post, which the volumes are weighed with. */
static int
download_images(struct ctx *c)
{
	if (c->o->cover != NULL && want_url(c, c->o->cover, "--cover", 0) != 0)
		return -1;
	return run_downloads(c);
}

/* chapter_env.defer: a picture a chapter waits for. */
static void
defer_picture(void *ctx, const char *url, const char *who, unsigned long line)
{
	struct ctx *c = ctx;
	c->wanted = xgrow(c->wanted, &c->capwanted, c->nwanted + 1, sizeof *c->wanted);
	c->wanted[c->nwanted++] = (struct wanted){xstrdup(url), who, line};
}

/* chapter_env.download: every picture the chapters wait for, at once. */
static int
download_deferred(void *ctx)
{
	struct ctx *c = ctx;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < c->nwanted; i++)
		rc = want_url(c, c->wanted[i].url, c->wanted[i].who, c->wanted[i].line);
	wanted_clear(c);
	return rc != 0 ? -1 : run_downloads(c);
}

/* ------------------------------------------------------------- metadata */

static int
cmp_posts(const void *a, const void *b)
{
	const struct post *x = *(struct post *const *)a, *y = *(struct post *const *)b;
	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	return strcmp(x->relpath, y->relpath);
}

/* The most frequent non-empty value among the posts (ties: the first seen
 * in reading order), or NULL. */
static const char *
most_frequent(const struct ctx *c, size_t field_offset)
{
	const char *best = NULL;
	size_t bestn = 0;
	xmlHashTablePtr counts = xmlHashCreate(64);
	for (size_t i = 0; i < c->posts.n; i++) {
		const char *v = *(char *const *)((const char *)c->posts.v[i] + field_offset);
		if (v == NULL || *v == '\0')
			continue;
		size_t n = (size_t)(uintptr_t)xmlHashLookup(counts, BAD_CAST v) + 1;
		xmlHashUpdateEntry(counts, BAD_CAST v, (void *)(uintptr_t)n, NULL);
		if (n > bestn) {
			bestn = n;
			best = v;
		}
	}
	xmlHashFree(counts, NULL);
	return best;
}

static char *
folder_title(const char *root)
{
	const char *base = strrchr(root, '/');
	base = base && base[1] ? base + 1 : root;
	return xstrdup(base);
}

/* ------------------------------------------------------------- the build */

/* One post read on a worker: its messages, and (--split SIZE) the pictures
 * to download. */
struct loaded {
	struct log *lg;
	bool ok;
	struct found found;
};

static void
load_work(void *ctx, void *tls, size_t i, void *slot)
{
	struct ctx *c = ctx;
	struct loaded *ld = slot;
	struct post *p = c->posts.v[i];
	char *text = NULL;
	size_t len = 0;
	(void)tls;

	ld->lg = log_new_buffer(log_level(c->lg));
	ld->ok = collect_read(p, c->o->max_post_size, ld->lg, &text, &len) == 0 &&
		 fm_parse(text, len, p, ld->lg) == 0;
	free(text);
	if (!ld->ok)
		return;
	p->size = len;
	resolve_date(c->o->tzoff, p, ld->lg);
	char *lang = p->lang ? lang_clean(p->lang) : NULL;
	if (p->lang != NULL && lang == NULL)
		log_warn(ld->lg, p->relpath, 0, "'lang: %s' is not a language tag; ignored",
			 p->lang);
	free(p->lang);
	p->lang = lang ? lang : xstrdup(lang_detect(p->body, p->body_len));
	/* Pictures are met when the chapters are made, and downloaded then;
	 * --split SIZE weighs the posts with theirs before. */
	if (c->o->split == SPLIT_SIZE)
		scan_post(p, &ld->found);
	/* Only the metadata stays: the chapter reads the body again. */
	free(p->body);
	p->body = NULL;
}

/* In file order on this thread: messages out, downloads queued. */
static void
load_consume(void *ctx, size_t i, void *slot)
{
	struct ctx *c = ctx;
	struct loaded *ld = slot;
	struct post *p = c->posts.v[i];

	log_flush_into(ld->lg, c->lg);
	log_free(ld->lg);
	for (size_t k = 0; ld->ok && k < ld->found.urls.n; k++) {
		if (want_url(c, ld->found.urls.v[k], p->relpath, ld->found.lines[k]) != 0)
			c->load_failed = true;
		/* Kept for --split SIZE, which weighs posts with their pictures. */
		if (c->o->split == SPLIT_SIZE) {
			char *url = NULL;
			images_ref_kind(ld->found.urls.v[k], &url);
			if (url != NULL)
				strlist_take(&p->remote, url);
		}
	}
	strlist_free(&ld->found.urls);
	free(ld->found.lines);
	if (!ld->ok) {
		post_free(p);
		c->posts.v[i] = NULL;
	}
}

/* Reads every post (on every core), keeps those that parse. Returns -1
 * when stopped or when downloads cannot be set up. */
static int
load_posts(struct ctx *c)
{
	struct pmap m = {
		.n = c->posts.n,
		.threads = pmap_cores(),
		.window = 64,
		.slot_size = sizeof(struct loaded),
		.ctx = c,
		.work = load_work,
		.consume = load_consume,
		.stop = c->o->stop,
	};
	int rc = pmap_run(&m);
	size_t kept = 0;
	for (size_t i = 0; i < c->posts.n; i++)
		if (c->posts.v[i] != NULL)
			c->posts.v[kept++] = c->posts.v[i];
	c->posts.n = kept;
	return rc != 0 || c->load_failed ? -1 : 0;
}

/* The oldest and the newest post (the reading order may be neither). */
static void
date_span(const struct ctx *c, const struct post **first, const struct post **last)
{
	*first = *last = c->vol[0];
	for (size_t i = 1; i < c->nvol; i++) {
		const struct post *p = c->vol[i];
		if (p->date < (*first)->date)
			*first = p;
		if (p->date > (*last)->date)
			*last = p;
	}
}

/* The n most frequent categories (ties: the first seen), borrowed from the
 * posts. Returns how many. */
struct count {
	const char *name;
	size_t n, first;
};

static int
cmp_count(const void *a, const void *b)
{
	const struct count *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

static size_t
top_categories(const struct ctx *c, const char **out, size_t max)
{
	xmlHashTablePtr idx = xmlHashCreate(64);
	struct count *v = NULL;
	size_t n = 0, cap = 0, k;
	for (size_t i = 0; i < c->nvol; i++) {
		const struct strlist *cats = &c->vol[i]->categories;
		for (size_t j = 0; j < cats->n; j++) {
			uintptr_t at = (uintptr_t)xmlHashLookup(idx, BAD_CAST cats->v[j]);
			if (at == 0) {
				v = xgrow(v, &cap, n + 1, sizeof *v);
				v[n] = (struct count){cats->v[j], 0, n};
				at = ++n;
				xmlHashAddEntry(idx, BAD_CAST cats->v[j], (void *)at);
			}
			v[at - 1].n++;
		}
	}
	if (n > 0)
		qsort(v, n, sizeof *v, cmp_count);
	for (k = 0; k < n && k < max; k++)
		out[k] = v[k].name;
	xmlHashFree(idx, NULL);
	free(v);
	return k;
}

/* "https://host/" of the most common http(s) post URL, or NULL: the blog
 * the posts come from, for dc:source. Caller frees. */
static char *
common_origin(const struct ctx *c)
{
	xmlHashTablePtr counts = xmlHashCreate(16);
	char *best = NULL;
	size_t bestn = 0;
	for (size_t i = 0; i < c->posts.n; i++) {
		const char *u = c->posts.v[i]->url;
		size_t skip;
		if (u == NULL)
			continue;
		if (ascii_ncasecmp(u, "https://", 8) == 0)
			skip = 8;
		else if (ascii_ncasecmp(u, "http://", 7) == 0)
			skip = 7;
		else
			continue;
		size_t host = strcspn(u + skip, "/?#");
		if (host == 0)
			continue;
		char *origin = xasprintf("%.*s/", (int)(skip + host), u);
		size_t cnt = (size_t)(uintptr_t)xmlHashLookup(counts, BAD_CAST origin) + 1;
		xmlHashUpdateEntry(counts, BAD_CAST origin, (void *)(uintptr_t)cnt, NULL);
		if (cnt > bestn) {
			bestn = cnt;
			free(best);
			best = origin;
		} else {
			free(origin);
		}
	}
	xmlHashFree(counts, NULL);
	return best;
}

/* ------------------------------------------------------------------ toc */

/* The category a post is filed under in a TOC by category. */
static const char *
post_category(const struct post *p, const char *lang)
{
	if (p->categories.n > 0)
		return p->categories.v[0];
	return lang_is(lang, "zh") || lang_is(lang, "ja") ? "未分类" : "Uncategorized";
}

/* The mode --toc auto stands for, given the posts. */
static enum toc_mode
auto_toc(const struct ctx *c)
{
	size_t n = c->nvol;
	bool one_year = true;
	struct dt_civil a, b;
	if (n <= 50)
		return TOC_FLAT;
	dt_to_civil(c->vol[0]->date, c->vol[0]->tzoff, &a);
	for (size_t i = 1; i < n && one_year; i++) {
		dt_to_civil(c->vol[i]->date, c->vol[i]->tzoff, &b);
		one_year = a.year == b.year;
	}
	return n > 300 || one_year ? TOC_MONTH : TOC_YEAR;
}

/* Regroups the posts (already in date order) by category, the categories
 * in the order they first appear: the reading order must be the TOC's.
 * Linear apart from the sort: each post gets its group's rank. */
struct ranked {
	size_t group, pos;
	struct post *p;
};

static int
cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static void
order_by_category(struct ctx *c, const char *lang)
{
	size_t n = c->nvol, groups = 0;
	struct ranked *r = xcalloc(n, sizeof *r);
	xmlHashTablePtr rank = xmlHashCreate(64);

	for (size_t i = 0; i < n; i++) {
		const char *cat = post_category(c->vol[i], lang);
		uintptr_t g = (uintptr_t)xmlHashLookup(rank, BAD_CAST cat);
		if (g == 0) {
			g = ++groups;
			xmlHashAddEntry(rank, BAD_CAST cat, (void *)g);
		}
		r[i] = (struct ranked){(size_t)g, i, c->vol[i]};
	}
	qsort(r, n, sizeof *r, cmp_ranked);
	for (size_t i = 0; i < n; i++)
		c->vol[i] = r[i].p;
	xmlHashFree(rank, NULL);
	free(r);
}

static size_t
build_toc(struct ctx *c, enum toc_mode mode, const char *lang, struct pkg_toc_entry *toc,
	  struct strlist *labels)
{
	size_t n = 0;
	int last_year = INT32_MIN, last_month = 0;
	const char *last_cat = NULL;

	for (size_t i = 0; i < c->npages; i++) {
		const struct page *pg = &c->pages[i];
		const struct post *p = pg->post;
		int level = 0;
		if (p == NULL)
			continue;
		if (mode == TOC_YEAR || mode == TOC_MONTH) {
			struct dt_civil cv;
			dt_to_civil(p->date, p->tzoff, &cv);
			if (cv.year != last_year) {
				char *y = strlist_take(labels, lang_year(cv.year, lang));
				toc[n++] = (struct pkg_toc_entry){y, NULL, 0};
				last_year = cv.year;
				last_month = 0;
			}
			level = 1;
			if (mode == TOC_MONTH) {
				if (cv.month != last_month) {
					char *m = strlist_take(labels, lang_month_name(cv.month, lang));
					toc[n++] = (struct pkg_toc_entry){m, NULL, 1};
					last_month = cv.month;
				}
				level = 2;
			}
		} else if (mode == TOC_CATEGORY) {
			const char *cat = post_category(p, lang);
			if (last_cat == NULL || strcmp(cat, last_cat) != 0) {
				toc[n++] = (struct pkg_toc_entry){cat, NULL, 0};
				last_cat = cat;
			}
			level = 1;
		}
		toc[n++] = (struct pkg_toc_entry){pg->title, pg->name, level};
	}
	return n;
}

/* One book to write: all posts, or one volume of them (--split). */
struct volume {
	char key[32];     /* "2019", "2019-09", "01"; "" without --split */
	size_t index;     /* from 1 */
	size_t first, n;  /* posts (in date order) first .. first + n - 1 */
	char *output;
	char *title;
};

static int
write_book(struct ctx *c, struct epubzip *z, const struct volume *vo, const char *series,
	   const char *lang, const char *author, int64_t modified, const struct image *cover)
{
	const char *title = vo->title;
	int rc = -1;
	char *opf = NULL, *nav = NULL, *ncx = NULL, *container = NULL;
	size_t opf_len = 0, nav_len = 0, ncx_len = 0, container_len = 0;
	struct pkg_item *items = NULL;
	struct pkg_toc_entry *toc = NULL;
	size_t nitems = 0, ntoc = 0;
	char ident[46];
	char first[11], last[11], date[11];
	struct buf name = {0};
	struct strlist labels = {0};

	/* The identifier: from the options, or a UUID over what the book holds.
	 * A volume's is the archive's and the volume's key, nothing else, so
	 * that new posts change the identifier of no volume but the last. */
	if (vo->key[0] != '\0') {
		buf_printf(&name, "post2epub volume\n%s\n%s\n",
			   c->o->identifier ? c->o->identifier : series, vo->key);
		pkg_uuid5(name.data, name.len, ident);
	} else if (c->o->identifier == NULL) {
		buf_printf(&name, "post2epub\n%s\n%s\n", title, lang);
		for (size_t i = 0; i < c->nvol; i++)
			buf_printf(&name, "%s\n%lld\n", c->vol[i]->relpath,
				   (long long)c->vol[i]->date);
		pkg_uuid5(name.data, name.len, ident);
	}

	/* The images the chapters show, and the cover, by name: the book must
	 * not depend on which thread met an image first. */
	if (cover != NULL)
		volume_use_image(c, cover);
	if (c->nvimg > 1)
		qsort(c->vimg, c->nvimg, sizeof *c->vimg, cmp_image_names);
	size_t nimages = c->nvimg;
	items = xcalloc(c->npages + nimages + 3, sizeof *items);
	/* Each chapter may open a year and a month heading. */
	toc = xcalloc(3 * c->npages, sizeof *toc);
	items[nitems++] = (struct pkg_item){"css", "style.css", "text/css", NULL, false, false};
	if (c->user_css != NULL)
		items[nitems++] = (struct pkg_item){"user-css", "user.css", "text/css", NULL, false,
						    false};
	for (size_t i = 0; i < c->npages; i++) {
		const struct page *pg = &c->pages[i];
		bool chapter = strncmp(pg->name, "text/", 5) == 0;
		/* The contents page is read after the front pages: the landmark
		 * pointing at it needs it in the spine, and readers that show no
		 * navigation of their own still get one. */
		if (chapter && i > 0 && c->pages[i - 1].post == NULL)
			items[nitems++] = (struct pkg_item){"nav", "nav.xhtml",
							    "application/xhtml+xml", "nav", true,
							    false};
		items[nitems++] = (struct pkg_item){pg->id, pg->name, "application/xhtml+xml",
						    NULL, true, false};
	}
	ntoc = build_toc(c, c->toc, lang, toc, &labels);
	for (size_t i = 0; i < nimages; i++) {
		const struct image *r = c->vimg[i];
		items[nitems++] = (struct pkg_item){r->id, r->name, media_mime(r->type),
						    r == cover ? "cover-image" : NULL, false, false};
	}

	struct pkg_landmark marks[4];
	size_t nmarks = 0;
	if (cover != NULL)
		marks[nmarks++] = (struct pkg_landmark){"cover", "Cover", "cover.xhtml"};
	marks[nmarks++] = (struct pkg_landmark){"titlepage", "Title page", "title.xhtml"};
	marks[nmarks++] = (struct pkg_landmark){"toc", "Contents", "nav.xhtml#toc"};
	for (size_t i = 0; i < c->npages; i++) {
		if (c->pages[i].post != NULL) {
			marks[nmarks++] = (struct pkg_landmark){"bodymatter", "Start", c->pages[i].name};
			break;
		}
	}

	const struct post *p0, *pn;
	date_span(c, &p0, &pn);
	dt_format_date(p0->date, p0->tzoff, first);
	dt_format_date(pn->date, pn->tzoff, last);
	dt_format_date(pn->date, pn->tzoff, date);
	char *desc = xasprintf("%zu posts, %s to %s.", c->nvol, first, last);
	const char *subjects[5];
	size_t nsubjects = top_categories(c, subjects, 5);
	char *source = c->site.url ? xstrdup(c->site.url) : common_origin(c);
	bool zh = lang_is(lang, "zh") || lang_is(lang, "ja");
	struct pkg_info info = {
		.identifier = c->o->identifier && vo->key[0] == '\0' ? c->o->identifier : ident,
		.collection = vo->key[0] != '\0' ? series : NULL,
		.collection_pos = (unsigned)vo->index,
		.title = title,
		.language = lang,
		.creator = author,
		.date = date,
		.description = desc,
		.publisher = c->o->publisher,
		.source = source,
		.subjects = subjects,
		.nsubjects = nsubjects,
		.modified = modified,
		.cover_id = cover ? cover->id : NULL,
		.items = items,
		.nitems = nitems,
		.toc = toc,
		.ntoc = ntoc,
		.landmarks = marks,
		.nlandmarks = nmarks,
		.toc_title = zh ? "目录" : "Contents",
	};
	/* One document at a time, into the spool deflated: the OPF, nav and
	 * NCX of a 20,000-post book are megabytes each. */
	bool built = pkg_write_container(&container, &container_len) == 0;
	rc = built ? epubzip_add(z, "META-INF/container.xml", container, container_len, true) : 0;
	container = NULL;
	built = built && pkg_write_opf(&info, &opf, &opf_len) == 0;
	rc |= built ? add_spooled(c, z, "EPUB/package.opf", opf, opf_len) : 0;
	opf = NULL;
	built = built && pkg_write_nav(&info, &nav, &nav_len) == 0;
	rc |= built ? add_spooled(c, z, "EPUB/nav.xhtml", nav, nav_len) : 0;
	nav = NULL;
	built = built && pkg_write_ncx(&info, &ncx, &ncx_len) == 0;
	rc |= built ? add_spooled(c, z, "EPUB/toc.ncx", ncx, ncx_len) : 0;
	ncx = NULL;
	free(desc);
	free(source);
	if (!built) {
		log_error(c->lg, c->o->output, 0, "cannot build the package documents");
		rc = -1;
		goto out;
	}

	size_t css_len;
	const char *css = tpl_css(c->tpl, &css_len);
	rc |= epubzip_add(z, "EPUB/style.css", xstrndup(css, css_len), css_len, true);
	if (c->user_css != NULL)
		rc |= epubzip_add(z, "EPUB/user.css", xstrndup(c->user_css, c->user_css_len),
				  c->user_css_len, true);
	for (size_t i = 0; i < c->npages; i++) {
		struct page *pg = &c->pages[i];
		char *entry = xasprintf("EPUB/%s", pg->name);
		if (pg->post != NULL)
			rc |= epubzip_add_deflated(z, entry, c->spool, pg->zoff, pg->zlen, pg->ulen,
						   pg->crc);
		else
			rc |= epubzip_add(z, entry, pg->data, pg->len, true);
		pg->data = NULL;
		free(entry);
	}
	/* Images are already compressed: stored, not deflated. */
	for (size_t i = 0; i < nimages; i++) {
		const struct image *im = c->vimg[i];
		char *entry = xasprintf("EPUB/%s", im->name);
		if (im->data != NULL) /* the registry outlives the archive */
			rc |= epubzip_add_borrowed(z, entry, im->data, im->len, false);
		else
			rc |= epubzip_add_file(z, entry, im->path, false);
		free(entry);
	}
	rc = rc ? -1 : 0;
out:
	free(opf);
	free(nav);
	free(ncx);
	free(container);
	free(items);
	free(toc);
	strlist_free(&labels);
	buf_free(&name);
	return rc;
}

/* Finishes a front page (the cover, the title page) and adds it; frees
 * doc. */
static int
front_page(struct ctx *c, xmlDocPtr doc, const char *file, const char *id, const char *title)
{
	char *out = NULL;
	size_t len = 0;
	if (c->user_css != NULL)
		tpl_add_stylesheet(doc, "user.css");
	tpl_finish(doc);
	int rc = tpl_save(doc, &out, &len);
	if (rc == 0)
		add_page(c, xstrdup(file), id, title, out, len);
	else
		log_error(c->lg, file, 0, "cannot write %s", file);
	xmlFreeDoc(doc);
	return rc;
}

/* The title page: title, author, span of dates, number of posts. */
static int
render_title_page(struct ctx *c, const char *title, const char *lang, const char *author,
		  size_t nchapters)
{
	xmlDocPtr doc = tpl_instantiate(c->tpl, "title");
	const struct post *a, *b;
	date_span(c, &a, &b);
	char *da = lang_date(a->date, a->tzoff, lang), *db = lang_date(b->date, b->tzoff, lang);
	char *span = strcmp(da, db) == 0 ? xstrdup(da) : xasprintf("%s – %s", da, db);
	bool zh = lang_is(lang, "zh") || lang_is(lang, "ja");
	char *count = zh ? xasprintf("共 %zu 篇", nchapters)
			 : xasprintf("%zu post%s", nchapters, nchapters == 1 ? "" : "s");
	tpl_set_head(doc, lang, title);
	tpl_set_text(doc, "title", title);
	tpl_set_text(doc, "author", author);
	tpl_set_text(doc, "span", span);
	tpl_set_text(doc, "count", count);
	tpl_add_body_class(doc, lang_is_cjk(lang) ? "cjk" : "latin");
	int rc = front_page(c, doc, "title.xhtml", "titlepage", title);
	free(da);
	free(db);
	free(span);
	free(count);
	return rc;
}

static int
render_cover_page(struct ctx *c, const char *lang, const struct image *cover)
{
	xmlDocPtr doc = tpl_instantiate(c->tpl, "cover");
	tpl_set_head(doc, lang, "Cover");
	xmlNodePtr slot = tpl_slot(doc, "image");
	xmlNodePtr img = tpl_add_elem(doc, slot, "img", NULL);
	xmlSetProp(img, BAD_CAST "src", BAD_CAST cover->name);
	xmlSetProp(img, BAD_CAST "alt", BAD_CAST "Cover");
	return front_page(c, doc, "cover.xhtml", "cover", "Cover");
}

/* The book re-opened and checked before it replaces anything: a failure is
 * a bug in post2epub, reported as such by verify_book. */
static int
self_check(const char *tmp, void *ctx)
{
	const struct ctx *c = ctx;
	struct log *lg = c->lg;
	if (stopped(c))
		return -1;
	if (verify_book(tmp, lg) == 0)
		return 0;
	log_error(lg, NULL, 0,
		  "the book failed its own check (a bug in post2epub; please report it); "
		  "nothing was written");
	return -1;
}

/* ---------------------------------------------------------------- volumes */

/* The output name of a volume: "archive.epub" → "archive-2019.epub". */
static char *
volume_output(const char *output, const char *key)
{
	const char *slash = strrchr(output, '/');
	const char *dot = strrchr(output, '.');
	if (dot == NULL || (slash != NULL && dot < slash) || dot == (slash ? slash + 1 : output))
		return xasprintf("%s-%s", output, key);
	return xasprintf("%.*s-%s%s", (int)(dot - output), output, key, dot);
}

/* The weight of a post for --split SIZE: its text (an upper bound of what
 * it deflates to) and the pictures it downloads. Local pictures are not
 * counted: a volume can come out larger; it is then warned about. */
static uint64_t
post_weight(const struct ctx *c, const struct post *p)
{
	uint64_t w = p->size;
	for (size_t k = 0; k < p->remote.n && c->fetch != NULL; k++) {
		const struct fetch_result *r = fetch_get(c->fetch, p->remote.v[k]);
		if (r != NULL && r->status == FETCH_OK)
			w += r->len;
	}
	return w;
}

/* Cuts the posts (in date order) into volumes as --split asks; one volume
 * (key "") without it. The reading order inside a volume is applied later. */
static struct volume *
split_volumes(struct ctx *c, const char *title, size_t *nout)
{
	const struct book_opts *o = c->o;
	struct volume *v = NULL;
	size_t n = 0, cap = 0, vol_no = 1;
	uint64_t acc = 0;
	/* The posts are in date order (whatever --order says): new posts only
	 * touch the last volume. */
	for (size_t i = 0; i < c->posts.n; i++) {
		const struct post *p = c->posts.v[i];
		char key[32] = "";
		struct dt_civil cv;
		dt_to_civil(p->date, p->tzoff, &cv);
		switch (o->split) {
		case SPLIT_NONE:
			break;
		case SPLIT_YEAR:
			snprintf(key, sizeof key, "%04d", cv.year);
			break;
		case SPLIT_MONTH:
			snprintf(key, sizeof key, "%04d-%02d", cv.year, cv.month);
			break;
		case SPLIT_COUNT:
			snprintf(key, sizeof key, "%02zu", i / o->split_count + 1);
			break;
		case SPLIT_SIZE: {
			/* A new volume when this post would take the current one
			 * over the budget (a post alone over it gets its own). */
			uint64_t w = post_weight(c, p);
			if (acc > 0 && acc + w > o->split_size) {
				vol_no++;
				acc = 0;
			}
			acc += w;
			snprintf(key, sizeof key, "%02zu", vol_no);
			break;
		}
		}
		if (n == 0 || strcmp(v[n - 1].key, key) != 0) {
			v = xgrow(v, &cap, n + 1, sizeof *v);
			memset(&v[n], 0, sizeof v[n]);
			snprintf(v[n].key, sizeof v[n].key, "%s", key);
			v[n].index = n + 1;
			v[n].first = i;
			n++;
		}
		v[n - 1].n++;
	}
	for (size_t k = 0; k < n; k++) {
		if (v[k].key[0] == '\0') {
			v[k].output = xstrdup(o->output);
			v[k].title = xstrdup(title);
		} else {
			v[k].output = volume_output(o->output, v[k].key);
			v[k].title = o->split == SPLIT_YEAR || o->split == SPLIT_MONTH
					     ? xasprintf("%s %s", title, v[k].key)
					     : xasprintf("%s %zu", title, v[k].index);
		}
	}
	*nout = n;
	return v;
}

/* "1.2 MiB", "340 KiB": sizes for people. Caller frees. */
static char *
human_size(uint64_t n)
{
	if (n >= 1024 * 1024)
		return xasprintf("%.1f MiB", (double)n / (1024.0 * 1024.0));
	return xasprintf("%llu KiB", (unsigned long long)((n + 1023) / 1024));
}

/* After a volume is written: its size and largest pictures, and a warning
 * when it is over --max-book-size. */
static void
report_book(struct ctx *c, const struct volume *vo)
{
	struct stat st;
	uint64_t size = stat(vo->output, &st) == 0 ? (uint64_t)st.st_size : 0;
	char *hs = human_size(size);
	log_summary(c->lg, "wrote %s: %zu post%s, %zu image%s, %s", vo->output, c->nvol,
		    c->nvol == 1 ? "" : "s", c->nvimg, c->nvimg == 1 ? "" : "s", hs);
	/* The three largest pictures (by size, then name). */
	const struct image *top[3] = {NULL, NULL, NULL};
	for (size_t i = 0; i < c->nvimg; i++) {
		const struct image *im = c->vimg[i];
		for (size_t k = 0; k < 3; k++) {
			if (top[k] == NULL || im->len > top[k]->len) {
				memmove(top + k + 1, top + k, (2 - k) * sizeof *top);
				top[k] = im;
				break;
			}
		}
	}
	if (top[0] != NULL && top[0]->len >= 256 * 1024) {
		struct buf b = {0};
		for (size_t k = 0; k < 3 && top[k] != NULL; k++) {
			char *is = human_size(top[k]->len);
			buf_printf(&b, "%s%s %s", k ? ", " : "", top[k]->name, is);
			free(is);
		}
		log_summary(c->lg, "largest images: %s", b.data);
		buf_free(&b);
	}
	if (c->o->max_book_size > 0 && size > c->o->max_book_size) {
		char *ms = human_size(c->o->max_book_size);
		log_warn(c->lg, vo->output, 0, "%s, over --max-book-size %s%s", hs, ms,
			 c->o->split == SPLIT_NONE ? "; --split SIZE cuts it into volumes" : "");
		free(ms);
	}
	free(hs);
}

/* Renders and writes one volume. *kept: the posts that made chapters. */
static int
build_volume(struct ctx *c, const struct volume *vo, const char *series, const char *lang,
	     const char *author, size_t *kept_out)
{
	const struct book_opts *o = c->o;
	struct log *lg = c->lg;
	struct epubzip *z = NULL;
	struct links *links = NULL;
	const struct image *cover = NULL;
	int rc = -1;
	double t0;

	*kept_out = 0;
	/* The volume's posts in reading order. */
	c->nvol = vo->n;
	c->vol = xcalloc(vo->n, sizeof *c->vol);
	memcpy(c->vol, c->posts.v + vo->first, vo->n * sizeof *c->vol);
	if (o->newest_first)
		for (size_t i = 0, j = vo->n - 1; vo->n > 1 && i < j; i++, j--) {
			struct post *t = c->vol[i];
			c->vol[i] = c->vol[j];
			c->vol[j] = t;
		}
	c->toc = o->toc == TOC_AUTO ? auto_toc(c) : o->toc;
	if (c->toc == TOC_CATEGORY)
		order_by_category(c, lang);

	int64_t modified = INT64_MIN;
	for (size_t i = 0; i < c->nvol; i++) {
		const struct post *p = c->vol[i];
		if (p->date > modified)
			modified = p->date;
		if (p->has_updated && p->updated > modified)
			modified = p->updated;
	}
	if (o->has_epoch)
		modified = o->epoch;
	if (modified < 315532800) /* zip times start in 1980 */
		modified = 315532800;
	z = epubzip_new(vo->output, modified, lg);
	if (z == NULL || spool_open(c) != 0)
		goto out;

	t0 = seconds();
	struct chapter_env env = {
		.templates = o->templates,
		.images = c->images,
		.user_css = c->user_css != NULL,
		.max_post_size = o->max_post_size,
		.threads = pmap_cores(),
		.stop = o->stop,
	};
	/* Links between posts point at chapters: p00001.xhtml is vol[0]. A
	 * post in another volume is not in this book: links to it stay links
	 * to the web, or plain text. */
	links = links_new(c->site.url);
	for (size_t i = 0; i < c->nvol; i++) {
		char href[32];
		snprintf(href, sizeof href, "p%05zu.xhtml", i + 1);
		links_add(links, c->vol[i], href);
	}
	env.links = links;
	env.defer = defer_picture;
	env.download = download_deferred;
	env.defer_ctx = c;
	c->chap = xcalloc(c->nvol ? c->nvol : 1, sizeof *c->chap);
	c->nchap = c->nvol;
	if (chapters_render(&env, c->vol, c->nvol, log_level(lg), lg, chapter_done, c) != 0 ||
	    stopped(c) || c->spool < 0)
		goto out;
	/* Only the posts that gave a chapter count (the others were reported). */
	size_t kept = 0;
	for (size_t i = 0; i < c->nvol; i++) {
		if (c->chap[i].name == NULL)
			continue;
		c->vol[kept++] = c->vol[i];
		c->pages = xgrow(c->pages, &c->cappages, c->npages + 1, sizeof *c->pages);
		c->pages[c->npages++] = c->chap[i];
		memset(&c->chap[i], 0, sizeof c->chap[i]);
	}
	c->nvol = kept;
	free(c->chap); /* moved into c->pages */
	c->chap = NULL;
	c->nchap = 0;
	log_info(lg, "rendered %zu chapters on %u threads in %.2f s", kept, env.threads,
		 seconds() - t0);
	if (kept == 0) {
		log_error(lg, vo->output, 0, "no post could be rendered");
		goto out;
	}
	/* The cover: --cover, else the picture of the newest post that has a
	 * JPEG or PNG one. */
	if (o->cover != NULL && strcmp(o->cover, "none") != 0) {
		if (images_ref_kind(o->cover, NULL) == REF_REMOTE)
			cover = images_resolve(c->images, o->cover, "", "--cover", 0, lg, NULL);
		else
			cover = images_add_file(c->images, o->cover, "--cover");
		if (cover != NULL && cover->type != MEDIA_JPEG && cover->type != MEDIA_PNG) {
			log_warn(lg, "--cover", 0, "%s: a cover must be a JPEG or PNG image; no cover",
				 o->cover);
			cover = NULL;
		} else if (cover == NULL) {
			log_warn(lg, "--cover", 0, "%s cannot be used; no cover", o->cover);
		}
	}
	/* Every picture of the volume is in the image registry now (or known to
	 * be missing): the fetcher need not remember 15,000 URLs during the
	 * writing, the peak of memory. Not with --split SIZE, which downloaded
	 * the pictures of every volume first. */
	if (o->split != SPLIT_SIZE)
		fetch_forget(c->fetch);
	const struct post *newest = NULL;
	for (size_t k = 0; o->cover == NULL && k < kept; k++) {
		const struct page *pg = &c->pages[k];
		const struct image *r = pg->head;
		/* Ties go to the later page, as in reading order. */
		if (r != NULL && (r->type == MEDIA_JPEG || r->type == MEDIA_PNG) &&
		    (newest == NULL || pg->post->date >= newest->date)) {
			newest = pg->post;
			cover = r;
		}
	}
	/* The front pages are rendered last (the title page counts the
	 * chapters) and rotated to the front of the reading order. */
	if (cover != NULL && render_cover_page(c, lang, cover) != 0)
		goto out;
	if (render_title_page(c, vo->title, lang, author, kept) != 0)
		goto out;
	size_t nfront = c->npages - kept;
	struct page front[2];
	memcpy(front, c->pages + kept, nfront * sizeof *front);
	memmove(c->pages + nfront, c->pages, kept * sizeof *c->pages);
	memcpy(c->pages, front, nfront * sizeof *front);

	if (write_book(c, z, vo, series, lang, author, modified, cover) != 0)
		goto out;
	if (o->strict && log_warnings(lg) > 0) {
		log_error(lg, vo->output, 0, "%lu warning%s and --strict: no book written",
			  log_warnings(lg), log_warnings(lg) == 1 ? "" : "s");
		goto out;
	}
	t0 = seconds();
	rc = epubzip_close_checked(z, self_check, c);
	z = NULL;
	log_info(lg, "wrote and checked the book in %.2f s", seconds() - t0);
	if (rc == 0) {
		*kept_out = kept;
		report_book(c, vo);
	}
out:
	epubzip_discard(z);
	links_free(links);
	return rc;
}

int
book_build(const struct book_opts *o, struct log *lg)
{
	int rc = -1;
	struct ctx c = {.o = o, .lg = lg, .spool = -1};
	struct epubzip *z = NULL;
	char *title = NULL, *lang = NULL;
	char *author = NULL;
	size_t found = 0;
	char *site_root = NULL;
	struct volume *vols = NULL;
	size_t nvols = 0;

	site_root = realpath(o->input, NULL);
	if (site_root == NULL) {
		log_error(lg, o->input, 0, "cannot read folder: %s", strerror(errno));
		goto out;
	}
	site_detect(site_root, &c.site, lg);
	const char *input = c.site.posts ? c.site.posts : site_root;
	if (c.site.kind != NULL) {
		log_info(lg, "%s site: reading %s", c.site.kind, c.site.posts);
		/* Hexo publishes source/, Jekyll the root: "/images/x.png" is there. */
		char *web = strcmp(c.site.kind, "Hexo") == 0 ? xasprintf("%s/source", site_root)
							     : xstrdup(site_root);
		c.root = xstrdup(input);
		c.images = images_new(site_root, web, o->fetch.max_size, lg);
		free(web);
	} else {
		c.root = xstrdup(site_root);
		c.images = images_new(site_root, site_root, o->fetch.max_size, lg);
	}
	images_set_convert(c.images, &o->convert, o->fetch.cache_dir);
	images_set_cache(c.images, &o->fetch);
	c.tpl = tpl_new(o->templates, lg);
	if (c.tpl == NULL)
		goto out;
	if (o->css != NULL) {
		if (read_file_bounded(o->css, 1024 * 1024, &c.user_css, &c.user_css_len) != 0) {
			log_error(lg, o->css, 0, "cannot read the stylesheet: %s",
				  errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
			goto out;
		}
		if (!utf8_valid(c.user_css, c.user_css_len)) {
			log_error(lg, o->css, 0, "the stylesheet is not UTF-8 text");
			goto out;
		}
	}
	if (collect_dir(c.root, lg, &c.posts) != 0)
		goto out;
	found = c.posts.n;
	double t0 = seconds();
	if (load_posts(&c) != 0 || stopped(&c))
		goto out;
	log_info(lg, "read %zu of %zu post files in %.2f s", c.posts.n, found, seconds() - t0);
	if (c.posts.n == 0) {
		if (found > 0)
			log_error(lg, o->input, 0, "no usable posts (%zu skipped)", found);
		else
			log_error(lg, o->input, 0,
				  "no posts found (*.md, *.markdown, *.txt, *.html, *.htm)");
		goto out;
	}
	/* Date order; each volume applies --order itself. */
	qsort(c.posts.v, c.posts.n, sizeof *c.posts.v, cmp_posts);

	/* Book metadata. */
	title = xstrdup(o->title ? o->title : c.site.title ? c.site.title : "");
	if (*title == '\0') {
		free(title);
		title = folder_title(site_root);
	}
	if (o->language != NULL) {
		lang = lang_clean(o->language);
		if (lang == NULL) {
			log_error(lg, NULL, 0, "--language '%s' is not a language tag", o->language);
			goto out;
		}
	} else if (c.site.lang != NULL && (lang = lang_clean(c.site.lang)) != NULL) {
		/* the site's language */
	} else {
		const char *m = most_frequent(&c, offsetof(struct post, lang));
		lang = xstrdup(m ? m : "en");
	}
	const char *a = o->author       ? o->author
			: c.site.author ? c.site.author
					: most_frequent(&c, offsetof(struct post, author));
	author = a ? xstrdup(a) : NULL;
	/* Fail on an unwritable output before downloading or rendering. */
	z = epubzip_new(o->output, 315532800, lg);
	if (z == NULL)
		goto out;
	epubzip_discard(z);
	z = NULL;
	if (download_images(&c) != 0 || stopped(&c))
		goto out;

	vols = split_volumes(&c, title, &nvols);
	size_t written = 0, kept = 0;
	rc = 0;
	for (size_t v = 0; v < nvols && rc == 0; v++) {
		size_t k = 0;
		rc = build_volume(&c, &vols[v], title, lang, author, &k);
		kept += k;
		written += rc == 0;
		volume_reset(&c);
	}
	if (rc == 0) {
		log_summary(lg, "%zu post%s in %zu book%s, %zu skipped, %lu warning%s", kept,
			    kept == 1 ? "" : "s", written, written == 1 ? "" : "s", found - kept,
			    log_warnings(lg), log_warnings(lg) == 1 ? "" : "s");
		size_t hits = images_cache_hits(c.images);
		if (c.fetch != NULL || hits > 0) {
			struct fetch_stats st = {0};
			if (c.fetch != NULL)
				fetch_get_stats(c.fetch, &st);
			log_summary(lg, "downloads: %zu fetched (%.1f MB), %zu from the cache, %zu failed",
				    st.downloaded, (double)st.bytes / 1e6, st.cached + hits, st.failed);
		}
	}
out:
	epubzip_discard(z);
	for (size_t v = 0; v < nvols; v++) {
		free(vols[v].output);
		free(vols[v].title);
	}
	free(vols);
	free(title);
	free(lang);
	free(author);
	free(site_root);
	ctx_free(&c);
	return rc;
}
