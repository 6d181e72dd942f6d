/* post.c — see post.h. */
#include "post.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void
strlist_add(struct strlist *l, const char *s)
{
	strlist_take(l, xstrdup(s));
}

char *
strlist_take(struct strlist *l, char *s)
{
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
	l->v[l->n++] = s;
	return s;
}

void
strlist_add_unique(struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return;
	strlist_add(l, s);
}

void
strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

void
post_free(struct post *p)
{
	if (p == NULL)
		return;
	post_free_fields(p);
	free(p);
}

void
post_free_fields(struct post *p)
{
	free(p->path);
	free(p->relpath);
	free(p->title);
	free(p->author);
	free(p->lang);
	free(p->date_raw);
	free(p->updated_raw);
	free(p->thumbnail);
	free(p->headimg);
	free(p->cover);
	free(p->url);
	strlist_free(&p->categories);
	strlist_free(&p->tags);
	strlist_free(&p->remote);
	free(p->body);
	memset(p, 0, sizeof *p);
}
