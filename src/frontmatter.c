/* frontmatter.c — see frontmatter.h.
 *
 * Two steps. First the text is split into lines by hand (LF, CRLF or a lone
 * CR ends a line) to find the "---" … "---"/"..." block and the body. Then
 * only the block goes to libyaml's event API, which we turn into a small tree
 * of nodes, bounded in depth and in count, with aliases refused; the tree is
 * then read into the post. Nothing is written into the post before the whole
 * block has parsed, so a failed parse leaves it untouched.
 */
#include "frontmatter.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "util.h"

/* Bounds for untrusted YAML. */
#define FM_MAX_DEPTH 32           /* nested collections */
#define FM_MAX_NODES 10000        /* scalars + collections in one block */
#define FM_MAX_SCALAR (64 * 1024) /* bytes in one value we use */

/* ------------------------------------------------------------------ */
/* Lines                                                               */
/* ------------------------------------------------------------------ */

/* The line starting at pos: its content ends at *eol, the next line starts
 * at *next (== len at the end of the text). */
static void
line_at(const char *text, size_t len, size_t pos, size_t *eol, size_t *next)
{
	size_t i = pos;
	while (i < len && text[i] != '\n' && text[i] != '\r')
		i++;
	*eol = i;
	if (i < len && text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
		i += 2;
	else if (i < len)
		i++;
	*next = i;
}

static bool
is_blank_line(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* True when [s, s+n) is exactly mark (three bytes), then blanks only. */
static bool
is_marker_line(const char *s, size_t n, const char *mark)
{
	return n >= 3 && memcmp(s, mark, 3) == 0 && is_blank_line(s + 3, n - 3);
}

/* ------------------------------------------------------------------ */
/* YAML → tree                                                         */
/* ------------------------------------------------------------------ */

enum node_kind {
	N_SCALAR,
	N_SEQ,
	N_MAP,
};

struct node {
	enum node_kind kind;
	unsigned long line; /* in the file, 1-based */
	char *s;            /* scalars: the value, NULL when null or too long */
	size_t slen;        /* scalars: length as written */
	bool is_null;       /* scalars: ~, null, or nothing */
	struct node **kids; /* sequences: items; mappings: key, value, key, … */
	size_t n, cap;
};

struct fm {
	yaml_parser_t parser;
	const char *block; /* for locating reader errors */
	size_t block_len;
	unsigned long line0; /* file line of the block's first line */
	const char *file;
	struct log *lg;
	size_t nodes;
};

static void
node_free(struct node *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->n; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->s);
	free(n);
}

static void
node_add(struct node *parent, struct node *kid)
{
	parent->kids = xgrow(parent->kids, &parent->cap, parent->n + 1, sizeof *parent->kids);
	parent->kids[parent->n++] = kid;
}

static unsigned long
mark_line(const struct fm *c, const yaml_mark_t *m)
{
	return c->line0 + (unsigned long)m->line;
}

/* Reports the parser's error. Reader errors (bad bytes) carry an offset
 * rather than a mark, so their line is counted from the block. */
static void
report_yaml_error(struct fm *c)
{
	const yaml_parser_t *y = &c->parser;
	unsigned long line = mark_line(c, &y->problem_mark);
	const char *problem = y->problem ? y->problem : "unknown error";

	if (y->error == YAML_READER_ERROR) {
		size_t end = y->problem_offset < c->block_len ? y->problem_offset : c->block_len;
		line = c->line0;
		for (size_t i = 0; i < end; i++)
			if (c->block[i] == '\n' ||
			    (c->block[i] == '\r' &&
			     (i + 1 >= c->block_len || c->block[i + 1] != '\n')))
				line++;
	}
	log_warn(c->lg, c->file, line, "invalid front matter: %s", problem);
}

/* The next event, with errors and aliases reported. */
static int
next_event(struct fm *c, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&c->parser, ev)) {
		report_yaml_error(c);
		return -1;
	}
	if (ev->type == YAML_ALIAS_EVENT) {
		log_warn(c->lg, c->file, mark_line(c, &ev->start_mark),
		         "front matter uses YAML aliases, which are not accepted");
		yaml_event_delete(ev);
		return -1;
	}
	return 0;
}

static bool
scalar_is_null(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || !ev->data.scalar.plain_implicit)
		return false;
	return n == 0 || (n == 1 && v[0] == '~') ||
	       (n == 4 && (memcmp(v, "null", 4) == 0 || memcmp(v, "Null", 4) == 0 ||
	                   memcmp(v, "NULL", 4) == 0));
}

/* Builds the node for ev (a scalar or a collection start, which this takes
 * over and deletes) and, for a collection, everything up to its end. */
static int
build(struct fm *c, yaml_event_t *ev, int depth, struct node **out)
{
	struct node *n = NULL;
	yaml_event_type_t end_type;
	bool own_ev = true; /* ev holds an event we must delete */
	int rc = -1;

	if (++c->nodes > FM_MAX_NODES) {
		log_warn(c->lg, c->file, mark_line(c, &ev->start_mark),
		         "front matter has too many entries (more than %d)", FM_MAX_NODES);
		goto out;
	}
	n = xcalloc(1, sizeof *n);
	n->line = mark_line(c, &ev->start_mark);
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n->kind = N_SCALAR;
		n->slen = ev->data.scalar.length;
		n->is_null = scalar_is_null(ev);
		if (!n->is_null && n->slen <= FM_MAX_SCALAR) {
			/* Escapes ("\x01", "\e") can put characters XML
			 * cannot carry into a value that ends up in the
			 * chapter: replace them as collect_read does in the
			 * file. An escaped NUL ("\0") still ends the value. */
			const char *v = (const char *)ev->data.scalar.value;
			size_t nbad = 0;
			n->s = utf8_sanitize(v, strnlen(v, n->slen), NULL, &nbad, NULL);
			if (nbad > 0)
				log_warn(c->lg, c->file, n->line,
					 "%zu control character%s in front matter replaced with U+FFFD",
					 nbad, nbad == 1 ? "" : "s");
		}
		rc = 0;
		goto out;
	case YAML_SEQUENCE_START_EVENT:
		n->kind = N_SEQ;
		end_type = YAML_SEQUENCE_END_EVENT;
		break;
	case YAML_MAPPING_START_EVENT:
		n->kind = N_MAP;
		end_type = YAML_MAPPING_END_EVENT;
		break;
	default:
		/* The parser never produces anything else here. */
		log_warn(c->lg, c->file, n->line, "invalid front matter: unexpected event");
		goto out;
	}
	if (depth >= FM_MAX_DEPTH) {
		log_warn(c->lg, c->file, n->line,
		         "front matter is nested too deeply (more than %d levels)", FM_MAX_DEPTH);
		goto out;
	}
	yaml_event_delete(ev);
	own_ev = false;
	for (;;) {
		struct node *kid = NULL;
		if (next_event(c, ev) != 0)
			goto out;
		if (ev->type == end_type) {
			own_ev = true;
			break;
		}
		/* build() takes the event over. */
		if (build(c, ev, depth + 1, &kid) != 0)
			goto out;
		node_add(n, kid);
	}
	rc = 0;
out:
	if (own_ev)
		yaml_event_delete(ev);
	if (rc == 0)
		*out = n;
	else
		node_free(n);
	return rc;
}

/* Parses the block into the tree of its first document (*root NULL when the
 * block holds no document). Later documents are parsed too — so that errors
 * and aliases in them are still refused — and dropped. */
static int
build_tree(struct fm *c, struct node **root)
{
	yaml_event_t ev;
	int rc = -1;

	*root = NULL;
	for (;;) {
		if (next_event(c, &ev) != 0)
			goto out;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type == YAML_SCALAR_EVENT || ev.type == YAML_SEQUENCE_START_EVENT ||
		    ev.type == YAML_MAPPING_START_EVENT) {
			struct node *n = NULL;
			if (build(c, &ev, 0, &n) != 0)
				goto out;
			if (*root == NULL)
				*root = n;
			else
				node_free(n);
		} else {
			yaml_event_delete(&ev);
		}
	}
	rc = 0;
out:
	if (rc != 0) {
		node_free(*root);
		*root = NULL;
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* Tree → post                                                         */
/* ------------------------------------------------------------------ */

/* What the front matter gave, before it goes into the post. */
enum field {
	F_TITLE,
	F_DATE,
	F_UPDATED,
	F_AUTHOR,
	F_CATEGORIES,
	F_TAGS,
	F_HEADIMG,
	F_THUMBNAIL,
	F_COVER,
	F_LANG,
	F_URL,
	F_PERMALINK,
	F_COUNT
};

static const struct {
	const char *key;
	enum field field;
} keys[] = {
    {"title", F_TITLE},
    {"date", F_DATE},
    {"updated", F_UPDATED},
    {"author", F_AUTHOR},
    {"categories", F_CATEGORIES},
    {"category", F_CATEGORIES},
    {"tags", F_TAGS},
    {"tag", F_TAGS},
    {"headimg", F_HEADIMG},
    {"thumbnail", F_THUMBNAIL},
    {"cover", F_COVER},
    {"lang", F_LANG},
    {"language", F_LANG},
    {"permalink", F_PERMALINK},
    {"url", F_URL},
    {"link", F_PERMALINK},
};

struct meta {
	char *text[F_COUNT]; /* the scalar fields (and date/updated/author) */
	unsigned long date_line;
	struct strlist categories;
	struct strlist tags;
	unsigned long seen[F_COUNT]; /* line of the key that last set it, 0 if none */
};

static void
meta_free(struct meta *m)
{
	for (int i = 0; i < F_COUNT; i++)
		free(m->text[i]);
	strlist_free(&m->categories);
	strlist_free(&m->tags);
}

static const char *
kind_name(enum node_kind k)
{
	return k == N_SEQ ? "a list" : "a mapping";
}

/* A copy of a scalar's text with ASCII white space trimmed; NULL when it is
 * null or empty. */
static char *
scalar_text(const struct node *n)
{
	char *s;
	if (n->is_null || n->s == NULL)
		return NULL;
	s = str_trim(xstrdup(n->s));
	if (*s == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

/* A scalar we keep must be within FM_MAX_SCALAR; warns otherwise. */
static bool
scalar_usable(const struct fm *c, const char *key, const struct node *n)
{
	if (!n->is_null && n->s == NULL) {
		log_warn(c->lg, c->file, n->line, "'%s' is too long (%zu bytes); ignored", key,
		         n->slen);
		return false;
	}
	return true;
}

/* author: text, a mapping with a "name", or a list whose first item is one
 * of those. */
static char *
author_text(const struct fm *c, const struct node *v, bool in_list)
{
	if (v->kind == N_SCALAR)
		return scalar_usable(c, "author", v) ? scalar_text(v) : NULL;
	if (v->kind == N_MAP) {
		for (size_t i = 0; i + 1 < v->n; i += 2) {
			const struct node *k = v->kids[i], *val = v->kids[i + 1];
			if (k->kind == N_SCALAR && k->s && strcmp(k->s, "name") == 0 &&
			    val->kind == N_SCALAR)
				return scalar_usable(c, "author", val) ? scalar_text(val) : NULL;
		}
		log_warn(c->lg, c->file, v->line, "'author' has no 'name'; ignored");
		return NULL;
	}
	if (!in_list && v->n > 0)
		return author_text(c, v->kids[0], true);
	if (!in_list)
		return NULL;
	log_warn(c->lg, c->file, v->line, "'author' should be text, not %s", kind_name(v->kind));
	return NULL;
}

/* Adds the comma-separated parts of s (or all of s when split is false). */
static void
add_terms(struct strlist *l, const char *s, bool split)
{
	char *copy = xstrdup(s);
	char *part = copy;

	for (;;) {
		char *comma = split ? strchr(part, ',') : NULL;
		if (comma)
			*comma = '\0';
		str_trim(part);
		if (*part != '\0')
			strlist_add_unique(l, part);
		if (comma == NULL)
			break;
		part = comma + 1;
	}
	free(copy);
}

/* Joins the scalars of a nested list (Hexo's category hierarchy) with " / ",
 * depth first. */
static void
join_hierarchy(const struct node *v, struct buf *b)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct node *k = v->kids[i];
		if (k->kind == N_SEQ) {
			join_hierarchy(k, b);
		} else if (k->kind == N_SCALAR) {
			char *s = scalar_text(k);
			if (s == NULL)
				continue;
			if (b->len > 0)
				buf_puts(b, " / ");
			buf_puts(b, s);
			free(s);
		}
	}
}

/* categories / tags: a string, a list of strings, lists of lists. */
static void
read_terms(const struct fm *c, const char *key, const struct node *v, struct strlist *l,
           bool split_commas)
{
	bool warned = false;

	strlist_free(l);
	if (v->kind == N_SCALAR) {
		if (scalar_usable(c, key, v) && !v->is_null)
			add_terms(l, v->s, split_commas && strchr(v->s, ',') != NULL);
		return;
	}
	if (v->kind == N_MAP) {
		log_warn(c->lg, c->file, v->line, "'%s' should be a list, not a mapping", key);
		return;
	}
	for (size_t i = 0; i < v->n; i++) {
		const struct node *k = v->kids[i];
		if (k->kind == N_SCALAR) {
			char *s = scalar_usable(c, key, k) ? scalar_text(k) : NULL;
			if (s)
				strlist_add_unique(l, s);
			free(s);
		} else if (k->kind == N_SEQ) {
			struct buf b = {0};
			join_hierarchy(k, &b);
			if (b.len > 0)
				strlist_add_unique(l, b.data);
			buf_free(&b);
		} else if (!warned) {
			log_warn(c->lg, c->file, k->line,
			         "'%s' entries should be text, not mappings", key);
			warned = true;
		}
	}
}

static void
read_field(const struct fm *c, struct meta *m, enum field f, const char *key, const struct node *v)
{
	switch (f) {
	case F_CATEGORIES:
		read_terms(c, key, v, &m->categories, false);
		return;
	case F_TAGS:
		read_terms(c, key, v, &m->tags, true);
		return;
	case F_AUTHOR:
		free(m->text[f]);
		m->text[f] = author_text(c, v, false);
		return;
	default:
		break;
	}
	free(m->text[f]);
	m->text[f] = NULL;
	if (v->kind != N_SCALAR) {
		log_warn(c->lg, c->file, v->line, "'%s' should be text, not %s", key,
		         kind_name(v->kind));
		return;
	}
	if (!scalar_usable(c, key, v))
		return;
	m->text[f] = scalar_text(v);
	if (f == F_DATE)
		m->date_line = v->line;
}

static void
read_mapping(const struct fm *c, const struct node *root, struct meta *m)
{
	for (size_t i = 0; i + 1 < root->n; i += 2) {
		const struct node *k = root->kids[i], *v = root->kids[i + 1];
		size_t j;

		if (k->kind != N_SCALAR || k->s == NULL)
			continue;
		for (j = 0; j < sizeof keys / sizeof keys[0]; j++)
			if (strcmp(k->s, keys[j].key) == 0)
				break;
		if (j == sizeof keys / sizeof keys[0])
			continue;
		if (m->seen[keys[j].field])
			log_warn(c->lg, c->file, k->line, "duplicate key '%s' in front matter",
			         k->s);
		m->seen[keys[j].field] = k->line;
		read_field(c, m, keys[j].field, k->s, v);
	}
}

/* Moves the metadata into the post, replacing what was there. */
static void
meta_apply(struct meta *m, struct post *p)
{
	char **dst[F_COUNT] = {
	    [F_TITLE] = &p->title,   [F_DATE] = &p->date_raw,   [F_UPDATED] = &p->updated_raw,
	    [F_AUTHOR] = &p->author, [F_HEADIMG] = &p->headimg, [F_THUMBNAIL] = &p->thumbnail,
	    [F_COVER] = &p->cover,   [F_LANG] = &p->lang,       [F_URL] = &p->url,
	};
	for (int i = 0; i < F_COUNT; i++) {
		if (dst[i] == NULL || !m->seen[i])
			continue;
		free(*dst[i]);
		*dst[i] = m->text[i];
		m->text[i] = NULL;
	}
	/* url is where the post lives; permalink and link are the fallback
	 * (Hexo's and Jekyll's permalinks are often paths or patterns). */
	if (m->seen[F_PERMALINK] && !m->seen[F_URL]) {
		free(p->url);
		p->url = m->text[F_PERMALINK];
		m->text[F_PERMALINK] = NULL;
	}
	if (m->seen[F_DATE])
		p->date_line = p->date_raw ? m->date_line : 0;
	if (m->seen[F_CATEGORIES]) {
		strlist_free(&p->categories);
		p->categories = m->categories;
		memset(&m->categories, 0, sizeof m->categories);
	}
	if (m->seen[F_TAGS]) {
		strlist_free(&p->tags);
		p->tags = m->tags;
		memset(&m->tags, 0, sizeof m->tags);
	}
}

/* Parses the block [block, block+len), whose first line is line0 in the file. */
static int
parse_block(const char *block, size_t len, unsigned long line0, struct post *p, struct log *lg)
{
	struct fm c;
	struct node *root = NULL;
	struct meta m;
	int rc = -1;

	memset(&c, 0, sizeof c);
	memset(&m, 0, sizeof m);
	c.block = block;
	c.block_len = len;
	c.line0 = line0;
	c.file = p->relpath ? p->relpath : p->path;
	c.lg = lg;
	if (!yaml_parser_initialize(&c.parser)) {
		log_warn(lg, c.file, line0, "invalid front matter: out of memory");
		goto out;
	}
	yaml_parser_set_encoding(&c.parser, YAML_UTF8_ENCODING);
	yaml_parser_set_input_string(&c.parser, (const unsigned char *)block, len);
	if (build_tree(&c, &root) != 0)
		goto out;
	if (root != NULL && root->kind == N_MAP)
		read_mapping(&c, root, &m);
	else if (root != NULL && !(root->kind == N_SCALAR && root->is_null))
		log_warn(lg, c.file, root->line, "front matter is not a mapping; ignored");
	meta_apply(&m, p);
	rc = 0;
out:
	/* Safe on the zeroed parser too, should initialising it have failed. */
	yaml_parser_delete(&c.parser);
	node_free(root);
	meta_free(&m);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The whole text                                                      */
/* ------------------------------------------------------------------ */

static enum post_format
body_format(const struct post *p, const char *body, size_t len)
{
	const char *name = p->relpath ? p->relpath : p->path;
	size_t i = 0;

	if (name != NULL) {
		if (str_has_suffix_ci(name, ".md") || str_has_suffix_ci(name, ".markdown"))
			return POST_MARKDOWN;
		if (str_has_suffix_ci(name, ".html") || str_has_suffix_ci(name, ".htm"))
			return POST_HTML;
	}
	while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' ||
	                   body[i] == '\n' || body[i] == '\f' || body[i] == '\v'))
		i++;
	return i < len && body[i] == '<' ? POST_HTML : POST_MARKDOWN;
}

int
fm_parse(const char *text, size_t len, struct post *p, struct log *lg)
{
	const char *file = p->relpath ? p->relpath : p->path;
	size_t pos = 0, eol, next, body_start;
	unsigned long line = 1, open_line, body_line;
	int rc = -1;

	if (text == NULL) {
		text = "";
		len = 0;
	}
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	/* Leading blank lines. */
	for (;;) {
		line_at(text, len, pos, &eol, &next);
		if (!is_blank_line(text + pos, eol - pos) || next == eol)
			break;
		pos = next;
		line++;
	}
	body_start = pos;
	body_line = line;
	if (is_marker_line(text + pos, eol - pos, "---")) {
		size_t block_start = next;
		bool closed = false;

		open_line = line;
		for (pos = next, line++; pos < len; pos = next, line++) {
			line_at(text, len, pos, &eol, &next);
			if (is_marker_line(text + pos, eol - pos, "---") ||
			    is_marker_line(text + pos, eol - pos, "...")) {
				closed = true;
				break;
			}
		}
		if (!closed) {
			log_warn(lg, file, open_line,
			         "front matter is not closed: no '---' line after line %lu",
			         open_line);
			goto out;
		}
		if (parse_block(text + block_start, pos - block_start, open_line + 1, p, lg) != 0)
			goto out;
		body_start = next;
		body_line = line + 1;
	}
	free(p->body);
	p->body_len = len - body_start;
	p->body = xstrndup(text + body_start, p->body_len);
	p->body_line = body_line;
	p->format = body_format(p, p->body, p->body_len);
	rc = 0;
out:
	return rc;
}

int
fm_parse_yaml(const char *text, size_t len, struct post *p, struct log *lg)
{
	return parse_block(text, len, 1, p, lg);
}
