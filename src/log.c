/* log.c — see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "util.h"

struct log {
	FILE *out;
	enum log_level level;
	unsigned long warnings;
	unsigned long errors;
	bool tty;         /* out is a terminal: progress lines are shown */
	bool progressing; /* a progress line is on screen */
};

struct log *
log_new(FILE *out, enum log_level level)
{
	struct log *lg = xcalloc(1, sizeof *lg);
	lg->out = out;
	lg->level = level;
	lg->tty = out != NULL && isatty(fileno(out));
	return lg;
}

void
log_free(struct log *lg)
{
	free(lg);
}

enum log_level
log_level(const struct log *lg)
{
	return lg->level;
}

static void
emit(struct log *lg, const char *kind, const char *file, unsigned long line, const char *fmt,
     va_list ap)
{
	if (lg->out == NULL)
		return;
	if (lg->progressing) {
		fputs("\r\033[K", lg->out);
		lg->progressing = false;
	}
	fputs("post2epub: ", lg->out);
	if (file != NULL) {
		if (line > 0)
			fprintf(lg->out, "%s:%lu: ", file, line);
		else
			fprintf(lg->out, "%s: ", file);
	}
	if (kind != NULL)
		fprintf(lg->out, "%s: ", kind);
	vfprintf(lg->out, fmt, ap);
	fputc('\n', lg->out);
	fflush(lg->out);
}

void
log_warn(struct log *lg, const char *file, unsigned long line, const char *fmt, ...)
{
	va_list ap;
	lg->warnings++;
	if (lg->level < LOG_NORMAL)
		return;
	va_start(ap, fmt);
	emit(lg, "warning", file, line, fmt, ap);
	va_end(ap);
}

void
log_error(struct log *lg, const char *file, unsigned long line, const char *fmt, ...)
{
	va_list ap;
	lg->errors++;
	va_start(ap, fmt);
	emit(lg, "error", file, line, fmt, ap);
	va_end(ap);
}

void
log_info(struct log *lg, const char *fmt, ...)
{
	va_list ap;
	if (lg->level < LOG_VERBOSE)
		return;
	va_start(ap, fmt);
	emit(lg, NULL, NULL, 0, fmt, ap);
	va_end(ap);
}

void
log_summary(struct log *lg, const char *fmt, ...)
{
	va_list ap;
	if (lg->level < LOG_NORMAL)
		return;
	va_start(ap, fmt);
	emit(lg, NULL, NULL, 0, fmt, ap);
	va_end(ap);
}

void
log_progress(struct log *lg, const char *fmt, ...)
{
	va_list ap;
	if (!lg->tty || lg->level < LOG_NORMAL)
		return;
	fputs("\rpost2epub: ", lg->out);
	va_start(ap, fmt);
	vfprintf(lg->out, fmt, ap);
	va_end(ap);
	fputs("\033[K", lg->out);
	fflush(lg->out);
	lg->progressing = true;
}

void
log_progress_end(struct log *lg)
{
	if (!lg->progressing)
		return;
	fputs("\r\033[K", lg->out);
	fflush(lg->out);
	lg->progressing = false;
}

unsigned long
log_warnings(const struct log *lg)
{
	return lg->warnings;
}

unsigned long
log_errors(const struct log *lg)
{
	return lg->errors;
}
