/* replay.c — runs a fuzz harness over saved inputs, without libFuzzer: the
 * seed corpus and every kept crash, under the sanitizers of make check.
 *
 *   replay_NAME DIR|FILE ...
 *
 * Calls LLVMFuzzerTestOneInput once per regular file (a folder's files in
 * byte order of their names, hidden ones skipped), naming each on stderr
 * first so a crash can be traced to its input, and ends with
 * "fuzz-replay NAME: N inputs". Exits 1 when an argument cannot be read;
 * a failing input aborts.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"
#include "util.h"

static int
run_file(const char *path)
{
	char *data = NULL;
	size_t len = 0;

	if (read_file_bounded(path, 64 * 1024 * 1024, &data, &len) != 0) {
		perror(path);
		return -1;
	}
	fprintf(stderr, "fuzz-replay: %s\n", path);
	/* An exactly sized copy, so reading past the end is caught. */
	uint8_t *copy = xmalloc(len ? len : 1);
	memcpy(copy, data, len);
	free(data);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	return 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file of dir; adds their number to *count. */
static int
run_dir(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (d == NULL) {
		perror(dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		names = xgrow(names, &cap, n + 1, sizeof *names);
		names[n++] = xasprintf("%s/%s", dir, e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(names[i]) != 0)
				rc = -1;
			else
				(*count)++;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');
	size_t count = 0;
	int rc = 0;

	name = name ? name + 1 : argv[0];
	if (strncmp(name, "replay_", 7) == 0)
		name += 7;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			rc = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (run_dir(argv[i], &count) != 0)
				rc = 1;
		} else if (run_file(argv[i]) != 0) {
			rc = 1;
		} else {
			count++;
		}
	}
	printf("fuzz-replay %s: %zu inputs\n", name, count);
	return rc;
}
