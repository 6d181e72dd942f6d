/* test_media.c — sniffing image bytes, names inside the book. */
#include "testutil.h"

#include "media.h"

#define SNIFF(lit) media_sniff((lit), sizeof(lit) - 1)

static void
test_raster(void **state)
{
	(void)state;
	assert_int_equal(SNIFF("\xFF\xD8\xFF\xE0\0\x10JFIF"), MEDIA_JPEG);
	assert_int_equal(SNIFF("\xFF\xD8\xFF"), MEDIA_JPEG);
	assert_int_equal(SNIFF("\x89PNG\r\n\x1A\n\0\0\0\rIHDR"), MEDIA_PNG);
	assert_int_equal(SNIFF("GIF87a\x01\0\x01\0"), MEDIA_GIF);
	assert_int_equal(SNIFF("GIF89a\x01\0\x01\0"), MEDIA_GIF);
	assert_int_equal(SNIFF("RIFF\x24\0\0\0WEBPVP8 "), MEDIA_WEBP);
	assert_int_equal(SNIFF("RIFF\x24\0\0\0WEBPVP8L"), MEDIA_WEBP);
	assert_int_equal(SNIFF("\0\0\0\x1C"
	                       "ftypavif\0\0\0\0avifmif1miaf"),
	                 MEDIA_AVIF);
	assert_int_equal(SNIFF("\0\0\0\x1C"
	                       "ftypavis\0\0\0\0avismif1miaf"),
	                 MEDIA_AVIF);
	/* major brand mif1, avif among the compatible brands */
	assert_int_equal(SNIFF("\0\0\0\x18"
	                       "ftypmif1\0\0\0\0mif1avif"),
	                 MEDIA_AVIF);
	/* an ordinary MP4 / HEIC is not AVIF */
	assert_int_equal(SNIFF("\0\0\0\x18"
	                       "ftypisom\0\0\0\0isommp41"),
	                 MEDIA_UNKNOWN);
	assert_int_equal(SNIFF("\0\0\0\x18"
	                       "ftypheic\0\0\0\0mif1heic"),
	                 MEDIA_UNKNOWN);
	/* a WAV file is RIFF but not WebP */
	assert_int_equal(SNIFF("RIFF\x24\0\0\0WAVEfmt "), MEDIA_UNKNOWN);
}

static void
test_truncated_and_empty(void **state)
{
	(void)state;
	assert_int_equal(media_sniff(NULL, 0), MEDIA_UNKNOWN);
	assert_int_equal(media_sniff("", 0), MEDIA_UNKNOWN);
	assert_int_equal(SNIFF("\xFF\xD8"), MEDIA_UNKNOWN);
	assert_int_equal(SNIFF("\x89PNG\r\n\x1A"), MEDIA_UNKNOWN);
	assert_int_equal(SNIFF("GIF89"), MEDIA_UNKNOWN);
	assert_int_equal(SNIFF("RIFF\x24\0\0\0WEBPV"), MEDIA_UNKNOWN);
	assert_int_equal(SNIFF("\0\0\0\x1C"
	                       "ftypav"),
	                 MEDIA_UNKNOWN);
	assert_int_equal(SNIFF("<svg"), MEDIA_UNKNOWN);
	assert_int_equal(SNIFF("<?xml version=\"1.0\"?"), MEDIA_UNKNOWN);
	assert_int_equal(SNIFF("<!-- <svg> "), MEDIA_UNKNOWN);
	assert_int_equal(SNIFF("\xEF\xBB"), MEDIA_UNKNOWN);
}

static void
test_svg(void **state)
{
	(void)state;
	assert_int_equal(SNIFF("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), MEDIA_SVG);
	assert_int_equal(SNIFF("<svg>"), MEDIA_SVG);
	assert_int_equal(SNIFF("<svg/>"), MEDIA_SVG);
	assert_int_equal(SNIFF("<svg\n  width=\"1\">"), MEDIA_SVG);
	assert_int_equal(SNIFF("\xEF\xBB\xBF<svg>"), MEDIA_SVG);
	assert_int_equal(SNIFF("\xEF\xBB\xBF\r\n <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                       "<!-- Generator: Adobe Illustrator -->\n"
	                       "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" "
	                       "\"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n"
	                       "<svg version=\"1.1\">"),
	                 MEDIA_SVG);
	/* an internal subset with '>' inside the brackets */
	assert_int_equal(SNIFF("<!DOCTYPE svg [ <!ENTITY a \"b>\"> ]><svg>"), MEDIA_SVG);
	assert_int_equal(SNIFF("<?xml version=\"1.0\"?><?xml-stylesheet href=\"a.css\"?><svg>"),
	                 MEDIA_SVG);
	/* not SVG */
	assert_int_equal(SNIFF("<svgfoo>"), MEDIA_UNKNOWN);
	assert_int_equal(SNIFF("<SVG>"), MEDIA_UNKNOWN);
	assert_int_equal(SNIFF("x<svg>"), MEDIA_UNKNOWN);
	assert_int_equal(SNIFF("<!-- <svg> --><html>"), MEDIA_UNKNOWN);
}

static void
test_html_page(void **state)
{
	(void)state;
	/* what a server sends as "200 image/jpeg" when the image is gone */
	assert_int_equal(
	    SNIFF("<!DOCTYPE html>\n<html lang=\"en\"><head><title>404 Not Found</title>"
	          "</head><body><svg class=\"logo\"></svg></body></html>"),
	    MEDIA_UNKNOWN);
	assert_int_equal(SNIFF("<html><body>Forbidden</body></html>"), MEDIA_UNKNOWN);
	assert_int_equal(SNIFF("{\"error\":\"not found\"}"), MEDIA_UNKNOWN);
}

static void
test_svg_scan_bound(void **state)
{
	(void)state;
	/* a comment longer than the 4 KiB bound hides the <svg: not sniffed */
	size_t n = 5000;
	char *s = malloc(n + 16);
	assert_non_null(s);
	memcpy(s, "<!--", 4);
	memset(s + 4, 'x', n - 4);
	memcpy(s + n, "--><svg>", 8);
	assert_int_equal(media_sniff(s, n + 8), MEDIA_UNKNOWN);
	/* the same shape inside the bound is fine */
	memcpy(s + 100, "--><svg>", 8);
	assert_int_equal(media_sniff(s, 108), MEDIA_SVG);
	free(s);
}

static void
test_mime_ext_core(void **state)
{
	(void)state;
	assert_string_equal(media_mime(MEDIA_JPEG), "image/jpeg");
	assert_string_equal(media_mime(MEDIA_PNG), "image/png");
	assert_string_equal(media_mime(MEDIA_GIF), "image/gif");
	assert_string_equal(media_mime(MEDIA_SVG), "image/svg+xml");
	assert_string_equal(media_mime(MEDIA_WEBP), "image/webp");
	assert_string_equal(media_mime(MEDIA_AVIF), "image/avif");
	assert_null(media_mime(MEDIA_UNKNOWN));
	assert_string_equal(media_ext(MEDIA_JPEG), "jpg");
	assert_string_equal(media_ext(MEDIA_SVG), "svg");
	assert_string_equal(media_ext(MEDIA_AVIF), "avif");
	assert_null(media_ext(MEDIA_UNKNOWN));
	assert_true(media_is_core(MEDIA_JPEG));
	assert_true(media_is_core(MEDIA_PNG));
	assert_true(media_is_core(MEDIA_GIF));
	assert_true(media_is_core(MEDIA_SVG));
	assert_false(media_is_core(MEDIA_WEBP));
	assert_false(media_is_core(MEDIA_AVIF));
	assert_false(media_is_core(MEDIA_UNKNOWN));
}

static void
test_name(void **state)
{
	static const char png[] = "\x89PNG\r\n\x1A\n0000";
	char out[40];
	(void)state;
	/* python3: hashlib.sha256(b'\x89PNG\r\n\x1a\n0000').hexdigest()[:20] */
	media_name(png, sizeof png - 1, MEDIA_PNG, out);
	assert_string_equal(out, "images/7343d363d427f598455a.png");
	media_name("", 0, MEDIA_WEBP, out);
	assert_string_equal(out, "images/e3b0c44298fc1c149afb.webp");
	media_name("", 0, MEDIA_UNKNOWN, out);
	assert_string_equal(out, "images/e3b0c44298fc1c149afb.bin");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_raster),
	    cmocka_unit_test(test_truncated_and_empty),
	    cmocka_unit_test(test_svg),
	    cmocka_unit_test(test_html_page),
	    cmocka_unit_test(test_svg_scan_bound),
	    cmocka_unit_test(test_mime_ext_core),
	    cmocka_unit_test(test_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
