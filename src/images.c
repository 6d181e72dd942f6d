/* images.c — see images.h. */
#include "images.h"

#include <errno.h>
#include <fcntl.h>
#include <libxml/hash.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "convert.h"
#include "util.h"

/* A reference already resolved, good or bad: resolving it again costs
 * nothing, and each post that shows a bad one is told why. */
struct ref {
	struct image *im;
	char *why; /* why it is left out; NULL with im NULL: quietly (a
		      download that failed: fetch.c warned) */
};

/* Pictures of at most HOLD_MAX bytes read from a file stay in memory, up
 * to HOLD_BUDGET bytes in all: writing the archive then opens no file for
 * them (an icon, an emoji, a formula costs ~15 system calls through a file
 * source of libzip). Larger ones are read from their file again. */
#define HOLD_MAX (64 * 1024)
#define HOLD_BUDGET ((size_t)16 * 1024 * 1024)

struct images {
	pthread_mutex_t lock; /* chapters are rendered on several threads */
	const struct convert_opts *convert; /* NULL: pictures kept as they are */
	char *cache_dir;      /* where conversions are kept, or NULL */
	char *root;
	char *web_root;
	size_t max_size;
	struct log *lg;
	const struct fetcher *fetch;
	const struct fetch_opts *cache; /* download cache lookups, or NULL */
	size_t cache_hits;
	size_t held; /* bytes of small pictures kept in memory (HOLD_BUDGET) */
	struct image **v;
	size_t n, cap;
	xmlHashTablePtr by_name; /* "images/…" → struct image */
	xmlHashTablePtr by_ref;  /* URL, data: URI or real path → struct ref */
};

static void
free_ref(void *payload, const xmlChar *name)
{
	struct ref *r = payload;
	(void)name;
	free(r->why);
	free(r);
}

struct images *
images_new(const char *root, const char *web_root, size_t max_size, struct log *lg)
{
	struct images *s = xcalloc(1, sizeof *s);
	s->root = xstrdup(root);
	s->web_root = xstrdup(web_root);
	s->max_size = max_size;
	s->lg = lg;
	pthread_mutex_init(&s->lock, NULL);
	s->by_name = xmlHashCreate(256);
	s->by_ref = xmlHashCreate(256);
	if (s->by_name == NULL || s->by_ref == NULL)
		abort();
	return s;
}

void
images_free(struct images *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i]->path);
		free(s->v[i]->data);
		free(s->v[i]);
	}
	free(s->v);
	xmlHashFree(s->by_name, NULL);
	xmlHashFree(s->by_ref, free_ref);
	free(s->root);
	free(s->web_root);
	free(s->cache_dir);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

void
images_set_convert(struct images *s, const struct convert_opts *o, const char *cache_dir)
{
	s->convert = o;
	free(s->cache_dir);
	s->cache_dir = cache_dir ? xstrdup(cache_dir) : NULL;
}

void
images_set_cache(struct images *s, const struct fetch_opts *o)
{
	s->cache = o;
}

size_t
images_cache_hits(struct images *s)
{
	pthread_mutex_lock(&s->lock);
	size_t n = s->cache_hits;
	pthread_mutex_unlock(&s->lock);
	return n;
}

void
images_set_fetcher(struct images *s, const struct fetcher *f)
{
	s->fetch = f;
}

static bool
has_scheme(const char *s, const char *scheme)
{
	size_t n = strlen(scheme);
	return ascii_ncasecmp(s, scheme, n) == 0 && s[n] == ':';
}

enum image_ref
images_ref_kind(const char *ref, char **url)
{
	while (*ref == ' ' || *ref == '\t' || *ref == '\n' || *ref == '\r')
		ref++;
	size_t n = strlen(ref);
	while (n > 0 && (ref[n - 1] == ' ' || ref[n - 1] == '\t' || ref[n - 1] == '\n' ||
			 ref[n - 1] == '\r'))
		n--;
	if (n == 0)
		return REF_NONE;
	if (has_scheme(ref, "data"))
		return REF_DATA;
	if (has_scheme(ref, "http") || has_scheme(ref, "https")) {
		if (url != NULL)
			*url = xstrndup(ref, n);
		return REF_REMOTE;
	}
	if (ref[0] == '/' && ref[1] == '/') {
		if (url != NULL) {
			char *t = xstrndup(ref, n);
			*url = xasprintf("https:%s", t);
			free(t);
		}
		return REF_REMOTE;
	}
	size_t colon = strcspn(ref, ":");
	if (colon < n && colon < strcspn(ref, "/?#"))
		return REF_OTHER;
	return REF_LOCAL;
}

static const char *
type_name(enum media_type t)
{
	switch (t) {
	case MEDIA_WEBP:
		return "WebP";
	case MEDIA_AVIF:
		return "AVIF";
	default:
		return "this";
	}
}

/* The cache file of the converted form of bytes whose SHA-256 is d under
 * these options: CACHE/converted/<sha256 of the bytes>-<options>. Caller
 * frees; NULL without a cache. */
static char *
converted_path(const struct images *s, const unsigned char d[32])
{
	char hex[65], key[16];
	if (s->cache_dir == NULL)
		return NULL;
	hex_encode(d, 32, hex);
	convert_opts_key(s->convert, key, sizeof key);
	return xasprintf("%s/converted/%s-%s", s->cache_dir, hex, key);
}

/* A conversion done by an earlier run (base from converted_path): 0 with
 * the bytes and their file. */
static int
converted_lookup(const struct images *s, const char *base, char **path, void **out,
		 size_t *outlen)
{
	char *bytes = NULL;
	if (base == NULL || read_file_bounded(base, s->max_size, &bytes, outlen) != 0 ||
	    media_sniff(bytes, *outlen) == MEDIA_UNKNOWN) {
		free(bytes);
		return -1;
	}
	*path = xstrdup(base);
	*out = bytes;
	return 0;
}

/* An earlier run found these bytes fine as they are ("<base>.keep", an
 * empty file): a warm cache then costs no decoding at all. */
static bool
kept_before(const char *base)
{
	if (base == NULL)
		return false;
	char *k = xasprintf("%s.keep", base);
	bool yes = access(k, F_OK) == 0;
	free(k);
	return yes;
}

static void
remember_kept(const struct images *s, const char *base)
{
	if (base == NULL)
		return;
	char *dir = xasprintf("%s/converted", s->cache_dir);
	char *k = xasprintf("%s.keep", base);
	int fd = mkdir_p(dir, 0700) == 0 ? open(k, O_WRONLY | O_CREAT | O_CLOEXEC, 0600) : -1;
	if (fd >= 0)
		close(fd);
	free(dir);
	free(k);
}

/* Keeps a conversion for the next run (written to a temporary file and
 * renamed: never a half-written entry). Returns the file, or NULL. */
static char *
converted_store(const struct images *s, const char *base, const void *out, size_t outlen)
{
	char *p = base ? xstrdup(base) : NULL, *dir = NULL, *tmp = NULL;
	int fd = -1;
	if (p == NULL)
		return NULL;
	dir = xasprintf("%s/converted", s->cache_dir);
	tmp = xasprintf("%s.tmp.XXXXXX", p);
	if (mkdir_p(dir, 0700) != 0 || (fd = mkstemp(tmp)) < 0)
		goto fail;
	if (write(fd, out, outlen) != (ssize_t)outlen || close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, p) != 0)
		goto fail;
	free(dir);
	free(tmp);
	return p;
fail:
	if (fd >= 0)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	free(dir);
	free(tmp);
	free(p);
	return NULL;
}

/* What the bytes of a reference make, worked out without the lock: an
 * image to register, or why there is none. */
struct made {
	char name[40];
	enum media_type type;
	char *path; /* the file that holds the bytes, or NULL: */
	char *data; /* they are held here (data: URIs, conversions not cached) */
	size_t len;
	char *why;  /* no image: why (then nothing else is set) */
};

static void
made_free(struct made *m)
{
	free(m->path);
	free(m->data);
	free(m->why);
	m->path = m->data = m->why = NULL;
}

/* The image len bytes (data, taken) make. path: the file they were read
 * from; the image then keeps pointing at it and data is let go. */
static void
make_bytes(const struct images *s, char *data, size_t len, const char *path, struct made *m)
{
	enum media_type t = media_sniff(data, len);
	unsigned char d[32];
	char *cached = NULL;

	memset(m, 0, sizeof *m);
	if (t == MEDIA_UNKNOWN) {
		m->why = xstrdup("not an image");
		free(data);
		return;
	}
	sha256_bytes(data, len, d);
	if (s->convert != NULL) {
		/* Made fit for e-readers (or kept as it is); a converted result
		 * is looked up in and written to the cache. */
		void *out = NULL;
		size_t outlen = 0;
		enum media_type ot = MEDIA_UNKNOWN;
		const char *cwhy = NULL;
		char *base = converted_path(s, d);
		/* Most pictures are kept as they are: asked first. */
		bool kept = kept_before(base);
		if (!kept && converted_lookup(s, base, &cached, &out, &outlen) == 0) {
			ot = media_sniff(out, outlen);
		} else if (!kept) {
			enum convert_result r =
				convert_image(data, len, t, s->convert, &out, &outlen, &ot, &cwhy);
			if (r == CONVERT_FAIL) {
				m->why = xstrdup(cwhy);
				free(base);
				free(data);
				return;
			}
			if (r == CONVERT_DONE)
				cached = converted_store(s, base, out, outlen);
			else
				remember_kept(s, base);
		}
		free(base);
		if (out != NULL) {
			free(data);
			data = out;
			len = outlen;
			t = ot;
			path = cached; /* NULL: the converted bytes stay in memory */
			sha256_bytes(data, len, d);
		}
	}
	if (t == MEDIA_UNKNOWN || !media_is_core(t)) {
		if (t == MEDIA_UNKNOWN)
			m->why = xstrdup("not an image");
		else
			m->why = xasprintf("%s images are not supported by EPUB 3.2 readers",
					   type_name(t));
		free(data);
		free(cached);
		return;
	}
	media_name_digest(d, t, m->name);
	m->type = t;
	m->len = len;
	m->path = path != NULL ? xstrdup(path) : NULL;
	/* A small picture read from a file may stay in memory (add_made
	 * decides): the archive then takes it from there, not from the file. */
	if (path == NULL || len <= HOLD_MAX)
		m->data = data;
	else
		free(data);
	free(cached);
}

/* Reads the file at path (bounded) and makes its image (see make_bytes). */
static void
make_file(const struct images *s, const char *path, struct made *m)
{
	char *data = NULL;
	size_t len = 0;

	if (read_file_bounded(path, s->max_size, &data, &len) != 0) {
		memset(m, 0, sizeof *m);
		if (errno == EFBIG)
			m->why = xasprintf("larger than %zu bytes", s->max_size);
		else
			m->why = xstrdup(strerror(errno));
		return;
	}
	make_bytes(s, data, len, path, m);
}

/* With the lock: the image m describes (m is emptied), stored once by name. */
static struct image *
add_made(struct images *s, struct made *m)
{
	struct image *im = xmlHashLookup(s->by_name, BAD_CAST m->name);
	if (im != NULL) {
		made_free(m);
		return im;
	}
	if (m->path != NULL && m->data != NULL) { /* a small file's bytes */
		if (s->held + m->len <= HOLD_BUDGET) {
			s->held += m->len;
			free(m->path);
			m->path = NULL;
		} else {
			free(m->data);
			m->data = NULL;
		}
	}
	im = xcalloc(1, sizeof *im);
	memcpy(im->name, m->name, sizeof im->name);
	/* "images/" + hex digits: the id takes the first 20 digits. */
	snprintf(im->id, sizeof im->id, "img-%.20s", m->name + 7);
	im->type = m->type;
	im->len = m->len;
	im->path = m->path;
	im->data = m->data;
	m->path = m->data = NULL;
	s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof *s->v);
	s->v[s->n++] = im;
	xmlHashAddEntry(s->by_name, BAD_CAST im->name, im);
	return im;
}

/* What key resolved to before, or NULL. Entries never change once made. */
static const struct ref *
lookup(struct images *s, const char *key)
{
	pthread_mutex_lock(&s->lock);
	const struct ref *r = xmlHashLookup(s->by_ref, BAD_CAST key);
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* Remembers what key resolved to: m's image, or why not (m is emptied);
 * when another thread got there first, its answer. cache_hit counts a
 * download the cache answered. */
static const struct ref *
remember(struct images *s, const char *key, struct made *m, bool cache_hit)
{
	pthread_mutex_lock(&s->lock);
	struct ref *r = xmlHashLookup(s->by_ref, BAD_CAST key);
	if (r == NULL) {
		r = xcalloc(1, sizeof *r);
		r->why = m->why;
		m->why = NULL;
		if (r->why == NULL && (m->path != NULL || m->data != NULL))
			r->im = add_made(s, m);
		xmlHashAddEntry(s->by_ref, BAD_CAST key, r);
		s->cache_hits += cache_hit;
	}
	pthread_mutex_unlock(&s->lock);
	made_free(m);
	return r;
}

/* The image r names, telling who:line why when there is none. */
static const struct image *
answer(const struct ref *r, struct log *lg, const char *who, unsigned long line, const char *what)
{
	if (r->why != NULL)
		log_warn(lg, who, line, "image %s: %s; left out", what, r->why);
	return r->im;
}

static int
b64val(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+' || ch == '-')
		return 62;
	if (ch == '/' || ch == '_')
		return 63;
	return -1;
}

/* Decodes the payload of a data: URI (base64 or percent-encoded) into a
 * malloc'd buffer. Returns 0, or -1 when malformed or larger than max. */
static int
data_uri_decode(const char *uri, size_t max, char **out, size_t *outlen)
{
	const char *comma = strchr(uri, ',');
	struct buf b = {0};
	bool base64;

	if (comma == NULL)
		return -1;
	/* ";base64" must end the header, just before the comma. */
	base64 = comma - uri >= 7 && ascii_ncasecmp(comma - 7, ";base64", 7) == 0;
	buf_add(&b, "", 0);
	if (base64) {
		unsigned acc = 0;
		int bits = 0;
		for (const char *p = comma + 1; *p; p++) {
			if (*p == '=' || *p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
				continue;
			if (*p == '%' && hex_value(p[1]) >= 0 && hex_value(p[2]) >= 0) {
				/* A percent-encoded base64 character ("%2B"). */
				int v = b64val(hex_value(p[1]) * 16 + hex_value(p[2]));
				if (v < 0)
					goto fail;
				acc = (acc << 6) | (unsigned)v;
				p += 2;
			} else {
				int v = b64val((unsigned char)*p);
				if (v < 0)
					goto fail;
				acc = (acc << 6) | (unsigned)v;
			}
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				buf_putc(&b, (char)((acc >> bits) & 0xFF));
			}
			if (b.len > max)
				goto fail;
		}
	} else {
		for (const char *p = comma + 1; *p; p++) {
			if (*p == '%' && hex_value(p[1]) >= 0 && hex_value(p[2]) >= 0) {
				buf_putc(&b, (char)(hex_value(p[1]) * 16 + hex_value(p[2])));
				p += 2;
			} else {
				buf_putc(&b, *p);
			}
			if (b.len > max)
				goto fail;
		}
	}
	*out = buf_detach(&b, outlen);
	return 0;
fail:
	buf_free(&b);
	return -1;
}

/* The path part of a local reference: query and fragment cut, %XX decoded. */
static char *
local_path(const char *ref)
{
	struct buf b = {0};
	buf_add(&b, "", 0);
	for (const char *s = ref; *s && *s != '?' && *s != '#'; s++) {
		if (*s == '%' && hex_value(s[1]) >= 0 && hex_value(s[2]) >= 0) {
			char ch = (char)(hex_value(s[1]) * 16 + hex_value(s[2]));
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

/* A URL: downloaded by the fetcher, else answered by the download cache,
 * else put off (*deferred) when the caller can wait for a download. */
static const struct image *
resolve_remote(struct images *s, const char *url, const char *who, unsigned long line,
	       struct log *lg, bool *deferred)
{
	const struct ref *r = lookup(s, url);
	struct made m = {0};
	char *cached = NULL, *data = NULL;
	size_t len = 0;
	bool hit = false;

	if (r != NULL)
		return answer(r, lg, who, line, url);
	/* The fetcher changes only between the passes that resolve. */
	const struct fetch_result *fr = s->fetch != NULL ? fetch_get(s->fetch, url) : NULL;
	if (fr != NULL && fr->status == FETCH_OK) {
		make_file(s, fr->path, &m);
	} else if (fr != NULL && fr->status == FETCH_FAILED) {
		/* fetch.c warned: remembered as left out, quietly. */
	} else if (s->cache != NULL &&
		   (cached = fetch_cached_body(s->cache, url, &data, &len)) != NULL) {
		make_bytes(s, data, len, cached, &m); /* takes data */
		free(cached);
		hit = true;
	} else if (deferred != NULL) {
		*deferred = true;
		return NULL;
	} else {
		return NULL; /* never queued for download: nothing to show */
	}
	return answer(remember(s, url, &m, hit), lg, who, line, url);
}

static const struct image *
resolve_data(struct images *s, const char *ref, const char *who, unsigned long line,
	     struct log *lg)
{
	const char *what = "in a data: URI";
	const struct ref *r = lookup(s, ref);
	struct made m = {0};
	char *data = NULL;
	size_t len = 0;

	if (r != NULL)
		return answer(r, lg, who, line, what);
	if (data_uri_decode(ref, s->max_size, &data, &len) != 0)
		m.why = xstrdup("malformed or too large");
	else
		make_bytes(s, data, len, NULL, &m);
	return answer(remember(s, ref, &m, false), lg, who, line, what);
}

static const struct image *
resolve_local(struct images *s, const char *ref, const char *post_path, const char *who,
	      unsigned long line, struct log *lg)
{
	char *rel = local_path(ref), *full = NULL, *real = NULL;
	char *what = xasprintf("'%s'", ref);
	const struct image *im = NULL;
	size_t rn = strlen(s->root);

	if (rel[0] == '/') {
		full = xasprintf("%s%s", s->web_root, rel);
	} else {
		const char *slash = strrchr(post_path, '/');
		full = slash ? xasprintf("%.*s/%s", (int)(slash - post_path), post_path, rel)
			     : xstrdup(rel);
	}
	real = realpath(full, NULL);
	if (real == NULL) {
		log_warn(lg, who, line, "image %s not found; left out", what);
	} else if (strncmp(real, s->root, rn) != 0 || real[rn] != '/') {
		log_warn(lg, who, line, "image %s is outside the input folder; left out", what);
	} else {
		const struct ref *r = lookup(s, real);
		if (r == NULL) {
			struct made m;
			make_file(s, real, &m);
			r = remember(s, real, &m, false);
		}
		im = answer(r, lg, who, line, what);
	}
	free(rel);
	free(full);
	free(real);
	free(what);
	return im;
}

const struct image *
images_resolve(struct images *s, const char *ref, const char *post_path, const char *who,
	       unsigned long line, struct log *lg, bool *deferred)
{
	char *url = NULL;
	const struct image *im = NULL;

	switch (images_ref_kind(ref, &url)) {
	case REF_NONE:
		break;
	case REF_REMOTE:
		im = resolve_remote(s, url, who, line, lg, deferred);
		break;
	case REF_DATA:
		im = resolve_data(s, ref, who, line, lg);
		break;
	case REF_OTHER:
		log_warn(lg, who, line,
			 "image '%s': only local files, data: URIs and http(s) URLs are used; left out",
			 ref);
		break;
	case REF_LOCAL:
		im = resolve_local(s, ref, post_path, who, line, lg);
		break;
	}
	free(url);
	return im;
}

const struct image *
images_add_file(struct images *s, const char *path, const char *what)
{
	char *real = realpath(path, NULL);
	struct made m;

	if (real == NULL) {
		log_warn(s->lg, path, 0, "%s: %s", what, strerror(errno));
		return NULL;
	}
	make_file(s, real, &m);
	free(real);
	if (m.why != NULL) {
		log_warn(s->lg, what, 0, "image %s: %s; left out", path, m.why);
		made_free(&m);
		return NULL;
	}
	pthread_mutex_lock(&s->lock);
	const struct image *im = add_made(s, &m);
	pthread_mutex_unlock(&s->lock);
	made_free(&m);
	return im;
}
