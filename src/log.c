/* log.c — see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "util.h"

struct log {
	FILE *out;        /* NULL: messages are dropped (or kept, when buffered) */
	enum log_level level;
	unsigned long warnings;
	unsigned long errors;
	bool tty;         /* out is a terminal: progress lines are shown */
	bool progressing; /* a progress line is on screen */
	bool buffered;    /* a log_new_buffer logger: messages go to kept */
	struct buf kept;
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

struct log *
log_new_buffer(enum log_level level)
{
	struct log *lg = xcalloc(1, sizeof *lg);
	lg->level = level;
	lg->buffered = true;
	return lg;
}

void
log_free(struct log *lg)
{
	if (lg == NULL)
		return;
	buf_free(&lg->kept);
	free(lg);
}

enum log_level
log_level(const struct log *lg)
{
	return lg->level;
}

/* Clears a progress line before anything else is printed. */
static void
end_progress(struct log *lg)
{
	if (lg->progressing) {
		fputs("\r\033[K", lg->out);
		lg->progressing = false;
	}
}

static void
emit(struct log *lg, const char *kind, const char *file, unsigned long line, const char *fmt,
     va_list ap)
{
	struct buf b = {0};

	if (lg->out == NULL && !lg->buffered)
		return;
	buf_puts(&b, "post2epub: ");
	if (file != NULL) {
		if (line > 0)
			buf_printf(&b, "%s:%lu: ", file, line);
		else
			buf_printf(&b, "%s: ", file);
	}
	if (kind != NULL)
		buf_printf(&b, "%s: ", kind);
	char *msg = xvasprintf(fmt, ap);
	buf_puts(&b, msg);
	free(msg);
	buf_putc(&b, '\n');
	if (lg->buffered) {
		buf_add(&lg->kept, b.data, b.len);
	} else {
		end_progress(lg);
		fwrite(b.data, 1, b.len, lg->out);
		fflush(lg->out);
	}
	buf_free(&b);
}

void
log_flush_into(struct log *from, struct log *to)
{
	if (from->kept.len > 0 && to->buffered) {
		buf_add(&to->kept, from->kept.data, from->kept.len);
	} else if (from->kept.len > 0 && to->out != NULL) {
		end_progress(to);
		fwrite(from->kept.data, 1, from->kept.len, to->out);
		fflush(to->out);
	}
	to->warnings += from->warnings;
	to->errors += from->errors;
	from->warnings = from->errors = 0;
	from->kept.len = 0;
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
	end_progress(lg);
	fflush(lg->out);
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
