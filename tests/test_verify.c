/* test_verify.c — the self-check. A valid minimal book is built with libzip
 * directly (so broken archives can be made too), then broken one way per
 * test; each break must give exactly one, exact "self-check:" error. A book
 * made by the epubzip and package modules must pass. */
#include "testutil.h"

#include <stdbool.h>
#include <zip.h>

#include "epubzip.h"
#include "package.h"
#include "util.h"
#include "verify.h"

/* ------------------------------------------------------------------ */
/* The valid book                                                       */

#define UID "urn:uuid:93abec04-666c-5ee5-aea7-a6e5423dcb3d"

static const char container_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">\n"
    "  <rootfiles>\n"
    "    <rootfile full-path=\"EPUB/package.opf\" "
    "media-type=\"application/oebps-package+xml\"/>\n"
    "  </rootfiles>\n"
    "</container>\n";

static const char opf_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" "
    "unique-identifier=\"uid\" xml:lang=\"en\">\n"
    "  <metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
    "    <dc:identifier id=\"uid\">" UID "</dc:identifier>\n"
    "    <dc:title>Test book</dc:title>\n"
    "    <dc:language>en</dc:language>\n"
    "    <meta property=\"dcterms:modified\">2023-11-14T22:13:20Z</meta>\n"
    "    <meta name=\"cover\" content=\"img-cover\"/>\n"
    "  </metadata>\n"
    "  <manifest>\n"
    "    <item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" "
    "properties=\"nav\"/>\n"
    "    <item id=\"p00001\" href=\"text/p00001.xhtml\" media-type=\"application/xhtml+xml\"/>\n"
    "    <item id=\"p00002\" href=\"text/p00002.xhtml\" media-type=\"application/xhtml+xml\"/>\n"
    "    <item id=\"img-cover\" href=\"images/cover.png\" media-type=\"image/png\" "
    "properties=\"cover-image\"/>\n"
    "    <item id=\"ncx\" href=\"toc.ncx\" media-type=\"application/x-dtbncx+xml\"/>\n"
    "  </manifest>\n"
    "  <spine toc=\"ncx\">\n"
    "    <itemref idref=\"nav\"/>\n"
    "    <itemref idref=\"p00001\"/>\n"
    "    <itemref idref=\"p00002\"/>\n"
    "  </spine>\n"
    "</package>\n";

static const char nav_xhtml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!DOCTYPE html>\n"
    "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" "
    "lang=\"en\" xml:lang=\"en\">\n"
    "<head><title>Contents</title></head>\n"
    "<body>\n"
    "<nav epub:type=\"toc\" id=\"toc\"><h1>Contents</h1><ol>\n"
    "<li><a href=\"text/p00001.xhtml\">One</a></li>\n"
    "<li><a href=\"text/p00002.xhtml\">Two</a></li>\n"
    "</ol></nav>\n"
    "<nav epub:type=\"landmarks\" hidden=\"\"><ol>\n"
    "<li><a epub:type=\"bodymatter\" href=\"text/p00002.xhtml\">Start</a></li>\n"
    "<li><a epub:type=\"toc\" href=\"nav.xhtml#toc\">Contents</a></li>\n"
    "</ol></nav>\n"
    "</body>\n"
    "</html>\n";

static const char ncx_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\">\n"
    "  <head>\n"
    "    <meta name=\"dtb:uid\" content=\"" UID "\"/>\n"
    "    <meta name=\"dtb:depth\" content=\"1\"/>\n"
    "  </head>\n"
    "  <docTitle><text>Test book</text></docTitle>\n"
    "  <navMap>\n"
    "    <navPoint id=\"navPoint-1\" playOrder=\"1\">\n"
    "      <navLabel><text>One</text></navLabel><content src=\"text/p00001.xhtml\"/>\n"
    "    </navPoint>\n"
    "    <navPoint id=\"navPoint-2\" playOrder=\"2\">\n"
    "      <navLabel><text>Two</text></navLabel><content src=\"text/p00002.xhtml\"/>\n"
    "    </navPoint>\n"
    "  </navMap>\n"
    "</ncx>\n";

static const char chapter1[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n"
    "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\" xml:lang=\"en\">"
    "<head><title>One</title></head><body><p>one</p></body></html>\n";
static const char chapter2[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n"
    "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\" xml:lang=\"en\">"
    "<head><title>Two</title></head><body><p>two</p></body></html>\n";
static const char png[] = "\x89PNG\r\n\x1A\n\0\0\0\rIHDR fake image bytes";

/* ------------------------------------------------------------------ */
/* Books as lists of entries, written with libzip                       */

struct entry {
	char *name;
	char *data;
	size_t len;
	zip_int32_t method;
	bool extra; /* an extended-timestamp extra field in the local header */
};

struct book {
	struct entry e[24];
	size_t n;
};

static void
book_add(struct book *b, const char *name, const char *data, size_t len, zip_int32_t method)
{
	struct entry *e;
	assert_true(b->n < sizeof b->e / sizeof *b->e);
	e = &b->e[b->n++];
	e->name = xstrdup(name);
	e->data = xmalloc(len + 1);
	memcpy(e->data, data, len);
	e->data[len] = '\0';
	e->len = len;
	e->method = method;
	e->extra = false;
}

static void
book_text(struct book *b, const char *name, const char *text)
{
	book_add(b, name, text, strlen(text), ZIP_CM_DEFLATE);
}

static void
book_good(struct book *b)
{
	memset(b, 0, sizeof *b);
	book_add(b, "mimetype", "application/epub+zip", 20, ZIP_CM_STORE);
	book_text(b, "META-INF/container.xml", container_xml);
	book_text(b, "EPUB/package.opf", opf_xml);
	book_text(b, "EPUB/nav.xhtml", nav_xhtml);
	book_text(b, "EPUB/toc.ncx", ncx_xml);
	book_text(b, "EPUB/text/p00001.xhtml", chapter1);
	book_text(b, "EPUB/text/p00002.xhtml", chapter2);
	book_add(b, "EPUB/images/cover.png", png, sizeof png - 1, ZIP_CM_STORE);
}

static struct entry *
book_find(struct book *b, const char *name)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->e[i].name, name) == 0)
			return &b->e[i];
	fail_msg("no entry %s", name);
	return NULL;
}

/* Replaces the first from in entry name by to. */
static void
book_edit(struct book *b, const char *name, const char *from, const char *to)
{
	struct entry *e = book_find(b, name);
	char *at = strstr(e->data, from);
	char *s;

	if (at == NULL)
		fail_msg("\"%s\" not in %s", from, name);
	s = xasprintf("%.*s%s%s", (int)(at - e->data), e->data, to, at + strlen(from));
	free(e->data);
	e->data = s;
	e->len = strlen(s);
}

/* Moves entry i to position j. */
static void
book_move(struct book *b, size_t i, size_t j)
{
	struct entry t = b->e[i];
	if (i < j)
		memmove(&b->e[i], &b->e[i + 1], (j - i) * sizeof t);
	else
		memmove(&b->e[j + 1], &b->e[j], (i - j) * sizeof t);
	b->e[j] = t;
}

static void
book_free(struct book *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->e[i].name);
		free(b->e[i].data);
	}
	memset(b, 0, sizeof *b);
}

static void
book_write(const struct book *b, const char *path)
{
	int err = 0;
	zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);

	assert_non_null(za);
	for (size_t i = 0; i < b->n; i++) {
		const struct entry *e = &b->e[i];
		zip_source_t *src = zip_source_buffer(za, e->data, e->len, 0);
		zip_int64_t idx;
		assert_non_null(src);
		idx = zip_file_add(za, e->name, src, ZIP_FL_ENC_GUESS);
		assert_true(idx >= 0);
		assert_int_equal(zip_set_file_compression(za, (zip_uint64_t)idx, e->method, 0), 0);
		if (e->extra) {
			static const zip_uint8_t ut[5] = {1, 0, 0, 0, 0};
			assert_int_equal(zip_file_extra_field_set(za, (zip_uint64_t)idx, 0x5455,
			                                          ZIP_EXTRA_FIELD_NEW, ut, sizeof ut,
			                                          ZIP_FL_LOCAL),
			                 0);
		}
	}
	assert_int_equal(zip_close(za), 0);
}

/* ------------------------------------------------------------------ */
/* Fixture                                                              */

struct fix {
	char dir[64];
	char path[128];
	struct tlog log;
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof *f);
	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/test_verify.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/book.epub", f->dir);
	tlog_open(&f->log, LOG_NORMAL);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	remove(f->path);
	rmdir(f->dir);
	tlog_close(&f->log);
	free(f);
	return 0;
}

/* Writes b, frees it, and checks the self-check's verdict: a pass with no
 * output when msg is NULL, else exactly the one error msg. */
static void
expect(struct fix *f, struct book *b, const char *msg)
{
	char *want;
	int rc;

	book_write(b, f->path);
	book_free(b);
	rc = verify_book(f->path, f->log.lg);
	if (msg == NULL) {
		assert_string_equal(tlog_text(&f->log), "");
		assert_int_equal(rc, 0);
		return;
	}
	want = xasprintf("post2epub: %s: error: self-check: %s\n", f->path, msg);
	assert_string_equal(tlog_text(&f->log), want);
	assert_int_equal(rc, -1);
	free(want);
}

/* ------------------------------------------------------------------ */
/* The valid book and its harmless variations                           */

static void
test_good(void **state)
{
	struct book b;
	book_good(&b);
	expect(*state, &b, NULL);
}

/* A TOC may link into a file several times in a row (fragments), hrefs
 * may be percent-encoded, "./" and "../" are resolved. */
static void
test_good_variations(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/nav.xhtml", "<li><a href=\"text/p00002.xhtml\">",
	          "<li><a href=\"text/p00002.xhtml#a\">Two a</a></li>"
	          "<li><a href=\"./text/p0000%32.xhtml#b\">");
	book_edit(&b, "EPUB/toc.ncx", "src=\"text/p00001.xhtml\"",
	          "src=\"text/../text/p00001.xhtml\"");
	book_edit(&b, "EPUB/package.opf", "properties=\"nav\"", "properties=\" nav  scripted\"");
	expect(*state, &b, NULL);
}

/* What post2epub itself writes, through epubzip and package. */
static void
test_good_from_modules(void **state)
{
	struct fix *f = *state;
	static const struct pkg_item items[] = {
	    {"nav", "nav.xhtml", "application/xhtml+xml", "nav", true, false},
	    {"p00001", "text/p00001.xhtml", "application/xhtml+xml", NULL, true, false},
	    {"p00002", "text/p00002.xhtml", "application/xhtml+xml", NULL, true, false},
	    {"img-cover", "images/cover.png", "image/png", "cover-image", false, false},
	};
	static const struct pkg_toc_entry toc[] = {
	    {"2022", NULL, 0},
	    {"One", "text/p00001.xhtml", 1},
	    {"Two", "text/p00002.xhtml", 1},
	};
	static const struct pkg_landmark marks[] = {
	    {"toc", "Contents", "nav.xhtml#toc"},
	};
	struct pkg_info info = {
	    .identifier = UID, .title = "Test book", .language = "zh-Hans",
	    .modified = INT64_C(1700000000), .cover_id = "img-cover",
	    .items = items, .nitems = 3 + 1,
	    .toc = toc, .ntoc = 3, .landmarks = marks, .nlandmarks = 1,
	};
	struct epubzip *z = epubzip_new(f->path, INT64_C(1700000000), f->log.lg);
	char *data;
	size_t len;

	assert_non_null(z);
	assert_int_equal(pkg_write_container(&data, &len), 0);
	assert_int_equal(epubzip_add(z, "META-INF/container.xml", data, len, true), 0);
	assert_int_equal(pkg_write_opf(&info, &data, &len), 0);
	assert_int_equal(epubzip_add(z, "EPUB/package.opf", data, len, true), 0);
	assert_int_equal(pkg_write_nav(&info, &data, &len), 0);
	assert_int_equal(epubzip_add(z, "EPUB/nav.xhtml", data, len, true), 0);
	assert_int_equal(pkg_write_ncx(&info, &data, &len), 0);
	assert_int_equal(epubzip_add(z, "EPUB/toc.ncx", data, len, true), 0);
	assert_int_equal(epubzip_add(z, "EPUB/text/p00001.xhtml", xstrdup(chapter1),
	                             strlen(chapter1), true), 0);
	assert_int_equal(epubzip_add(z, "EPUB/text/p00002.xhtml", xstrdup(chapter2),
	                             strlen(chapter2), true), 0);
	data = xmalloc(sizeof png - 1);
	memcpy(data, png, sizeof png - 1);
	assert_int_equal(epubzip_add(z, "EPUB/images/cover.png", data, sizeof png - 1, false), 0);
	assert_int_equal(epubzip_close(z), 0);
	assert_int_equal(verify_book(f->path, f->log.lg), 0);
	assert_string_equal(tlog_text(&f->log), "");
}

/* ------------------------------------------------------------------ */
/* 1: archive and mimetype                                              */

static void
test_not_a_zip(void **state)
{
	struct fix *f = *state;
	FILE *fp = fopen(f->path, "w");
	char *want;

	assert_non_null(fp);
	fputs("not a zip archive at all", fp);
	fclose(fp);
	assert_int_equal(verify_book(f->path, f->log.lg), -1);
	want = xasprintf("post2epub: %s: error: self-check: cannot open the archive: Not a zip "
	                 "archive\n", f->path);
	assert_string_equal(tlog_text(&f->log), want);
	free(want);
}

static void
test_missing_file(void **state)
{
	struct fix *f = *state;
	assert_int_equal(verify_book(f->path, f->log.lg), -1);
	assert_contains(tlog_text(&f->log), "error: self-check: cannot open the archive: ");
}

static void
test_mimetype_second(void **state)
{
	struct book b;
	book_good(&b);
	book_move(&b, 0, 1);
	expect(*state, &b, "the first entry is \"META-INF/container.xml\", not mimetype");
}

static void
test_mimetype_deflated(void **state)
{
	struct book b;
	book_good(&b);
	b.e[0].method = ZIP_CM_DEFLATE;
	expect(*state, &b, "mimetype is compressed (method 8), not stored");
}

static void
test_mimetype_text(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "mimetype", "zip", "zip\n");
	expect(*state, &b, "mimetype does not hold exactly \"application/epub+zip\"");
}

static void
test_mimetype_extra_field(void **state)
{
	struct book b;
	book_good(&b);
	b.e[0].extra = true;
	expect(*state, &b, "mimetype has an extra field in its local header");
}

/* ------------------------------------------------------------------ */
/* 2: entry names                                                       */

/* An entry listed in the manifest (so only its name is wrong). */
static void
add_listed(struct book *b, const char *name, const char *href)
{
	char *item = xasprintf("<item id=\"extra\" href=\"%s\" media-type=\"text/css\"/>\n"
	                       "  </manifest>", href);
	book_text(b, name, "p { }");
	book_edit(b, "EPUB/package.opf", "</manifest>", item);
	free(item);
}

static void
test_name_space(void **state)
{
	struct book b;
	book_good(&b);
	add_listed(&b, "EPUB/a b.css", "a%20b.css");
	expect(*state, &b, "entry name \"EPUB/a b.css\" contains a space");
}

static void
test_name_colon(void **state)
{
	struct book b;
	book_good(&b);
	add_listed(&b, "EPUB/a:b.css", "a%3Ab.css");
	expect(*state, &b, "entry name \"EPUB/a:b.css\" contains ':'");
}

static void
test_name_not_ascii(void **state)
{
	struct book b;
	book_good(&b);
	add_listed(&b, "EPUB/\xE4\xB8\xAD.css", "%E4%B8%AD.css");
	expect(*state, &b, "entry name \"EPUB/\\xE4\\xB8\\xAD.css\" is not printable ASCII");
}

/* ------------------------------------------------------------------ */
/* 3: container                                                         */

static void
test_container_missing(void **state)
{
	struct book b;
	book_good(&b);
	free(b.e[1].name);
	b.e[1].name = xstrdup("META-INF/manifest.xml");
	expect(*state, &b, "META-INF/container.xml is missing");
}

static void
test_container_two_rootfiles(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "META-INF/container.xml", "</rootfiles>",
	          "<rootfile full-path=\"EPUB/other.opf\" "
	          "media-type=\"application/oebps-package+xml\"/></rootfiles>");
	expect(*state, &b, "META-INF/container.xml names 2 package documents, not one");
}

static void
test_container_opf_missing(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "META-INF/container.xml", "EPUB/package.opf", "EPUB/content.opf");
	expect(*state, &b,
	       "the package document \"EPUB/content.opf\" named in META-INF/container.xml is "
	       "missing");
}

static void
test_opf_not_xml(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/package.opf", "</package>", "</packag>");
	expect(*state, &b, "EPUB/package.opf is not well-formed XML");
}

/* ------------------------------------------------------------------ */
/* 4: metadata                                                          */

static void
test_uid_dangling(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/package.opf", "id=\"uid\"", "id=\"bookid\"");
	expect(*state, &b, "unique-identifier \"uid\" names no dc:identifier");
}

static void
test_uid_empty(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/package.opf", UID "</dc:identifier>", " </dc:identifier>");
	book_edit(&b, "EPUB/toc.ncx", UID, " ");
	expect(*state, &b, "the dc:identifier \"uid\" is empty");
}

static void
test_modified_twice(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/package.opf", "</metadata>",
	          "<meta property=\"dcterms:modified\">2023-11-14T22:13:21Z</meta></metadata>");
	expect(*state, &b, "2 dcterms:modified metas, expected exactly one");
}

static void
test_modified_form(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/package.opf", "22:13:20Z", "22:13:20+00:00");
	expect(*state, &b, "dcterms:modified \"2023-11-14T22:13:20+00:00\" is not "
	                   "YYYY-MM-DDThh:mm:ssZ");
}

static void
test_title_empty(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/package.opf", "<dc:title>Test book</dc:title>", "<dc:title> </dc:title>");
	expect(*state, &b, "dc:title is missing or empty");
}

static void
test_language_missing(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/package.opf", "<dc:language>en</dc:language>", "");
	expect(*state, &b, "dc:language is missing or empty");
}

/* ------------------------------------------------------------------ */
/* 5: manifest                                                          */

static void
test_manifest_href_missing(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/package.opf", "</manifest>",
	          "<item id=\"gone\" href=\"images/gone.png\" media-type=\"image/png\"/></manifest>");
	expect(*state, &b, "manifest item \"gone\" (EPUB/images/gone.png) is missing from the archive");
}

static void
test_unlisted_file(void **state)
{
	struct book b;
	book_good(&b);
	book_text(&b, "EPUB/extra.css", "p { }");
	expect(*state, &b, "entry \"EPUB/extra.css\" is not in the manifest");
}

static void
test_duplicate_id(void **state)
{
	struct book b;
	book_good(&b);
	book_text(&b, "EPUB/a.css", "p { }");
	book_text(&b, "EPUB/b.css", "p { }");
	book_edit(&b, "EPUB/package.opf", "</manifest>",
	          "<item id=\"css\" href=\"a.css\" media-type=\"text/css\"/>"
	          "<item id=\"css\" href=\"b.css\" media-type=\"text/css\"/>"
	          "<item id=\"css\" href=\"a.css\" media-type=\"text/css\"/></manifest>");
	expect(*state, &b, "manifest id \"css\" is used more than once");
}

static void
test_nav_property_twice(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/package.opf", "media-type=\"image/png\" properties=\"cover-image\"",
	          "media-type=\"image/png\" properties=\"cover-image nav\"");
	expect(*state, &b, "2 manifest items have the nav property, expected exactly one");
}

static void
test_nav_property_none(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/package.opf", " properties=\"nav\"", "");
	expect(*state, &b, "0 manifest items have the nav property, expected exactly one");
}

/* ------------------------------------------------------------------ */
/* 6: spine                                                             */

static void
test_spine_unknown_idref(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/package.opf", "</spine>", "<itemref idref=\"p00009\"/></spine>");
	expect(*state, &b, "spine itemref \"p00009\" names no manifest item");
}

static void
test_spine_toc_wrong(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/package.opf", "<spine toc=\"ncx\">", "<spine toc=\"nav\">");
	expect(*state, &b, "spine toc=\"nav\" does not name an NCX item");
}

static void
test_spine_toc_absent(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/package.opf", "<spine toc=\"ncx\">", "<spine>");
	expect(*state, &b, "the spine has no toc attribute for the NCX item \"ncx\"");
}

/* ------------------------------------------------------------------ */
/* 7: TOC order                                                         */

static void
test_nav_order(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/nav.xhtml", "text/p00001.xhtml\">One", "text/p00002.xhtml\">One");
	book_edit(&b, "EPUB/nav.xhtml", "text/p00002.xhtml\">Two", "text/p00001.xhtml\">Two");
	expect(*state, &b,
	       "the nav TOC lists \"EPUB/text/p00001.xhtml\" after \"EPUB/text/p00002.xhtml\", "
	       "against the spine order");
}

/* A file coming back after another is out of order too. */
static void
test_ncx_order(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/toc.ncx", "</navMap>",
	          "<navPoint id=\"navPoint-3\" playOrder=\"1\"><navLabel><text>Again</text>"
	          "</navLabel><content src=\"text/p00001.xhtml#x\"/></navPoint></navMap>");
	expect(*state, &b,
	       "the NCX TOC lists \"EPUB/text/p00001.xhtml\" after \"EPUB/text/p00002.xhtml\", "
	       "against the spine order");
}

static void
test_toc_not_in_spine(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/nav.xhtml", "text/p00002.xhtml\">Two", "images/cover.png\">Two");
	expect(*state, &b,
	       "the nav TOC links to \"EPUB/images/cover.png\", which is not in the spine");
}

static void
test_nav_without_toc(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/nav.xhtml", "epub:type=\"toc\" id=\"toc\"", "epub:type=\"lot\"");
	expect(*state, &b, "EPUB/nav.xhtml has 0 toc navs, expected one");
}

/* ------------------------------------------------------------------ */
/* 8: NCX uid                                                           */

static void
test_ncx_uid(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/toc.ncx", UID, "urn:uuid:other");
	expect(*state, &b,
	       "the NCX dtb:uid \"urn:uuid:other\" differs from the identifier \"" UID "\"");
}

static void
test_ncx_uid_missing(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/toc.ncx", "name=\"dtb:uid\"", "name=\"dtb:id\"");
	expect(*state, &b, "EPUB/toc.ncx has no dtb:uid");
}

/* ------------------------------------------------------------------ */
/* 9: cover                                                             */

static void
test_cover_meta_chapter(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/package.opf", "content=\"img-cover\"", "content=\"p00001\"");
	expect(*state, &b,
	       "the cover meta names \"p00001\" of type application/xhtml+xml, not an image");
}

static void
test_cover_meta_dangling(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/package.opf", "content=\"img-cover\"", "content=\"img-gone\"");
	expect(*state, &b, "the cover meta names \"img-gone\", which is no manifest item");
}

static void
test_cover_property_missing(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/package.opf", " properties=\"cover-image\"", "");
	expect(*state, &b,
	       "the cover meta names \"img-cover\", which lacks the cover-image property");
}

static void
test_cover_meta_missing(void **state)
{
	struct book b;
	book_good(&b);
	book_edit(&b, "EPUB/package.opf", "<meta name=\"cover\" content=\"img-cover\"/>", "");
	expect(*state, &b,
	       "item \"img-cover\" has the cover-image property but no cover meta names it");
}

/* ------------------------------------------------------------------ */
/* Several faults at once are all reported                              */

static void
test_all_reported(void **state)
{
	struct fix *f = *state;
	struct book b;
	const char *log;
	size_t lines = 0;

	book_good(&b);
	b.e[0].method = ZIP_CM_DEFLATE;
	book_text(&b, "EPUB/extra.css", "p { }");
	book_edit(&b, "EPUB/toc.ncx", UID, "urn:uuid:other");
	book_write(&b, f->path);
	book_free(&b);
	assert_int_equal(verify_book(f->path, f->log.lg), -1);
	log = tlog_text(&f->log);
	for (const char *p = log; *p != '\0'; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 3);
	assert_contains(log, "mimetype is compressed");
	assert_contains(log, "\"EPUB/extra.css\" is not in the manifest");
	assert_contains(log, "dtb:uid \"urn:uuid:other\"");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_good),
	    T(test_good_variations),
	    T(test_good_from_modules),
	    T(test_not_a_zip),
	    T(test_missing_file),
	    T(test_mimetype_second),
	    T(test_mimetype_deflated),
	    T(test_mimetype_text),
	    T(test_mimetype_extra_field),
	    T(test_name_space),
	    T(test_name_colon),
	    T(test_name_not_ascii),
	    T(test_container_missing),
	    T(test_container_two_rootfiles),
	    T(test_container_opf_missing),
	    T(test_opf_not_xml),
	    T(test_uid_dangling),
	    T(test_uid_empty),
	    T(test_modified_twice),
	    T(test_modified_form),
	    T(test_title_empty),
	    T(test_language_missing),
	    T(test_manifest_href_missing),
	    T(test_unlisted_file),
	    T(test_duplicate_id),
	    T(test_nav_property_twice),
	    T(test_nav_property_none),
	    T(test_spine_unknown_idref),
	    T(test_spine_toc_wrong),
	    T(test_spine_toc_absent),
	    T(test_nav_order),
	    T(test_ncx_order),
	    T(test_toc_not_in_spine),
	    T(test_nav_without_toc),
	    T(test_ncx_uid),
	    T(test_ncx_uid_missing),
	    T(test_cover_meta_chapter),
	    T(test_cover_meta_dangling),
	    T(test_cover_property_missing),
	    T(test_cover_meta_missing),
	    T(test_all_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
