/* verify.h — the compatibility self-check: post2epub re-reads the book it
 * has just written and checks the invariants e-readers rely on.
 *
 * Checked (EPUB-NOTES.md): mimetype first, stored, exact, without an extra
 * field; portable entry names; container.xml naming one package document;
 * the package's identifier, title, language and dcterms:modified; manifest
 * and archive listing the same files, unique ids, one nav item; spine
 * itemrefs and toc attribute; nav and NCX TOC in spine order; NCX dtb:uid
 * equal to the identifier; cover meta and cover-image item agreeing.
 */
#ifndef POST2EPUB_VERIFY_H
#define POST2EPUB_VERIFY_H

#include "log.h"

/* Re-opens the book at path (a finished archive, typically the temporary
 * file before it is renamed into place) and checks the invariants above.
 * Every violation is reported with log_error(lg, path, 0, "self-check: ...")
 * — they are bugs in post2epub, not in the input. Only the archive is read;
 * XML is parsed without network or DTD access, entries over 64 MiB are
 * refused. Returns 0 when all hold, -1 otherwise (or when the file cannot be
 * read). */
int verify_book(const char *path, struct log *lg);

#endif
