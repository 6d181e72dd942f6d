/* test_convert.c — images made fit for e-readers (convert.c). Small fixtures
 * are in tests/fixtures/images (remade by make.sh there); large images are
 * made here with libvips. */
#include "testutil.h"

#include <pthread.h>
#include <stdbool.h>
#include <time.h>
#include <vips/vips.h>

#include "convert.h"
#include "media.h"
#include "util.h"

#define FIXTURES "tests/fixtures/images/"

static char *
fixture(const char *name, size_t *len)
{
	char *path = xasprintf(FIXTURES "%s", name);
	char *data = NULL;
	if (read_file_bounded(path, 1 << 20, &data, len) != 0)
		fail_msg("cannot read %s", path);
	free(path);
	return data;
}

/* The result of a conversion, decoded again to look at it. */
struct res {
	enum convert_result r;
	void *out;
	size_t outlen;
	enum media_type type;
	const char *why;
	VipsImage *im; /* decoded out, when DONE */
};

static void
run(struct res *x, const void *data, size_t len, const struct convert_opts *o)
{
	memset(x, 0, sizeof *x);
	x->r = convert_image(data, len, media_sniff(data, len), o, &x->out, &x->outlen, &x->type,
	                     &x->why);
	if (x->r == CONVERT_DONE) {
		assert_non_null(x->out);
		assert_true(x->outlen > 0);
		assert_int_equal(media_sniff(x->out, x->outlen), x->type);
		x->im = vips_image_new_from_buffer(x->out, x->outlen, "", NULL);
		assert_non_null(x->im);
	} else {
		assert_null(x->out);
	}
}

static void
run_fixture(struct res *x, const char *name, const struct convert_opts *o)
{
	size_t len;
	char *data = fixture(name, &len);
	run(x, data, len, o);
	free(data);
}

static void
res_free(struct res *x)
{
	free(x->out);
	if (x->im != NULL)
		g_object_unref(x->im);
	memset(x, 0, sizeof *x);
}

static struct convert_opts
defaults(void)
{
	struct convert_opts o;
	convert_opts_init(&o);
	return o;
}

/* A w x h JPEG (quality 92, like a phone's) of smooth colour blobs with a
 * little grain when photo, else black; caller frees. */
static void *
make_jpeg(int w, int h, bool photo, size_t *len)
{
	VipsImage *im = NULL, *t = NULL;
	void *buf = NULL, *copy;

	if (!photo) {
		assert_int_equal(vips_black(&im, w, h, "bands", 3, NULL), 0);
	} else {
		VipsImage *band[3];
		for (int b = 0; b < 3; b++) {
			VipsImage *small = NULL, *big = NULL, *grain = NULL;
			assert_int_equal(vips_gaussnoise(&small, w / 50 + 1, h / 50 + 1, "mean",
			                                 128.0, "sigma", 60.0, "seed", b + 1, NULL),
			                 0);
			assert_int_equal(vips_resize(small, &big, 50.0, NULL), 0);
			assert_int_equal(vips_gaussnoise(&grain, big->Xsize, big->Ysize, "mean",
			                                 0.0, "sigma", 6.0, "seed", b + 11, NULL),
			                 0);
			assert_int_equal(vips_add(big, grain, &band[b], NULL), 0);
			g_object_unref(small);
			g_object_unref(big);
			g_object_unref(grain);
		}
		assert_int_equal(vips_bandjoin(band, &t, 3, NULL), 0);
		for (int b = 0; b < 3; b++)
			g_object_unref(band[b]);
		assert_int_equal(vips_crop(t, &im, 0, 0, w, h, NULL), 0);
		g_object_unref(t);
		assert_int_equal(vips_cast_uchar(im, &t, NULL), 0);
		g_object_unref(im);
		assert_int_equal(
		    vips_copy(t, &im, "interpretation", VIPS_INTERPRETATION_sRGB, NULL), 0);
		g_object_unref(t);
	}
	assert_int_equal(vips_jpegsave_buffer(im, &buf, len, "Q", 92, NULL), 0);
	g_object_unref(im);
	copy = xmalloc(*len);
	memcpy(copy, buf, *len);
	g_free(buf);
	return copy;
}

/* ------------------------------------------------------------------ */

static void
test_webp(void **state)
{
	(void)state;
	struct convert_opts o = defaults();
	struct res x;

	run_fixture(&x, "opaque.webp", &o);
	assert_int_equal(x.r, CONVERT_DONE);
	assert_int_equal(x.type, MEDIA_JPEG);
	assert_int_equal(x.im->Xsize, 64);
	assert_int_equal(x.im->Ysize, 48);
	assert_int_equal(x.im->Bands, 3);
	res_free(&x);

	run_fixture(&x, "alpha.webp", &o);
	assert_int_equal(x.r, CONVERT_DONE);
	assert_int_equal(x.type, MEDIA_PNG);
	assert_int_equal(x.im->Bands, 4);
	assert_true(vips_image_hasalpha(x.im));
	res_free(&x);
}

static void
test_avif(void **state)
{
	(void)state;
	struct convert_opts o = defaults();
	struct res x;

	if (!convert_can_avif())
		skip();
	run_fixture(&x, "photo.avif", &o);
	assert_int_equal(x.r, CONVERT_DONE);
	assert_int_equal(x.type, MEDIA_JPEG);
	assert_int_equal(x.im->Xsize, 64);
	assert_int_equal(x.im->Ysize, 48);
	res_free(&x);
}

static void
test_animated_gif(void **state)
{
	(void)state;
	struct convert_opts o = defaults();
	struct res x;
	double px[4];
	double *v = NULL;
	int n = 0;

	/* first frame only: 16x12 (not 16x24), four colours → PNG */
	run_fixture(&x, "anim.gif", &o);
	assert_int_equal(x.r, CONVERT_DONE);
	assert_int_equal(x.type, MEDIA_PNG);
	assert_int_equal(x.im->Xsize, 16);
	assert_int_equal(x.im->Ysize, 12);
	assert_int_equal(vips_getpoint(x.im, &v, &n, 0, 0, NULL), 0);
	assert_true(n >= 3);
	memcpy(px, v, 3 * sizeof *v);
	g_free(v);
	assert_true(px[0] == 255 && px[1] == 0 && px[2] == 0); /* frame 1 starts red */
	res_free(&x);

	o.keep_animation = true;
	run_fixture(&x, "anim.gif", &o);
	assert_int_equal(x.r, CONVERT_KEEP);
	res_free(&x);

	/* kept animated but too wide: every frame resized, still a GIF */
	o.max_dim = 8;
	run_fixture(&x, "anim.gif", &o);
	assert_int_equal(x.r, CONVERT_DONE);
	assert_int_equal(x.type, MEDIA_GIF);
	g_object_unref(x.im);
	x.im = vips_image_new_from_buffer(x.out, x.outlen, "n=-1", NULL);
	assert_non_null(x.im);
	assert_int_equal(vips_image_get_n_pages(x.im), 2);
	assert_int_equal(x.im->Xsize, 8);
	assert_int_equal(vips_image_get_page_height(x.im), 6);
	res_free(&x);
}

static void
test_jpeg_kinds(void **state)
{
	(void)state;
	struct convert_opts o = defaults();
	struct res x;
	int multiscan = -1;

	/* progressive → baseline */
	run_fixture(&x, "progressive.jpg", &o);
	assert_int_equal(x.r, CONVERT_DONE);
	assert_int_equal(x.type, MEDIA_JPEG);
	assert_int_equal(vips_image_get_int(x.im, "jpeg-multiscan", &multiscan), 0);
	assert_int_equal(multiscan, 0);
	assert_int_equal(x.im->Xsize, 64);
	res_free(&x);

	/* CMYK → 3-band sRGB */
	run_fixture(&x, "cmyk.jpg", &o);
	assert_int_equal(x.r, CONVERT_DONE);
	assert_int_equal(x.type, MEDIA_JPEG);
	assert_int_equal(x.im->Bands, 3);
	assert_int_equal(x.im->Type, VIPS_INTERPRETATION_sRGB);
	res_free(&x);

	/* stored 40x20 with orientation 6: comes out 20x40, upright */
	run_fixture(&x, "rot6.jpg", &o);
	assert_int_equal(x.r, CONVERT_DONE);
	assert_int_equal(x.type, MEDIA_JPEG);
	assert_int_equal(x.im->Xsize, 20);
	assert_int_equal(x.im->Ysize, 40);
	assert_int_equal(vips_image_get_orientation(x.im), 1);
	res_free(&x);
}

static void
test_resize(void **state)
{
	(void)state;
	struct convert_opts o = defaults();
	struct res x;
	size_t len;
	void *big = make_jpeg(6000, 4000, false, &len);

	run(&x, big, len, &o);
	assert_int_equal(x.r, CONVERT_DONE);
	assert_int_equal(x.type, MEDIA_JPEG);
	assert_int_equal(x.im->Xsize, 1600);
	assert_int_equal(x.im->Ysize, 1067);
	res_free(&x);

	o.max_dim = 0; /* originals kept */
	run(&x, big, len, &o);
	assert_int_equal(x.r, CONVERT_KEEP);
	res_free(&x);
	free(big);

	/* never upscaled; exactly max_dim is fine */
	o.max_dim = 1600;
	void *small = make_jpeg(200, 100, false, &len);
	run(&x, small, len, &o);
	assert_int_equal(x.r, CONVERT_KEEP);
	res_free(&x);
	free(small);
	small = make_jpeg(1600, 900, false, &len);
	run(&x, small, len, &o);
	assert_int_equal(x.r, CONVERT_KEEP);
	res_free(&x);
	free(small);

	/* max_dim 0 still converts a WebP, at its own size */
	o.max_dim = 0;
	run_fixture(&x, "opaque.webp", &o);
	assert_int_equal(x.r, CONVERT_DONE);
	assert_int_equal(x.im->Xsize, 64);
	assert_int_equal(x.im->Ysize, 48);
	res_free(&x);

	/* a small WebP is not made larger */
	o.max_dim = 1000;
	run_fixture(&x, "opaque.webp", &o);
	assert_int_equal(x.im->Xsize, 64);
	res_free(&x);
}

static void
test_png(void **state)
{
	(void)state;
	struct convert_opts o = defaults();
	struct res x;

	run_fixture(&x, "alpha.png", &o);
	assert_int_equal(x.r, CONVERT_KEEP);
	res_free(&x);

	o.max_dim = 32; /* resized, transparency kept */
	run_fixture(&x, "alpha.png", &o);
	assert_int_equal(x.r, CONVERT_DONE);
	assert_int_equal(x.type, MEDIA_PNG);
	assert_int_equal(x.im->Xsize, 32);
	assert_int_equal(x.im->Ysize, 24);
	assert_true(vips_image_hasalpha(x.im));
	res_free(&x);
}

/* A large drawing of two colours stays a (small) PNG when resized, where a
 * photo saved as PNG becomes a JPEG. */
static void
test_line_art(void **state)
{
	(void)state;
	struct convert_opts o = defaults();
	struct res x;
	VipsImage *xy = NULL, *xb = NULL, *m = NULL, *rgb = NULL;
	void *buf = NULL;
	size_t len = 0;

	assert_int_equal(vips_xyz(&xy, 3000, 200, NULL), 0);
	assert_int_equal(vips_extract_band(xy, &xb, 0, NULL), 0);
	assert_int_equal(vips_remainder_const1(xb, &m, 100, NULL), 0);
	VipsImage *stripes = NULL, *three[3];
	assert_int_equal(
	    vips_relational_const1(m, &stripes, VIPS_OPERATION_RELATIONAL_LESS, 50, NULL), 0);
	three[0] = three[1] = three[2] = stripes;
	assert_int_equal(vips_bandjoin(three, &rgb, 3, NULL), 0);
	assert_int_equal(vips_pngsave_buffer(rgb, &buf, &len, NULL), 0);
	run(&x, buf, len, &o);
	assert_int_equal(x.r, CONVERT_DONE);
	assert_int_equal(x.type, MEDIA_PNG);
	assert_int_equal(x.im->Xsize, 1600);
	res_free(&x);
	g_free(buf);
	g_object_unref(rgb);
	g_object_unref(stripes);
	g_object_unref(m);
	g_object_unref(xb);
	g_object_unref(xy);

	void *photo = make_jpeg(2000, 1000, true, &len);
	VipsImage *im = vips_image_new_from_buffer(photo, len, "", NULL);
	assert_non_null(im);
	assert_int_equal(vips_pngsave_buffer(im, &buf, &len, NULL), 0);
	run(&x, buf, len, &o);
	assert_int_equal(x.r, CONVERT_DONE);
	assert_int_equal(x.type, MEDIA_JPEG);
	res_free(&x);
	g_free(buf);
	g_object_unref(im);
	free(photo);
}

static void
test_grayscale(void **state)
{
	(void)state;
	struct convert_opts o = defaults();
	struct res x;
	size_t len;

	o.grayscale = true;
	run_fixture(&x, "opaque.webp", &o);
	assert_int_equal(x.r, CONVERT_DONE);
	assert_int_equal(x.type, MEDIA_JPEG);
	assert_int_equal(x.im->Bands, 1);
	assert_int_equal(x.im->Type, VIPS_INTERPRETATION_B_W);
	res_free(&x);

	/* even a small JPEG is converted when grey is asked */
	void *small = make_jpeg(200, 100, true, &len);
	run(&x, small, len, &o);
	assert_int_equal(x.r, CONVERT_DONE);
	assert_int_equal(x.im->Bands, 1);
	res_free(&x);
	free(small);

	run_fixture(&x, "alpha.png", &o);
	assert_int_equal(x.r, CONVERT_DONE);
	assert_int_equal(x.type, MEDIA_PNG);
	assert_int_equal(x.im->Bands, 2); /* grey and alpha */
	res_free(&x);
}

static void
check_svg(const char *svg, enum convert_result want)
{
	struct convert_opts o = defaults();
	struct res x;
	run(&x, svg, strlen(svg), &o);
	if (x.r != want)
		fail_msg("expected %d, got %d for %s", want, x.r, svg);
	if (x.r == CONVERT_DONE)
		assert_int_equal(x.type, MEDIA_PNG);
	res_free(&x);
}

#define SVG_OPEN                                                                                   \
	"<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink' "      \
	"width='40' height='30'>"
#define RECT "<rect width='40' height='30' fill='#c33'/>"

static void
test_svg(void **state)
{
	(void)state;
	struct convert_opts o = defaults();
	struct res x;

	/* clean, but its SVG 1.1 DOCTYPE makes epubcheck fail: written again
	 * without it */
	run_fixture(&x, "clean.svg", &o);
	assert_int_equal(x.r, CONVERT_DONE);
	assert_int_equal(x.type, MEDIA_SVG);
	char *text = xstrndup(x.out, x.outlen);
	assert_not_contains(text, "DOCTYPE");
	assert_contains(text, "url('#g')"); /* in <style> */
	assert_contains(text, "xlink:href=\"#dot\"");
	free(text);
	assert_int_equal(x.im->Xsize, 120);
	res_free(&x);

	/* script: not kept; rasterised by librsvg (which runs no script) */
	run_fixture(&x, "script.svg", &o);
	assert_int_not_equal(x.r, CONVERT_KEEP);
	assert_int_equal(x.r, CONVERT_DONE);
	assert_int_equal(x.type, MEDIA_PNG);
	assert_int_equal(x.im->Xsize, 120);
	assert_int_equal(x.im->Ysize, 80);
	res_free(&x);

	check_svg(SVG_OPEN RECT "</svg>", CONVERT_KEEP);
	check_svg(SVG_OPEN "<rect onclick='alert(1)' width='4' height='3'/></svg>", CONVERT_DONE);
	check_svg("<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)' width='4' "
	          "height='3'>" RECT "</svg>",
	          CONVERT_DONE);
	check_svg(SVG_OPEN RECT "<image xlink:href='https://example.com/a.png' width='9' "
	                        "height='9'/></svg>",
	          CONVERT_DONE);
	check_svg(SVG_OPEN RECT "<image href='//example.com/a.png' width='9' height='9'/></svg>",
	          CONVERT_DONE);
	check_svg(SVG_OPEN RECT "<image href='file:///etc/passwd' width='9' height='9'/></svg>",
	          CONVERT_DONE);
	check_svg(SVG_OPEN RECT "<a xlink:href='javascript:alert(1)'><text>x</text></a></svg>",
	          CONVERT_DONE);
	check_svg(SVG_OPEN RECT "<style>@import url(https://example.com/a.css);</style></svg>",
	          CONVERT_DONE);
	check_svg(SVG_OPEN "<rect width='4' height='3' style='fill:url(https://x/y)'/></svg>",
	          CONVERT_DONE);
	/* epubcheck 4.2.6 takes the quote for a file name */
	check_svg(SVG_OPEN "<rect width='4' height='3' fill=\"url('#g')\"/></svg>", CONVERT_DONE);
	check_svg(SVG_OPEN "<rect width='4' height='3' fill='url(#g)'/></svg>", CONVERT_KEEP);
	check_svg(SVG_OPEN RECT "<set attributeName='href' to='javascript:alert(1)'/></svg>",
	          CONVERT_DONE);
	check_svg(SVG_OPEN RECT "<foreignObject><div xmlns='http://www.w3.org/1999/xhtml'>x</div>"
	                        "</foreignObject></svg>",
	          CONVERT_DONE);
	check_svg("<?xml-stylesheet href='https://example.com/a.css'?>" SVG_OPEN RECT "</svg>",
	          CONVERT_DONE);
	check_svg("<!DOCTYPE svg [<!ENTITY x '<script>alert(1)</script>'>]>" SVG_OPEN RECT
	          "<g>&x;</g></svg>",
	          CONVERT_DONE);
	/* an embedded PNG and local references are fine */
	check_svg(SVG_OPEN RECT "<image href='data:image/png;base64,iVBORw0KGgo=' width='1' "
	                        "height='1'/><use xlink:href='#r'/></svg>",
	          CONVERT_KEEP);
	/* not XML, not rasterisable */
	check_svg("<svg xmlns='http://www.w3.org/2000/svg'><rect></svg", CONVERT_FAIL);
}

static void
test_garbage(void **state)
{
	(void)state;
	struct convert_opts o = defaults();
	void *out = (void *)1;
	size_t outlen = 1;
	enum media_type t;
	const char *why = NULL;
	static const char junk[] = "\xFF\xD8\xFF\xE0 this is no JPEG at all, just text";
	static const char html[] = "<html><body>404</body></html>";

	assert_int_equal(
	    convert_image(junk, sizeof junk - 1, MEDIA_JPEG, &o, &out, &outlen, &t, &why),
	    CONVERT_FAIL);
	assert_null(out);
	assert_non_null(why);
	assert_int_equal(convert_image(html, sizeof html - 1, media_sniff(html, sizeof html - 1),
	                               &o, &out, &outlen, &t, &why),
	                 CONVERT_FAIL);
	assert_non_null(why);
	/* a PNG that the sniffer calls a JPEG is not decoded as anything */
	size_t len;
	char *png = fixture("alpha.png", &len);
	assert_int_equal(convert_image(png, len, MEDIA_JPEG, &o, &out, &outlen, &t, &why),
	                 CONVERT_FAIL);
	free(png);
	/* truncated WebP */
	char *webp = fixture("opaque.webp", &len);
	assert_int_equal(convert_image(webp, 40, MEDIA_WEBP, &o, &out, &outlen, &t, &why),
	                 CONVERT_FAIL);
	free(webp);
}

static void
test_bomb(void **state)
{
	(void)state;
	struct convert_opts o = defaults();
	struct res x;
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	run_fixture(&x, "bomb.png", &o); /* declares 60000 x 60000 */
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_int_equal(x.r, CONVERT_FAIL);
	assert_contains(x.why, "pixel limit");
	assert_true((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 1000);
	res_free(&x);

	/* an SVG that declares a huge size is rendered at max_dim, but not at
	 * its own size */
	static const char svg[] = "<svg xmlns='http://www.w3.org/2000/svg' width='90000' "
	                          "height='90000'><script/></svg>";
	run(&x, svg, sizeof svg - 1, &o);
	assert_int_equal(x.r, CONVERT_DONE);
	assert_int_equal(x.im->Xsize, 1600);
	res_free(&x);
	o.max_dim = 0;
	run(&x, svg, sizeof svg - 1, &o);
	assert_int_equal(x.r, CONVERT_FAIL);
	res_free(&x);
}

static void
test_key(void **state)
{
	(void)state;
	struct convert_opts o = defaults();
	char buf[16];

	convert_opts_key(&o, buf, sizeof buf);
	assert_string_equal(buf, "1600q80g0a0");
	o.max_dim = 0;
	o.jpeg_quality = 100;
	o.grayscale = true;
	o.keep_animation = true;
	convert_opts_key(&o, buf, sizeof buf);
	assert_string_equal(buf, "0q100g1a1");
}

/* Several threads at once give what one gives: same bytes every time. */
struct job {
	const char *data;
	size_t len;
	struct convert_opts o;
	void *out;
	size_t outlen;
};

static void *
job_run(void *arg)
{
	struct job *j = arg;
	enum media_type t;
	const char *why;
	if (convert_image(j->data, j->len, media_sniff(j->data, j->len), &j->o, &j->out, &j->outlen,
	                  &t, &why) != CONVERT_DONE)
		j->out = NULL;
	return NULL;
}

static void
test_threads(void **state)
{
	(void)state;
	enum { N = 6 };
	static const char *const names[] = {"opaque.webp", "alpha.webp", "rot6.jpg"};
	struct job jobs[N];
	pthread_t th[N];
	char *data[3];
	size_t len[3];

	for (int i = 0; i < 3; i++)
		data[i] = fixture(names[i], &len[i]);
	for (int i = 0; i < N; i++) {
		memset(&jobs[i], 0, sizeof jobs[i]);
		jobs[i].data = data[i % 3];
		jobs[i].len = len[i % 3];
		convert_opts_init(&jobs[i].o);
		assert_int_equal(pthread_create(&th[i], NULL, job_run, &jobs[i]), 0);
	}
	for (int i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < N; i++) {
		assert_non_null(jobs[i].out);
		if (i >= 3) {
			assert_int_equal(jobs[i].outlen, jobs[i - 3].outlen);
			assert_memory_equal(jobs[i].out, jobs[i - 3].out, jobs[i].outlen);
		}
	}
	for (int i = 0; i < N; i++)
		free(jobs[i].out);
	for (int i = 0; i < 3; i++)
		free(data[i]);
}

/* Not a check: the sizes quoted in the report (a 12-megapixel photo). */
static void
test_photo_sizes(void **state)
{
	(void)state;
	struct convert_opts o = defaults();
	struct res x;
	size_t len;
	void *photo = make_jpeg(4000, 3000, true, &len);

	run(&x, photo, len, &o);
	assert_int_equal(x.r, CONVERT_DONE);
	assert_int_equal(x.im->Xsize, 1600);
	assert_int_equal(x.im->Ysize, 1200);
	print_message("4000x3000 JPEG q92: %zu bytes; 1600x1200 q80: %zu bytes\n", len, x.outlen);
	assert_true(x.outlen * 4 < len);
	res_free(&x);
	o.grayscale = true;
	run(&x, photo, len, &o);
	print_message("grayscale: %zu bytes\n", x.outlen);
	res_free(&x);
	free(photo);
}

/* tests/lsan.supp, built in, so that this test passes however it is run.
 * Only leaks inside fontconfig and librsvg: see that file. */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n"
	       "leak:rsvg_handle_new_from_stream_sync\n"
	       "leak:xmlParseEntityValue\n";
}

static int
setup(void **state)
{
	(void)state;
	return convert_init("test_convert");
}

static int
teardown(void **state)
{
	(void)state;
	convert_shutdown();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_webp),         cmocka_unit_test(test_avif),
	    cmocka_unit_test(test_animated_gif), cmocka_unit_test(test_jpeg_kinds),
	    cmocka_unit_test(test_resize),       cmocka_unit_test(test_png),
	    cmocka_unit_test(test_line_art),     cmocka_unit_test(test_grayscale),
	    cmocka_unit_test(test_svg),          cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_bomb),         cmocka_unit_test(test_key),
	    cmocka_unit_test(test_threads),      cmocka_unit_test(test_photo_sizes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
