/* Unit tests: util.c and log.c. */
#include "testutil.h"
#include "util.h"

static void
test_buf(void **state)
{
	(void)state;
	struct buf b = {0};
	buf_puts(&b, "abc");
	buf_printf(&b, "-%d-", 42);
	buf_putc(&b, 'z');
	assert_string_equal(b.data, "abc-42-z");
	size_t n;
	char *s = buf_detach(&b, &n);
	assert_int_equal(n, 8);
	assert_null(b.data);
	free(s);
	s = buf_detach(&b, &n); /* empty buffer gives "" */
	assert_string_equal(s, "");
	free(s);
}

static void
test_utf8(void **state)
{
	(void)state;
	assert_true(utf8_valid("中文 text", strlen("中文 text")));
	assert_false(utf8_valid("\xff", 1));
	assert_false(utf8_valid("\xc0\xaf", 2));        /* overlong */
	assert_false(utf8_valid("\xed\xa0\x80", 3));    /* surrogate */
	assert_false(utf8_valid("a\0b", 3));            /* NUL */
	size_t n, bad, first;
	char *s = utf8_sanitize("a\xff" "b\x01" "c\xe4\xb8", 7, &n, &bad, &first);
	/* One replacement per byte that starts no valid sequence. */
	assert_string_equal(s, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD");
	assert_int_equal(bad, 4);
	assert_int_equal(first, 1);
	free(s);
	s = utf8_sanitize("ok\ttab\r\n", 8, &n, &bad, &first);
	assert_string_equal(s, "ok\ttab\r\n");
	assert_int_equal(bad, 0);
	assert_int_equal(first, SIZE_MAX);
	free(s);
}

/* The reference: one code point at a time, no fast path. */
static char *
slow_sanitize(const unsigned char *p, size_t n, size_t *bad)
{
	struct buf b = {0};
	buf_add(&b, "", 0);
	*bad = 0;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq_len(p + i, n - i);
		bool forbidden = k == 0 || (k == 1 && p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
					    p[i] != '\r') ||
				 (k == 3 && p[i] == 0xEF && p[i + 1] == 0xBF && p[i + 2] >= 0xBE);
		if (forbidden) {
			buf_add(&b, "\xEF\xBF\xBD", 3);
			(*bad)++;
			i += k ? k : 1;
		} else {
			buf_add(&b, (const char *)p + i, k);
			i += k;
		}
	}
	return buf_detach(&b, NULL);
}

/* utf8_sanitize's word-at-a-time and CJK shortcuts agree with the
 * reference on text mixing ASCII, whitespace, controls, CJK, fullwidth
 * punctuation and every kind of invalid or forbidden sequence, cut at
 * every length. */
static void
test_utf8_fast_paths(void **state)
{
	(void)state;
	static const char *const pieces[] = {
		"a", "word ", "\n", "\t", "\r\n", "\x01", "\x1f", "\x7f", "中", "文", "，", "：",
		"\xEF\xBF\xBD", "\xEF\xBF\xBE", "\xEF\xBF\xBF", "\xEF\xBC", "\xE0\x80\x80",
		"\xE0\xA0\x80", "\xED\xA0\x80", "\xED\x9F\xBF", "\xC3\xA9", "\xC0\xAF",
		"\xF0\x9F\x98\x80", "\xF4\x90\x80\x80", "\xff", "\x80", "\xE4\xB8",
		"\xEE\x80\x80", "\xEC\xBF\xBF",
	};
	const size_t np = sizeof pieces / sizeof *pieces;
	uint32_t seed = 12345;
	for (int round = 0; round < 3000; round++) {
		struct buf in = {0};
		int count = 1 + round % 40;
		for (int j = 0; j < count; j++) {
			seed = seed * 1103515245u + 12345u;
			buf_puts(&in, pieces[(seed >> 16) % np]);
		}
		for (size_t cut = in.len > 12 ? in.len - 12 : 0; cut <= in.len; cut++) {
			size_t n = 0, bad = 0, want_bad = 0;
			char *got = utf8_sanitize(in.data, cut, &n, &bad, NULL);
			char *want = slow_sanitize((const unsigned char *)in.data, cut, &want_bad);
			assert_string_equal(got, want);
			assert_int_equal(bad, want_bad);
			assert_int_equal(n, strlen(want));
			free(got);
			free(want);
		}
		buf_free(&in);
	}
}

static void
test_strings(void **state)
{
	(void)state;
	assert_int_equal(ascii_casecmp("HeLLo", "hello"), 0);
	assert_true(ascii_ncasecmp("HTTPS://x", "https:", 6) == 0);
	assert_true(str_has_suffix_ci("a.MD", ".md"));
	assert_false(str_has_suffix_ci("md", ".md"));
	char t[] = "  \t x y \r\n";
	assert_string_equal(str_trim(t), "x y");
}

static void
test_digests(void **state)
{
	(void)state;
	unsigned char d[32];
	char hex[65];
	sha1_bytes("abc", 3, d);
	hex_encode(d, 20, hex);
	assert_string_equal(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
	sha256_bytes("abc", 3, d);
	hex_encode(d, 32, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void
test_read_bounded(void **state)
{
	(void)state;
	char path[] = "/tmp/p2e-test-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "0123456789", 10), 10);
	close(fd);
	char *s;
	size_t n;
	assert_int_equal(read_file_bounded(path, 10, &s, &n), 0);
	assert_int_equal(n, 10);
	assert_string_equal(s, "0123456789");
	free(s);
	assert_int_equal(read_file_bounded(path, 9, &s, &n), -1);
	assert_int_equal(errno, EFBIG);
	unlink(path);
	assert_int_equal(read_file_bounded(path, 9, &s, &n), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(read_file_bounded("/tmp", 9, &s, &n), -1);
}

/* Whole transfers at an offset; a file that ends first is EIO. */
static void
test_pread_pwrite_all(void **state)
{
	(void)state;
	char path[] = "/tmp/p2e-test-XXXXXX";
	int fd = mkstemp(path);
	char got[8] = {0};
	assert_true(fd >= 0);
	assert_int_equal(pwrite_all(fd, "abcdef", 6, 4), 0);
	assert_int_equal(pwrite_all(fd, "WXYZ", 4, 0), 0);
	assert_int_equal(pread_all(fd, got, 8, 2), 0);
	assert_memory_equal(got, "YZabcdef", 8);
	errno = 0;
	assert_int_equal(pread_all(fd, got, 4, 8), -1); /* only 2 bytes left */
	assert_int_equal(errno, EIO);
	assert_int_equal(pread_all(fd, got, 0, 100), 0);
	close(fd);
	unlink(path);
	assert_int_equal(pwrite_all(fd, "x", 1, 0), -1);
	assert_int_equal(errno, EBADF);
}

static void
test_log_format(void **state)
{
	(void)state;
	struct tlog t;
	tlog_open(&t, LOG_NORMAL);
	log_warn(t.lg, "posts/a.md", 3, "no date; using the file's date");
	log_warn(t.lg, "posts/b.md", 0, "x");
	log_error(t.lg, NULL, 0, "boom %d", 1);
	log_info(t.lg, "not shown");
	assert_string_equal(tlog_text(&t),
			    "post2epub: posts/a.md:3: warning: no date; using the file's date\n"
			    "post2epub: posts/b.md: warning: x\n"
			    "post2epub: error: boom 1\n");
	assert_int_equal(log_warnings(t.lg), 2);
	assert_int_equal(log_errors(t.lg), 1);
	tlog_close(&t);
	tlog_open(&t, LOG_QUIET);
	log_warn(t.lg, "f", 1, "hidden");
	assert_string_equal(tlog_text(&t), "");
	assert_int_equal(log_warnings(t.lg), 1);
	tlog_close(&t);
}

static void
test_log_buffer(void **state)
{
	(void)state;
	struct tlog t;
	tlog_open(&t, LOG_NORMAL);
	struct log *b = log_new_buffer(LOG_NORMAL);
	log_warn(b, "b.md", 2, "second");
	log_warn(t.lg, "a.md", 1, "first");
	assert_string_equal(tlog_text(&t), "post2epub: a.md:1: warning: first\n");
	log_flush_into(b, t.lg);
	assert_string_equal(tlog_text(&t), "post2epub: a.md:1: warning: first\n"
					   "post2epub: b.md:2: warning: second\n");
	assert_int_equal(log_warnings(t.lg), 2);
	assert_int_equal(log_warnings(b), 0);
	log_flush_into(b, t.lg); /* nothing twice */
	assert_int_equal(log_warnings(t.lg), 2);
	log_free(b);
	tlog_close(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf),          cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_utf8_fast_paths),
		cmocka_unit_test(test_strings),      cmocka_unit_test(test_digests),
		cmocka_unit_test(test_read_bounded), cmocka_unit_test(test_log_format),
		cmocka_unit_test(test_log_buffer),   cmocka_unit_test(test_pread_pwrite_all),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
