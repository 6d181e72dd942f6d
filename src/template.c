/* template.c — see template.h. */
#include "template.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/xmlsave.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* From the generated templates_data.c (tools/embed.sh). */
struct tpl_blob {
	const char *name;
	const unsigned char *data;
	size_t len;
};
extern const struct tpl_blob tpl_blobs[];

#define TPL_MAX_SIZE (1024 * 1024)

/* Each template and the slots it must have. */
static const struct {
	const char *name;
	const char *file;
	const char *slots[4];
} tpl_specs[] = {
	{"chapter", "chapter.xhtml", {"title", "date", "body", NULL}},
	{"title", "title.xhtml", {"title", "count", NULL}},
	{"cover", "cover.xhtml", {"image", NULL}},
};
#define NTPL (sizeof tpl_specs / sizeof tpl_specs[0])

struct templates {
	xmlDocPtr docs[NTPL];
	char *css;
	size_t css_len;
};

static const struct tpl_blob *
builtin(const char *file)
{
	for (const struct tpl_blob *b = tpl_blobs; b->name != NULL; b++)
		if (strcmp(b->name, file) == 0)
			return b;
	return NULL;
}

/* Reads dir/file when dir is given and the file exists, else the built-in
 * copy. *origin names where it came from, for messages (caller frees). */
static int
load_bytes(const char *dir, const char *file, struct log *lg, char **data, size_t *len,
	   char **origin)
{
	if (dir != NULL) {
		char *path = xasprintf("%s/%s", dir, file);
		if (read_file_bounded(path, TPL_MAX_SIZE, data, len) == 0) {
			*origin = path;
			return 0;
		}
		if (errno != ENOENT) {
			log_error(lg, path, 0, "cannot read template: %s",
				  errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
			free(path);
			return -1;
		}
		free(path);
	}
	const struct tpl_blob *b = builtin(file);
	if (b == NULL) {
		log_error(lg, file, 0, "no built-in template of that name");
		return -1;
	}
	*data = xstrndup((const char *)b->data, b->len);
	*len = b->len;
	*origin = xasprintf("built-in %s", file);
	return 0;
}

/* Drops the DOCTYPE (tpl_save writes its own) and comments outside the root. */
static void
strip_prolog(xmlDocPtr doc)
{
	xmlNodePtr n = doc->children;
	while (n != NULL) {
		xmlNodePtr next = n->next;
		if (n->type == XML_DTD_NODE || n->type == XML_COMMENT_NODE ||
		    n->type == XML_PI_NODE) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		}
		n = next;
	}
	doc->intSubset = NULL;
}

struct templates *
tpl_new(const char *dir, struct log *lg)
{
	struct templates *t = xcalloc(1, sizeof *t);
	char *data = NULL, *origin = NULL;
	size_t len = 0;

	for (size_t i = 0; i < NTPL; i++) {
		if (load_bytes(dir, tpl_specs[i].file, lg, &data, &len, &origin) != 0)
			goto fail;
		if (len > INT32_MAX)
			goto fail;
		t->docs[i] = xmlReadMemory(data, (int)len, tpl_specs[i].file, "UTF-8",
					   XML_PARSE_NONET | XML_PARSE_NOERROR |
						   XML_PARSE_NOWARNING);
		if (t->docs[i] == NULL || xmlDocGetRootElement(t->docs[i]) == NULL) {
			log_error(lg, origin, 0, "template is not well-formed XML");
			goto fail;
		}
		if (t->docs[i]->intSubset != NULL && (t->docs[i]->intSubset->entities != NULL ||
						      t->docs[i]->intSubset->pentities != NULL)) {
			log_error(lg, origin, 0, "template declares entities, which are not allowed");
			goto fail;
		}
		strip_prolog(t->docs[i]);
		for (const char *const *s = tpl_specs[i].slots; *s != NULL; s++) {
			if (tpl_slot(t->docs[i], *s) == NULL) {
				log_error(lg, origin, 0, "template has no data-slot=\"%s\"", *s);
				goto fail;
			}
		}
		free(data);
		free(origin);
		data = origin = NULL;
	}
	if (load_bytes(dir, "style.css", lg, &t->css, &t->css_len, &origin) != 0)
		goto fail;
	free(origin);
	return t;
fail:
	free(data);
	free(origin);
	tpl_free(t);
	return NULL;
}

void
tpl_free(struct templates *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < NTPL; i++)
		xmlFreeDoc(t->docs[i]);
	free(t->css);
	free(t);
}


/* Next element in document order after n, without recursion; stays within
 * the subtree of top. */
static xmlNodePtr
next_element(xmlNodePtr n, xmlNodePtr top)
{
	for (;;) {
		if (n->children != NULL && n->type == XML_ELEMENT_NODE) {
			n = n->children;
		} else {
			while (n != top && n->next == NULL)
				n = n->parent;
			if (n == top)
				return NULL;
			n = n->next;
		}
		if (n->type == XML_ELEMENT_NODE)
			return n;
	}
}

/* Removes the children of n. */
static void
clear(xmlNodePtr n)
{
	while (n->children != NULL) {
		xmlNodePtr c = n->children;
		xmlUnlinkNode(c);
		xmlFreeNode(c);
	}
}

xmlDocPtr
tpl_instantiate(const struct templates *t, const char *name)
{
	for (size_t i = 0; i < NTPL; i++) {
		if (strcmp(tpl_specs[i].name, name) != 0)
			continue;
		xmlDocPtr doc = xmlCopyDoc(t->docs[i], 1);
		/* What a template shows inside a slot is a preview for whoever
		 * edits it; the book gets only what is filled in. */
		xmlNodePtr root = xmlDocGetRootElement(doc);
		for (xmlNodePtr n = root; n != NULL; n = next_element(n, root)) {
			if (xmlHasProp(n, BAD_CAST "data-slot"))
				clear(n);
		}
		return doc;
	}
	return NULL;
}

xmlNodePtr
tpl_slot(xmlDocPtr doc, const char *slot)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	for (xmlNodePtr n = root; n != NULL; n = next_element(n, root)) {
		xmlChar *v = xmlGetProp(n, BAD_CAST "data-slot");
		bool hit = v != NULL && strcmp((const char *)v, slot) == 0;
		xmlFree(v);
		if (hit)
			return n;
	}
	return NULL;
}

void
tpl_set_text(xmlDocPtr doc, const char *slot, const char *text)
{
	xmlNodePtr n = tpl_slot(doc, slot);
	if (n == NULL)
		return;
	if (text == NULL || *text == '\0') {
		xmlUnlinkNode(n);
		xmlFreeNode(n);
		return;
	}
	/* xmlNodeSetContent would parse entities: build a text node instead. */
	clear(n);
	xmlAddChild(n, xmlNewDocText(doc, BAD_CAST text));
}

static xmlNodePtr
find_child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent ? parent->children : NULL; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

xmlNodePtr
tpl_add_elem(xmlDocPtr doc, xmlNodePtr parent, const char *name, const char *cls)
{
	xmlNodePtr n = xmlNewDocNode(doc, NULL, BAD_CAST name, NULL);
	if (cls != NULL)
		xmlSetProp(n, BAD_CAST "class", BAD_CAST cls);
	xmlAddChild(parent, n);
	return n;
}

void
tpl_add_text(xmlDocPtr doc, xmlNodePtr parent, const char *text)
{
	xmlAddChild(parent, xmlNewDocText(doc, BAD_CAST text));
}

void
tpl_add_stylesheet(xmlDocPtr doc, const char *href)
{
	xmlNodePtr head = find_child(xmlDocGetRootElement(doc), "head");
	if (head == NULL)
		return;
	xmlNodePtr link = tpl_add_elem(doc, head, "link", NULL);
	xmlSetProp(link, BAD_CAST "rel", BAD_CAST "stylesheet");
	xmlSetProp(link, BAD_CAST "type", BAD_CAST "text/css");
	xmlSetProp(link, BAD_CAST "href", BAD_CAST href);
}

void
tpl_add_body_class(xmlDocPtr doc, const char *cls)
{
	xmlNodePtr body = find_child(xmlDocGetRootElement(doc), "body");
	if (body == NULL)
		return;
	xmlChar *old = xmlGetProp(body, BAD_CAST "class");
	char *v = old && *old ? xasprintf("%s %s", (const char *)old, cls) : xstrdup(cls);
	xmlSetProp(body, BAD_CAST "class", BAD_CAST v);
	free(v);
	xmlFree(old);
}

void
tpl_set_head(xmlDocPtr doc, const char *lang, const char *title)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	if (root == NULL)
		return;
	if (lang != NULL) {
		xmlSetProp(root, BAD_CAST "lang", BAD_CAST lang);
		xmlNsPtr xmlns = xmlSearchNsByHref(doc, root, XML_XML_NAMESPACE);
		if (xmlns != NULL)
			xmlSetNsProp(root, xmlns, BAD_CAST "lang", BAD_CAST lang);
	}
	xmlNodePtr t = find_child(find_child(root, "head"), "title");
	if (t != NULL && title != NULL && *title != '\0') {
		clear(t);
		xmlAddChild(t, xmlNewDocText(doc, BAD_CAST title));
	}
}

/* True when n has no element children and no non-blank text. */
static bool
is_empty(xmlNodePtr n)
{
	for (xmlNodePtr c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE)
			return false;
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			for (const xmlChar *s = c->content; s && *s; s++)
				if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
					return false;
		}
	}
	return true;
}

void
tpl_finish(xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	xmlNodePtr *drop = NULL;
	size_t ndrop, cap = 0;

	/* Removing an empty optional element may leave its optional parent
	 * empty: repeat until a pass removes nothing. */
	do {
		ndrop = 0;
		for (xmlNodePtr n = root; n != NULL; n = next_element(n, root)) {
			if (xmlHasProp(n, BAD_CAST "data-optional") && is_empty(n)) {
				drop = xgrow(drop, &cap, ndrop + 1, sizeof *drop);
				drop[ndrop++] = n;
			}
		}
		for (size_t i = 0; i < ndrop; i++) {
			xmlUnlinkNode(drop[i]);
			xmlFreeNode(drop[i]);
		}
	} while (ndrop > 0);
	free(drop);
	for (xmlNodePtr n = root; n != NULL; n = next_element(n, root)) {
		xmlUnsetProp(n, BAD_CAST "data-slot");
		xmlUnsetProp(n, BAD_CAST "data-optional");
	}
}

int
tpl_save(xmlDocPtr doc, char **out, size_t *len)
{
	int rc = -1;
	xmlBufferPtr xb = xmlBufferCreate();
	xmlSaveCtxtPtr sc = NULL;
	struct buf b = {0};

	*out = NULL;
	*len = 0;
	if (xb == NULL)
		goto out;
	sc = xmlSaveToBuffer(xb, "UTF-8", XML_SAVE_XHTML | XML_SAVE_NO_DECL);
	if (sc == NULL)
		goto out;
	if (xmlSaveTree(sc, xmlDocGetRootElement(doc)) < 0)
		goto out;
	if (xmlSaveClose(sc) < 0) {
		sc = NULL;
		goto out;
	}
	sc = NULL;
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n");
	buf_add(&b, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
	buf_putc(&b, '\n');
	*out = buf_detach(&b, len);
	rc = 0;
out:
	if (sc != NULL)
		xmlSaveClose(sc);
	if (xb != NULL)
		xmlBufferFree(xb);
	buf_free(&b);
	return rc;
}

const char *
tpl_css(const struct templates *t, size_t *len)
{
	*len = t->css_len;
	return t->css;
}
