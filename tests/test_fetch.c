/* Unit tests: fetch.c — downloads against the loopback server tests/httpd.py.
 *
 * The group setup starts the server (python3, bound to 127.0.0.1, port read
 * from its first output line) and the teardown stops it by closing its stdin.
 * Every test gets a fresh cache folder. Timing assertions are generous: the
 * machine is shared and noisy.
 */
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include <curl/curl.h>

#include "fetch.h"
#include "testutil.h"
#include "util.h"

static pid_t server_pid = -1;
static int server_stdin = -1;
static int port;
static char cache[64];

/* ---- the server ---- */

static char *
httpd_path(void)
{
	const char *env = getenv("P2E_HTTPD");
	if (env != NULL)
		return xstrdup(env);
	const char *slash = strrchr(__FILE__, '/');
	char *p = slash != NULL ? xasprintf("%.*s/httpd.py", (int)(slash - __FILE__), __FILE__)
	                        : xstrdup("httpd.py");
	if (access(p, R_OK) != 0) {
		free(p);
		p = xstrdup("tests/httpd.py");
	}
	return p;
}

static int
setup_group(void **state)
{
	(void)state;
	int in[2], out[2];
	char *script = httpd_path();
	/* The fetcher honours proxy variables; the loopback server is direct. */
	const char *proxies[] = {"http_proxy",  "https_proxy", "HTTP_PROXY",
	                         "HTTPS_PROXY", "all_proxy",   "ALL_PROXY"};
	for (size_t i = 0; i < sizeof proxies / sizeof *proxies; i++)
		unsetenv(proxies[i]);
	if (pipe(in) != 0 || pipe(out) != 0)
		return -1;
	server_pid = fork();
	if (server_pid < 0)
		return -1;
	if (server_pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execlp("python3", "python3", script, "--lifetime", "300", (char *)NULL);
		_exit(127);
	}
	free(script);
	close(in[0]);
	close(out[1]);
	server_stdin = in[1];
	FILE *f = fdopen(out[0], "r");
	char line[32];
	int ok = f != NULL && fgets(line, sizeof line, f) != NULL && sscanf(line, "%d", &port) == 1;
	if (f != NULL)
		fclose(f);
	if (!ok || port <= 0) {
		fprintf(stderr, "test_fetch: the test server did not start\n");
		return -1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return 0;
}

static int
teardown_group(void **state)
{
	(void)state;
	if (server_stdin >= 0)
		close(server_stdin); /* the server exits when its stdin closes */
	if (server_pid > 0) {
		int st;
		for (int i = 0; i < 50; i++) {
			if (waitpid(server_pid, &st, WNOHANG) == server_pid) {
				server_pid = -1;
				break;
			}
			usleep(100 * 1000);
		}
		if (server_pid > 0) {
			kill(server_pid, SIGKILL);
			waitpid(server_pid, &st, 0);
		}
	}
	curl_global_cleanup();
	return 0;
}

static size_t
to_buf(char *data, size_t size, size_t n, void *userp)
{
	buf_add(userp, data, size * n);
	return size * n;
}

/* GET path from the server with plain libcurl: the second source of truth. */
static void
http_get(const char *path, struct buf *b)
{
	char *url = xasprintf("http://127.0.0.1:%d%s", port, path);
	CURL *c = curl_easy_init();
	assert_non_null(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_buf);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_cleanup(c);
	free(url);
	buf_add(b, "", 0);
}

static long
json_number(const char *json, const char *key)
{
	char *k = xasprintf("\"%s\": ", key);
	const char *p = strstr(json, k);
	long v = p != NULL ? strtol(p + strlen(k), NULL, 10) : 0;
	free(k);
	return v;
}

static void
stats_reset(void)
{
	struct buf b = {0};
	http_get("/stats/reset", &b);
	buf_free(&b);
}

/* Requests the server saw for path ("" for the total), or its peak. */
static long
served(const char *path)
{
	struct buf b = {0};
	http_get("/stats", &b);
	long v = json_number(b.data, path[0] ? path : "requests");
	buf_free(&b);
	return v;
}

static long
server_peak(void)
{
	return served("peak_concurrency");
}

static char *
U(const char *path)
{
	return xasprintf("http://127.0.0.1:%d%s", port, path);
}

static long long
ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- per test ---- */

static int
setup(void **state)
{
	(void)state;
	snprintf(cache, sizeof cache, "/tmp/p2e-fetch-XXXXXX");
	assert_non_null(mkdtemp(cache));
	stats_reset();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", cache);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static void
opts(struct fetch_opts *o)
{
	fetch_opts_default(o);
	o->jobs = 8;
	o->per_host = 8;
	o->timeout_ms = 8000;
	o->connect_timeout_ms = 2000;
	o->backoff_ms = 50;
	o->cache_dir = cache;
}

/* Files under dir (recursively) whose names contain part. */
static int
count_files(const char *dir, const char *part)
{
	int n = 0;
	DIR *d = opendir(dir);
	if (d == NULL)
		return 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *p = xasprintf("%s/%s", dir, de->d_name);
		struct stat sb;
		if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
			n += count_files(p, part);
		else if (strstr(de->d_name, part) != NULL)
			n++;
		free(p);
	}
	closedir(d);
	return n;
}

/* Runs one fetcher over paths (each added by "posts/p.md" at line i+1). */
static struct fetcher *
run(const struct fetch_opts *o, struct tlog *t, const char *const *paths, size_t n)
{
	struct fetcher *f = fetch_new(o, t->lg);
	assert_non_null(f);
	for (size_t i = 0; i < n; i++) {
		char *u = strstr(paths[i], "://") != NULL ? xstrdup(paths[i]) : U(paths[i]);
		fetch_add(f, u, "posts/p.md", (unsigned long)i + 1);
		free(u);
	}
	assert_int_equal(fetch_run(f), 0);
	return f;
}

static const struct fetch_result *
get(struct fetcher *f, const char *path)
{
	char *u = U(path);
	const struct fetch_result *r = fetch_get(f, u);
	free(u);
	assert_non_null(r);
	return r;
}

/* The result is OK and its file holds what the server serves at truth. */
static void
assert_body(const struct fetch_result *r, const char *truth)
{
	struct buf b = {0};
	char *data = NULL;
	size_t len = 0;
	assert_int_equal(r->status, FETCH_OK);
	assert_non_null(r->path);
	http_get(truth, &b);
	assert_int_equal(read_file_bounded(r->path, 1 << 24, &data, &len), 0);
	assert_int_equal(len, b.len);
	assert_int_equal(r->len, b.len);
	assert_memory_equal(data, b.data, len);
	free(data);
	buf_free(&b);
}

static void
assert_failed(const struct fetch_result *r, const char *why)
{
	assert_int_equal(r->status, FETCH_FAILED);
	assert_non_null(r->error);
	assert_contains(r->error, why);
	assert_null(r->path);
}

/* ---- tests ---- */

static void
test_good_images(void **state)
{
	(void)state;
	struct fetch_opts o;
	struct tlog t;
	struct fetch_stats st;
	opts(&o);
	tlog_open(&t, LOG_NORMAL);
	const char *p[] = {"/img/a.png", "/img/b.jpg", "/img/c.gif", "/img/d.webp", "/noext/e"};
	struct fetcher *f = run(&o, &t, p, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_body(get(f, p[i]), p[i]);
		assert_false(get(f, p[i])->from_cache);
	}
	char *data = NULL;
	size_t len;
	assert_int_equal(read_file_bounded(get(f, "/img/a.png")->path, 1 << 20, &data, &len), 0);
	assert_memory_equal(data, "\x89PNG\r\n\x1a\n", 8);
	free(data);
	assert_int_equal(read_file_bounded(get(f, "/noext/e")->path, 1 << 20, &data, &len), 0);
	assert_memory_equal(data, "\xff\xd8\xff", 3);
	free(data);
	fetch_get_stats(f, &st);
	assert_int_equal(st.downloaded, 5);
	assert_int_equal(st.cached, 0);
	assert_int_equal(st.failed, 0);
	assert_true(st.bytes > 0);
	char *never = U("/img/never.png");
	assert_null(fetch_get(f, never));
	free(never);
	assert_string_equal(tlog_text(&t), "");
	fetch_free(f);
	assert_int_equal(count_files(cache, ".body"), 5);
	assert_int_equal(count_files(cache, ".meta"), 5);
	assert_int_equal(count_files(cache, ".tmp."), 0);
	tlog_close(&t);
}

static void
test_request_headers(void **state)
{
	(void)state;
	struct fetch_opts o;
	struct tlog t;
	const char *hdrs[] = {"Referer: https://example.com/", "X-Test: yes"};
	opts(&o);
	o.headers = hdrs;
	o.nheaders = 2;
	o.user_agent = "post2epub/9.9";
	o.cache_dir = NULL; /* the private spool folder */
	tlog_open(&t, LOG_NORMAL);
	const char *p[] = {"/echo"};
	struct fetcher *f = run(&o, &t, p, 1);
	const struct fetch_result *r = get(f, "/echo");
	char *data = NULL, *spool = NULL;
	size_t len;
	assert_int_equal(r->status, FETCH_OK);
	assert_int_equal(read_file_bounded(r->path, 1 << 20, &data, &len), 0);
	assert_contains(data, "User-Agent: post2epub/9.9");
	assert_contains(data, "Referer: https://example.com/");
	assert_contains(data, "X-Test: yes");
	assert_not_contains(data, "Accept-Encoding");
	assert_not_contains(data, cache);
	spool = xstrdup(r->path);
	assert_int_equal(access(spool, R_OK), 0);
	fetch_free(f);
	assert_int_not_equal(access(spool, F_OK), 0); /* the spool folder is gone */
	*strrchr(spool, '/') = '\0';
	*strrchr(spool, '/') = '\0';
	assert_int_not_equal(access(spool, F_OK), 0);
	assert_int_equal(count_files(cache, ""), 0);
	free(spool);
	free(data);
	tlog_close(&t);
}

static void
test_redirects(void **state)
{
	(void)state;
	struct fetch_opts o;
	struct tlog t;
	opts(&o);
	tlog_open(&t, LOG_NORMAL);
	const char *p[] = {"/redirect/3/r.png", "/redirect/5/five.jpg", "/redirect/6/six.jpg",
	                   "/loop"};
	struct fetcher *f = run(&o, &t, p, 4);
	assert_body(get(f, "/redirect/3/r.png"), "/img/r.png");
	assert_body(get(f, "/redirect/5/five.jpg"), "/img/five.jpg");
	assert_failed(get(f, "/redirect/6/six.jpg"), "too many redirects");
	assert_failed(get(f, "/loop"), "too many redirects");
	assert_int_equal(served("/loop"), 6); /* the request and 5 redirects, no retry */
	fetch_free(f);
	tlog_close(&t);
}

static void
test_http_errors_not_retried(void **state)
{
	(void)state;
	struct fetch_opts o;
	struct tlog t;
	opts(&o);
	o.retries = 3;
	tlog_open(&t, LOG_NORMAL);
	const char *p[] = {"/status/404", "/status/410", "/status/403", "/wrongtype/w.png"};
	struct fetcher *f = run(&o, &t, p, 4);
	assert_failed(get(f, "/status/404"), "HTTP 404");
	assert_failed(get(f, "/status/410"), "HTTP 410");
	assert_failed(get(f, "/status/403"), "HTTP 403");
	assert_int_equal(served("/status/404"), 1);
	assert_int_equal(served("/status/410"), 1);
	assert_int_equal(served(""), 4);
	/* the content type is not our business: media.c sniffs the bytes */
	assert_body(get(f, "/wrongtype/w.png"), "/img/w.png");
	fetch_free(f);
	assert_int_equal(count_files(cache, ".body"), 1);
	assert_int_equal(count_files(cache, ".tmp."), 0);
	tlog_close(&t);
}

static void
test_retries(void **state)
{
	(void)state;
	struct fetch_opts o;
	struct tlog t;
	struct fetch_stats st;
	opts(&o);
	o.retries = 2;
	tlog_open(&t, LOG_NORMAL);
	const char *p[] = {"/flaky/k1/2/ok.png", "/flaky/k2/3/bad.png", "/status/503",
	                   "/status/429"};
	long long t0 = ms_now();
	struct fetcher *f = run(&o, &t, p, 4);
	long long el = ms_now() - t0;
	assert_body(get(f, "/flaky/k1/2/ok.png"), "/img/ok.png");
	assert_failed(get(f, "/flaky/k2/3/bad.png"), "HTTP 500");
	assert_failed(get(f, "/status/503"), "HTTP 503");
	assert_failed(get(f, "/status/429"), "HTTP 429");
	assert_int_equal(served("/flaky/k1/2/ok.png"), 3);
	assert_int_equal(served("/flaky/k2/3/bad.png"), 3);
	assert_int_equal(served("/status/503"), 3);
	assert_int_equal(served("/status/429"), 3);
	assert_true(el >= 50 + 100); /* backoff: 50 ms, then 100 ms */
	fetch_get_stats(f, &st);
	assert_int_equal(st.downloaded, 1);
	assert_int_equal(st.failed, 3);
	fetch_free(f);
	tlog_close(&t);
}

/* A retry waiting for its backoff does not hold up the other transfers:
 * with one job, the three slow images run during the 1.5 s backoff. */
static void
test_backoff_does_not_block(void **state)
{
	(void)state;
	struct fetch_opts o;
	struct tlog t;
	opts(&o);
	o.jobs = 1;
	o.retries = 1;
	o.backoff_ms = 1500;
	tlog_open(&t, LOG_NORMAL);
	const char *p[] = {"/flaky/kb/1/x.png", "/delay/500/s1.png", "/delay/500/s2.png",
	                   "/delay/500/s3.png"};
	long long t0 = ms_now();
	struct fetcher *f = run(&o, &t, p, 4);
	long long el = ms_now() - t0;
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(get(f, p[i])->status, FETCH_OK);
	/* serial with a blocking backoff: >= 3 s; overlapped: about 1.5 s */
	assert_true(el >= 1500);
	if (el >= 2700)
		fail_msg("took %lld ms: the backoff blocked the other transfers", el);
	fetch_free(f);
	tlog_close(&t);
}

static void
test_hang_costs_the_timeout(void **state)
{
	(void)state;
	struct fetch_opts o;
	struct tlog t;
	opts(&o);
	o.timeout_ms = 1500;
	o.retries = 2;
	tlog_open(&t, LOG_NORMAL);
	const char *p[] = {"/hang", "/img/beside-the-hang.png"};
	long long t0 = ms_now();
	struct fetcher *f = run(&o, &t, p, 2);
	long long el = ms_now() - t0;
	assert_failed(get(f, "/hang"), "timed out after 1.5 s");
	assert_body(get(f, "/img/beside-the-hang.png"), "/img/beside-the-hang.png");
	assert_true(el >= 1400);
	if (el >= 1500 + 1500)
		fail_msg("a hanging server cost %lld ms with a 1500 ms budget", el);
	assert_int_equal(served("/hang"), 1); /* no budget left for a retry */
	fetch_free(f);
	assert_int_equal(count_files(cache, ".tmp."), 0);
	assert_int_equal(count_files(cache, ".body"), 1);
	tlog_close(&t);
}

static void
test_size_limits(void **state)
{
	(void)state;
	struct fetch_opts o;
	struct tlog t;
	opts(&o);
	o.max_size = 64 * 1024;
	tlog_open(&t, LOG_NORMAL);
	const char *p[] = {"/endless", "/big/65537", "/big/10000000", "/big/65536", "/big/0"};
	struct fetcher *f = run(&o, &t, p, 5);
	assert_failed(get(f, "/endless"), "larger than 64 KiB");
	assert_failed(get(f, "/big/65537"), "larger than 64 KiB");
	assert_failed(get(f, "/big/10000000"), "larger than 64 KiB");
	assert_body(get(f, "/big/65536"), "/big/65536");
	assert_int_equal(get(f, "/big/0")->status, FETCH_OK);
	assert_int_equal(get(f, "/big/0")->len, 0);
	assert_int_equal(served("/endless"), 1);
	fetch_free(f);
	assert_int_equal(count_files(cache, ".body"), 2);
	assert_int_equal(count_files(cache, ".meta"), 2);
	assert_int_equal(count_files(cache, ".tmp."), 0);
	tlog_close(&t);
}

static void
test_truncated(void **state)
{
	(void)state;
	struct fetch_opts o;
	struct tlog t;
	opts(&o);
	tlog_open(&t, LOG_NORMAL);
	const char *p[] = {"/truncated/t.png", "/htmlimage"};
	struct fetcher *f = run(&o, &t, p, 2);
	assert_failed(get(f, "/truncated/t.png"), "truncated body");
	assert_int_equal(served("/truncated/t.png"), 1);
	/* an HTML page as 200 image/jpeg is bytes to us; media.c rejects it */
	assert_body(get(f, "/htmlimage"), "/htmlimage");
	fetch_free(f);
	assert_int_equal(count_files(cache, ".body"), 1);
	assert_int_equal(count_files(cache, ".tmp."), 0);
	tlog_close(&t);
}

static void
test_refused_urls(void **state)
{
	(void)state;
	struct fetch_opts o;
	struct tlog t;
	opts(&o);
	tlog_open(&t, LOG_NORMAL);
	struct fetcher *f = fetch_new(&o, t.lg);
	const char *bad[] = {"ftp://127.0.0.1/x.png",
	                     "file:///etc/passwd",
	                     "data:image/png;base64,iVBORw0KGgo=",
	                     "/img/relative.png",
	                     "",
	                     "http://"};
	for (size_t i = 0; i < 6; i++)
		fetch_add(f, bad[i], "posts/bad.md", 7);
	for (size_t i = 0; i < 5; i++) {
		const struct fetch_result *r = fetch_get(f, bad[i]);
		assert_non_null(r);
		assert_failed(r, "only http and https URLs are downloaded");
	}
	assert_failed(fetch_get(f, "http://"), "malformed URL");
	assert_int_equal(fetch_run(f), 0);
	assert_contains(
	    tlog_text(&t),
	    "posts/bad.md:7: warning: image file:///etc/passwd: only http and https URLs "
	    "are downloaded\n");
	assert_int_equal(log_warnings(t.lg), 6);
	assert_int_equal(served(""), 0);
	fetch_free(f);
	tlog_close(&t);
}

static void
test_dedupe(void **state)
{
	(void)state;
	struct fetch_opts o;
	struct tlog t;
	struct fetch_stats st;
	opts(&o);
	tlog_open(&t, LOG_NORMAL);
	struct fetcher *f = fetch_new(&o, t.lg);
	char *good = U("/img/dup.png"), *bad = U("/status/404");
	for (unsigned long i = 1; i <= 3; i++) {
		char *who = xasprintf("posts/%lu.md", i);
		fetch_add(f, good, who, i);
		fetch_add(f, bad, who, 10 * i);
		free(who);
	}
	assert_int_equal(fetch_run(f), 0);
	assert_int_equal(served("/img/dup.png"), 1);
	assert_int_equal(served("/status/404"), 1);
	char *want = xasprintf("post2epub: posts/1.md:10: warning: image %s: HTTP 404\n", bad);
	assert_string_equal(tlog_text(&t), want);
	fetch_get_stats(f, &st);
	assert_int_equal(st.downloaded, 1);
	assert_int_equal(st.failed, 1);
	free(want);
	free(good);
	free(bad);
	fetch_free(f);
	tlog_close(&t);
}

static void
test_concurrency(void **state)
{
	(void)state;
	struct fetch_opts o;
	struct tlog t;
	struct fetch_stats st;
	char *p[20];
	opts(&o);
	o.jobs = 8;
	o.per_host = 8;
	tlog_open(&t, LOG_NORMAL);
	for (int i = 0; i < 20; i++)
		p[i] = xasprintf("/delay/300/c%d.png", i);
	long long t0 = ms_now();
	struct fetcher *f = run(&o, &t, (const char *const *)p, 20);
	long long el = ms_now() - t0;
	for (int i = 0; i < 20; i++)
		assert_int_equal(get(f, p[i])->status, FETCH_OK);
	fetch_get_stats(f, &st);
	assert_int_equal(st.peak_concurrency, 8);
	assert_int_equal(server_peak(), 8);
	/* 3 rounds of 300 ms is 900 ms; one at a time would be 6 s */
	assert_true(el >= 900);
	if (el >= 3000)
		fail_msg("20 × 300 ms with 8 jobs took %lld ms", el);
	fetch_free(f);

	/* the per-host cap */
	stats_reset();
	o.per_host = 3;
	o.cache_dir = NULL;
	f = run(&o, &t, (const char *const *)p, 9);
	fetch_get_stats(f, &st);
	assert_int_equal(st.peak_concurrency, 3);
	assert_int_equal(server_peak(), 3);
	fetch_free(f);
	for (int i = 0; i < 20; i++)
		free(p[i]);
	tlog_close(&t);
}

static const char *const cached_paths[] = {"/img/k1.png", "/img/k2.jpg", "/noext/k3",
                                           "/redirect/2/k4.gif"};

static void
test_second_run_uses_cache(void **state)
{
	(void)state;
	struct fetch_opts o;
	struct tlog t;
	struct fetch_stats st;
	opts(&o);
	tlog_open(&t, LOG_NORMAL);
	struct fetcher *f = run(&o, &t, cached_paths, 4);
	fetch_get_stats(f, &st);
	assert_int_equal(st.downloaded, 4);
	fetch_free(f);
	long before = served("");
	assert_true(before >= 4);

	f = run(&o, &t, cached_paths, 4);
	assert_int_equal(served(""), before); /* not one request */
	for (size_t i = 0; i < 4; i++)
		assert_true(get(f, cached_paths[i])->from_cache);
	assert_body(get(f, "/img/k1.png"), "/img/k1.png");
	assert_body(get(f, "/redirect/2/k4.gif"), "/img/k4.gif");
	fetch_get_stats(f, &st);
	assert_int_equal(st.downloaded, 0);
	assert_int_equal(st.cached, 4);
	assert_int_equal(st.bytes, 0);
	fetch_free(f);
	assert_string_equal(tlog_text(&t), "");
	tlog_close(&t);
}

/* fetch_cached_body answers from the cache as fetch_run would, without a
 * fetcher or a request; never for a refresh, an oversize or a broken entry. */
static void
test_cached_body(void **state)
{
	(void)state;
	struct fetch_opts o;
	struct tlog t;
	size_t len = 0;
	opts(&o);
	tlog_open(&t, LOG_NORMAL);
	fetch_free(run(&o, &t, cached_paths, 4));
	long before = served("");

	char *u = U("/img/k1.png"), *never = U("/img/never.png");
	char *body = fetch_cached_body(&o, u, NULL, &len);
	assert_non_null(body);
	struct buf b = {0};
	http_get("/img/k1.png", &b);
	before += 1; /* that request */
	char *data = NULL;
	size_t dlen = 0;
	assert_int_equal(read_file_bounded(body, 1 << 20, &data, &dlen), 0);
	assert_int_equal(len, b.len);
	assert_int_equal(dlen, b.len);
	assert_memory_equal(data, b.data, dlen);
	free(data);
	free(body);
	buf_free(&b);
	char *bytes = NULL;
	body = fetch_cached_body(&o, u, &bytes, &len); /* the bytes too */
	assert_non_null(body);
	assert_non_null(bytes);
	assert_int_equal(len, dlen);
	free(bytes);
	free(body);
	char *r = U("/redirect/2/k4.gif");
	body = fetch_cached_body(&o, r, NULL, &len); /* cached under the URL asked for */
	assert_non_null(body);
	free(body);
	free(r);
	assert_null(fetch_cached_body(&o, never, NULL, &len));

	o.refresh = true; /* must be asked about */
	assert_null(fetch_cached_body(&o, u, NULL, &len));
	o.offline = true; /* unless nobody can be asked */
	body = fetch_cached_body(&o, u, NULL, &len);
	assert_non_null(body);
	free(body);
	o.refresh = o.offline = false;
	o.max_size = 10; /* fetch_run fails it, saying why */
	assert_null(fetch_cached_body(&o, u, NULL, &len));
	opts(&o);
	o.cache_dir = NULL;
	assert_null(fetch_cached_body(&o, u, NULL, &len));
	opts(&o);

	/* A .meta naming another URL, or a .body of another size, is no entry. */
	unsigned char d[32];
	char key[65];
	sha256_bytes(u, strlen(u), d);
	hex_encode(d, sizeof d, key);
	char *bp = xasprintf("%s/%.2s/%s.body", cache, key, key);
	FILE *fp = fopen(bp, "ab");
	assert_non_null(fp);
	fputc('x', fp);
	fclose(fp);
	assert_null(fetch_cached_body(&o, u, NULL, &len));
	bytes = NULL;
	assert_null(fetch_cached_body(&o, u, &bytes, &len)); /* also when reading it */
	assert_null(bytes);
	free(bp);

	assert_int_equal(served(""), before); /* no request from any of that */
	free(u);
	free(never);
	assert_string_equal(tlog_text(&t), "");
	tlog_close(&t);
}

static void
test_refresh_revalidates(void **state)
{
	(void)state;
	struct fetch_opts o;
	struct tlog t;
	struct fetch_stats st;
	opts(&o);
	tlog_open(&t, LOG_NORMAL);
	fetch_free(run(&o, &t, cached_paths, 4));
	stats_reset();
	o.refresh = true;
	struct fetcher *f = run(&o, &t, cached_paths, 4);
	assert_int_equal(served("/img/k1.png"), 1);
	assert_int_equal(served("/noext/k3"), 1);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(get(f, cached_paths[i])->status, FETCH_OK);
		assert_true(get(f, cached_paths[i])->from_cache);
	}
	assert_body(get(f, "/noext/k3"), "/noext/k3");
	fetch_get_stats(f, &st);
	assert_int_equal(st.cached, 4);
	assert_int_equal(st.downloaded, 0);
	fetch_free(f);
	assert_string_equal(tlog_text(&t), "");
	tlog_close(&t);
}

/* A cached entry the server no longer answers stays usable on refresh.
 * The entry is written by hand, in the documented layout. */
static void
test_refresh_keeps_copy_on_failure(void **state)
{
	(void)state;
	struct fetch_opts o;
	struct tlog t;
	unsigned char d[32];
	char hex[65];
	char *u = U("/status/404");
	sha256_bytes(u, strlen(u), d);
	hex_encode(d, sizeof d, hex);
	char *dir = xasprintf("%s/%.2s", cache, hex);
	char *body = xasprintf("%s/%s.body", dir, hex), *meta = xasprintf("%s/%s.meta", dir, hex);
	assert_int_equal(mkdir(dir, 0700), 0);
	FILE *fp = fopen(body, "wb");
	fputs("old bytes", fp);
	fclose(fp);
	fp = fopen(meta, "wb");
	fprintf(fp, "post2epub-cache 1\nurl\t%s\nsize\t9\netag\t\"gone-v1\"\n", u);
	fclose(fp);

	opts(&o);
	tlog_open(&t, LOG_NORMAL);
	const char *p[] = {"/status/404"};
	struct fetcher *f = run(&o, &t, p, 1);
	assert_true(get(f, p[0])->from_cache);
	assert_int_equal(get(f, p[0])->len, 9);
	assert_int_equal(served(""), 0);
	fetch_free(f);

	o.refresh = true;
	f = run(&o, &t, p, 1);
	assert_int_equal(served("/status/404"), 1);
	assert_int_equal(get(f, p[0])->status, FETCH_OK);
	assert_true(get(f, p[0])->from_cache);
	assert_string_equal(get(f, p[0])->path, body);
	fetch_free(f);
	assert_string_equal(tlog_text(&t), "");
	tlog_close(&t);
	free(u);
	free(dir);
	free(body);
	free(meta);
}

static void
test_offline(void **state)
{
	(void)state;
	struct fetch_opts o;
	struct tlog t;
	struct fetch_stats st;
	opts(&o);
	tlog_open(&t, LOG_NORMAL);
	fetch_free(run(&o, &t, cached_paths, 2));
	stats_reset();
	o.offline = true;
	o.refresh = true; /* offline wins: no revalidation */
	const char *p[] = {"/img/k1.png", "/img/k2.jpg", "/img/miss.png"};
	struct fetcher *f = run(&o, &t, p, 3);
	assert_int_equal(served(""), 0); /* not one request */
	assert_body(get(f, "/img/k1.png"), "/img/k1.png");
	assert_true(get(f, "/img/k2.jpg")->from_cache);
	assert_failed(get(f, "/img/miss.png"), "not in the cache (--offline)");
	fetch_get_stats(f, &st);
	assert_int_equal(st.cached, 2);
	assert_int_equal(st.failed, 1);
	fetch_free(f);
	char *want = xasprintf("post2epub: posts/p.md:3: warning: image http://127.0.0.1:%d"
	                       "/img/miss.png: not in the cache (--offline)\n",
	                       port);
	assert_string_equal(tlog_text(&t), want);
	free(want);
	tlog_close(&t);
}

/* Debris of an interrupted run is never taken for an entry. */
static void
test_incomplete_entries_ignored(void **state)
{
	(void)state;
	struct fetch_opts o;
	struct tlog t;
	struct fetch_stats st;
	opts(&o);
	tlog_open(&t, LOG_NORMAL);
	const char *p[] = {"/img/i1.png", "/img/i2.png"};
	struct fetcher *f = run(&o, &t, p, 2);
	char *meta1 =
	    xasprintf("%.*smeta", (int)strlen(get(f, p[0])->path) - 4, get(f, p[0])->path);
	char *body2 = xstrdup(get(f, p[1])->path);
	fetch_free(f);
	assert_int_equal(unlink(meta1), 0); /* killed between body and meta */
	FILE *fp = fopen(body2, "ab");      /* a body that does not match its meta */
	fputs("junk", fp);
	fclose(fp);
	stats_reset();
	f = run(&o, &t, p, 2);
	fetch_get_stats(f, &st);
	assert_int_equal(st.downloaded, 2);
	assert_int_equal(served(""), 2);
	assert_body(get(f, p[1]), p[1]);
	fetch_free(f);
	assert_int_equal(access(meta1, R_OK), 0);
	free(meta1);
	free(body2);
	tlog_close(&t);
}

/* Warnings name who:line, the URL and the reason, in the order the URLs
 * were added, whatever order they failed in. */
static void
test_warnings(void **state)
{
	(void)state;
	struct fetch_opts o;
	struct tlog t;
	opts(&o);
	o.retries = 1;
	o.backoff_ms = 300;
	o.progress = true; /* not a terminal: prints nothing */
	tlog_open(&t, LOG_NORMAL);
	struct fetcher *f = fetch_new(&o, t.lg);
	char *slow = U("/flaky/kw/5/w.png"), *fast = U("/status/404"), *loop = U("/loop");
	char *ok = U("/img/fine.png");
	fetch_add(f, slow, "posts/a.md", 12);
	fetch_add(f, ok, "posts/a.md", 13);
	fetch_add(f, fast, "posts/b.md", 3);
	fetch_add(f, loop, NULL, 0);
	assert_int_equal(fetch_run(f), 0);
	char *want = xasprintf("post2epub: posts/a.md:12: warning: image %s: HTTP 500\n"
	                       "post2epub: posts/b.md:3: warning: image %s: HTTP 404\n"
	                       "post2epub: warning: image %s: too many redirects\n",
	                       slow, fast, loop);
	assert_string_equal(tlog_text(&t), want);
	assert_int_equal(log_warnings(t.lg), 3);
	fetch_free(f);
	free(want);
	free(slow);
	free(fast);
	free(loop);
	free(ok);
	tlog_close(&t);
}

static void
test_connection_refused(void **state)
{
	(void)state;
	struct fetch_opts o;
	struct tlog t;
	opts(&o);
	o.retries = 1;
	tlog_open(&t, LOG_NORMAL);
	struct fetcher *f = fetch_new(&o, t.lg);
	/* port 1 on loopback: nothing listens there */
	fetch_add(f, "http://127.0.0.1:1/x.png", "posts/c.md", 1);
	assert_int_equal(fetch_run(f), 0);
	assert_failed(fetch_get(f, "http://127.0.0.1:1/x.png"), "connection failed: ");
	fetch_free(f);
	tlog_close(&t);
}

static void
test_defaults(void **state)
{
	(void)state;
	struct fetch_opts o;
	fetch_opts_default(&o);
	assert_int_equal(o.jobs, 8);
	assert_int_equal(o.max_size, 20 * 1024 * 1024);
	assert_null(o.cache_dir);
	assert_contains(o.user_agent, "post2epub/");
	char *old_x = getenv("XDG_CACHE_HOME") ? xstrdup(getenv("XDG_CACHE_HOME")) : NULL;
	char *old_h = getenv("HOME") ? xstrdup(getenv("HOME")) : NULL;
	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	char *d = fetch_default_cache_dir();
	assert_string_equal(d, "/x/cache/post2epub");
	free(d);
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/home/u", 1);
	d = fetch_default_cache_dir();
	assert_string_equal(d, "/home/u/.cache/post2epub");
	free(d);
	unsetenv("HOME");
	assert_null(fetch_default_cache_dir());
	if (old_x)
		setenv("XDG_CACHE_HOME", old_x, 1);
	if (old_h)
		setenv("HOME", old_h, 1);
	free(old_x);
	free(old_h);
	fetch_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test_setup_teardown(test_good_images, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_request_headers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_redirects, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_http_errors_not_retried, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_retries, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backoff_does_not_block, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hang_costs_the_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_size_limits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refused_urls, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dedupe, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_concurrency, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_second_run_uses_cache, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cached_body, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refresh_revalidates, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refresh_keeps_copy_on_failure, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_offline, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_incomplete_entries_ignored, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_warnings, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_connection_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
