/* epubzip.h — the EPUB archive, written with libzip.
 *
 * The archive is built in a temporary file beside the output and renamed over
 * it only when complete, so a failed run never leaves a half-written book and
 * never clobbers the previous one. mimetype is always the first entry, stored.
 * Every entry gets the same fixed time (UTC), so equal input gives equal bytes.
 */
#ifndef POST2EPUB_EPUBZIP_H
#define POST2EPUB_EPUBZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

struct epubzip;
struct zip;
struct zip_error;

/* Starts a book that will be written to path, entries stamped with mtime
 * (seconds since the epoch, UTC). Adds mimetype. Returns NULL after logging an
 * error (folder missing, path is a directory, not writable). */
struct epubzip *epubzip_new(const char *path, int64_t mtime, struct log *lg);

/* Adds an entry named name (ASCII, made by us). Takes ownership of data
 * (malloc'd), also on failure. compress: deflate (text) or store (images).
 * Returns 0 or -1 after logging. */
int epubzip_add(struct epubzip *z, const char *name, void *data, size_t len, bool compress);

/* Like epubzip_add, but data stays the caller's: it must live until
 * epubzip_close (or _discard). */
int epubzip_add_borrowed(struct epubzip *z, const char *name, const void *data, size_t len,
			 bool compress);

/* Adds the contents of file as entry name; the file is read at
 * epubzip_close() and must exist until then, unchanged. Returns 0 or -1
 * after logging. */
int epubzip_add_file(struct epubzip *z, const char *name, const char *file, bool compress);

/* Raw deflate for epubzip_add_deflated, done by the caller (on any thread:
 * one compressor each). libdeflate compresses a whole buffer at once with a
 * quarter fewer instructions than zlib; its level 7 costs what its level 6
 * does and gives chapters no larger than zlib's level 6 (callgrind, 300
 * bench posts). epubzip_compressor() never returns NULL. */
struct libdeflate_compressor;
struct libdeflate_compressor *epubzip_compressor(void);
void epubzip_compressor_free(struct libdeflate_compressor *z);
/* The deflated bytes of in (malloc'd), their length and in's CRC-32. */
unsigned char *epubzip_deflate(struct libdeflate_compressor *z, const void *in, size_t len,
			       size_t *zlen, uint32_t *crc);

/* Adds an entry whose bytes are already deflated (raw deflate, as zlib's
 * deflateInit2 with windowBits -15 makes them): zlen bytes at offset off of
 * the open file fd, which inflate to ulen bytes with CRC-32 crc. They are
 * copied into the archive at epubzip_close() without being compressed
 * again; fd must stay open until then. Returns 0 or -1 after logging. */
int epubzip_add_deflated(struct epubzip *z, const char *name, int fd, uint64_t off,
			 uint64_t zlen, uint64_t ulen, uint32_t crc);

/* Writes the archive and renames it into place; frees z. Returns 0 or -1
 * after logging (the previous file at path is then untouched). */
int epubzip_close(struct epubzip *z);
/* Like epubzip_close, but calls check(tmp, ctx) on the finished archive
 * before it is renamed into place; when check returns non-zero (having
 * reported why) the archive is removed and the previous file at path stays. */
int epubzip_close_checked(struct epubzip *z, int (*check)(const char *tmp, void *ctx),
			  void *ctx);

/* Opens the archive at path for reading, as zip_open(path, flags |
 * ZIP_RDONLY) would, but reads it through a 64 KiB window: a check of every
 * entry (ZIP_CHECKCONS) then costs a system call per window, not two per
 * entry. Returns NULL with *err set. */
struct zip *epubzip_open_read(const char *path, int flags, struct zip_error *err);

/* Abandons the archive: nothing is written, z is freed. NULL is a no-op. */
void epubzip_discard(struct epubzip *z);

#endif
