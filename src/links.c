/* links.c — see links.h. */
#include "links.h"

#include <libxml/hash.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct links {
	xmlHashTablePtr map; /* key → chapter href (owned) */
	char *site_host;     /* lower case, without "www.", or NULL */
};

static void
free_entry(void *payload, const xmlChar *name)
{
	(void)name;
	free(payload);
}

/* "https://WWW.Example.org:443/x" → host "example.org", *rest → "/x".
 * NULL when s is not an http(s) URL. Caller frees. */
static char *
url_host(const char *s, const char **rest)
{
	size_t skip;
	if (ascii_ncasecmp(s, "https://", 8) == 0)
		skip = 8;
	else if (ascii_ncasecmp(s, "http://", 7) == 0)
		skip = 7;
	else
		return NULL;
	s += skip;
	size_t n = strcspn(s, "/?#");
	size_t hn = strcspn(s, ":/?#"); /* without the port */
	if (hn == 0)
		return NULL;
	char *h = xstrndup(s, hn);
	for (char *p = h; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	if (strncmp(h, "www.", 4) == 0)
		memmove(h, h + 4, strlen(h + 4) + 1);
	if (rest != NULL)
		*rest = s + n;
	return h;
}

/* A path as a key: query and fragment cut, "/index.html" and trailing
 * slashes dropped, %XX left alone. "" for the root. */
static char *
path_key(const char *path)
{
	size_t n = strcspn(path, "?#");
	char *k = xstrndup(path, n);
	size_t len = strlen(k);
	if (len >= 11 && strcmp(k + len - 11, "/index.html") == 0)
		k[len -= 10] = '\0';
	while (len > 0 && k[len - 1] == '/')
		k[--len] = '\0';
	return k;
}

/* The last component of a path without extension: "a/2022-09-17-title.md"
 * → "2022-09-17-title". */
static char *
stem(const char *path)
{
	char *k = path_key(path);
	const char *base = strrchr(k, '/');
	base = base ? base + 1 : k;
	const char *dot = strrchr(base, '.');
	char *s = dot && dot > base ? xstrndup(base, (size_t)(dot - base)) : xstrdup(base);
	free(k);
	return s;
}

/* "2022-09-17-title" → "title"; NULL when there is no date prefix. */
static char *
slug(const char *st)
{
	if (strlen(st) > 11 && st[4] == '-' && st[7] == '-' && st[10] == '-') {
		for (int i = 0; i < 10; i++)
			if (i != 4 && i != 7 && (st[i] < '0' || st[i] > '9'))
				return NULL;
		return xstrdup(st + 11);
	}
	return NULL;
}

static void
put(struct links *l, const char *kind, const char *key, const char *href)
{
	if (key == NULL || *key == '\0')
		return;
	char *k = xasprintf("%s:%s", kind, key);
	char *v = xstrdup(href);
	if (xmlHashAddEntry(l->map, BAD_CAST k, v) != 0)
		free(v); /* the first post keeps the name */
	free(k);
}

static const char *
get(const struct links *l, const char *kind, const char *key)
{
	if (key == NULL || *key == '\0')
		return NULL;
	char *k = xasprintf("%s:%s", kind, key);
	const char *v = xmlHashLookup(l->map, BAD_CAST k);
	free(k);
	return v;
}

struct links *
links_new(const char *site_url)
{
	struct links *l = xcalloc(1, sizeof *l);
	l->map = xmlHashCreate(1024);
	if (l->map == NULL)
		abort();
	l->site_host = site_url ? url_host(site_url, NULL) : NULL;
	return l;
}

void
links_free(struct links *l)
{
	if (l == NULL)
		return;
	xmlHashFree(l->map, free_entry);
	free(l->site_host);
	free(l);
}

void
links_add(struct links *l, const struct post *p, const char *href)
{
	if (p->url != NULL && *p->url != '\0') {
		const char *rest = NULL;
		char *host = url_host(p->url, &rest);
		char *pk = path_key(host ? rest : p->url);
		if (host != NULL) {
			char *k = xasprintf("%s%s", host, pk);
			put(l, "url", k, href);
			free(k);
		}
		if (host == NULL || (l->site_host && strcmp(host, l->site_host) == 0)) {
			char *abs = pk[0] == '/' ? xstrdup(pk) : xasprintf("/%s", pk);
			put(l, "path", abs, href);
			free(abs);
		}
		free(pk);
		free(host);
	}
	char *st = stem(p->relpath), *sl = slug(st);
	put(l, "file", st, href);
	put(l, "file", sl, href);
	free(st);
	free(sl);
}

char *
links_resolve(const struct links *l, const char *link)
{
	const char *v = NULL, *rest = NULL;
	char *host = url_host(link, &rest);

	if (host != NULL) {
		char *pk = path_key(rest);
		char *k = xasprintf("%s%s", host, pk);
		v = get(l, "url", k);
		if (v == NULL && l->site_host != NULL && strcmp(host, l->site_host) == 0)
			v = get(l, "path", pk[0] ? pk : "/");
		free(k);
		free(pk);
		free(host);
		return v ? xstrdup(v) : NULL;
	}
	/* Relative: not a scheme ("mailto:"), not a fragment of this page. */
	size_t colon = strcspn(link, ":/?#");
	if (link[colon] == ':' || link[0] == '#' || link[0] == '\0')
		return NULL;
	if (link[0] == '/') {
		char *pk = path_key(link);
		v = get(l, "path", pk);
		free(pk);
	}
	if (v == NULL) {
		char *st = stem(link), *sl = slug(st);
		v = get(l, "file", st);
		if (v == NULL)
			v = get(l, "file", sl);
		free(st);
		free(sl);
	}
	return v ? xstrdup(v) : NULL;
}
