/* epubzip.c — see epubzip.h.
 *
 * The life of the output file:
 *   epubzip_new    mkstemp "<dir>/.<base>.XXXXXX" beside the output; libzip
 *                  gets it as a new archive through our own source (struct
 *                  sink, below), add mimetype;
 *   epubzip_add    entries, in order (libzip writes them in the order added);
 *   epubzip_close  zip_close writes the archive into tmp through the sink,
 *                  chmod to 0666 & ~umask, rename(tmp, path).
 * Any failure removes tmp; the file at path is only ever replaced by rename.
 */
#include "epubzip.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libdeflate.h>
#include <zip.h>

#include "util.h"

static const char mimetype[] = "application/epub+zip";

/* The archive file as a libzip source, written through one buffer.
 *
 * libzip's file source writes with stdio into a temporary file of its own.
 * After each entry libzip seeks back to rewrite the entry's local header and
 * forward again, and glibc answers every fseek() on an update stream with
 * lseek() + read(4096): 8 system calls per entry, 28,000 of the 68,000 a
 * 2,000-post bench run made (strace -c). Here the bytes not yet on disk are
 * one run [boff, boff + blen) in buf; a write that falls inside or right
 * after it (the header rewrite nearly always does) is a memcpy, anything else
 * flushes the run with pwrite() first. libzip never reads a new archive, but
 * a writable source must answer reads too: they flush and pread(). */
#define SINK_BUF ((size_t)1 << 20)

struct sink {
	int fd;             /* the temporary file, owned by struct epubzip */
	unsigned char *buf; /* SINK_BUF bytes */
	size_t blen;        /* bytes of buf in use */
	uint64_t boff;      /* file offset of buf[0] */
	uint64_t pos;       /* write position */
	uint64_t end;       /* file length, counting the buffer */
	uint64_t rpos;      /* read position */
	bool committed;     /* an archive was written: stat reports it */
	zip_error_t err;
};

struct epubzip {
	zip_t *za;
	struct sink sink;
	char *path;  /* the book */
	char *tmp;   /* where it is built; kept for a future signal handler */
	mode_t mode; /* the book's final permissions */
	zip_uint16_t dostime, dosdate;
	struct log *lg;
};

/* The MS-DOS time and date fields holding the UTC civil time of t, clamped
 * to the range the format can hold (1980..2107). */
static void
dos_fields(int64_t t, zip_uint16_t *dtime, zip_uint16_t *ddate)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if ((int64_t)tt != t || gmtime_r(&tt, &tm) == NULL || tm.tm_year < 80) {
		*dtime = 0;
		*ddate = (1 << 5) | 1; /* 1980-01-01 00:00:00 */
		return;
	}
	if (tm.tm_year > 207) {
		*dtime = (23 << 11) | (59 << 5) | 29;
		*ddate = (127 << 9) | (12 << 5) | 31; /* 2107-12-31 23:59:58 */
		return;
	}
	*dtime = (zip_uint16_t)((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
	*ddate = (zip_uint16_t)(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);
}

/* Stamps entry idx with the fixed time.
 *
 * libzip 1.7.3 keeps entry times as time_t and converts them to the DOS
 * fields with localtime_r() when writing (_zip_u2d_time in zip_dirent.c), so
 * zip_file_set_mtime(t) would store the civil time of t in the TZ of the
 * machine: different bytes in Shanghai and in London. zip_file_set_dostime()
 * takes the fields themselves; libzip turns them into a time_t with mktime()
 * (_zip_d2u_time) and back with localtime_r() at zip_close, which gives the
 * same fields back in every zone — except for a civil time that does not
 * exist locally (inside a daylight-saving gap), which mktime() moves by the
 * DST shift. epubzip_close() detects that case (dos_roundtrips) and then
 * rewrites the fields in the written file (fix_gap_times). Nothing here
 * touches TZ or other global state. */
static int
stamp(struct epubzip *z, zip_uint64_t idx)
{
	return zip_file_set_dostime(z->za, idx, z->dostime, z->dosdate, 0);
}

/* Whether libzip's mktime()/localtime_r() round trip of the DOS fields gives
 * them back unchanged in the current TZ (see stamp). */
static bool
dos_roundtrips(zip_uint16_t dtime, zip_uint16_t ddate)
{
	struct tm tm, want, back;
	time_t t;

	memset(&tm, 0, sizeof tm);
	tm.tm_isdst = -1;
	tm.tm_year = ((ddate >> 9) & 127) + 80;
	tm.tm_mon = ((ddate >> 5) & 15) - 1;
	tm.tm_mday = ddate & 31;
	tm.tm_hour = (dtime >> 11) & 31;
	tm.tm_min = (dtime >> 5) & 63;
	tm.tm_sec = (dtime << 1) & 62;
	want = tm;
	t = mktime(&tm); /* normalises tm: compare with the copy */
	if (t == (time_t)-1 || localtime_r(&t, &back) == NULL)
		return false;
	return back.tm_year == want.tm_year && back.tm_mon == want.tm_mon &&
	       back.tm_mday == want.tm_mday && back.tm_hour == want.tm_hour &&
	       back.tm_min == want.tm_min && back.tm_sec == want.tm_sec;
}

static unsigned
get16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static unsigned long
get32(const unsigned char *p)
{
	return (unsigned long)p[0] | (unsigned long)p[1] << 8 | (unsigned long)p[2] << 16 |
	       (unsigned long)p[3] << 24;
}

static void
put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v & 0xff);
	p[1] = (unsigned char)(v >> 8);
}

/* Writes the fixed DOS time and date into every local header and central
 * directory record of the finished archive at z->tmp. Only needed in the
 * DST-gap case described at stamp(). The archive is plain (no comment, no
 * zip64: fewer than 65535 entries below 4 GiB); anything else is refused. */
static int
fix_gap_times(struct epubzip *z)
{
	int rc = -1;
	FILE *f = NULL;
	unsigned char eocd[22], lh[30], *cd = NULL;
	unsigned long cdsize, cdoff;
	size_t pos;

	if ((f = fopen(z->tmp, "r+b")) == NULL || fseek(f, -22, SEEK_END) != 0 ||
	    fread(eocd, 1, sizeof eocd, f) != sizeof eocd || get32(eocd) != 0x06054b50UL)
		goto out;
	cdsize = get32(eocd + 12);
	cdoff = get32(eocd + 16);
	if (cdoff == 0xffffffffUL || cdsize == 0)
		goto out;
	cd = xmalloc(cdsize);
	if (fseek(f, (long)cdoff, SEEK_SET) != 0 || fread(cd, 1, cdsize, f) != cdsize)
		goto out;
	for (pos = 0; pos < cdsize;) {
		unsigned char *r = cd + pos;
		unsigned long loff;
		if (cdsize - pos < 46 || get32(r) != 0x02014b50UL)
			goto out;
		put16(r + 12, z->dostime);
		put16(r + 14, z->dosdate);
		loff = get32(r + 42);
		if (fseek(f, (long)loff, SEEK_SET) != 0 ||
		    fread(lh, 1, sizeof lh, f) != sizeof lh || get32(lh) != 0x04034b50UL)
			goto out;
		put16(lh + 10, z->dostime);
		put16(lh + 12, z->dosdate);
		if (fseek(f, (long)loff, SEEK_SET) != 0 || fwrite(lh, 1, sizeof lh, f) != sizeof lh)
			goto out;
		pos += 46 + get16(r + 28) + get16(r + 30) + get16(r + 32);
	}
	if (fseek(f, (long)cdoff, SEEK_SET) != 0 || fwrite(cd, 1, cdsize, f) != cdsize)
		goto out;
	rc = 0;
out:
	if (f != NULL && fclose(f) != 0)
		rc = -1;
	free(cd);
	return rc;
}

static int
sink_flush(struct sink *s)
{
	if (s->blen > 0 && pwrite_all(s->fd, s->buf, s->blen, s->boff) != 0) {
		zip_error_set(&s->err, ZIP_ER_WRITE, errno);
		return -1;
	}
	s->blen = 0;
	return 0;
}

static zip_int64_t
sink_write(struct sink *s, const unsigned char *p, zip_uint64_t len)
{
	if (len > SINK_BUF || s->pos < s->boff || s->pos > s->boff + s->blen ||
	    s->pos - s->boff + len > SINK_BUF) {
		if (sink_flush(s) != 0)
			return -1;
		s->boff = s->pos;
	}
	if (len > SINK_BUF) {
		if (pwrite_all(s->fd, p, (size_t)len, s->pos) != 0) {
			zip_error_set(&s->err, ZIP_ER_WRITE, errno);
			return -1;
		}
	} else {
		size_t at = (size_t)(s->pos - s->boff);
		memcpy(s->buf + at, p, (size_t)len);
		if (at + len > s->blen)
			s->blen = at + (size_t)len;
	}
	s->pos += len;
	if (s->pos > s->end)
		s->end = s->pos;
	return (zip_int64_t)len;
}

static zip_int64_t
sink_read(struct sink *s, unsigned char *p, zip_uint64_t len)
{
	if (sink_flush(s) != 0)
		return -1;
	if (len > s->end - s->rpos)
		len = s->rpos < s->end ? s->end - s->rpos : 0;
	if (pread_all(s->fd, p, (size_t)len, s->rpos) != 0) {
		zip_error_set(&s->err, ZIP_ER_READ, errno);
		return -1;
	}
	s->rpos += len;
	return (zip_int64_t)len;
}

static zip_int64_t
sink_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct sink *s = ud;
	zip_int64_t off;

	switch (cmd) {
	case ZIP_SOURCE_BEGIN_WRITE:
		s->pos = s->end = s->boff = 0;
		s->blen = 0;
		if (ftruncate(s->fd, 0) != 0) {
			zip_error_set(&s->err, ZIP_ER_WRITE, errno);
			return -1;
		}
		return 0;
	case ZIP_SOURCE_WRITE:
		return sink_write(s, data, len);
	case ZIP_SOURCE_SEEK_WRITE:
		if ((off = zip_source_seek_compute_offset(s->pos, s->end, data, len, &s->err)) < 0)
			return -1;
		s->pos = (uint64_t)off;
		return 0;
	case ZIP_SOURCE_TELL_WRITE:
		return (zip_int64_t)s->pos;
	case ZIP_SOURCE_COMMIT_WRITE:
		if (sink_flush(s) != 0)
			return -1;
		s->committed = true;
		return 0;
	case ZIP_SOURCE_ROLLBACK_WRITE:
	case ZIP_SOURCE_REMOVE:
		/* epubzip removes the file; an empty one is all that is left. */
		s->blen = 0;
		s->pos = s->end = s->boff = 0;
		s->committed = false;
		return ftruncate(s->fd, 0) == 0 ? 0 : (zip_error_set(&s->err, ZIP_ER_WRITE, errno), -1);
	case ZIP_SOURCE_OPEN:
		s->rpos = 0;
		return 0;
	case ZIP_SOURCE_READ:
		return sink_read(s, data, len);
	case ZIP_SOURCE_CLOSE:
		return 0;
	case ZIP_SOURCE_SEEK:
		if ((off = zip_source_seek_compute_offset(s->rpos, s->end, data, len, &s->err)) < 0)
			return -1;
		s->rpos = (uint64_t)off;
		return 0;
	case ZIP_SOURCE_TELL:
		return (zip_int64_t)s->rpos;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = ZIP_SOURCE_GET_ARGS(zip_stat_t, data, len, &s->err);
		if (st == NULL)
			return -1;
		/* Before zip_close there is no archive: libzip then makes a new
		 * one (_zip_file_exists treats ZIP_ER_READ + ENOENT as "absent"). */
		if (!s->committed) {
			zip_error_set(&s->err, ZIP_ER_READ, ENOENT);
			return -1;
		}
		zip_stat_init(st);
		st->valid = ZIP_STAT_SIZE;
		st->size = s->end;
		return sizeof *st;
	}
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&s->err, data, len);
	case ZIP_SOURCE_FREE:
		return 0; /* the sink is part of struct epubzip */
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(
		    ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
		    ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, ZIP_SOURCE_SEEK, ZIP_SOURCE_TELL,
		    ZIP_SOURCE_SUPPORTS, ZIP_SOURCE_BEGIN_WRITE, ZIP_SOURCE_COMMIT_WRITE,
		    ZIP_SOURCE_ROLLBACK_WRITE, ZIP_SOURCE_WRITE, ZIP_SOURCE_SEEK_WRITE,
		    ZIP_SOURCE_TELL_WRITE, ZIP_SOURCE_REMOVE, -1);
	default:
		zip_error_set(&s->err, ZIP_ER_OPNOTSUPP, 0);
		return -1;
	}
}

/* Entry names are made by us; this catches a bug before epubcheck does
 * (PKG-009..012): printable ASCII without space and " * : < > ? \ |. */
static bool
name_ok(const char *name)
{
	if (*name == '\0' || *name == '/')
		return false;
	for (const char *p = name; *p; p++)
		if (*p <= ' ' || *p > '~' || strchr("\"*:<>?\\|", *p) != NULL)
			return false;
	return true;
}

static void
epubzip_free(struct epubzip *z)
{
	if (z->sink.fd >= 0)
		close(z->sink.fd);
	free(z->sink.buf);
	zip_error_fini(&z->sink.err);
	free(z->path);
	free(z->tmp);
	free(z);
}

/* 0666 & ~umask, as open(2) would give a newly created file. umask(2) can
 * only be read by setting it: it is set back at once. */
static mode_t
creation_mode(void)
{
	mode_t mask = umask(077);
	umask(mask);
	return 0666 & ~mask;
}

struct epubzip *
epubzip_new(const char *path, int64_t mtime, struct log *lg)
{
	struct epubzip *z = NULL;
	char *dir = NULL;
	const char *base, *slash;
	struct stat st;
	zip_error_t zerr;
	zip_source_t *src = NULL;
	zip_int64_t idx;

	slash = strrchr(path, '/');
	if (slash == NULL) {
		dir = xstrdup(".");
		base = path;
	} else {
		dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
		base = slash + 1;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		log_error(lg, path, 0, "cannot write %s: folder %s does not exist", path, dir);
		goto fail;
	}
	if (*base == '\0' || (stat(path, &st) == 0 && S_ISDIR(st.st_mode))) {
		log_error(lg, path, 0, "cannot write %s: it is a folder", path);
		goto fail;
	}
	if (access(dir, W_OK) != 0) {
		log_error(lg, path, 0, "cannot write %s: folder %s is not writable", path, dir);
		goto fail;
	}

	z = xcalloc(1, sizeof *z);
	z->sink.fd = -1;
	zip_error_init(&z->sink.err);
	z->lg = lg;
	z->path = xstrdup(path);
	z->mode = creation_mode();
	dos_fields(mtime, &z->dostime, &z->dosdate);
	z->tmp = strcmp(dir, "/") == 0 ? xasprintf("/.%s.XXXXXX", base)
	                               : xasprintf("%s/.%s.XXXXXX", dir, base);
	if ((z->sink.fd = mkstemp(z->tmp)) < 0) {
		log_error(lg, path, 0, "cannot create a temporary file in %s: %s", dir,
		          strerror(errno));
		free(z->tmp);
		z->tmp = NULL;
		goto fail;
	}
	z->sink.buf = xmalloc(SINK_BUF);

	zip_error_init(&zerr);
	if ((src = zip_source_function_create(sink_cb, &z->sink, &zerr)) == NULL ||
	    (z->za = zip_open_from_source(src, ZIP_CREATE | ZIP_TRUNCATE, &zerr)) == NULL) {
		log_error(lg, path, 0, "cannot create %s: %s", z->tmp, zip_error_strerror(&zerr));
		zip_error_fini(&zerr);
		zip_source_free(src);
		src = NULL;
		goto fail;
	}
	zip_error_fini(&zerr);
	src = NULL;

	/* mimetype: first, stored, no extra field (libzip adds none for an
	 * ASCII name from a buffer source; tests/test_epubzip.c checks the
	 * bytes), so readers can sniff the type at offset 38. */
	if ((src = zip_source_buffer(z->za, mimetype, sizeof mimetype - 1, 0)) == NULL)
		goto zipfail;
	if ((idx = zip_file_add(z->za, "mimetype", src, ZIP_FL_ENC_GUESS)) < 0) {
		zip_source_free(src);
		goto zipfail;
	}
	if (zip_set_file_compression(z->za, (zip_uint64_t)idx, ZIP_CM_STORE, 0) != 0 ||
	    stamp(z, (zip_uint64_t)idx) != 0)
		goto zipfail;
	free(dir);
	return z;

zipfail:
	log_error(lg, path, 0, "cannot start the book: %s", zip_strerror(z->za));
fail:
	if (z != NULL) {
		if (z->za != NULL)
			zip_discard(z->za);
		if (z->tmp != NULL)
			remove(z->tmp);
		epubzip_free(z);
	}
	free(dir);
	return NULL;
}

/* Adds src (owned; freed on failure) as entry name. */
static int
add_source(struct epubzip *z, const char *name, zip_source_t *src, bool compress)
{
	zip_int64_t idx;
	zip_int32_t method = compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE;

	if ((idx = zip_file_add(z->za, name, src, ZIP_FL_ENC_GUESS)) < 0) {
		zip_source_free(src);
		if (zip_error_code_zip(zip_get_error(z->za)) == ZIP_ER_EXISTS) {
			log_error(z->lg, z->path, 0, "duplicate entry \"%s\"", name);
			return -1;
		}
		goto zipfail;
	}
	/* comp_flags 0: the default deflate level. The same attributes for
	 * every entry (-rw-r--r--): a file source would carry the mode of its
	 * file (0600 in the download cache), and the book would depend on it. */
	if (zip_set_file_compression(z->za, (zip_uint64_t)idx, method, 0) != 0 ||
	    zip_file_set_external_attributes(z->za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
					     (zip_uint32_t)0100644 << 16) != 0 ||
	    stamp(z, (zip_uint64_t)idx) != 0)
		goto zipfail;
	return 0;
zipfail:
	log_error(z->lg, z->path, 0, "cannot add %s: %s", name, zip_strerror(z->za));
	return -1;
}

int
epubzip_add(struct epubzip *z, const char *name, void *data, size_t len, bool compress)
{
	zip_source_t *src = NULL;

	if (!name_ok(name)) {
		log_error(z->lg, z->path, 0, "bad entry name \"%s\"", name);
		free(data);
		return -1;
	}
	/* freep = 1: libzip frees data when the source goes, also after a
	 * failed zip_file_add (through zip_source_free in add_source) — but
	 * not when len is 0 (libzip 1.7.3 keeps no fragment then, and the
	 * buffer would leak): an empty entry gets static bytes. */
	if (len == 0) {
		free(data);
		data = NULL;
	}
	if ((src = len == 0 ? zip_source_buffer(z->za, "", 0, 0)
	                    : zip_source_buffer(z->za, data, len, 1)) == NULL) {
		log_error(z->lg, z->path, 0, "cannot add %s: %s", name, zip_strerror(z->za));
		free(data);
		return -1;
	}
	return add_source(z, name, src, compress);
}

int
epubzip_add_borrowed(struct epubzip *z, const char *name, const void *data, size_t len,
		     bool compress)
{
	zip_source_t *src = NULL;

	if (!name_ok(name)) {
		log_error(z->lg, z->path, 0, "bad entry name \"%s\"", name);
		return -1;
	}
	/* freep = 0: the caller's bytes, read at zip_close. */
	if ((src = zip_source_buffer(z->za, data, len, 0)) == NULL) {
		log_error(z->lg, z->path, 0, "cannot add %s: %s", name, zip_strerror(z->za));
		return -1;
	}
	return add_source(z, name, src, compress);
}

int
epubzip_add_file(struct epubzip *z, const char *name, const char *file, bool compress)
{
	zip_source_t *src = NULL;

	if (!name_ok(name)) {
		log_error(z->lg, z->path, 0, "bad entry name \"%s\"", name);
		return -1;
	}
	/* Read at zip_close, in one pass: the bytes never sit in memory. */
	if ((src = zip_source_file(z->za, file, 0, -1)) == NULL) {
		log_error(z->lg, file, 0, "cannot add to the book: %s", zip_strerror(z->za));
		return -1;
	}
	return add_source(z, name, src, compress);
}

struct libdeflate_compressor *
epubzip_compressor(void)
{
	struct libdeflate_compressor *z = libdeflate_alloc_compressor(7);
	if (z == NULL)
		abort(); /* out of memory, as xmalloc would */
	return z;
}

void
epubzip_compressor_free(struct libdeflate_compressor *z)
{
	libdeflate_free_compressor(z);
}

unsigned char *
epubzip_deflate(struct libdeflate_compressor *z, const void *in, size_t len, size_t *zlen,
		uint32_t *crc)
{
	size_t bound = libdeflate_deflate_compress_bound(z, len);
	unsigned char *out = xmalloc(bound);
	*zlen = libdeflate_deflate_compress(z, in, len, out, bound);
	if (*zlen == 0)
		abort(); /* cannot happen with the bound's room */
	*crc = libdeflate_crc32(0, in, len);
	return out;
}

/* A source of bytes already deflated (raw deflate, RFC 1951) that sit in a
 * file at an offset: libzip copies them as they are when the entry's
 * method is deflate and the source says its data is deflated, with sizes
 * and CRC (zip_source_zip works the same way). */
struct predeflated {
	int fd;
	off_t off;
	uint64_t zlen, ulen;
	uint32_t crc;
	uint64_t pos;
	zip_error_t err;
};

static zip_int64_t
predeflated_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct predeflated *s = ud;

	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		s->pos = 0;
		return 0;
	case ZIP_SOURCE_READ: {
		zip_uint64_t n = s->zlen - s->pos;
		if (n > len)
			n = len;
		if (pread_all(s->fd, data, (size_t)n, (uint64_t)s->off + s->pos) != 0) {
			zip_error_set(&s->err, ZIP_ER_READ, errno);
			return -1;
		}
		s->pos += n;
		return (zip_int64_t)n;
	}
	case ZIP_SOURCE_CLOSE:
		return 0;
	case ZIP_SOURCE_STAT: {
		if (len < sizeof(zip_stat_t)) {
			zip_error_set(&s->err, ZIP_ER_INVAL, 0);
			return -1;
		}
		zip_stat_t *st = data;
		zip_stat_init(st);
		st->valid = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD |
			    ZIP_STAT_CRC;
		st->size = s->ulen;
		st->comp_size = s->zlen;
		st->comp_method = ZIP_CM_DEFLATE;
		st->crc = s->crc;
		return sizeof *st;
	}
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&s->err, data, len);
	case ZIP_SOURCE_FREE:
		zip_error_fini(&s->err);
		free(s);
		return 0;
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ,
						      ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
						      ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
	default:
		zip_error_set(&s->err, ZIP_ER_OPNOTSUPP, 0);
		return -1;
	}
}

int
epubzip_add_deflated(struct epubzip *z, const char *name, int fd, uint64_t off, uint64_t zlen,
		     uint64_t ulen, uint32_t crc)
{
	zip_source_t *src;
	struct predeflated *s;

	if (!name_ok(name)) {
		log_error(z->lg, z->path, 0, "bad entry name \"%s\"", name);
		return -1;
	}
	s = xcalloc(1, sizeof *s);
	s->fd = fd;
	s->off = (off_t)off;
	s->zlen = zlen;
	s->ulen = ulen;
	s->crc = crc;
	zip_error_init(&s->err);
	if ((src = zip_source_function(z->za, predeflated_cb, s)) == NULL) {
		log_error(z->lg, z->path, 0, "cannot add %s: %s", name, zip_strerror(z->za));
		zip_error_fini(&s->err);
		free(s);
		return -1;
	}
	return add_source(z, name, src, true);
}

int
epubzip_close(struct epubzip *z)
{
	return epubzip_close_checked(z, NULL, NULL);
}

int
epubzip_close_checked(struct epubzip *z, int (*check)(const char *tmp, void *ctx), void *ctx)
{
	int rc = -1;

	if (zip_close(z->za) != 0) {
		log_error(z->lg, z->path, 0, "cannot write the book: %s", zip_strerror(z->za));
		zip_discard(z->za);
		goto out;
	}
	if (!dos_roundtrips(z->dostime, z->dosdate) && fix_gap_times(z) != 0) {
		log_error(z->lg, z->path, 0, "cannot set the entry times in %s", z->tmp);
		goto out;
	}
	/* mkstemp made the file 0600; a book is an ordinary created file. */
	if (chmod(z->tmp, z->mode) != 0) {
		log_error(z->lg, z->path, 0, "cannot set the permissions of %s: %s", z->tmp,
		          strerror(errno));
		goto out;
	}
	if (check != NULL && check(z->tmp, ctx) != 0)
		goto out; /* check reported why */
	if (rename(z->tmp, z->path) != 0) {
		log_error(z->lg, z->path, 0, "cannot rename %s to %s: %s", z->tmp, z->path,
		          strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		remove(z->tmp);
	epubzip_free(z);
	return rc;
}

void
epubzip_discard(struct epubzip *z)
{
	if (z == NULL)
		return;
	zip_discard(z->za);
	remove(z->tmp);
	epubzip_free(z);
}

/* A finished archive opened for reading, through a read-ahead window.
 * zip_open with ZIP_CHECKCONS reads every entry's local header, and libzip's
 * stdio source costs an lseek + read per header (two per entry on the
 * 2,000-post bench); headers of small entries lie close together, so one
 * pread of WINDOW bytes serves many of them. */
#define WINDOW ((size_t)64 << 10)

struct reader {
	int fd;
	uint64_t size, pos;
	uint64_t woff; /* file offset of win[0] */
	size_t wlen;   /* valid bytes in win */
	unsigned char win[WINDOW];
	zip_error_t err;
};

static zip_int64_t
reader_read(struct reader *r, unsigned char *p, zip_uint64_t len)
{
	zip_uint64_t done = 0;

	if (len > r->size - r->pos)
		len = r->size - r->pos;
	while (done < len) {
		uint64_t at = r->pos + done;
		if (at >= r->woff && at < r->woff + r->wlen) {
			size_t n = (size_t)(r->woff + r->wlen - at);
			if (n > len - done)
				n = (size_t)(len - done);
			memcpy(p + done, r->win + (at - r->woff), n);
			done += n;
			continue;
		}
		ssize_t n;
		if (len - done >= WINDOW) /* large: straight into the caller's buffer */
			n = pread(r->fd, p + done, (size_t)(len - done), (off_t)at);
		else if ((n = pread(r->fd, r->win, WINDOW, (off_t)at)) > 0) {
			r->woff = at;
			r->wlen = (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			zip_error_set(&r->err, ZIP_ER_READ, n < 0 ? errno : EIO);
			return -1;
		}
		done += (zip_uint64_t)n;
	}
	r->pos += done;
	return (zip_int64_t)done;
}

static zip_int64_t
reader_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct reader *r = ud;
	zip_int64_t off;

	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		r->pos = 0;
		return 0;
	case ZIP_SOURCE_READ:
		return reader_read(r, data, len);
	case ZIP_SOURCE_CLOSE:
		return 0;
	case ZIP_SOURCE_SEEK:
		if ((off = zip_source_seek_compute_offset(r->pos, r->size, data, len, &r->err)) < 0)
			return -1;
		r->pos = (uint64_t)off;
		return 0;
	case ZIP_SOURCE_TELL:
		return (zip_int64_t)r->pos;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = ZIP_SOURCE_GET_ARGS(zip_stat_t, data, len, &r->err);
		if (st == NULL)
			return -1;
		zip_stat_init(st);
		st->valid = ZIP_STAT_SIZE;
		st->size = r->size;
		return sizeof *st;
	}
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&r->err, data, len);
	case ZIP_SOURCE_FREE:
		close(r->fd);
		zip_error_fini(&r->err);
		free(r);
		return 0;
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ,
						      ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
						      ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
						      ZIP_SOURCE_SEEK, ZIP_SOURCE_TELL,
						      ZIP_SOURCE_SUPPORTS, -1);
	default:
		zip_error_set(&r->err, ZIP_ER_OPNOTSUPP, 0);
		return -1;
	}
}

struct zip *
epubzip_open_read(const char *path, int flags, zip_error_t *err)
{
	struct reader *r;
	struct stat st;
	zip_source_t *src;
	zip_t *za;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		zip_error_set(err, ZIP_ER_OPEN, errno);
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		zip_error_set(err, ZIP_ER_OPEN, errno != 0 ? errno : EINVAL);
		close(fd);
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->fd = fd;
	r->size = (uint64_t)st.st_size;
	zip_error_init(&r->err);
	if ((src = zip_source_function_create(reader_cb, r, err)) == NULL) {
		close(fd);
		zip_error_fini(&r->err);
		free(r);
		return NULL;
	}
	/* From here the source owns r (ZIP_SOURCE_FREE). */
	if ((za = zip_open_from_source(src, flags | ZIP_RDONLY, err)) == NULL)
		zip_source_free(src);
	return za;
}
