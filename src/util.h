/* util.h — allocation that cannot fail, growable buffers, small string helpers.
 *
 * The x* allocators print a message and abort() on out-of-memory, so callers
 * never test for NULL (STYLE.md §5). Everything they return is owned by the
 * caller and released with free().
 */
#ifndef POST2EPUB_UTIL_H
#define POST2EPUB_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows an array by doubling; *cap is updated. Aborts on overflow. */
void *xgrow(void *p, size_t *cap, size_t need, size_t elem);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* A growable byte buffer, always NUL-terminated when data != NULL.
 * The struct owns data; release with buf_free(). */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_add(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the data over to the caller (who frees it) and empties b. */
char *buf_detach(struct buf *b, size_t *len);
void buf_free(struct buf *b);

/* ASCII character classes (locale independent; other bytes are neither). */
bool ascii_isalpha(int ch);
bool ascii_isalnum(int ch);

/* ASCII-only case-insensitive comparisons (locale independent). */
int ascii_casecmp(const char *a, const char *b);
int ascii_ncasecmp(const char *a, const char *b, size_t n);
bool str_has_suffix_ci(const char *s, const char *suffix);
/* Trims ASCII white space at both ends, in place; returns s. */
char *str_trim(char *s);

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
size_t utf8_seq_len(const unsigned char *s, size_t avail);
/* True when the n bytes at s are valid UTF-8 without NUL bytes. */
bool utf8_valid(const char *s, size_t n);
/* Returns a copy of s in which every invalid UTF-8 sequence and every
 * character that is not allowed in XML 1.0 is replaced by U+FFFD. *nbad is
 * set to the number of replacements and *first_bad to the offset in s of the
 * first one (SIZE_MAX when none); either may be NULL. Caller frees. */
char *utf8_sanitize(const char *s, size_t n, size_t *outlen, size_t *nbad, size_t *first_bad);

/* Digests over bytes, written as binary into out. */
void sha1_bytes(const void *data, size_t n, unsigned char out[20]);
void sha256_bytes(const void *data, size_t n, unsigned char out[32]);
/* The value of a hexadecimal digit (either case), or -1. */
int hex_value(int ch);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void hex_encode(const unsigned char *in, size_t n, char *out);

/* Reads a whole file, refusing more than max bytes. Returns 0 and a
 * malloc'd, NUL-terminated buffer, or -1 with errno set (EFBIG when too big). */
int read_file_bounded(const char *path, size_t max, char **out, size_t *len);

/* pwrite(2) / pread(2) of all len bytes at offset off, retrying after EINTR
 * and short transfers. 0, or -1 with errno (EIO when the file ends before
 * len bytes could be read, or a write makes no progress). */
int pwrite_all(int fd, const void *buf, size_t len, uint64_t off);
int pread_all(int fd, void *buf, size_t len, uint64_t off);

/* mkdir -p: path and its missing parents (created with mode). 0, or -1
 * with errno (ENOTDIR when path exists and is no folder). */
int mkdir_p(const char *path, mode_t mode);

#endif
