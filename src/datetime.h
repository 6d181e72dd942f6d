/* datetime.h — every date form post2epub accepts, to a UTC instant.
 *
 * Pure functions over strings: no locale, no time zone database, never the
 * machine's local zone.
 */
#ifndef POST2EPUB_DATETIME_H
#define POST2EPUB_DATETIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses s as one of:
 *   RFC 2822   "Sat, 17 Sep 2022 09:15:14 GMT", "17 Sep 2022 09:15 +0800"
 *              (weekday optional; zones GMT/UT/UTC/Z, US zones, +hhmm)
 *   ISO 8601   "2022-09-17T09:15:14Z", "2022-09-17 09:15:14 +08:00",
 *              "2022-09-17T09:15", fractions of a second, "2022-09-17",
 *              "2022/09/17 09:15"; YAML timestamps are of this form
 * A form without a zone is read in default_off (minutes east of UTC); a bare
 * date is taken at 00:00 there. On success returns 0, sets *t (seconds since
 * the epoch, UTC) and *off (the zone the text was written in, minutes east).
 * Returns -1 when s is not a date or names an impossible one (2022-02-30). */
int dt_parse(const char *s, int default_off, int64_t *t, int *off);

/* Finds a YYYY-MM-DD (or YYYY_MM_DD, YYYYMMDD not accepted) at the start of a
 * file name's last component, as Jekyll and Hexo name posts
 * ("2022-09-17-title.md"); same results as dt_parse. */
int dt_from_filename(const char *path, int default_off, int64_t *t, int *off);

/* Parses a --timezone value: "UTC", "Z", "+08:00", "+0800", "-5", "UTC+8".
 * Returns 0 and *off in minutes east of UTC, or -1. */
int dt_parse_zone(const char *s, int *off);

/* Broken-down civil time of t shifted by off minutes. */
struct dt_civil {
	int year, month, day; /* month 1..12 */
	int hour, min, sec;
	int wday; /* 0 = Sunday */
};
void dt_to_civil(int64_t t, int off, struct dt_civil *c);
/* Days-from-civil and back (proleptic Gregorian). */
int64_t dt_from_civil(int year, int month, int day, int hour, int min, int sec);

/* "2022-09-17T09:15:14Z" (UTC) into out, which holds at least 21 bytes. */
void dt_format_iso_utc(int64_t t, char out[21]);
/* "2022-09-17" in zone off, into out (at least 11 bytes). */
void dt_format_date(int64_t t, int off, char out[11]);

#endif
