/* fetch.c — see fetch.h.
 *
 * Every URL is one entry, kept in the order it was first added and found
 * again through a small string hash table (duplicates are merged there).
 * fetch_run() first settles what the cache can answer, then drives
 * libcurl's multi interface. We do the queueing ourselves: at most o->jobs
 * easy handles are in the multi handle, at most o->per_host of them for one
 * scheme://host:port, because CURLOPT_TIMEOUT counts the time a transfer
 * waits in libcurl's own queue and the budget of a URL must be spent on
 * that URL. An attempt that may be retried waits for its backoff in our
 * schedule (curl_multi_poll with a timeout), never in a sleep, so the other
 * transfers go on meanwhile.
 *
 * Cache layout (also used for the private spool folder, without .meta):
 *
 *     DIR/ab/<sha256 of the URL, hex>.body   the response body, as received
 *     DIR/ab/<sha256 of the URL, hex>.meta   "post2epub-cache 1", then
 *                                            "url\t…", "size\t…", and when the
 *                                            server sent them "etag\t…",
 *                                            "modified\t…", one per line
 *
 * A body is written to DIR/ab/<hash>.tmp.XXXXXX while it downloads and is
 * renamed into place only when complete; the old .meta is removed first and
 * the new one written (through its own temp file) after the body, so at
 * every moment an entry whose .meta exists is complete. An entry counts
 * only when the .meta names the same URL and the size of the .body; files
 * of an interrupted run (a body without .meta, a stray temp file) are
 * ignored and overwritten later.
 *
 * libcurl's global state: fetch_new() calls curl_global_init() and
 * fetch_free() curl_global_cleanup(). Both are reference counted, and
 * thread-safe since 7.84 where curl_version_info() reports
 * CURL_VERSION_THREADSAFE (Debian's 7.88 does); post2epub has one thread.
 *
 * Warnings for failed URLs are printed at the end of fetch_run(), in the
 * order the URLs were added, so the output does not depend on which
 * transfer finished first.
 */
#include "fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "util.h"

#if !CURL_AT_LEAST_VERSION(7, 85, 0)
#error "post2epub needs libcurl 7.85 or newer (CURLOPT_PROTOCOLS_STR)"
#endif

#ifndef POST2EPUB_VERSION
#define POST2EPUB_VERSION "0.0.0"
#endif

#define MAX_REDIRS 5L
/* A non-2xx answer's body is read (to keep the connection) up to this. */
#define DISCARD_MAX (64 * 1024)
/* Longest backoff exponent: backoff_ms << 16 is already far past any budget. */
#define BACKOFF_SHIFT_MAX 16
#define PROGRESS_EVERY_MS 100
#define META_MAX (64 * 1024)
#define META_MAGIC "post2epub-cache 1"

/* ---------------------------------------------------------------------
 * A string → index hash table (open addressing). Keys are borrowed.
 */

struct strmap {
	struct slot {
		const char *key; /* NULL: empty */
		size_t val;
	} * v;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

static size_t
str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 32));
}

static struct slot *
strmap_slot(const struct strmap *m, const char *key)
{
	size_t i = str_hash(key) & (m->cap - 1);
	while (m->v[i].key != NULL && strcmp(m->v[i].key, key) != 0)
		i = (i + 1) & (m->cap - 1);
	return &m->v[i];
}

static bool
strmap_get(const struct strmap *m, const char *key, size_t *val)
{
	if (m->cap == 0)
		return false;
	const struct slot *s = strmap_slot(m, key);
	if (s->key == NULL)
		return false;
	*val = s->val;
	return true;
}

/* key must not be in the map yet. */
static void
strmap_put(struct strmap *m, const char *key, size_t val)
{
	if (2 * (m->n + 1) > m->cap) {
		struct strmap g = {xcalloc(m->cap ? 2 * m->cap : 64, sizeof *g.v),
		                   m->cap ? 2 * m->cap : 64, m->n};
		for (size_t i = 0; i < m->cap; i++)
			if (m->v[i].key != NULL)
				*strmap_slot(&g, m->v[i].key) = m->v[i];
		free(m->v);
		*m = g;
	}
	struct slot *s = strmap_slot(m, key);
	s->key = key;
	s->val = val;
	m->n++;
}

/* ---------------------------------------------------------------------
 * The fetcher's data.
 */

enum estate {
	E_NEW,     /* added, fetch_run() not reached it yet */
	E_QUEUED,  /* waits for a free slot */
	E_RUNNING, /* an attempt is in the multi handle */
	E_WAITING, /* waits for its backoff to pass before the next attempt */
	E_DONE,    /* res is final */
};

/* One try at a URL: an easy handle and the temp file it writes. */
struct attempt {
	struct fetcher *f;
	CURL *easy;
	FILE *fp;
	char *tmp; /* temp file path; NULL once renamed or removed */
	struct curl_slist *hdrs;
	size_t bytes;     /* body bytes written */
	size_t discarded; /* body bytes of a non-2xx answer, dropped */
	bool too_big;
	int write_errno;
	char errbuf[CURL_ERROR_SIZE];
};

struct entry {
	char *url;
	char *req_url; /* url with spaces and non-ASCII bytes %-encoded */
	char *who;
	unsigned long line;
	char key[65]; /* sha256 of url, hex */
	size_t host;  /* index into fetcher.hosts */
	enum estate state;
	unsigned attempts;
	long long t_start;    /* when the first attempt started (ms), or -1 */
	long long not_before; /* E_WAITING: when the next attempt may start */
	bool have_cached;     /* a complete cache entry exists (etag/modified) */
	size_t cached_size;
	char *etag, *modified;
	char *path;  /* the body file, when FETCH_OK */
	char *error; /* the reason, when FETCH_FAILED (or of the last attempt) */
	bool warned;
	struct attempt *att;
	struct fetch_result res;
};

struct host {
	char *name; /* scheme://host:port */
	unsigned running;
};

struct fetcher {
	struct fetch_opts o;
	struct log *lg;
	char *dir;  /* the cache or spool folder */
	bool spool; /* dir is ours: no .meta, removed by fetch_free */
	CURLM *multi;

	struct entry **ents;
	size_t nents, capents;
	struct strmap by_url;

	struct host *hosts;
	size_t nhosts, caphosts;
	struct strmap by_host;

	/* fetch_run's schedule */
	struct entry **queue; /* E_QUEUED entries, in add order */
	size_t nqueue, capqueue, qnext;
	struct entry **wait; /* E_WAITING entries */
	size_t nwait, capwait;
	unsigned running;

	/* progress */
	size_t run_total, run_done;
	uint64_t live_bytes;
	long long last_progress;

	struct fetch_stats st;
};

static long long
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "20 MiB", "512 KiB", "1000 bytes". Caller frees. */
static char *
size_text(size_t n)
{
	if (n >= 1024 * 1024 && n % (1024 * 1024) == 0)
		return xasprintf("%zu MiB", n / (1024 * 1024));
	if (n >= 1024 && n % 1024 == 0)
		return xasprintf("%zu KiB", n / 1024);
	return xasprintf("%zu bytes", n);
}

/* "1.5 s", "30 s". Caller frees. */
static char *
secs_text(long long ms)
{
	long long tenths = (ms + 50) / 100;
	if (tenths % 10 == 0 || tenths >= 100)
		return xasprintf("%lld s", (tenths + 5) / 10);
	return xasprintf("%lld.%lld s", tenths / 10, tenths % 10);
}

/* ---------------------------------------------------------------------
 * Options, folders.
 */

void
fetch_opts_default(struct fetch_opts *o)
{
	memset(o, 0, sizeof *o);
	o->jobs = 8;
	o->per_host = 8;
	o->max_size = 20 * 1024 * 1024;
	o->connect_timeout_ms = 10000;
	o->timeout_ms = 60000;
	o->low_speed_time_s = 15;
	o->low_speed_limit = 1;
	o->retries = 2;
	o->backoff_ms = 500;
	o->user_agent = "post2epub/" POST2EPUB_VERSION;
}

char *
fetch_default_cache_dir(void)
{
	const char *x = getenv("XDG_CACHE_HOME");
	if (x != NULL && x[0] == '/') /* the spec: relative values are ignored */
		return xasprintf("%s/post2epub", x);
	const char *h = getenv("HOME");
	if (h != NULL && h[0] != '\0')
		return xasprintf("%s/.cache/post2epub", h);
	return NULL;
}


static int
rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

/* DIR/ab/HASH + suffix. Caller frees. */
static char *
entry_file(const struct fetcher *f, const struct entry *e, const char *suffix)
{
	return xasprintf("%s/%.2s/%s%s", f->dir, e->key, e->key, suffix);
}

/* ---------------------------------------------------------------------
 * The cache.
 */

static bool is_http_url(const char *url);

/* Reads the .meta of the entry for url (key: the sha256 of url, hex) in
 * dir and checks it against the .body: true, with the body's path and size
 * (and the validators, when etag/modified are not NULL), when the entry is
 * complete. Reads files only: safe on any thread. */
static bool
read_entry(const char *dir, const char *key, const char *url, bool stat_body, char **body_out,
	   size_t *size_out, char **etag_out, char **modified_out)
{
	bool ok = false;
	char *meta = xasprintf("%s/%.2s/%s.meta", dir, key, key);
	char *body = xasprintf("%s/%.2s/%s.body", dir, key, key);
	char *text = NULL, *etag = NULL, *modified = NULL;
	size_t len = 0, size = SIZE_MAX;
	bool url_ok = false;
	struct stat sb;

	if (read_file_bounded(meta, META_MAX, &text, &len) != 0)
		goto out;
	char *save = NULL;
	char *line = strtok_r(text, "\n", &save);
	if (line == NULL || strcmp(line, META_MAGIC) != 0)
		goto out;
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		char *tab = strchr(line, '\t');
		if (tab == NULL)
			goto out;
		*tab++ = '\0';
		if (strcmp(line, "url") == 0) {
			url_ok = strcmp(tab, url) == 0;
		} else if (strcmp(line, "size") == 0) {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(tab, &end, 10);
			if (errno != 0 || *end != '\0' || end == tab || v > SIZE_MAX)
				goto out;
			size = (size_t)v;
		} else if (strcmp(line, "etag") == 0 && etag == NULL) {
			etag = xstrdup(tab);
		} else if (strcmp(line, "modified") == 0 && modified == NULL) {
			modified = xstrdup(tab);
		}
	}
	if (!url_ok || size == SIZE_MAX)
		goto out;
	if (stat_body && (stat(body, &sb) != 0 || !S_ISREG(sb.st_mode) ||
			  (uintmax_t)sb.st_size != size))
		goto out;
	*size_out = size;
	if (body_out != NULL) {
		*body_out = body;
		body = NULL;
	}
	if (etag_out != NULL) {
		*etag_out = etag;
		etag = NULL;
	}
	if (modified_out != NULL) {
		*modified_out = modified;
		modified = NULL;
	}
	ok = true;
out:
	free(meta);
	free(body);
	free(text);
	free(etag);
	free(modified);
	return ok;
}

/* Whether the cache holds e; fills e's validators. */
static bool
cache_lookup(struct fetcher *f, struct entry *e)
{
	if (f->spool || !read_entry(f->dir, e->key, e->url, true, NULL, &e->cached_size, &e->etag,
				    &e->modified))
		return false;
	e->have_cached = true;
	return true;
}

char *
fetch_cached_body(const struct fetch_opts *o, const char *url, char **data, size_t *len)
{
	unsigned char d[32];
	char key[65], *body = NULL, *bytes = NULL;
	size_t size = 0, n = 0;

	if (o->cache_dir == NULL || (o->refresh && !o->offline) || !is_http_url(url))
		return NULL;
	sha256_bytes(url, strlen(url), d);
	hex_encode(d, sizeof d, key);
	/* With data, reading the body checks its size: no stat first. */
	if (!read_entry(o->cache_dir, key, url, data == NULL, &body, &size, NULL, NULL))
		return NULL;
	if (size > o->max_size) /* fetch_run says why */
		goto miss;
	if (data != NULL) {
		if (read_file_bounded(body, o->max_size, &bytes, &n) != 0 || n != size)
			goto miss;
		*data = bytes;
	}
	*len = size;
	return body;
miss:
	free(bytes);
	free(body);
	return NULL;
}

/* Writes e's .meta atomically (temp file, rename). */
static int
cache_write_meta(struct fetcher *f, struct entry *e, size_t size, const char *etag,
                 const char *modified)
{
	int rc = -1, fd = -1;
	FILE *fp = NULL;
	char *meta = entry_file(f, e, ".meta"), *tmp = entry_file(f, e, ".tmp.XXXXXX");

	if ((fd = mkstemp(tmp)) < 0) {
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if ((fp = fdopen(fd, "w")) == NULL)
		goto out;
	fd = -1;
	fprintf(fp, "%s\nurl\t%s\nsize\t%zu\n", META_MAGIC, e->url, size);
	if (etag != NULL)
		fprintf(fp, "etag\t%s\n", etag);
	if (modified != NULL)
		fprintf(fp, "modified\t%s\n", modified);
	int ferr = ferror(fp);
	int cerr = fclose(fp);
	fp = NULL;
	if (ferr || cerr != 0) {
		if (errno == 0)
			errno = EIO;
		goto out;
	}
	if (rename(tmp, meta) != 0)
		goto out;
	free(tmp);
	tmp = NULL;
	rc = 0;
out:
	if (fp != NULL)
		fclose(fp);
	if (fd >= 0)
		close(fd);
	if (tmp != NULL) {
		int saved = errno;
		unlink(tmp);
		errno = saved;
	}
	free(tmp);
	free(meta);
	return rc;
}

/* A response header of the last request of a finished transfer, or NULL.
 * Header values never hold a newline; a tab would break the .meta line. */
static char *
last_header(CURL *easy, const char *name)
{
	struct curl_header *h = NULL;
	if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK || h == NULL ||
	    h->value == NULL || h->value[0] == '\0' || strpbrk(h->value, "\t\r\n") != NULL)
		return NULL;
	return xstrdup(h->value);
}

/* Moves a finished download into place: the old .meta goes first, then the
 * body is renamed, then the new .meta is written. */
static int
cache_commit(struct fetcher *f, struct entry *e, struct attempt *a, char **why)
{
	int rc = -1;
	char *body = entry_file(f, e, ".body"), *meta = NULL;
	char *etag = NULL, *modified = NULL;

	if (!f->spool) {
		meta = entry_file(f, e, ".meta");
		if (unlink(meta) != 0 && errno != ENOENT)
			goto fail;
	}
	if (rename(a->tmp, body) != 0)
		goto fail;
	free(a->tmp);
	a->tmp = NULL;
	if (!f->spool) {
		etag = last_header(a->easy, "ETag");
		modified = last_header(a->easy, "Last-Modified");
		if (cache_write_meta(f, e, a->bytes, etag, modified) != 0) {
			int saved = errno;
			unlink(body);
			errno = saved;
			goto fail;
		}
	}
	free(e->path);
	e->path = body;
	body = NULL;
	rc = 0;
	goto out;
fail:
	*why = xasprintf("cannot write to the cache: %s", strerror(errno));
out:
	free(body);
	free(meta);
	free(etag);
	free(modified);
	return rc;
}

/* ---------------------------------------------------------------------
 * Entries and their outcome.
 */

/* Marks e final. error is taken over (NULL for FETCH_OK). */
static void
settle(struct fetcher *f, struct entry *e, enum fetch_status status, char *error, bool from_cache)
{
	free(e->error);
	e->error = error;
	e->state = E_DONE;
	e->res.status = status;
	e->res.from_cache = from_cache;
	e->res.error = status == FETCH_FAILED ? e->error : NULL;
	e->res.path = status == FETCH_OK ? e->path : NULL;
	if (status == FETCH_OK && from_cache)
		f->st.cached++;
	else if (status == FETCH_OK)
		f->st.downloaded++;
	else
		f->st.failed++;
	f->run_done++;
}

/* A cached copy answers for e (no request, a 304, or a failed revalidation). */
static void
settle_cached(struct fetcher *f, struct entry *e)
{
	free(e->path);
	e->path = entry_file(f, e, ".body");
	e->res.len = e->cached_size;
	settle(f, e, FETCH_OK, NULL, true);
}

/* Lower-case scheme://host:port of url, or NULL when curl cannot parse it
 * (*why says how). */
static char *
host_key(const char *url, char **why)
{
	char *key = NULL, *scheme = NULL, *host = NULL, *port = NULL;
	CURLU *u = curl_url();
	CURLUcode uc;
	if (u == NULL) {
		*why = xstrdup("libcurl cannot parse URLs");
		goto out;
	}
	if ((uc = curl_url_set(u, CURLUPART_URL, url, 0)) != CURLUE_OK ||
	    (uc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0)) != CURLUE_OK ||
	    (uc = curl_url_get(u, CURLUPART_HOST, &host, 0)) != CURLUE_OK ||
	    (uc = curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT)) != CURLUE_OK) {
		*why = xasprintf("malformed URL (%s)", curl_url_strerror(uc));
		goto out;
	}
	key = xasprintf("%s://%s:%s", scheme, host, port);
	for (char *p = key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return key;
}

/* url with control characters, spaces, a few unsafe characters and every
 * non-ASCII byte after the authority %-encoded, as browsers send them (image
 * URLs in posts often hold raw spaces or CJK file names). Caller frees. */
static char *
request_url(const char *url)
{
	struct buf b = {0};
	const char *p = strstr(url, "://");
	p = p != NULL ? p + 3 : url;
	p += strcspn(p, "/?#");
	buf_add(&b, url, (size_t)(p - url));
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c >= 0x7f || strchr("\"<>\\^`{|}", c) != NULL)
			buf_printf(&b, "%%%02X", c);
		else
			buf_putc(&b, (char)c);
	}
	return buf_detach(&b, NULL);
}

static bool
is_http_url(const char *url)
{
	return ascii_ncasecmp(url, "http://", 7) == 0 || ascii_ncasecmp(url, "https://", 8) == 0;
}

static size_t
host_index(struct fetcher *f, char *name)
{
	size_t i;
	if (strmap_get(&f->by_host, name, &i)) {
		free(name);
		return i;
	}
	f->hosts = xgrow(f->hosts, &f->caphosts, f->nhosts + 1, sizeof *f->hosts);
	i = f->nhosts++;
	f->hosts[i].name = name;
	f->hosts[i].running = 0;
	strmap_put(&f->by_host, name, i);
	return i;
}

void
fetch_add(struct fetcher *f, const char *url, const char *who, unsigned long line)
{
	size_t i;
	if (strmap_get(&f->by_url, url, &i))
		return;
	struct entry *e = xcalloc(1, sizeof *e);
	unsigned char d[32];
	e->url = xstrdup(url);
	e->who = who != NULL ? xstrdup(who) : NULL;
	e->line = line;
	e->t_start = -1;
	sha256_bytes(url, strlen(url), d);
	hex_encode(d, sizeof d, e->key);
	f->ents = xgrow(f->ents, &f->capents, f->nents + 1, sizeof *f->ents);
	f->ents[f->nents] = e;
	strmap_put(&f->by_url, e->url, f->nents++);

	e->state = E_NEW;
	if (!is_http_url(url)) {
		settle(f, e, FETCH_FAILED, xstrdup("only http and https URLs are downloaded"),
		       false);
		return;
	}
	char *why = NULL;
	e->req_url = request_url(url);
	char *hk = host_key(e->req_url, &why);
	if (hk == NULL) {
		settle(f, e, FETCH_FAILED, why, false);
		return;
	}
	e->host = host_index(f, hk);
}

const struct fetch_result *
fetch_get(const struct fetcher *f, const char *url)
{
	size_t i;
	if (f == NULL || !strmap_get(&f->by_url, url, &i))
		return NULL;
	return &f->ents[i]->res;
}

void
fetch_get_stats(const struct fetcher *f, struct fetch_stats *st)
{
	*st = f->st;
}

/* ---------------------------------------------------------------------
 * Transfers.
 */

/* Body bytes: into the temp file when the answer is 2xx, counted against
 * max_size (CURLOPT_MAXFILESIZE only helps when a length is announced). */
static size_t
on_write(char *data, size_t size, size_t nmemb, void *userp)
{
	struct attempt *a = userp;
	size_t n = size * nmemb;
	long code = 0;
	curl_easy_getinfo(a->easy, CURLINFO_RESPONSE_CODE, &code);
	if (code < 200 || code > 299) {
		a->discarded += n;
		return a->discarded > DISCARD_MAX ? 0 : n;
	}
	if (n > a->f->o.max_size - a->bytes) {
		a->too_big = true;
		return 0;
	}
	if (n > 0 && fwrite(data, 1, n, a->fp) != n) {
		a->write_errno = errno != 0 ? errno : EIO;
		return 0;
	}
	a->bytes += n;
	a->f->live_bytes += n;
	return n;
}

/* Releases an attempt that is no longer in the multi handle; its temp file,
 * if still there, is removed. */
static void
attempt_free(struct attempt *a)
{
	if (a == NULL)
		return;
	if (a->fp != NULL)
		fclose(a->fp);
	if (a->tmp != NULL)
		unlink(a->tmp);
	free(a->tmp);
	if (a->easy != NULL)
		curl_easy_cleanup(a->easy);
	curl_slist_free_all(a->hdrs);
	free(a);
}

static long long
deadline(const struct fetcher *f, const struct entry *e)
{
	return f->o.timeout_ms > 0 ? e->t_start + f->o.timeout_ms : LLONG_MAX;
}

static char *
timed_out(const struct entry *e, long long now)
{
	char *s = secs_text(now - e->t_start);
	char *why = xasprintf("timed out after %s", s);
	free(s);
	return why;
}

static struct curl_slist *
slist_add(struct curl_slist *l, const char *s)
{
	struct curl_slist *n = curl_slist_append(l, s);
	if (n == NULL) {
		fputs("post2epub: out of memory\n", stderr);
		abort();
	}
	return n;
}

/* Starts one attempt at e: a temp file, an easy handle in the multi handle.
 * A failure to start settles e. */
static void
start_attempt(struct fetcher *f, struct entry *e, long long now)
{
	struct attempt *a = NULL;
	char *why = NULL, *dir = NULL;
	int fd = -1;

	if (e->t_start < 0)
		e->t_start = now;
	long long left = deadline(f, e) - now;
	if (left <= 0) {
		why = e->error != NULL ? xstrdup(e->error) : timed_out(e, now);
		goto fail;
	}
	if (f->o.timeout_ms <= 0)
		left = 0; /* no budget: no timeout */
	e->attempts++;
	a = xcalloc(1, sizeof *a);
	a->f = f;
	dir = xasprintf("%s/%.2s", f->dir, e->key);
	a->tmp = entry_file(f, e, ".tmp.XXXXXX");
	if ((mkdir(dir, 0700) != 0 && errno != EEXIST) || (fd = mkstemp(a->tmp)) < 0 ||
	    (a->fp = fdopen(fd, "wb")) == NULL) {
		why = xasprintf("cannot write to the cache: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		else {
			free(a->tmp);
			a->tmp = NULL;
		}
		goto fail;
	}
	if ((a->easy = curl_easy_init()) == NULL) {
		why = xstrdup("libcurl cannot start a transfer");
		goto fail;
	}
	for (size_t i = 0; i < f->o.nheaders; i++)
		a->hdrs = slist_add(a->hdrs, f->o.headers[i]);
	if (e->have_cached && f->o.refresh) {
		char *h;
		if (e->etag != NULL) {
			h = xasprintf("If-None-Match: %s", e->etag);
			a->hdrs = slist_add(a->hdrs, h);
			free(h);
		}
		if (e->modified != NULL) {
			h = xasprintf("If-Modified-Since: %s", e->modified);
			a->hdrs = slist_add(a->hdrs, h);
			free(h);
		}
	}
	long connect_ms = f->o.connect_timeout_ms;
	if (left > 0 && (connect_ms <= 0 || connect_ms > left))
		connect_ms = (long)left;
	CURL *c = a->easy;
	curl_easy_setopt(c, CURLOPT_URL, e->req_url);
	curl_easy_setopt(c, CURLOPT_PRIVATE, e);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, a->errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, MAX_REDIRS);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_ms > 0 ? connect_ms : 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)left);
	if (f->o.low_speed_time_s > 0 && f->o.low_speed_limit > 0) {
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, f->o.low_speed_limit);
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, f->o.low_speed_time_s);
	}
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->o.max_size);
	curl_easy_setopt(c, CURLOPT_USERAGENT,
	                 f->o.user_agent != NULL ? f->o.user_agent
	                                         : "post2epub/" POST2EPUB_VERSION);
	if (a->hdrs != NULL)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, a->hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	CURLMcode mc = curl_multi_add_handle(f->multi, c);
	if (mc != CURLM_OK) {
		why = xasprintf("libcurl: %s", curl_multi_strerror(mc));
		goto fail;
	}
	e->att = a;
	e->state = E_RUNNING;
	f->running++;
	f->hosts[e->host].running++;
	if (f->running > f->st.peak_concurrency)
		f->st.peak_concurrency = f->running;
	free(dir);
	return;
fail:
	attempt_free(a);
	free(dir);
	settle(f, e, FETCH_FAILED, why, false);
}

enum verdict {
	V_OK,           /* a 2xx body is in the temp file */
	V_NOT_MODIFIED, /* 304 to our revalidation */
	V_RETRY,        /* worth another attempt */
	V_FAIL,
};

/* Judges a finished attempt; *why gets the reason unless V_OK/V_NOT_MODIFIED. */
static enum verdict
judge(const struct fetcher *f, const struct entry *e, const struct attempt *a, CURLcode rc,
      long long now, char **why)
{
	long code = 0;
	char *s;
	curl_easy_getinfo(a->easy, CURLINFO_RESPONSE_CODE, &code);
	const char *detail = a->errbuf[0] != '\0' ? a->errbuf : curl_easy_strerror(rc);

	switch (rc) {
	case CURLE_OK:
		break;
	case CURLE_WRITE_ERROR:
		if (a->too_big)
			goto too_big;
		if (a->write_errno != 0) {
			*why = xasprintf("cannot write to the cache: %s", strerror(a->write_errno));
			return V_FAIL;
		}
		if (a->discarded > 0)
			break; /* a long error page: judged by its status below */
		*why = xstrdup(detail);
		return V_FAIL;
	case CURLE_FILESIZE_EXCEEDED:
		goto too_big;
	case CURLE_OPERATION_TIMEDOUT:
		*why = timed_out(e, now);
		return V_RETRY;
	case CURLE_TOO_MANY_REDIRECTS:
		*why = xstrdup("too many redirects");
		return V_FAIL;
	case CURLE_PARTIAL_FILE:
		*why = xstrdup("truncated body");
		return V_FAIL;
	case CURLE_UNSUPPORTED_PROTOCOL:
		*why = xstrdup("redirected to a URL that is not http or https");
		return V_FAIL;
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		*why = xasprintf("connection failed: %s", detail);
		return V_RETRY;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		*why = xasprintf("connection failed: %s", detail);
		return V_FAIL;
	default:
		*why = xstrdup(detail);
		return V_FAIL;
	}
	if (code >= 200 && code <= 299 && a->discarded == 0)
		return V_OK;
	if (code == 304 && e->have_cached && f->o.refresh)
		return V_NOT_MODIFIED;
	*why = xasprintf("HTTP %ld", code);
	return code >= 500 || code == 429 || code == 408 ? V_RETRY : V_FAIL;
too_big:
	s = size_text(f->o.max_size);
	*why = xasprintf("larger than %s", s);
	free(s);
	return V_FAIL;
}

/* Takes a finished attempt out of the multi handle and decides what
 * becomes of e: done, or waiting for another attempt. */
static void
finish_attempt(struct fetcher *f, struct entry *e, CURLcode rc, long long now)
{
	struct attempt *a = e->att;
	char *why = NULL;

	curl_multi_remove_handle(f->multi, a->easy);
	e->att = NULL;
	f->running--;
	f->hosts[e->host].running--;
	if (fclose(a->fp) != 0 && rc == CURLE_OK && a->write_errno == 0) {
		a->write_errno = errno != 0 ? errno : EIO;
		rc = CURLE_WRITE_ERROR;
	}
	a->fp = NULL;

	enum verdict v = judge(f, e, a, rc, now, &why);
	if (v == V_OK && cache_commit(f, e, a, &why) != 0)
		v = V_FAIL;
	switch (v) {
	case V_OK:
		e->res.len = a->bytes;
		f->st.bytes += a->bytes;
		settle(f, e, FETCH_OK, NULL, false);
		break;
	case V_NOT_MODIFIED:
		settle_cached(f, e);
		break;
	case V_RETRY:
		if (e->attempts <= f->o.retries) {
			unsigned shift = e->attempts - 1;
			if (shift > BACKOFF_SHIFT_MAX)
				shift = BACKOFF_SHIFT_MAX;
			long long delay = (f->o.backoff_ms > 0 ? f->o.backoff_ms : 0) << shift;
			if (now + delay < deadline(f, e)) {
				free(e->error);
				e->error = why;
				e->state = E_WAITING;
				e->not_before = now + delay;
				f->wait =
				    xgrow(f->wait, &f->capwait, f->nwait + 1, sizeof *f->wait);
				f->wait[f->nwait++] = e;
				break;
			}
		}
		/* fall through */
	case V_FAIL:
		if (e->have_cached && f->o.refresh) {
			log_info(f->lg, "image %s: cannot revalidate (%s); using the cached copy",
			         e->url, why);
			free(why);
			settle_cached(f, e);
		} else {
			settle(f, e, FETCH_FAILED, why, false);
		}
		break;
	}
	attempt_free(a);
}

/* Starts what may start: due retries first, then queued URLs in order,
 * within the jobs and per-host limits. */
static void
schedule(struct fetcher *f, long long now)
{
	unsigned jobs = f->o.jobs;
	size_t k = 0;
	for (size_t i = 0; i < f->nwait; i++) {
		struct entry *e = f->wait[i];
		if (f->running < jobs && e->not_before <= now &&
		    f->hosts[e->host].running < f->o.per_host)
			start_attempt(f, e, now);
		else
			f->wait[k++] = e;
	}
	f->nwait = k;
	for (size_t i = f->qnext; i < f->nqueue && f->running < jobs; i++) {
		struct entry *e = f->queue[i];
		if (e->state == E_QUEUED && f->hosts[e->host].running < f->o.per_host)
			start_attempt(f, e, now);
	}
	while (f->qnext < f->nqueue && f->queue[f->qnext]->state != E_QUEUED)
		f->qnext++;
}

static bool
retry_due(const struct fetcher *f, long long now, long long *next)
{
	bool due = false;
	for (size_t i = 0; i < f->nwait; i++) {
		if (f->wait[i]->not_before <= now)
			due = true;
		else if (f->wait[i]->not_before < *next)
			*next = f->wait[i]->not_before;
	}
	return due;
}

static void
progress(struct fetcher *f, long long now)
{
	if (!f->o.progress || now - f->last_progress < PROGRESS_EVERY_MS)
		return;
	f->last_progress = now;
	log_progress(f->lg, "images %zu/%zu, %.1f MB, %zu failed", f->run_done, f->run_total,
	             (double)f->live_bytes / 1e6, f->st.failed);
}

/* Fails whatever is still open after the multi handle broke down. */
static void
abandon(struct fetcher *f, const char *why)
{
	for (size_t i = 0; i < f->nents; i++) {
		struct entry *e = f->ents[i];
		if (e->state == E_DONE || e->state == E_NEW)
			continue;
		if (e->att != NULL) {
			curl_multi_remove_handle(f->multi, e->att->easy);
			attempt_free(e->att);
			e->att = NULL;
			f->hosts[e->host].running--;
		}
		settle(f, e, FETCH_FAILED, xstrdup(why), false);
	}
	f->running = 0;
	f->nwait = 0;
	f->qnext = f->nqueue;
}

/* libcurl's multi handle gave up: report, fail what is left, -1. */
static int
multi_failed(struct fetcher *f, CURLMcode mc)
{
	log_error(f->lg, NULL, 0, "downloads stopped: libcurl: %s", curl_multi_strerror(mc));
	abandon(f, "downloads stopped");
	return -1;
}

int
fetch_run(struct fetcher *f)
{
	int rc = 0;
	f->nqueue = f->qnext = f->nwait = 0;
	f->run_total = f->run_done = 0;
	f->last_progress = LLONG_MIN / 2;

	/* What the cache answers, and what goes on the queue. */
	for (size_t i = 0; i < f->nents; i++) {
		struct entry *e = f->ents[i];
		if (e->warned)
			continue;
		f->run_total++;
		if (e->state == E_DONE) {
			f->run_done++;
			continue;
		}
		if (cache_lookup(f, e) && (!f->o.refresh || f->o.offline)) {
			if (e->cached_size > f->o.max_size) {
				char *s = size_text(f->o.max_size);
				settle(f, e, FETCH_FAILED, xasprintf("larger than %s", s), false);
				free(s);
			} else {
				settle_cached(f, e);
			}
		} else if (f->o.offline) {
			settle(f, e, FETCH_FAILED, xstrdup("not in the cache (--offline)"), false);
		} else {
			e->state = E_QUEUED;
			f->queue = xgrow(f->queue, &f->capqueue, f->nqueue + 1, sizeof *f->queue);
			f->queue[f->nqueue++] = e;
		}
	}

	bool dirty = true;
	for (;;) {
		long long now = now_ms(), next = LLONG_MAX;
		if (retry_due(f, now, &next) || dirty) {
			schedule(f, now);
			dirty = false;
			next = LLONG_MAX;
			retry_due(f, now, &next);
		}
		progress(f, now);
		if (f->running == 0 && f->nwait == 0 && f->qnext >= f->nqueue)
			break;
		if (f->o.stop != NULL && *f->o.stop) {
			/* attempt_free removes the partial files. */
			abandon(f, "interrupted");
			rc = -1;
			break;
		}
		int still = 0;
		CURLMcode mc = curl_multi_perform(f->multi, &still);
		if (mc != CURLM_OK) {
			rc = multi_failed(f, mc);
			break;
		}
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(f->multi, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			char *priv = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
			finish_attempt(f, (struct entry *)(void *)priv, msg->data.result, now_ms());
			dirty = true;
		}
		if (dirty)
			continue;
		long long wait = 1000;
		if (f->o.progress)
			wait = PROGRESS_EVERY_MS;
		now = now_ms();
		if (next != LLONG_MAX && next - now < wait)
			wait = next - now > 0 ? next - now : 0;
		mc = curl_multi_poll(f->multi, NULL, 0, (int)wait, NULL);
		if (mc != CURLM_OK) {
			rc = multi_failed(f, mc);
			break;
		}
	}
	if (f->o.progress) {
		f->last_progress = LLONG_MIN / 2;
		progress(f, now_ms());
		log_progress_end(f->lg);
	}

	/* One warning per failed URL, in the order the URLs were added. */
	for (size_t i = 0; rc == 0 && i < f->nents; i++) {
		struct entry *e = f->ents[i];
		if (e->state != E_DONE || e->warned)
			continue;
		e->warned = true;
		if (e->res.status == FETCH_FAILED)
			log_warn(f->lg, e->who, e->line, "image %s: %s", e->url, e->error);
	}
	return rc;
}

/* ---------------------------------------------------------------------
 * Life cycle.
 */

struct fetcher *
fetch_new(const struct fetch_opts *o, struct log *lg)
{
	struct fetcher *f = xcalloc(1, sizeof *f);
	bool global = false;
	f->o = *o;
	f->lg = lg;
	if (f->o.jobs == 0)
		f->o.jobs = 1;
	if (f->o.per_host == 0)
		f->o.per_host = 1;

	if (o->cache_dir != NULL) {
		f->dir = xstrdup(o->cache_dir);
		if (mkdir_p(f->dir, 0700) != 0) {
			log_error(lg, o->cache_dir, 0, "cannot create the cache folder: %s",
			          strerror(errno));
			goto fail;
		}
	} else {
		const char *t = getenv("TMPDIR");
		f->dir = xasprintf("%s/post2epub-XXXXXX", t != NULL && t[0] != '\0' ? t : "/tmp");
		if (mkdtemp(f->dir) == NULL) {
			log_error(lg, f->dir, 0, "cannot create a spool folder: %s",
			          strerror(errno));
			goto fail;
		}
		f->spool = true;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error(lg, NULL, 0, "libcurl cannot start");
		goto fail;
	}
	global = true;
	if ((f->multi = curl_multi_init()) == NULL) {
		log_error(lg, NULL, 0, "libcurl cannot start");
		goto fail;
	}
	curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)f->o.jobs);
	curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)f->o.per_host);
	return f;
fail:
	if (global)
		curl_global_cleanup();
	if (f->spool)
		rmdir(f->dir);
	free(f->dir);
	free(f);
	return NULL;
}

void
fetch_forget(struct fetcher *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->nents; i++) {
		struct entry *e = f->ents[i];
		if (e->att != NULL) {
			curl_multi_remove_handle(f->multi, e->att->easy);
			attempt_free(e->att);
		}
		free(e->url);
		free(e->req_url);
		free(e->who);
		free(e->etag);
		free(e->modified);
		free(e->path);
		free(e->error);
		free(e);
	}
	free(f->ents);
	free(f->by_url.v);
	f->ents = NULL;
	f->nents = f->capents = 0;
	memset(&f->by_url, 0, sizeof f->by_url);
	f->nqueue = f->qnext = f->nwait = 0;
}

void
fetch_free(struct fetcher *f)
{
	if (f == NULL)
		return;
	fetch_forget(f);
	for (size_t i = 0; i < f->nhosts; i++)
		free(f->hosts[i].name);
	free(f->hosts);
	free(f->by_host.v);
	free(f->queue);
	free(f->wait);
	curl_multi_cleanup(f->multi);
	curl_global_cleanup();
	if (f->spool)
		nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f->dir);
	free(f);
}
