/* util.c — see util.h. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
oom(void)
{
	fputs("post2epub: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		oom();
	return q;
}

void *
xgrow(void *p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap;
	if (need <= c)
		return p;
	if (c < 8)
		c = 8;
	while (c < need) {
		if (c > SIZE_MAX / 2)
			oom();
		c *= 2;
	}
	if (elem && c > SIZE_MAX / elem)
		oom();
	*cap = c;
	return xrealloc(p, c * elem);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		oom();
	char *p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (n > SIZE_MAX - b->len - 1)
		oom();
	b->data = xgrow(b->data, &b->cap, b->len + n + 1, 1);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_puts(b, s);
	free(s);
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *d = b->data;
	if (d == NULL)
		d = xstrdup("");
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return d;
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

static int
lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

bool
ascii_isalpha(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

bool
ascii_isalnum(int ch)
{
	return ascii_isalpha(ch) || (ch >= '0' && ch <= '9');
}

int
ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int d = lower((unsigned char)*a) - lower((unsigned char)*b);
		if (d != 0 || *a == '\0')
			return d;
	}
}

int
ascii_ncasecmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; a++, b++, n--) {
		int d = lower((unsigned char)*a) - lower((unsigned char)*b);
		if (d != 0 || *a == '\0')
			return d;
	}
	return 0;
}

bool
str_has_suffix_ci(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && ascii_casecmp(s + ls - lx, suffix) == 0;
}

char *
str_trim(char *s)
{
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
			 s[n - 1] == '\n' || s[n - 1] == '\f' || s[n - 1] == '\v'))
		s[--n] = '\0';
	size_t i = 0;
	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n' || s[i] == '\f' ||
	       s[i] == '\v')
		i++;
	if (i)
		memmove(s, s + i, n - i + 1);
	return s;
}

size_t
utf8_seq_len(const unsigned char *s, size_t avail)
{
	if (avail == 0)
		return 0;
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	size_t n;
	unsigned min;
	unsigned cp;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2; min = 0x80; cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3; min = 0x800; cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4; min = 0x10000; cp = c & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

bool
utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		if (p[i] > 0 && p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] == 0)
			return false;
		size_t k = utf8_seq_len(p + i, n - i);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

/* Code points that XML 1.0 does not allow, even as character references. */
static bool
xml_forbidden(const unsigned char *p, size_t k)
{
	if (k == 1)
		return p[0] < 0x20 && p[0] != '\t' && p[0] != '\n' && p[0] != '\r';
	if (k == 3 && p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF))
		return true; /* U+FFFE, U+FFFF */
	return false;
}

/* Three-byte sequences led by E1..EC or EE are valid whatever their
 * continuation bytes (no overlong form, surrogate or U+FFFE/FFFF): most of
 * CJK text. So are those led by EF but for EF BF xx (fullwidth punctuation
 * is EF BC xx). */
static inline bool
cjk3(const unsigned char *p, size_t avail)
{
	if (avail < 3 || ((p[1] | (unsigned)p[2] << 8) & 0xC0C0u) != 0x8080u)
		return false;
	unsigned c0 = p[0];
	return (c0 - 0xE1u <= 0xEC - 0xE1u) || c0 == 0xEE || (c0 == 0xEF && p[1] != 0xBF);
}

/* The offset of the first byte at or after i that starts an invalid or
 * XML-forbidden sequence, or n. Text is mostly ASCII letters: eight bytes
 * at a time while none is >= 0x80 or < 0x20. */
static size_t
clean_until(const unsigned char *p, size_t i, size_t n)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	while (i < n) {
		if (n - i >= 8) {
			uint64_t w;
			memcpy(&w, p + i, 8);
			/* No high bit set, and no byte below 0x20. */
			if ((w & highs) == 0 && ((w - ones * 0x20) & ~w & highs) == 0) {
				i += 8;
				continue;
			}
		}
		unsigned c0 = p[i];
		if ((c0 >= 0x20 && c0 < 0x80) || c0 == '\n' || c0 == '\t' || c0 == '\r') {
			i++;
			continue;
		}
		if (cjk3(p + i, n - i)) {
			/* CJK comes in runs: stay here while it lasts. */
			i += 3;
			while (cjk3(p + i, n - i))
				i += 3;
			continue;
		}
		size_t k = utf8_seq_len(p + i, n - i);
		if (k == 0 || xml_forbidden(p + i, k))
			return i;
		i += k;
	}
	return n;
}

char *
utf8_sanitize(const char *s, size_t n, size_t *outlen, size_t *nbad, size_t *first_bad)
{
	static const char repl[] = "\xEF\xBF\xBD";
	const unsigned char *p = (const unsigned char *)s;
	struct buf b = {0};
	size_t bad = 0, i = clean_until(p, 0, n), run = 0;

	if (first_bad != NULL)
		*first_bad = i < n ? i : SIZE_MAX;
	if (i == n) { /* the common case: nothing to replace */
		if (nbad)
			*nbad = 0;
		if (outlen)
			*outlen = n;
		return xstrndup(s, n);
	}
	buf_add(&b, "", 0);
	while (i < n) {
		size_t k = utf8_seq_len(p + i, n - i);
		buf_add(&b, s + run, i - run);
		buf_add(&b, repl, 3);
		bad++;
		i += k ? k : 1;
		run = i;
		i = clean_until(p, i, n);
	}
	buf_add(&b, s + run, n - run);
	if (nbad)
		*nbad = bad;
	return buf_detach(&b, outlen);
}

/* OpenSSL 3 looks EVP_sha256() up in its providers again on every
 * EVP_Digest(): 25,000 instructions to hash a 60-byte URL (callgrind). The
 * two digests are fetched once and kept for the life of the process (never
 * changed after, so safe to share between threads). */
static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static const EVP_MD *md_sha1, *md_sha256;

static void
md_fetch(void)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	md_sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
#endif
	if (md_sha1 == NULL)
		md_sha1 = EVP_sha1();
	if (md_sha256 == NULL)
		md_sha256 = EVP_sha256();
}

static void
digest(const EVP_MD **md, const void *data, size_t n, unsigned char *out)
{
	unsigned int len = 0;
	pthread_once(&md_once, md_fetch);
	if (!EVP_Digest(data, n, out, &len, *md, NULL))
		abort();
}

void
sha1_bytes(const void *data, size_t n, unsigned char out[20])
{
	digest(&md_sha1, data, n, out);
}

void
sha256_bytes(const void *data, size_t n, unsigned char out[32])
{
	digest(&md_sha256, data, n, out);
}

int
hex_value(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
		return (ch | 0x20) - 'a' + 10;
	return -1;
}

void
hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[in[i] >> 4];
		out[2 * i + 1] = hx[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int
read_file_bounded(const char *path, size_t max, char **out, size_t *len)
{
	int fd = -1, rc = -1, saved = 0;
	char *data = NULL;
	size_t n = 0, cap = 0;
	struct stat st;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		saved = errno;
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		saved = errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		saved = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		saved = EFBIG;
		goto out;
	}
	/* Straight into a buffer of the file's size and one byte more: a read
	 * that does not fill it is the end of a regular file, so a file that
	 * does not change is read with one call. One that grows is followed
	 * (up to max). */
	cap = (size_t)st.st_size + 2;
	data = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap) {
			if (n > max) {
				saved = EFBIG;
				goto out;
			}
			cap = cap * 2 > max + 2 ? max + 2 : cap * 2;
			data = xrealloc(data, cap);
		}
		size_t want = cap - 1 - n;
		ssize_t r = read(fd, data + n, want);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			saved = errno;
			goto out;
		}
		n += (size_t)r;
		if (n > max) {
			saved = EFBIG;
			goto out;
		}
		if ((size_t)r < want)
			break;
	}
	data[n] = '\0';
	*out = data;
	*len = n;
	data = NULL;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(data);
	if (rc != 0)
		errno = saved;
	return rc;
}

int
pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int
pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* mkdir -p path (mode for the folders it creates). */
int
mkdir_p(const char *path, mode_t mode)
{
	int rc = -1;
	char *p = xstrdup(path);
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, mode) != 0 && errno != EEXIST)
			goto out;
		*s = c;
		if (c == '\0')
			break;
	}
	struct stat sb;
	if (stat(path, &sb) != 0)
		goto out;
	if (!S_ISDIR(sb.st_mode)) {
		errno = ENOTDIR;
		goto out;
	}
	rc = 0;
out:
	free(p);
	return rc;
}
