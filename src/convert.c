/* convert.c — see convert.h. */
#include "convert.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <gmodule.h>
#include <vips/vips.h>

#include "util.h"

#define DEFAULT_MAX_DIM 1600
#define DEFAULT_QUALITY 80
#define DEFAULT_MAX_PIXELS ((size_t)100 * 1000 * 1000)

void
convert_opts_init(struct convert_opts *o)
{
	memset(o, 0, sizeof *o);
	o->max_dim = DEFAULT_MAX_DIM;
	o->jpeg_quality = DEFAULT_QUALITY;
	o->max_pixels = DEFAULT_MAX_PIXELS;
}

void
convert_opts_key(const struct convert_opts *o, char *buf, size_t n)
{
	snprintf(buf, n, "%dq%dg%da%d", o->max_dim, o->jpeg_quality, o->grayscale ? 1 : 0,
	         o->keep_animation ? 1 : 0);
}

/* ------------------------------------------------------------------ */
/* libvips set-up                                                       */

/* libvips reports through g_warning() on stderr ("VIPS-WARNING **: …
 * ignoring nclx profile"); we report through struct log only. */
static void
quiet_handler(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
	(void)domain;
	(void)level;
	(void)msg;
	(void)data;
}

/* The loaders we let libvips use: the types media_sniff knows. Everything
 * else (ImageMagick, PDF, OpenSlide, FITS, matrix files…) is attack surface
 * we do not need. */
static const char *const allowed_loaders[] = {
    "VipsForeignLoadJpeg", "VipsForeignLoadPng",  "VipsForeignLoadNsgif",
    "VipsForeignLoadWebp", "VipsForeignLoadHeif", "VipsForeignLoadSvg",
};

/* libvips is started on first use: starting it costs tens of milliseconds
 * (a tenth of a book without pictures), so a run that converts nothing does
 * not pay. This and libvips's own state are the module's only globals. */
static const char *vips_argv0 = "post2epub";
static pthread_once_t vips_once = PTHREAD_ONCE_INIT;
static int vips_state; /* 0 not started, 1 running, -1 failed */

static void start_vips(void);

int
convert_init(const char *argv0)
{
	if (argv0 != NULL)
		vips_argv0 = argv0;
	return 0;
}

/* Makes sure libvips runs; 0, or -1 when it cannot start. */
static int
ensure_vips(void)
{
	pthread_once(&vips_once, start_vips);
	return vips_state == 1 ? 0 : -1;
}

/* libvips loads every module of its modules folder when it starts:
 * ImageMagick, poppler, OpenSlide, JPEG XL and libheif in Debian's build.
 * Of those we use libheif (AVIF) only: main() points VIPSHOME elsewhere, so
 * none is loaded (less to trust; 6.5 MB less memory), and the libheif
 * module is loaded by itself the first time an AVIF picture is met (2.6 MB
 * more). A libvips with libheif built in needs nothing. */
static pthread_once_t heif_once = PTHREAD_ONCE_INIT;

static void
load_heif_module(void)
{
	if (vips_type_find("VipsOperation", "heifload_buffer") != 0)
		return; /* built in, or VIPSHOME let libvips load it */
#ifdef VIPS_MODULE_DIR
	if (!g_module_supported())
		return;
	GModule *m = g_module_open(VIPS_MODULE_DIR "/vips-heif.so", G_MODULE_BIND_LAZY);
	if (m != NULL)
		g_module_make_resident(m); /* its types stay registered */
#endif
}

/* libvips running, with its AVIF loader when it has one. */
static int
ensure_heif(void)
{
	if (ensure_vips() != 0)
		return -1;
	pthread_once(&heif_once, load_heif_module);
	return 0;
}

static void
start_vips(void)
{
	if (VIPS_INIT(vips_argv0) != 0) {
		vips_state = -1;
		return;
	}

	vips_state = 1;
	vips_concurrency_set(1);
	vips_cache_set_max(0);
	vips_operation_block_set("VipsForeignLoad", TRUE);
	for (size_t i = 0; i < sizeof allowed_loaders / sizeof allowed_loaders[0]; i++)
		vips_operation_block_set(allowed_loaders[i], FALSE);
	g_log_set_handler("VIPS",
	                  G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO |
	                      G_LOG_LEVEL_DEBUG,
	                  quiet_handler, NULL);
	xmlInitParser();
}

void
convert_shutdown(void)
{
	if (vips_state == 1)
		vips_shutdown();
}

/* The name of the buffer loader libvips must pick for a type: a file whose
 * bytes say JPEG is decoded as JPEG or not at all. */
static const char *
loader_for(enum media_type t)
{
	switch (t) {
	case MEDIA_JPEG:
		return "VipsForeignLoadJpegBuffer";
	case MEDIA_PNG:
		return "VipsForeignLoadPngBuffer";
	case MEDIA_GIF:
		return "VipsForeignLoadNsgifBuffer";
	case MEDIA_WEBP:
		return "VipsForeignLoadWebpBuffer";
	case MEDIA_AVIF:
		return "VipsForeignLoadHeifBuffer";
	case MEDIA_SVG:
		return "VipsForeignLoadSvgBuffer";
	default:
		return NULL;
	}
}

/* Debian 12's libheif1 carries its AV1 decoders (dav1d, aom) built in, so
 * the loader being there is enough. */
bool
convert_can_avif(void)
{
	return ensure_heif() == 0 && vips_type_find("VipsOperation", "heifload_buffer") != 0;
}

/* ------------------------------------------------------------------ */
/* SVG: kept only when nothing in it runs or reaches outside the book   */

static bool
starts_ci(const char *s, const char *prefix)
{
	return ascii_ncasecmp(s, prefix, strlen(prefix)) == 0;
}

static const char *
skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f')
		s++;
	return s;
}

/* True when CSS or an attribute value s points outside the document:
 * url(…) to anything but "#id", @import, or a javascript: URL anywhere.
 * In an attribute, url('#id') counts too: epubcheck 4.2.6 reads the quote
 * as part of a file name (RSC-007). */
static bool
text_reaches_out(const char *s, bool attr)
{
	for (const char *p = s; *p != '\0'; p++) {
		if (starts_ci(p, "javascript:") || starts_ci(p, "@import") ||
		    starts_ci(p, "expression("))
			return true;
		if (starts_ci(p, "url(")) {
			const char *q = skip_space(p + 4);
			if (*q == '"' || *q == '\'') {
				if (attr)
					return true;
				q = skip_space(q + 1);
			}
			if (*q != '#')
				return true;
		}
	}
	return false;
}

/* href/src values that stay inside the image: a fragment, or an embedded
 * raster image (a data: SVG could carry script of its own). */
static bool
ref_is_internal(const char *v)
{
	v = skip_space(v);
	return v[0] == '#' || starts_ci(v, "data:image/png") || starts_ci(v, "data:image/jpeg") ||
	       starts_ci(v, "data:image/gif");
}

static const char *const unsafe_elements[] = {
    "script", "foreignObject", "handler", "listener", "iframe", "embed",
    "object", "audio",         "video",   "frame",    "link",   "meta",
};

static bool
attr_is_unsafe(xmlNodePtr el, xmlAttrPtr a)
{
	const char *name = (const char *)a->name;
	xmlChar *v = xmlNodeListGetString(el->doc, a->children, 1);
	const char *val = v != NULL ? (const char *)v : "";
	bool bad = false;

	if (starts_ci(name, "on"))
		bad = true;
	else if (ascii_casecmp(name, "href") == 0 || ascii_casecmp(name, "src") == 0)
		bad = !ref_is_internal(val);
	else if (ascii_casecmp(name, "base") == 0 && a->ns != NULL)
		bad = true; /* xml:base */
	else if (ascii_casecmp(name, "attributeName") == 0)
		/* <set>/<animate> could turn an href or a handler into script */
		bad = starts_ci(skip_space(val), "on") || strstr(val, "href") != NULL;
	else
		bad = text_reaches_out(val, true);
	xmlFree(v);
	return bad;
}

static bool
node_is_unsafe(xmlNodePtr n)
{
	for (; n != NULL; n = n->next) {
		switch (n->type) {
		case XML_ELEMENT_NODE:
			for (size_t i = 0; i < sizeof unsafe_elements / sizeof unsafe_elements[0];
			     i++)
				if (ascii_casecmp((const char *)n->name, unsafe_elements[i]) == 0)
					return true;
			for (xmlAttrPtr a = n->properties; a != NULL; a = a->next)
				if (attr_is_unsafe(n, a))
					return true;
			if (node_is_unsafe(n->children))
				return true;
			break;
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			/* only CSS matters; plain text with "url(" is harmless but rare */
			if (n->parent != NULL &&
			    ascii_casecmp((const char *)n->parent->name, "style") == 0 &&
			    n->content != NULL && text_reaches_out((const char *)n->content, false))
				return true;
			break;
		case XML_COMMENT_NODE:
			break;
		default: /* processing instructions (xml-stylesheet), entity references */
			return true;
		}
	}
	return false;
}

enum svg_verdict { SVG_UNSAFE, SVG_CLEAN, SVG_REWRITTEN };

/* Parsed without the network, without loading the DTD and without
 * substituting entities; any internal DTD subset makes the SVG unsafe, as
 * a reader that expands its entities could find script in them. A clean
 * SVG with a DOCTYPE (Inkscape's and Illustrator's SVG 1.1 one) is written
 * again without it into *out (caller frees): epubcheck loads that DTD and
 * refuses its external entities (HTM-003). */
static enum svg_verdict
svg_check(const void *data, size_t len, void **out, size_t *outlen)
{
	enum svg_verdict v = SVG_UNSAFE;
	xmlDocPtr doc = NULL;
	xmlChar *buf = NULL;
	int n = 0;

	if (len > INT32_MAX)
		goto out;
	doc = xmlReadMemory(data, (int)len, NULL, NULL,
	                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL)
		goto out;
	xmlDtdPtr dtd = xmlGetIntSubset(doc);
	if (dtd != NULL && dtd->children != NULL)
		goto out;
	for (xmlNodePtr c = doc->children; c != NULL; c = c->next)
		if (c->type == XML_PI_NODE || c->type == XML_ENTITY_REF_NODE)
			goto out;
	xmlNodePtr root = xmlDocGetRootElement(doc);
	if (root == NULL || ascii_casecmp((const char *)root->name, "svg") != 0 ||
	    node_is_unsafe(root))
		goto out;
	if (dtd == NULL) {
		v = SVG_CLEAN;
		goto out;
	}
	xmlUnlinkNode((xmlNodePtr)dtd);
	xmlFreeDtd(dtd);
	xmlDocDumpMemoryEnc(doc, &buf, &n, "UTF-8");
	if (buf == NULL || n <= 0)
		goto out;
	*out = xmalloc((size_t)n);
	memcpy(*out, buf, (size_t)n);
	*outlen = (size_t)n;
	v = SVG_REWRITTEN;
out:
	xmlFree(buf);
	xmlFreeDoc(doc);
	return v;
}

/* ------------------------------------------------------------------ */
/* Raster images                                                        */

/* Whether a WebP holds lossless (VP8L) data, from its RIFF chunks. */
static bool
webp_is_lossless(const unsigned char *p, size_t len)
{
	size_t off = 12;
	while (off + 8 <= len) {
		uint32_t sz = (uint32_t)p[off + 4] | (uint32_t)p[off + 5] << 8 |
		              (uint32_t)p[off + 6] << 16 | (uint32_t)p[off + 7] << 24;
		if (memcmp(p + off, "VP8L", 4) == 0)
			return true;
		if (memcmp(p + off, "VP8 ", 4) == 0)
			return false;
		if (memcmp(p + off, "ANMF", 4) == 0) {
			off += 8 + 16; /* frame header, then the frame's own chunks */
			continue;
		}
		if (sz > len - off - 8)
			break;
		off += 8 + (size_t)sz + (sz & 1);
	}
	return false;
}

/* Whether the uchar image in memory has at most 256 distinct pixel values:
 * line art, charts, screenshots of few colours, which PNG keeps sharp and
 * small where JPEG would smear them. */
static bool
few_colours(VipsImage *im)
{
	enum { SLOTS = 1024, MAX = 256 };
	uint32_t seen[SLOTS];
	bool used[SLOTS] = {false};
	int count = 0;
	int bands = im->Bands;

	if (im->BandFmt != VIPS_FORMAT_UCHAR || bands > 4)
		return false;
	for (int y = 0; y < im->Ysize; y++) {
		const unsigned char *row = VIPS_IMAGE_ADDR(im, 0, y);
		for (int x = 0; x < im->Xsize; x++) {
			uint32_t v = 0;
			for (int b = 0; b < bands; b++)
				v = v << 8 | row[x * bands + b];
			uint32_t h = (v * 2654435761u) >> 22; /* 10 bits: SLOTS */
			while (used[h] && seen[h] != v)
				h = (h + 1) & (SLOTS - 1);
			if (used[h])
				continue;
			if (++count > MAX)
				return false;
			used[h] = true;
			seen[h] = v;
		}
	}
	return true;
}

/* Replaces *im by f's result, dropping the old one; -1 when f failed. */
#define STEP(im, call)                                                                             \
	do {                                                                                       \
		VipsImage *next_ = NULL;                                                           \
		VipsImage *cur_ = (im);                                                            \
		if ((call) != 0)                                                                   \
			goto out;                                                                  \
		g_object_unref(cur_);                                                              \
		(im) = next_;                                                                      \
	} while (0)

/* Encodes the decoded, resized image im: transparency or few colours of a
 * lossless source give PNG, anything else JPEG; an animated GIF kept
 * animated stays GIF. Returns 0 with *out (g_malloc'd by libvips, copied to
 * ours) or -1. */
static int
encode(VipsImage *in, bool lossless, bool animated, const struct convert_opts *o, void **out,
       size_t *outlen, enum media_type *out_type)
{
	int rc = -1;
	VipsImage *im = in;
	void *buf = NULL;
	size_t len = 0;

	g_object_ref(im);
	if (o->grayscale)
		STEP(im, vips_colourspace(cur_, &next_, VIPS_INTERPRETATION_B_W, NULL));
	else if (im->BandFmt != VIPS_FORMAT_UCHAR || im->Type == VIPS_INTERPRETATION_CMYK)
		STEP(im, vips_colourspace(cur_, &next_,
		                          im->Bands <= 2 ? VIPS_INTERPRETATION_B_W
		                                         : VIPS_INTERPRETATION_sRGB,
		                          NULL));
	if (im->BandFmt != VIPS_FORMAT_UCHAR)
		STEP(im, vips_cast_uchar(cur_, &next_, NULL));

	if (animated) {
		if (vips_gifsave_buffer(im, &buf, &len, "strip", TRUE, NULL) != 0)
			goto out;
		*out_type = MEDIA_GIF;
		goto done;
	}

	/* One decode: everything below reads the pixels. */
	STEP(im, (next_ = vips_image_copy_memory(cur_)) == NULL ? -1 : 0);

	bool alpha = false;
	if (vips_image_hasalpha(im)) {
		double min = 0;
		VipsImage *a = NULL;
		if (vips_extract_band(im, &a, im->Bands - 1, NULL) != 0)
			goto out;
		int r = vips_min(a, &min, NULL);
		g_object_unref(a);
		if (r != 0)
			goto out;
		alpha = min < 255;
		if (!alpha) { /* an alpha band that hides nothing */
			STEP(im, vips_extract_band(cur_, &next_, 0, "n", cur_->Bands - 1, NULL));
			STEP(im, (next_ = vips_image_copy_memory(cur_)) == NULL ? -1 : 0);
		}
	}

	if (alpha || (lossless && few_colours(im))) {
		bool palette = !alpha || few_colours(im);
		if (vips_pngsave_buffer(im, &buf, &len, "strip", TRUE, "palette", palette, "Q", 100,
		                        "dither", 0.0, NULL) != 0)
			goto out;
		*out_type = MEDIA_PNG;
	} else {
		if (vips_jpegsave_buffer(im, &buf, &len, "Q", o->jpeg_quality, "strip", TRUE,
		                         "optimize_coding", TRUE, "interlace", FALSE, NULL) != 0)
			goto out;
		*out_type = MEDIA_JPEG;
	}
done:
	*out = xmalloc(len > 0 ? len : 1);
	memcpy(*out, buf, len);
	*outlen = len;
	rc = 0;
out:
	g_free(buf);
	g_object_unref(im);
	return rc;
}

static int
get_int(VipsImage *im, const char *field, int dflt)
{
	int v = dflt;
	if (vips_image_get_typeof(im, field) != 0 && vips_image_get_int(im, field, &v) != 0)
		v = dflt;
	return v;
}

enum convert_result
convert_image(const void *data, size_t len, enum media_type type, const struct convert_opts *o,
              void **out, size_t *outlen, enum media_type *out_type, const char **why)
{
	enum convert_result res = CONVERT_FAIL;
	VipsImage *hdr = NULL, *im = NULL;
	const char *want = loader_for(type);
	const char *got;

	*out = NULL;
	*outlen = 0;
	*why = "cannot be decoded";
	if ((type == MEDIA_AVIF ? ensure_heif() : ensure_vips()) != 0) {
		*why = "image conversion (libvips) cannot start";
		return CONVERT_FAIL;
	}
	if (want == NULL || len == 0) {
		*why = "not an image";
		goto out;
	}
	if (type == MEDIA_SVG) {
		switch (svg_check(data, len, out, outlen)) {
		case SVG_CLEAN:
			res = CONVERT_KEEP;
			goto out;
		case SVG_REWRITTEN:
			*out_type = MEDIA_SVG;
			res = CONVERT_DONE;
			goto out;
		case SVG_UNSAFE:
			break; /* rasterised below, if librsvg can */
		}
	}
	got = vips_foreign_find_load_buffer(data, len);
	if (got == NULL || strcmp(got, want) != 0) {
		*why = type == MEDIA_SVG    ? "SVG with script or external references"
		       : type == MEDIA_AVIF ? "AVIF cannot be decoded here"
		                            : "cannot be decoded";
		goto out;
	}
	/* Only the header is read here: the size is checked before a single
	 * pixel is decoded. */
	hdr = vips_image_new_from_buffer(data, len, "", "access", VIPS_ACCESS_SEQUENTIAL, NULL);
	if (hdr == NULL)
		goto out;

	int w = hdr->Xsize;
	int h = vips_image_get_page_height(hdr);
	int pages = get_int(hdr, VIPS_META_N_PAGES, 1);
	bool animated = type == MEDIA_GIF && pages > 1;
	bool keep_anim = animated && o->keep_animation;
	int orient = vips_image_get_orientation(hdr);
	bool cmyk = hdr->Type == VIPS_INTERPRETATION_CMYK;
	bool progressive = type == MEDIA_JPEG && get_int(hdr, "jpeg-multiscan", 0) != 0;
	int longest = w > h ? w : h;
	bool fits = o->max_dim <= 0 || longest <= o->max_dim;

	if (w <= 0 || h <= 0)
		goto out;
	if (type != MEDIA_SVG && o->max_pixels > 0 &&
	    (size_t)w * (size_t)h > o->max_pixels / (size_t)(keep_anim ? pages : 1)) {
		*why = "larger than the pixel limit";
		goto out;
	}
	if ((type == MEDIA_JPEG || type == MEDIA_PNG || type == MEDIA_GIF) && fits && orient <= 1 &&
	    !cmyk && !progressive && !o->grayscale && (!animated || keep_anim)) {
		res = CONVERT_KEEP;
		goto out;
	}

	int target = o->max_dim > 0 ? o->max_dim : VIPS_MAX_COORD;
	if (type == MEDIA_SVG && o->max_pixels > 0) {
		/* rendered at most at target on its longest side */
		double s = longest > target ? (double)target / longest : 1.0;
		if ((double)w * s * (double)h * s > (double)o->max_pixels) {
			*why = "larger than the pixel limit";
			goto out;
		}
	}
	/* Decodes at a reduced size where the format allows (JPEG, WebP, SVG),
	 * applies EXIF orientation, and turns CMYK or a profiled image into
	 * sRGB. An image without a profile is taken as sRGB already: a
	 * round trip through lcms would shift its colours. */
	bool profiled = cmyk || vips_image_get_typeof(hdr, VIPS_META_ICC_NAME) != 0;
	if (vips_thumbnail_buffer((void *)data, len, &im, target, "height", target, "size",
	                          VIPS_SIZE_DOWN, "export_profile", profiled ? "srgb" : NULL,
	                          "option_string", keep_anim ? "n=-1" : "", NULL) != 0)
		goto out;

	bool lossless = type == MEDIA_PNG || type == MEDIA_GIF || type == MEDIA_SVG ||
	                (type == MEDIA_WEBP && webp_is_lossless(data, len));
	if (encode(im, lossless, keep_anim, o, out, outlen, out_type) != 0)
		goto out;
	res = CONVERT_DONE;
out:
	if (res == CONVERT_FAIL)
		vips_error_clear();
	if (hdr != NULL)
		g_object_unref(hdr);
	if (im != NULL)
		g_object_unref(im);
	return res;
}
