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

/* The cache file of the converted form of these bytes under these
 * options: CACHE/converted/<sha256 of the bytes>-<options>. Caller frees;
 * NULL without a cache. */
static char *
converted_path(const struct images *s, const void *data, size_t len)
{
	unsigned char d[32];
	char hex[65], key[16];
	if (s->cache_dir == NULL)
		return NULL;
	sha256_bytes(data, len, d);
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

/* Makes an image of len bytes (data, taken). When path is given the image
 * keeps pointing at that file and data is freed once named. NULL, with the
 * reason in *why (caller frees), when the bytes are no image EPUB readers
 * can show. */
static struct image *
add_bytes(struct images *s, char *data, size_t len, const char *path, char **why)
{
	enum media_type t = media_sniff(data, len);
	struct image *im;
	char name[40];
	char *cached = NULL;

	if (t != MEDIA_UNKNOWN && s->convert != NULL) {
		/* Made fit for e-readers (or kept as it is); a converted result
		 * is looked up in and written to the cache. */
		void *out = NULL;
		size_t outlen = 0;
		enum media_type ot = MEDIA_UNKNOWN;
		const char *cwhy = NULL;
		char *base = converted_path(s, data, len);
		if (converted_lookup(s, base, &cached, &out, &outlen) == 0) {
			ot = media_sniff(out, outlen);
		} else if (!kept_before(base)) {
			enum convert_result r =
				convert_image(data, len, t, s->convert, &out, &outlen, &ot, &cwhy);
			if (r == CONVERT_FAIL) {
				*why = xstrdup(cwhy);
				free(base);
				free(data);
				return NULL;
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
		}
	}
	if (t == MEDIA_UNKNOWN || !media_is_core(t)) {
		if (t == MEDIA_UNKNOWN)
			*why = xstrdup("not an image");
		else
			*why = xasprintf("%s images are not supported by EPUB 3.2 readers",
					 type_name(t));
		free(data);
		free(cached);
		return NULL;
	}
	media_name(data, len, t, name);
	im = xmlHashLookup(s->by_name, BAD_CAST name);
	if (im != NULL) {
		free(data);
		free(cached);
		return im;
	}
	im = xcalloc(1, sizeof *im);
	memcpy(im->name, name, sizeof name);
	/* "images/" + hex digits: the id takes the first 20 digits. */
	snprintf(im->id, sizeof im->id, "img-%.20s", name + 7);
	im->type = t;
	im->len = len;
	if (path != NULL) {
		im->path = xstrdup(path);
		free(data);
	} else {
		im->data = data;
	}
	free(cached);
	s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof *s->v);
	s->v[s->n++] = im;
	xmlHashAddEntry(s->by_name, BAD_CAST im->name, im);
	return im;
}

/* Reads the file at path (bounded) and adds it (see add_bytes). */
static struct image *
add_file(struct images *s, const char *path, char **why)
{
	char *data = NULL;
	size_t len = 0;

	if (read_file_bounded(path, s->max_size, &data, &len) != 0) {
		if (errno == EFBIG)
			*why = xasprintf("larger than %zu bytes", s->max_size);
		else
			*why = xstrdup(strerror(errno));
		return NULL;
	}
	return add_bytes(s, data, len, path, why);
}

/* Remembers what key resolved to (im, or why not: taken) and tells who. */
static struct image *
remember(struct images *s, const char *key, struct image *im, char *why, const char *who,
	 unsigned long line, const char *what)
{
	struct ref *r = xcalloc(1, sizeof *r);
	r->im = im;
	r->why = why;
	if (xmlHashAddEntry(s->by_ref, BAD_CAST key, r) != 0)
		free_ref(r, NULL); /* cannot happen: looked up first, under the lock */
	else if (why != NULL)
		log_warn(s->lg, who, line, "image %s: %s; left out", what, why);
	return im;
}

/* What key resolved to before (true), telling who when it was left out. */
static bool
known(struct images *s, const char *key, const char *who, unsigned long line, const char *what,
      const struct image **im)
{
	const struct ref *r = xmlHashLookup(s->by_ref, BAD_CAST key);
	if (r == NULL)
		return false;
	if (r->why != NULL)
		log_warn(s->lg, who, line, "image %s: %s; left out", what, r->why);
	*im = r->im;
	return true;
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
	       bool *deferred)
{
	const struct fetch_result *fr;
	const struct image *hit = NULL;
	struct image *im = NULL;
	char *cached = NULL, *why = NULL;
	size_t len = 0;

	if (known(s, url, who, line, url, &hit))
		return hit;
	fr = s->fetch != NULL ? fetch_get(s->fetch, url) : NULL;
	if (fr != NULL && fr->status == FETCH_FAILED)
		return remember(s, url, NULL, NULL, who, line, url); /* fetch.c warned */
	if (fr != NULL && fr->status == FETCH_OK) {
		im = add_file(s, fr->path, &why);
	} else if (s->cache != NULL && (cached = fetch_cached_body(s->cache, url, &len)) != NULL) {
		s->cache_hits++;
		im = add_file(s, cached, &why);
		free(cached);
	} else if (deferred != NULL) {
		*deferred = true;
		return NULL;
	} else {
		return NULL; /* never queued for download: nothing to show */
	}
	return remember(s, url, im, why, who, line, url);
}

static const struct image *
resolve_data(struct images *s, const char *ref, const char *who, unsigned long line)
{
	const char *what = "in a data: URI";
	const struct image *hit = NULL;
	char *data = NULL, *why = NULL;
	size_t len = 0;
	struct image *im = NULL;

	if (known(s, ref, who, line, what, &hit))
		return hit;
	if (data_uri_decode(ref, s->max_size, &data, &len) != 0)
		why = xstrdup("malformed or too large");
	else
		im = add_bytes(s, data, len, NULL, &why);
	return remember(s, ref, im, why, who, line, what);
}

static const struct image *
resolve_local(struct images *s, const char *ref, const char *post_path, const char *who,
	      unsigned long line)
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
		log_warn(s->lg, who, line, "image %s not found; left out", what);
	} else if (strncmp(real, s->root, rn) != 0 || real[rn] != '/') {
		log_warn(s->lg, who, line, "image %s is outside the input folder; left out", what);
	} else if (!known(s, real, who, line, what, &im)) {
		char *why = NULL;
		struct image *added = add_file(s, real, &why);
		im = remember(s, real, added, why, who, line, what);
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

	pthread_mutex_lock(&s->lock);
	/* The helpers report through s->lg: this call's logger while the lock
	 * is held. */
	struct log *own = s->lg;
	s->lg = lg;
	switch (images_ref_kind(ref, &url)) {
	case REF_NONE:
		break;
	case REF_REMOTE:
		im = resolve_remote(s, url, who, line, deferred);
		break;
	case REF_DATA:
		im = resolve_data(s, ref, who, line);
		break;
	case REF_OTHER:
		log_warn(s->lg, who, line,
			 "image '%s': only local files, data: URIs and http(s) URLs are used; left out",
			 ref);
		break;
	case REF_LOCAL:
		im = resolve_local(s, ref, post_path, who, line);
		break;
	}
	s->lg = own;
	pthread_mutex_unlock(&s->lock);
	free(url);
	return im;
}


const struct image *
images_add_file(struct images *s, const char *path, const char *what)
{
	char *real = realpath(path, NULL);
	const struct image *im = NULL;

	if (real == NULL) {
		log_warn(s->lg, path, 0, "%s: %s", what, strerror(errno));
		return NULL;
	}
	char *why = NULL;
	pthread_mutex_lock(&s->lock);
	im = add_file(s, real, &why);
	pthread_mutex_unlock(&s->lock);
	if (im == NULL)
		log_warn(s->lg, what, 0, "image %s: %s; left out", path, why);
	free(why);
	free(real);
	return im;
}
