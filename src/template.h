/* template.h — the built-in XHTML templates and stylesheet (compiled in from
 * templates/, replaceable with --templates DIR), filled through the DOM.
 *
 * A template marks where things go with data-slot="NAME" attributes;
 * tpl_finish() removes the markers and every element marked
 * data-optional="1" that was left empty. What a template holds inside a slot
 * is only a preview: tpl_instantiate() empties every slot.
 */
#ifndef POST2EPUB_TEMPLATE_H
#define POST2EPUB_TEMPLATE_H

#include <libxml/tree.h>
#include <stddef.h>

#include "log.h"

struct templates;

/* Loads and parses the templates: from dir when not NULL (files
 * chapter.xhtml, title.xhtml, cover.xhtml, style.css; a missing
 * file falls back to the built-in one), else the built-in ones. Returns NULL
 * after logging an error when a template is not well-formed or lacks a
 * required slot. Free with tpl_free(). */
struct templates *tpl_new(const char *dir, struct log *lg);
void tpl_free(struct templates *t);

/* A fresh copy of template name ("chapter", "title", "cover").
 * Caller frees with xmlFreeDoc(). */
xmlDocPtr tpl_instantiate(const struct templates *t, const char *name);

/* The first element carrying data-slot="slot", or NULL. */
xmlNodePtr tpl_slot(xmlDocPtr doc, const char *slot);
/* Replaces the content of the slot element with text (escaped by libxml2).
 * text NULL or empty: the slot element is removed. */
void tpl_set_text(xmlDocPtr doc, const char *slot, const char *text);
/* Sets lang and xml:lang on the root and the <title> text. */
void tpl_set_head(xmlDocPtr doc, const char *lang, const char *title);
/* A new element (XHTML, with class cls when not NULL) appended to parent;
 * a text node appended to parent. */
xmlNodePtr tpl_add_elem(xmlDocPtr doc, xmlNodePtr parent, const char *name, const char *cls);
void tpl_add_text(xmlDocPtr doc, xmlNodePtr parent, const char *text);
/* Appends a <link rel="stylesheet"> to href in the head. */
void tpl_add_stylesheet(xmlDocPtr doc, const char *href);
/* Adds cls to the body's class list. */
void tpl_add_body_class(xmlDocPtr doc, const char *cls);

/* Removes slot markers and empty optional elements. */
void tpl_finish(xmlDocPtr doc);

/* Serialises an XHTML document: XML declaration, "<!DOCTYPE html>", the root
 * in XHTML style (<br />, <p></p>). Returns 0 and a malloc'd buffer (caller
 * frees), or -1. */
int tpl_save(xmlDocPtr doc, char **out, size_t *len);

/* The stylesheet (borrowed from t). */
const char *tpl_css(const struct templates *t, size_t *len);

/* The XHTML namespace, for building nodes. */
#define XHTML_NS "http://www.w3.org/1999/xhtml"

#endif
