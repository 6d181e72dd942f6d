/* book.c — see book.h. The pipeline driver and the book model. */
#include "book.h"

#include <errno.h>
#include <libxml/hash.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "datetime.h"
#include "epubzip.h"
#include "frontmatter.h"
#include "markdown.h"
#include "media.h"
#include "package.h"
#include "post.h"
#include "template.h"
#include "util.h"
#include "xhtml.h"

#define MAX_IMAGE_SIZE (20u * 1024 * 1024)

/* An image packed into the book, named by its content. */
struct resource {
	char name[40]; /* "images/<hash>.<ext>" */
	char id[32];   /* "img-<hash>" */
	enum media_type type;
	char *data;
	size_t len;
};

/* A rendered page waiting to be zipped. */
struct page {
	char *name; /* inside EPUB/: "text/p00001.xhtml" */
	char id[32];
	char *title;
	char *data;
	size_t len;
	const struct resource *head; /* the picture at the head of a chapter */
};

/* Everything one run owns; freed in one place (ctx_free). */
struct ctx {
	const struct book_opts *o;
	struct log *lg;
	char *root; /* realpath of the input folder */
	struct templates *tpl;
	struct post_list posts;
	struct resource **res;
	size_t nres, capres;
	xmlHashTablePtr res_by_name;
	struct page *pages;
	size_t npages, cappages;
	const struct post *cur; /* the post being rendered, for messages */
	size_t remote_skipped;
	size_t images_failed;
};

static void
ctx_free(struct ctx *c)
{
	post_list_free(&c->posts);
	for (size_t i = 0; i < c->nres; i++) {
		free(c->res[i]->data);
		free(c->res[i]);
	}
	free(c->res);
	xmlHashFree(c->res_by_name, NULL);
	for (size_t i = 0; i < c->npages; i++) {
		free(c->pages[i].name);
		free(c->pages[i].title);
		free(c->pages[i].data);
	}
	free(c->pages);
	tpl_free(c->tpl);
	free(c->root);
}

/* ---------------------------------------------------------------- language */

/* A guess at the language of a text from its scripts: kana means Japanese,
 * Hangul Korean, Han ideographs (more than Latin letters) Chinese. */
static const char *
detect_lang(const char *s, size_t n)
{
	size_t han = 0, kana = 0, hangul = 0, latin = 0;
	const unsigned char *p = (const unsigned char *)s;
	size_t limit = n < 16384 ? n : 16384;
	for (size_t i = 0; i < limit;) {
		size_t k = utf8_seq_len(p + i, limit - i);
		if (k == 0) {
			i++;
			continue;
		}
		if (k == 1) {
			if ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z')
				latin++;
		} else if (k == 3) {
			unsigned cp = ((p[i] & 0x0Fu) << 12) | ((p[i + 1] & 0x3Fu) << 6) |
				      (p[i + 2] & 0x3Fu);
			if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF))
				han++;
			else if (cp >= 0x3040 && cp <= 0x30FF)
				kana++;
			else if (cp >= 0xAC00 && cp <= 0xD7AF)
				hangul++;
		}
		i += k;
	}
	if (kana > 0 && kana * 10 >= han && kana + han > latin / 4)
		return "ja";
	if (hangul > 0 && hangul > han && hangul > latin / 4)
		return "ko";
	if (han > 0 && han * 2 > latin / 3)
		return "zh-Hans";
	return "en";
}

static bool
lang_is(const char *lang, const char *prefix)
{
	size_t n = strlen(prefix);
	return ascii_ncasecmp(lang, prefix, n) == 0 && (lang[n] == '\0' || lang[n] == '-');
}

/* A well-formed BCP 47 tag in a common form, or NULL: letters, digits and
 * hyphens, first subtag 2–3 letters. Normalises "zh_CN" to "zh-CN". */
static char *
clean_lang(const char *s)
{
	char *t = str_trim(xstrdup(s));
	size_t n = strlen(t), first = 0;
	bool ok = n >= 2 && n <= 35;
	for (size_t i = 0; ok && i < n; i++) {
		if (t[i] == '_')
			t[i] = '-';
		char ch = t[i];
		if (ch == '-') {
			if (i == 0 || t[i - 1] == '-' || i + 1 == n)
				ok = false;
			if (first == 0)
				first = i;
		} else if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9'))) {
			ok = false;
		}
	}
	if (first == 0)
		first = n;
	if (ok && (first < 2 || first > 3))
		ok = false;
	for (size_t i = 0; ok && i < first; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z')))
			ok = false;
	if (!ok) {
		free(t);
		return NULL;
	}
	return t;
}

/* ------------------------------------------------------------------ dates */

static const char *const month_en[] = {"January", "February", "March",     "April",
				       "May",     "June",     "July",      "August",
				       "September", "October", "November", "December"};

/* The date as a reader of lang writes it: 2022年9月17日, 17 September 2022. */
static char *
human_date(int64_t t, int off, const char *lang)
{
	struct dt_civil c;
	dt_to_civil(t, off, &c);
	if (lang_is(lang, "zh") || lang_is(lang, "ja"))
		return xasprintf("%d年%d月%d日", c.year, c.month, c.day);
	if (lang_is(lang, "ko"))
		return xasprintf("%d년 %d월 %d일", c.year, c.month, c.day);
	return xasprintf("%d %s %d", c.day, month_en[c.month - 1], c.year);
}

/* The date of a post: front matter, then the file name, then the file time. */
static void
resolve_date(struct ctx *c, struct post *p)
{
	int64_t t;
	int off;
	if (p->date_raw != NULL) {
		if (dt_parse(p->date_raw, c->o->tzoff, &t, &off) == 0) {
			p->date = t;
			p->tzoff = off;
			goto updated;
		}
		if (dt_from_filename(p->relpath, c->o->tzoff, &t, &off) == 0) {
			log_warn(c->lg, p->relpath, p->date_line,
				 "unrecognised date '%s'; using the date in the file name",
				 p->date_raw);
			p->date = t;
			p->tzoff = off;
			goto updated;
		}
		log_warn(c->lg, p->relpath, p->date_line,
			 "unrecognised date '%s'; using the file's modification time", p->date_raw);
	} else if (dt_from_filename(p->relpath, c->o->tzoff, &t, &off) == 0) {
		p->date = t;
		p->tzoff = off;
		goto updated;
	} else {
		log_warn(c->lg, p->relpath, 0, "no date; using the file's modification time");
	}
	p->date = p->mtime;
	p->tzoff = c->o->tzoff;
updated:
	if (p->updated_raw != NULL && dt_parse(p->updated_raw, c->o->tzoff, &t, &off) == 0) {
		p->has_updated = true;
		p->updated = t;
	}
}

/* --------------------------------------------------------------- images */

static bool
has_scheme(const char *s, const char *scheme)
{
	size_t n = strlen(scheme);
	return ascii_ncasecmp(s, scheme, n) == 0 && s[n] == ':';
}

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
		return (ch | 0x20) - 'a' + 10;
	return -1;
}

/* The path part of a local reference: query and fragment cut, %XX decoded. */
static char *
local_path(const char *ref)
{
	struct buf b = {0};
	buf_add(&b, "", 0);
	for (const char *s = ref; *s && *s != '?' && *s != '#'; s++) {
		if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			char ch = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			if (ch == '\0')
				break;
			buf_putc(&b, ch);
			s += 2;
		} else {
			buf_putc(&b, *s);
		}
	}
	return buf_detach(&b, NULL);
}

/* Adds bytes as an image of the book, once per content. Takes data.
 * Returns the resource, or NULL when the bytes are no image we can use. */
static struct resource *
add_image(struct ctx *c, char *data, size_t len, const char *what, unsigned long line)
{
	enum media_type t = media_sniff(data, len);
	if (t == MEDIA_UNKNOWN || !media_is_core(t)) {
		log_warn(c->lg, c->cur->relpath, line, "%s: %s; image left out", what,
			 t == MEDIA_UNKNOWN ? "not an image"
					    : "image format not supported by EPUB readers");
		free(data);
		c->images_failed++;
		return NULL;
	}
	char name[40];
	media_name(data, len, t, name);
	struct resource *r = xmlHashLookup(c->res_by_name, BAD_CAST name);
	if (r != NULL) {
		free(data);
		return r;
	}
	r = xcalloc(1, sizeof *r);
	memcpy(r->name, name, sizeof name);
	/* "images/" + 20 hex digits: the id takes the digits. */
	snprintf(r->id, sizeof r->id, "img-%.20s", name + 7);
	r->type = t;
	r->data = data;
	r->len = len;
	c->res = xgrow(c->res, &c->capres, c->nres + 1, sizeof *c->res);
	c->res[c->nres++] = r;
	xmlHashAddEntry(c->res_by_name, BAD_CAST r->name, r);
	return r;
}

/* Resolves an image reference of the current post to an image of the book.
 * Local files must lie inside the input folder. NULL when not usable (the
 * reason was logged, except for remote images, which are counted). */
static struct resource *
resolve_image(struct ctx *c, const char *ref, unsigned long line)
{
	const struct post *p = c->cur;
	char *rel = NULL, *full = NULL, *real = NULL, *data = NULL;
	struct resource *r = NULL;
	size_t len = 0;

	while (*ref == ' ' || *ref == '\t' || *ref == '\n' || *ref == '\r')
		ref++;
	if (*ref == '\0')
		goto out;
	if (has_scheme(ref, "http") || has_scheme(ref, "https") || strncmp(ref, "//", 2) == 0) {
		c->remote_skipped++;
		goto out;
	}
	if (has_scheme(ref, "data")) {
		c->remote_skipped++;
		goto out;
	}
	if (strchr(ref, ':') != NULL && strcspn(ref, ":") < strcspn(ref, "/?#")) {
		log_warn(c->lg, p->relpath, line, "image '%s': only local files and http(s) are allowed; left out",
			 ref);
		c->images_failed++;
		goto out;
	}
	rel = local_path(ref);
	if (rel[0] == '/') {
		full = xasprintf("%s%s", c->root, rel);
	} else {
		const char *slash = strrchr(p->path, '/');
		full = slash ? xasprintf("%.*s/%s", (int)(slash - p->path), p->path, rel)
			     : xstrdup(rel);
	}
	real = realpath(full, NULL);
	if (real == NULL) {
		log_warn(c->lg, p->relpath, line, "image '%s' not found; left out", ref);
		c->images_failed++;
		goto out;
	}
	size_t rn = strlen(c->root);
	if (strncmp(real, c->root, rn) != 0 || real[rn] != '/') {
		log_warn(c->lg, p->relpath, line, "image '%s' is outside the input folder; left out",
			 ref);
		c->images_failed++;
		goto out;
	}
	if (read_file_bounded(real, MAX_IMAGE_SIZE, &data, &len) != 0) {
		log_warn(c->lg, p->relpath, line, "image '%s': %s; left out", ref,
			 errno == EFBIG ? "larger than 20 MiB" : strerror(errno));
		c->images_failed++;
		goto out;
	}
	char *what = xasprintf("image '%s'", ref);
	r = add_image(c, data, len, what, line);
	free(what);
	data = NULL;
out:
	free(rel);
	free(full);
	free(real);
	free(data);
	return r;
}

/* xhtml_image_fn: images in a chapter live in ../images/. */
static char *
chapter_image(void *ctx, const char *src, unsigned long line)
{
	struct resource *r = resolve_image(ctx, src, line);
	return r ? xasprintf("../%s", r->name) : NULL;
}

/* The picture shown at the head of a post: cover, thumbnail, headimg. */
static const char *
post_image_ref(const struct post *p)
{
	if (p->cover && *p->cover)
		return p->cover;
	if (p->thumbnail && *p->thumbnail)
		return p->thumbnail;
	if (p->headimg && *p->headimg)
		return p->headimg;
	return NULL;
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

static xmlNodePtr
new_elem(xmlDocPtr doc, xmlNodePtr parent, const char *name, const char *cls)
{
	xmlNodePtr n = xmlNewDocNode(doc, NULL, BAD_CAST name, NULL);
	if (cls != NULL)
		xmlSetProp(n, BAD_CAST "class", BAD_CAST cls);
	xmlAddChild(parent, n);
	return n;
}

static void
add_text(xmlDocPtr doc, xmlNodePtr parent, const char *text)
{
	xmlAddChild(parent, xmlNewDocText(doc, BAD_CAST text));
}

/* Categories then tags, in the terms slot. */
static void
fill_terms(xmlDocPtr doc, const struct post *p)
{
	xmlNodePtr slot = tpl_slot(doc, "terms");
	if (slot == NULL)
		return;
	while (slot->children != NULL) {
		xmlNodePtr ch = slot->children;
		xmlUnlinkNode(ch);
		xmlFreeNode(ch);
	}
	for (size_t i = 0; i < p->categories.n; i++) {
		if (i > 0)
			add_text(doc, slot, " · ");
		add_text(doc, new_elem(doc, slot, "span", "post-category"), p->categories.v[i]);
	}
	for (size_t i = 0; i < p->tags.n; i++) {
		if (i > 0 || p->categories.n > 0)
			add_text(doc, slot, " ");
		char *t = xasprintf("#%s", p->tags.v[i]);
		add_text(doc, new_elem(doc, slot, "span", "post-tag"), t);
		free(t);
	}
}

/* The file name without folders, extension or a leading date: a title for a
 * post that has none. */
static char *
title_from_name(const char *relpath)
{
	const char *base = strrchr(relpath, '/');
	base = base ? base + 1 : relpath;
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

/* Renders post p as page number num. Returns 0, or -1 when the post had to
 * be left out (reported). */
static int
render_post(struct ctx *c, struct post *p, size_t num)
{
	int rc = -1;
	xmlDocPtr doc = NULL;
	char *html = NULL, *date = NULL, *out = NULL, *title = NULL;
	size_t hlen = 0, olen = 0;
	const char *body = p->body;
	size_t blen = p->body_len;

	c->cur = p;
	title = p->title && *p->title ? xstrdup(p->title) : title_from_name(p->relpath);
	doc = tpl_instantiate(c->tpl, "chapter");
	tpl_set_head(doc, p->lang, title);
	tpl_set_text(doc, "title", title);

	date = human_date(p->date, p->tzoff, p->lang);
	xmlNodePtr dn = tpl_slot(doc, "date");
	char iso[11];
	dt_format_date(p->date, p->tzoff, iso);
	if (dn != NULL && strcmp((const char *)dn->name, "time") == 0)
		xmlSetProp(dn, BAD_CAST "datetime", BAD_CAST iso);
	tpl_set_text(doc, "date", date);
	tpl_set_text(doc, "author", p->author);
	fill_terms(doc, p);

	const char *imgref = post_image_ref(p);
	xmlNodePtr thumb = tpl_slot(doc, "thumbnail");
	const struct resource *head = NULL;
	if (imgref != NULL && thumb != NULL) {
		struct resource *r = resolve_image(c, imgref, 0);
		head = r;
		if (r != NULL) {
			char *src = xasprintf("../%s", r->name);
			xmlNodePtr img = new_elem(doc, thumb, "img", NULL);
			xmlSetProp(img, BAD_CAST "src", BAD_CAST src);
			xmlSetProp(img, BAD_CAST "alt", BAD_CAST "");
			free(src);
		}
	}

	if (p->format == POST_MARKDOWN) {
		if (md_render(p->body, p->body_len, &html, &hlen) != 0) {
			log_warn(c->lg, p->relpath, p->body_line, "cannot render Markdown; skipped");
			goto out;
		}
		body = html;
		blen = hlen;
	}
	struct xhtml_opts xo = {
		.file = p->relpath,
		.line = p->body_line,
		.exact_lines = p->format == POST_HTML,
		.lg = c->lg,
		.image = chapter_image,
		.image_ctx = c,
	};
	if (xhtml_render(body, blen, &xo, tpl_slot(doc, "body")) != 0)
		goto out;
	tpl_finish(doc);
	if (tpl_save(doc, &out, &olen) != 0) {
		log_warn(c->lg, p->relpath, 0, "cannot write chapter; skipped");
		goto out;
	}
	char id[32];
	snprintf(id, sizeof id, "p%05zu", num);
	add_page(c, xasprintf("text/%s.xhtml", id), id, title, out, olen)->head = head;
	out = NULL;
	rc = 0;
out:
	xmlFreeDoc(doc);
	free(html);
	free(date);
	free(out);
	free(title);
	c->cur = NULL;
	return rc;
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

/* Reads, parses and dates every collected post; drops the ones that fail. */
static void
load_posts(struct ctx *c)
{
	size_t kept = 0;
	for (size_t i = 0; i < c->posts.n; i++) {
		struct post *p = c->posts.v[i];
		char *text = NULL;
		size_t len = 0;
		int ok = collect_read(p, c->o->max_post_size, c->lg, &text, &len) == 0 &&
			 fm_parse(text, len, p, c->lg) == 0;
		free(text);
		if (!ok) {
			post_free(p);
			continue;
		}
		resolve_date(c, p);
		char *lang = p->lang ? clean_lang(p->lang) : NULL;
		if (p->lang != NULL && lang == NULL)
			log_warn(c->lg, p->relpath, 0, "'lang: %s' is not a language tag; ignored",
				 p->lang);
		free(p->lang);
		p->lang = lang ? lang : xstrdup(detect_lang(p->body, p->body_len));
		c->posts.v[kept++] = p;
	}
	c->posts.n = kept;
}

static int
write_book(struct ctx *c, struct epubzip *z, const char *title, const char *lang,
	   const char *author, int64_t modified, const struct resource *cover)
{
	int rc = -1;
	char *opf = NULL, *nav = NULL, *ncx = NULL, *container = NULL;
	size_t opf_len = 0, nav_len = 0, ncx_len = 0, container_len = 0;
	struct pkg_item *items = NULL;
	struct pkg_toc_entry *toc = NULL;
	size_t nitems = 0, ntoc = 0;
	char ident[46];
	char first[11], last[11], date[11];
	struct buf name = {0};

	/* The identifier: from the options, or a UUID over what the book holds. */
	if (c->o->identifier == NULL) {
		buf_printf(&name, "post2epub\n%s\n%s\n", title, lang);
		for (size_t i = 0; i < c->posts.n; i++)
			buf_printf(&name, "%s\n%lld\n", c->posts.v[i]->relpath,
				   (long long)c->posts.v[i]->date);
		pkg_uuid5(name.data, name.len, ident);
	}

	items = xcalloc(c->npages + c->nres + 2, sizeof *items);
	toc = xcalloc(c->npages, sizeof *toc);
	items[nitems++] = (struct pkg_item){"css", "style.css", "text/css", NULL, false, false};
	for (size_t i = 0; i < c->npages; i++) {
		const struct page *pg = &c->pages[i];
		bool chapter = strncmp(pg->name, "text/", 5) == 0;
		/* The contents page is read after the front pages: the landmark
		 * pointing at it needs it in the spine, and readers that show no
		 * navigation of their own still get one. */
		if (chapter && ntoc == 0)
			items[nitems++] = (struct pkg_item){"nav", "nav.xhtml",
							    "application/xhtml+xml", "nav", true,
							    false};
		items[nitems++] = (struct pkg_item){pg->id, pg->name, "application/xhtml+xml",
						    NULL, true, false};
		if (chapter)
			toc[ntoc++] = (struct pkg_toc_entry){pg->title, pg->name, 0};
	}
	for (size_t i = 0; i < c->nres; i++) {
		const struct resource *r = c->res[i];
		items[nitems++] = (struct pkg_item){r->id, r->name, media_mime(r->type),
						    r == cover ? "cover-image" : NULL, false, false};
	}

	struct pkg_landmark marks[4];
	size_t nmarks = 0;
	if (cover != NULL)
		marks[nmarks++] = (struct pkg_landmark){"cover", "Cover", "cover.xhtml"};
	marks[nmarks++] = (struct pkg_landmark){"titlepage", "Title page", "title.xhtml"};
	marks[nmarks++] = (struct pkg_landmark){"toc", "Contents", "nav.xhtml#toc"};
	if (ntoc > 0)
		marks[nmarks++] = (struct pkg_landmark){"bodymatter", "Start", toc[0].href};

	const struct post *p0 = c->posts.v[0], *pn = c->posts.v[c->posts.n - 1];
	if (c->o->newest_first) {
		const struct post *t = p0;
		p0 = pn;
		pn = t;
	}
	dt_format_date(p0->date, p0->tzoff, first);
	dt_format_date(pn->date, pn->tzoff, last);
	dt_format_date(pn->date, pn->tzoff, date);
	char *desc = xasprintf("%zu posts, %s to %s.", ntoc, first, last);
	bool zh = lang_is(lang, "zh") || lang_is(lang, "ja");
	struct pkg_info info = {
		.identifier = c->o->identifier ? c->o->identifier : ident,
		.title = title,
		.language = lang,
		.creator = author,
		.date = date,
		.description = desc,
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
	if (pkg_write_container(&container, &container_len) != 0 ||
	    pkg_write_opf(&info, &opf, &opf_len) != 0 ||
	    pkg_write_nav(&info, &nav, &nav_len) != 0 ||
	    pkg_write_ncx(&info, &ncx, &ncx_len) != 0) {
		free(desc);
		log_error(c->lg, c->o->output, 0, "cannot build the package documents");
		goto out;
	}
	free(desc);

	size_t css_len;
	const char *css = tpl_css(c->tpl, &css_len);
	rc = 0;
	rc |= epubzip_add(z, "META-INF/container.xml", container, container_len, true);
	rc |= epubzip_add(z, "EPUB/package.opf", opf, opf_len, true);
	rc |= epubzip_add(z, "EPUB/nav.xhtml", nav, nav_len, true);
	rc |= epubzip_add(z, "EPUB/toc.ncx", ncx, ncx_len, true);
	container = opf = nav = ncx = NULL;
	rc |= epubzip_add(z, "EPUB/style.css", xstrndup(css, css_len), css_len, true);
	for (size_t i = 0; i < c->npages; i++) {
		char *entry = xasprintf("EPUB/%s", c->pages[i].name);
		rc |= epubzip_add(z, entry, c->pages[i].data, c->pages[i].len, true);
		c->pages[i].data = NULL;
		free(entry);
	}
	for (size_t i = 0; i < c->nres; i++) {
		char *entry = xasprintf("EPUB/%s", c->res[i]->name);
		rc |= epubzip_add(z, entry, c->res[i]->data, c->res[i]->len, false);
		c->res[i]->data = NULL;
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
	buf_free(&name);
	return rc;
}

/* The title page: title, author, span of dates, number of posts. */
static int
render_title_page(struct ctx *c, const char *title, const char *lang, const char *author,
		  size_t nchapters)
{
	xmlDocPtr doc = tpl_instantiate(c->tpl, "title");
	const struct post *a = c->posts.v[0], *b = c->posts.v[c->posts.n - 1];
	if (a->date > b->date) {
		const struct post *t = a;
		a = b;
		b = t;
	}
	char *da = human_date(a->date, a->tzoff, lang), *db = human_date(b->date, b->tzoff, lang);
	char *span = strcmp(da, db) == 0 ? xstrdup(da) : xasprintf("%s – %s", da, db);
	bool zh = lang_is(lang, "zh") || lang_is(lang, "ja");
	char *count = zh ? xasprintf("共 %zu 篇", nchapters)
			 : xasprintf("%zu post%s", nchapters, nchapters == 1 ? "" : "s");
	tpl_set_head(doc, lang, title);
	tpl_set_text(doc, "title", title);
	tpl_set_text(doc, "author", author);
	tpl_set_text(doc, "span", span);
	tpl_set_text(doc, "count", count);
	tpl_finish(doc);
	char *out = NULL;
	size_t len = 0;
	int rc = tpl_save(doc, &out, &len);
	if (rc == 0)
		add_page(c, xstrdup("title.xhtml"), "titlepage", title, out, len);
	else
		log_error(c->lg, "title.xhtml", 0, "cannot write the title page");
	xmlFreeDoc(doc);
	free(da);
	free(db);
	free(span);
	free(count);
	return rc;
}

static int
render_cover_page(struct ctx *c, const char *lang, const struct resource *cover)
{
	xmlDocPtr doc = tpl_instantiate(c->tpl, "cover");
	tpl_set_head(doc, lang, "Cover");
	xmlNodePtr slot = tpl_slot(doc, "image");
	xmlNodePtr img = new_elem(doc, slot, "img", NULL);
	xmlSetProp(img, BAD_CAST "src", BAD_CAST cover->name);
	xmlSetProp(img, BAD_CAST "alt", BAD_CAST "Cover");
	tpl_finish(doc);
	char *out = NULL;
	size_t len = 0;
	int rc = tpl_save(doc, &out, &len);
	if (rc == 0)
		add_page(c, xstrdup("cover.xhtml"), "cover", "Cover", out, len);
	else
		log_error(c->lg, "cover.xhtml", 0, "cannot write the cover page");
	xmlFreeDoc(doc);
	return rc;
}

int
book_build(const struct book_opts *o, struct log *lg)
{
	int rc = -1;
	struct ctx c = {.o = o, .lg = lg};
	struct epubzip *z = NULL;
	char *title = NULL, *lang = NULL;
	char *author = NULL;
	const struct resource *cover = NULL;
	size_t found = 0;

	c.res_by_name = xmlHashCreate(256);
	c.root = realpath(o->input, NULL);
	if (c.root == NULL) {
		log_error(lg, o->input, 0, "cannot read folder: %s", strerror(errno));
		goto out;
	}
	c.tpl = tpl_new(o->templates, lg);
	if (c.tpl == NULL)
		goto out;
	if (collect_dir(o->input, lg, &c.posts) != 0)
		goto out;
	found = c.posts.n;
	load_posts(&c);
	if (c.posts.n == 0) {
		log_error(lg, o->input, 0, found ? "no usable posts (%zu skipped)" : "no posts found (*.md, *.markdown, *.txt, *.html, *.htm)", found);
		goto out;
	}
	qsort(c.posts.v, c.posts.n, sizeof *c.posts.v, cmp_posts);
	if (o->newest_first)
		for (size_t i = 0, j = c.posts.n - 1; i < j; i++, j--) {
			struct post *t = c.posts.v[i];
			c.posts.v[i] = c.posts.v[j];
			c.posts.v[j] = t;
		}

	/* Book metadata. */
	title = xstrdup(o->title ? o->title : "");
	if (*title == '\0') {
		free(title);
		title = folder_title(c.root);
	}
	if (o->language != NULL) {
		lang = clean_lang(o->language);
		if (lang == NULL) {
			log_error(lg, NULL, 0, "--language '%s' is not a language tag", o->language);
			goto out;
		}
	} else {
		const char *m = most_frequent(&c, offsetof(struct post, lang));
		lang = xstrdup(m ? m : "en");
	}
	const char *a = o->author ? o->author : most_frequent(&c, offsetof(struct post, author));
	author = a ? xstrdup(a) : NULL;
	int64_t modified = INT64_MIN;
	for (size_t i = 0; i < c.posts.n; i++) {
		const struct post *p = c.posts.v[i];
		if (p->date > modified)
			modified = p->date;
		if (p->has_updated && p->updated > modified)
			modified = p->updated;
	}
	if (o->has_epoch)
		modified = o->epoch;
	if (modified < 315532800) /* zip times start in 1980 */
		modified = 315532800;

	/* Fail on an unwritable output before rendering anything. */
	z = epubzip_new(o->output, modified, lg);
	if (z == NULL)
		goto out;
	size_t kept = 0;
	for (size_t i = 0; i < c.posts.n; i++) {
		if (render_post(&c, c.posts.v[i], i + 1) == 0)
			c.posts.v[kept++] = c.posts.v[i];
		else
			post_free(c.posts.v[i]);
	}
	c.posts.n = kept;
	if (kept == 0) {
		log_error(lg, o->input, 0, "no post could be rendered");
		goto out;
	}
	/* The cover: the picture of the newest post that has a JPEG or PNG. */
	for (size_t k = 0; k < kept && cover == NULL; k++) {
		const struct resource *r = c.pages[o->newest_first ? k : kept - 1 - k].head;
		if (r != NULL && (r->type == MEDIA_JPEG || r->type == MEDIA_PNG))
			cover = r;
	}
	/* The front pages are rendered last (the title page counts the
	 * chapters) and rotated to the front of the reading order. */
	if (cover != NULL && render_cover_page(&c, lang, cover) != 0)
		goto out;
	if (render_title_page(&c, title, lang, author, kept) != 0)
		goto out;
	size_t nfront = c.npages - kept;
	struct page front[2];
	memcpy(front, c.pages + kept, nfront * sizeof *front);
	memmove(c.pages + nfront, c.pages, kept * sizeof *c.pages);
	memcpy(c.pages, front, nfront * sizeof *front);

	if (write_book(&c, z, title, lang, author, modified, cover) != 0)
		goto out;
	if (o->strict && log_warnings(lg) > 0) {
		log_error(lg, o->output, 0, "%lu warning%s and --strict: no book written",
			  log_warnings(lg), log_warnings(lg) == 1 ? "" : "s");
		goto out;
	}
	rc = epubzip_close(z);
	z = NULL;
	if (rc == 0) {
		log_summary(lg, "wrote %s: %zu post%s, %zu image%s, %zu skipped, %lu warning%s",
			    o->output, kept, kept == 1 ? "" : "s", c.nres, c.nres == 1 ? "" : "s",
			    found - kept, log_warnings(lg), log_warnings(lg) == 1 ? "" : "s");
		if (c.remote_skipped > 0)
			log_summary(lg,
				    "%zu remote image%s not downloaded (downloading is not supported yet)",
				    c.remote_skipped, c.remote_skipped == 1 ? "" : "s");
	}
out:
	epubzip_discard(z);
	free(title);
	free(lang);
	free(author);
	ctx_free(&c);
	return rc;
}
