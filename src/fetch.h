/* fetch.h — downloading images over http(s) with libcurl's multi
 * interface, concurrently, into an on-disk cache.
 *
 * Usage: fetch_new(), fetch_add() every URL (duplicates are merged),
 * fetch_run() once, then fetch_get() each URL's outcome. Downloaded bytes
 * live in files (the cache, or a private spool folder when the cache is
 * off), never all in memory: a result names the file.
 */
#ifndef POST2EPUB_FETCH_H
#define POST2EPUB_FETCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

struct fetch_opts {
	unsigned jobs;          /* concurrent transfers, >= 1 (CLI default 8) */
	unsigned per_host;      /* concurrent transfers per host, >= 1 (default 8) */
	size_t max_size;        /* bytes per response body (default 20 MiB) */
	long connect_timeout_ms; /* default 10 s */
	long timeout_ms;        /* the whole budget for one URL, all attempts and
				   time spent queued included (default 60 s) */
	long low_speed_time_s;  /* abort below low_speed_limit bytes/s for this long */
	long low_speed_limit;   /* default 1 byte/s for 15 s */
	unsigned retries;       /* extra attempts after a timeout, a connection
				   failure or a 5xx/429 answer (default 2) */
	long backoff_ms;        /* first retry delay, doubled each time (default 500) */
	const char *cache_dir;  /* NULL: no cache (a private spool folder is used
				   and removed by fetch_free) */
	bool offline;           /* no network: cache only; misses fail */
	bool refresh;           /* revalidate cached entries (If-None-Match /
				   If-Modified-Since); default: cached is fresh */
	const char *const *headers; /* extra request headers "Name: value" */
	size_t nheaders;
	const char *user_agent; /* "post2epub/VERSION" */
	bool progress;          /* progress through log_progress() (a TTY only) */
	const volatile sig_atomic_t *stop; /* when it becomes non-zero (a signal),
				   fetch_run abandons every transfer, removes
				   partial files and returns -1; may be NULL */
};

/* Fills o with the defaults above (cache_dir NULL). */
void fetch_opts_default(struct fetch_opts *o);

/* The default cache folder: $XDG_CACHE_HOME/post2epub, else
 * $HOME/.cache/post2epub; NULL when neither is set. Caller frees. */
char *fetch_default_cache_dir(void);

struct fetcher;

/* Returns NULL after logging an error (libcurl cannot start, the cache or
 * spool folder cannot be created). o's strings must outlive the fetcher. */
struct fetcher *fetch_new(const struct fetch_opts *o, struct log *lg);
void fetch_free(struct fetcher *f);

/* Queues url (http or https only; anything else is refused at once with
 * an error result). Adding the same URL again is free. who names what
 * wants it (a post's relative path) for the warning if it fails; the first
 * requester is named. */
void fetch_add(struct fetcher *f, const char *url, const char *who, unsigned long line);

/* Runs every queued transfer to completion. A failed URL is warned about
 * once, as "image URL: WHY" at who:line (WHY: "HTTP 404", "timed out after
 * 30 s", "larger than 20 MiB", "too many redirects", "truncated body",
 * "connection failed: <libcurl's text>", "not in the cache (--offline)",
 * "only http and https URLs are downloaded" …). The warnings come at the end,
 * in the order the URLs were first added, whatever order the transfers
 * finished in. With refresh, a cached entry whose revalidation fails (the
 * server is gone, 404 …) keeps being used (noted with --verbose only).
 * Returns 0 (even when URLs failed), -1 only when libcurl broke down
 * (reported; the URLs still open are failed). */
int fetch_run(struct fetcher *f);

enum fetch_status {
	FETCH_PENDING = 0, /* not run yet */
	FETCH_OK,
	FETCH_FAILED,
};

struct fetch_result {
	enum fetch_status status;
	const char *path;  /* file holding the body (FETCH_OK); valid until fetch_free */
	size_t len;        /* its size */
	bool from_cache;   /* served from the cache without a full download
			      (no request, or a 304 to a revalidation) */
	const char *error; /* why it failed (FETCH_FAILED) */
};

/* Forgets every URL and its outcome (not running): memory does not keep
 * growing with the URLs of earlier books. The files stay (the cache; the
 * private spool folder until fetch_free), and so do the stats. */
void fetch_forget(struct fetcher *f);

/* The outcome for url, or NULL when url was never added. */
const struct fetch_result *fetch_get(const struct fetcher *f, const char *url);

/* Without a fetcher and without a request: the file in o's cache that
 * answers for url as fetch_run() would (a complete entry within
 * o->max_size; none with o->refresh unless o->offline, none without a
 * cache), with its size in *len, or NULL. With data (not NULL), its bytes
 * too, in *data (malloc'd). Caller frees. Reads files only: safe on any
 * thread. */
char *fetch_cached_body(const struct fetch_opts *o, const char *url, char **data, size_t *len);

struct fetch_stats {
	size_t downloaded;  /* full downloads */
	size_t cached;      /* served from the cache (incl. 304 revalidations) */
	size_t failed;
	uint64_t bytes;     /* bytes downloaded */
	unsigned peak_concurrency;
};
void fetch_get_stats(const struct fetcher *f, struct fetch_stats *st);

#endif
