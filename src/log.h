/* log.h — every diagnostic of post2epub goes through here.
 *
 * One format:  post2epub: FILE:LINE: warning: TEXT   (LINE omitted when 0,
 * FILE omitted when NULL). Warnings and errors are counted so the driver can
 * print a summary and decide the exit status (--strict). A struct log is
 * passed explicitly to every stage: there is no global logger.
 */
#ifndef POST2EPUB_LOG_H
#define POST2EPUB_LOG_H

#include <stdio.h>

enum log_level {
	LOG_QUIET = 0,   /* errors only */
	LOG_NORMAL = 1,  /* errors, warnings, summary */
	LOG_VERBOSE = 2, /* and progress notes */
};

struct log;

/* Creates a logger writing to out (borrowed; usually stderr). Free with
 * log_free(). */
struct log *log_new(FILE *out, enum log_level level);
void log_free(struct log *lg);

/* A logger that keeps its messages (formatted as log_new's would be, at
 * level) for log_flush_into: work done on another thread reports through
 * one and the messages come out in a fixed order. */
struct log *log_new_buffer(enum log_level level);
/* Writes what from has kept to to's output, adds from's counts to to's,
 * and empties from. */
void log_flush_into(struct log *from, struct log *to);

enum log_level log_level(const struct log *lg);

void log_warn(struct log *lg, const char *file, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void log_error(struct log *lg, const char *file, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Shown with --verbose only. */
void log_info(struct log *lg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Shown unless --quiet (the end-of-run summary). */
void log_summary(struct log *lg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A transient progress line ("images 120/1700, 3.2 MB, 2 failed"), redrawn in
 * place; shown only when the output is a terminal and not --quiet. A warning
 * printed meanwhile clears it first. log_progress_end() clears it for good. */
void log_progress(struct log *lg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_progress_end(struct log *lg);

unsigned long log_warnings(const struct log *lg);
unsigned long log_errors(const struct log *lg);

#endif
