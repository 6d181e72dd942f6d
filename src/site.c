/* site.c — see site.h. */
#include "site.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "frontmatter.h"
#include "post.h"
#include "util.h"

#define CONFIG_MAX (1024 * 1024)

static bool
is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Reads _config.yml with the front matter parser: the keys we want (title,
 * author, language/lang, url) are the ones posts use too, with the same
 * bounds and the same refusal of aliases. */
static void
read_config(const char *path, const char *name, struct site *out, struct log *lg)
{
	char *text = NULL;
	size_t len = 0;
	struct post p = {0};

	if (read_file_bounded(path, CONFIG_MAX, &text, &len) != 0) {
		log_warn(lg, name, 0, "cannot read: %s; ignored",
			 errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
		goto out;
	}
	size_t nbad = 0;
	char *clean = utf8_sanitize(text, len, &len, &nbad, NULL);
	free(text);
	text = clean;
	p.path = (char *)path;
	p.relpath = (char *)name;
	if (fm_parse_yaml(text, len, &p, lg) != 0)
		goto out;
	out->title = p.title;
	out->author = p.author;
	out->lang = p.lang;
	out->url = p.url;
	p.title = p.author = p.lang = p.url = NULL;
out:
	p.path = p.relpath = NULL;
	post_free_fields(&p);
	free(text);
}

int
site_detect(const char *dir, struct site *out, struct log *lg)
{
	char *config = xasprintf("%s/_config.yml", dir);
	char *hexo = xasprintf("%s/source/_posts", dir);
	char *jekyll = xasprintf("%s/_posts", dir);
	struct stat st;

	memset(out, 0, sizeof *out);
	if (stat(config, &st) == 0 && S_ISREG(st.st_mode)) {
		if (is_dir(hexo)) {
			out->posts = hexo;
			out->kind = xstrdup("Hexo");
			hexo = NULL;
		} else if (is_dir(jekyll)) {
			out->posts = jekyll;
			out->kind = xstrdup("Jekyll");
			jekyll = NULL;
		}
		if (out->kind != NULL)
			read_config(config, "_config.yml", out, lg);
	}
	free(config);
	free(hexo);
	free(jekyll);
	return 0;
}

void
site_free(struct site *s)
{
	if (s == NULL)
		return;
	free(s->posts);
	free(s->kind);
	free(s->title);
	free(s->author);
	free(s->lang);
	free(s->url);
	memset(s, 0, sizeof *s);
}
