/* collect.c — see collect.h. */
#include "collect.h"

#include <dirent.h>
#include <errno.h>
#include <iconv.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

void
post_list_add(struct post_list *l, struct post *p)
{
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
	l->v[l->n++] = p;
}

void
post_list_free(struct post_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		post_free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static bool
is_post_name(const char *name)
{
	static const char *const exts[] = {".md", ".markdown", ".txt", ".html", ".htm"};
	for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
		if (str_has_suffix_ci(name, exts[i]) && strlen(name) > strlen(exts[i]))
			return true;
	return false;
}

static bool
skip_folder(const char *name)
{
	if (name[0] == '.')
		return true;
	if (name[0] == '_')
		return strcmp(name, "_posts") != 0 && strcmp(name, "_drafts") != 0;
	return false;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A folder waiting to be read: its path and its path relative to the root
 * ("" for the root itself). */
struct pending {
	char *path;
	char *rel;
};

struct visited {
	dev_t dev;
	ino_t ino;
};

/* True when the resolved path lies inside (or is) root. */
static bool
inside(const char *resolved, const char *root)
{
	size_t n = strlen(root);
	if (strncmp(resolved, root, n) != 0)
		return false;
	return resolved[n] == '\0' || resolved[n] == '/' || (n == 1 && root[0] == '/');
}

int
collect_dir(const char *dir, struct log *lg, struct post_list *out)
{
	int rc = -1;
	char *root = NULL;
	struct pending *stack = NULL;
	size_t nstack = 0, capstack = 0;
	struct visited *seen = NULL;
	size_t nseen = 0, capseen = 0;
	char **names = NULL;
	size_t nnames = 0, capnames = 0;
	struct stat st;

	root = realpath(dir, NULL);
	if (root == NULL || stat(root, &st) != 0) {
		log_error(lg, dir, 0, "cannot read folder: %s", strerror(errno));
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_error(lg, dir, 0, "not a folder");
		goto out;
	}
	stack = xgrow(stack, &capstack, 1, sizeof *stack);
	stack[nstack++] = (struct pending){xstrdup(dir), xstrdup("")};

	while (nstack > 0) {
		struct pending cur = stack[--nstack];
		DIR *d = opendir(cur.path);
		if (d == NULL || fstat(dirfd(d), &st) != 0) {
			if (cur.rel[0] == '\0')
				log_error(lg, dir, 0, "cannot read folder: %s", strerror(errno));
			else
				log_warn(lg, cur.rel, 0, "cannot read folder: %s; skipped",
					 strerror(errno));
			if (d != NULL)
				closedir(d);
			bool fatal = cur.rel[0] == '\0';
			free(cur.path);
			free(cur.rel);
			if (fatal)
				goto out;
			continue;
		}
		bool loop = false;
		for (size_t i = 0; i < nseen; i++)
			if (seen[i].dev == st.st_dev && seen[i].ino == st.st_ino)
				loop = true;
		if (loop) {
			log_warn(lg, cur.rel, 0, "folder already visited (symbolic link loop); skipped");
			closedir(d);
			free(cur.path);
			free(cur.rel);
			continue;
		}
		seen = xgrow(seen, &capseen, nseen + 1, sizeof *seen);
		seen[nseen++] = (struct visited){st.st_dev, st.st_ino};

		nnames = 0;
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue; /* ".", ".." and hidden entries */
			names = xgrow(names, &capnames, nnames + 1, sizeof *names);
			names[nnames++] = xstrdup(e->d_name);
		}
		closedir(d);
		if (nnames > 1)
			qsort(names, nnames, sizeof *names, cmp_names);

		/* Sub-folders are pushed in reverse so they pop in name order. */
		size_t first_sub = nstack;
		for (size_t i = 0; i < nnames; i++) {
			char *path = xasprintf("%s/%s", cur.path, names[i]);
			char *rel = cur.rel[0] ? xasprintf("%s/%s", cur.rel, names[i])
					       : xstrdup(names[i]);
			struct stat lst;
			if (lstat(path, &lst) != 0) {
				log_warn(lg, rel, 0, "cannot read: %s; skipped", strerror(errno));
				goto next;
			}
			if (S_ISLNK(lst.st_mode)) {
				char *res = realpath(path, NULL);
				if (res == NULL || stat(res, &lst) != 0) {
					if (is_post_name(names[i]))
						log_warn(lg, rel, 0, "broken symbolic link; skipped");
					free(res);
					goto next;
				}
				bool ok = inside(res, root);
				free(res);
				if (!ok) {
					if (S_ISDIR(lst.st_mode) || is_post_name(names[i]))
						log_warn(lg, rel, 0,
							 "symbolic link points outside the input folder; skipped");
					goto next;
				}
			}
			if (S_ISDIR(lst.st_mode)) {
				if (!skip_folder(names[i])) {
					stack = xgrow(stack, &capstack, nstack + 1, sizeof *stack);
					stack[nstack++] = (struct pending){path, rel};
					path = rel = NULL;
				}
			} else if (S_ISREG(lst.st_mode) && is_post_name(names[i])) {
				struct post *p = xcalloc(1, sizeof *p);
				p->path = path;
				p->relpath = rel;
				p->mtime = (int64_t)lst.st_mtime;
				post_list_add(out, p);
				path = rel = NULL;
			}
		next:
			free(path);
			free(rel);
			free(names[i]);
		}
		/* Reverse the sub-folders just pushed: the stack pops the last. */
		for (size_t a = first_sub, b = nstack; a + 1 < b; a++, b--) {
			struct pending tmp = stack[a];
			stack[a] = stack[b - 1];
			stack[b - 1] = tmp;
		}
		free(cur.path);
		free(cur.rel);
	}
	rc = 0;
out:
	while (nstack > 0) {
		nstack--;
		free(stack[nstack].path);
		free(stack[nstack].rel);
	}
	free(stack);
	free(seen);
	free(names);
	free(root);
	return rc;
}

/* Converts n bytes from encoding `from` to UTF-8 with iconv. Returns a
 * malloc'd string, or NULL when the input is not valid in that encoding. */
static char *
convert(const char *from, const char *s, size_t n, size_t *outlen)
{
	iconv_t cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1)
		return NULL;
	size_t cap = n * 2 + 16, left = cap;
	char *out = xmalloc(cap + 1), *op = out;
	char *ip = (char *)s;
	size_t ileft = n;
	while (ileft > 0) {
		if (iconv(cd, &ip, &ileft, &op, &left) == (size_t)-1) {
			if (errno == E2BIG) {
				size_t used = (size_t)(op - out);
				cap *= 2;
				out = xrealloc(out, cap + 1);
				op = out + used;
				left = cap - used;
				continue;
			}
			free(out);
			iconv_close(cd);
			return NULL;
		}
	}
	iconv_close(cd);
	*op = '\0';
	*outlen = (size_t)(op - out);
	return out;
}

int
collect_read(const struct post *p, size_t max, struct log *lg, char **text, size_t *len)
{
	char *raw = NULL, *conv = NULL;
	size_t n = 0, cn = 0, nbad = 0;
	int rc = -1;

	*text = NULL;
	*len = 0;
	if (read_file_bounded(p->path, max, &raw, &n) != 0) {
		if (errno == EFBIG)
			log_warn(lg, p->relpath, 0, "larger than %zu bytes; skipped", max);
		else
			log_warn(lg, p->relpath, 0, "cannot read: %s; skipped", strerror(errno));
		goto out;
	}
	const unsigned char *u = (const unsigned char *)raw;
	if (n >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
		conv = convert(u[0] == 0xFF ? "UTF-16LE" : "UTF-16BE", raw + 2, n - 2, &cn);
		if (conv == NULL) {
			log_warn(lg, p->relpath, 0, "invalid UTF-16 text; skipped");
			goto out;
		}
		free(raw);
		raw = conv;
		n = cn;
		conv = NULL;
	}
	size_t skip = (n >= 3 && memcmp(raw, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
	size_t first = 0;
	/* One pass in the common case: text that is clean UTF-8 is copied. */
	*text = utf8_sanitize(raw + skip, n - skip, len, &nbad, &first);
	if (nbad > 0 && skip == 0 && memchr(raw, '\0', n) == NULL &&
	    (conv = convert("GB18030", raw, n, &cn)) != NULL && utf8_valid(conv, cn)) {
		log_warn(lg, p->relpath, 0, "not UTF-8; read as GB18030 (GBK) text");
		free(raw);
		raw = conv;
		n = cn;
		conv = NULL;
		free(*text);
		*text = utf8_sanitize(raw, n, len, &nbad, &first);
	}
	if (nbad > 16 && nbad > (n - skip) / 20) {
		log_warn(lg, p->relpath, 0, "not text (%zu invalid bytes); skipped", nbad);
		free(*text);
		*text = NULL;
		*len = 0;
		goto out;
	}
	if (nbad > 0) {
		/* The line of the first one, counting LF, CRLF and lone CR. */
		unsigned long line = 1;
		for (size_t i = skip; i < skip + first; i++)
			if (raw[i] == '\n' || (raw[i] == '\r' && raw[i + 1] != '\n'))
				line++;
		log_warn(lg, p->relpath, line,
			 "%zu invalid or control byte sequence%s replaced with U+FFFD", nbad,
			 nbad == 1 ? "" : "s");
	}
	rc = 0;
out:
	free(raw);
	free(conv);
	return rc;
}
