/* fuzz_datetime.c — every date form, the file-name dates and --timezone
 * values, with round-trip checks on what they return.
 *
 * Byte 0 picks the default zone ((b - 128) * 7 minutes, about ±15 h). The
 * rest, up to its first NUL, is the text. Bytes 1-8, when present, are also
 * read as an instant for a civil-time round trip.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "datetime.h"
#include "util.h"

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - ((a % b != 0) && (a < 0));
}

static int
month_days(int y, int m)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : d[m - 1];
}

/* t at off back to civil time and forth again must give t; the fields must
 * be in range. */
static void
check_civil(int64_t t, int off, struct dt_civil *c)
{
	dt_to_civil(t, off, c);
	if (c->month < 1 || c->month > 12 || c->day < 1 || c->day > month_days(c->year, c->month) ||
	    c->hour < 0 || c->hour > 23 || c->min < 0 || c->min > 59 || c->sec < 0 || c->sec > 59 ||
	    c->wday < 0 || c->wday > 6)
		fz_fail("dt_to_civil", "field out of range");
	if (dt_from_civil(c->year, c->month, c->day, c->hour, c->min, c->sec) - (int64_t)off * 60 != t)
		fz_fail("dt_from_civil(dt_to_civil(t)) != t", NULL);
	int64_t days = floor_div(t + (int64_t)off * 60, 86400);
	if (c->wday != (int)(((days + 4) % 7 + 7) % 7))
		fz_fail("dt_to_civil", "wrong weekday");
}

/* A successful parse: the instant shown in the zone it was written in is a
 * year dt_parse accepts, and the formatted forms parse back to it. */
static void
check_parsed(int64_t t, int off)
{
	struct dt_civil c;
	char iso[21], date[11];
	int64_t t2;
	int off2;

	if (off < -(23 * 60 + 59) || off > 23 * 60 + 59)
		fz_fail("zone offset out of range", NULL);
	check_civil(t, off, &c);
	if (c.year < 1000 || c.year > 9999)
		fz_fail("year out of range", NULL);

	dt_format_date(t, off, date);
	if (strlen(date) != 10)
		fz_fail("dt_format_date", date);
	if (dt_parse(date, off, &t2, &off2) != 0)
		fz_fail("dt_format_date's output does not parse", date);
	if (off2 != off || t2 > t || t - t2 >= 86400)
		fz_fail("dt_format_date's output is another day", date);

	struct dt_civil u;
	dt_to_civil(t, 0, &u);
	dt_format_iso_utc(t, iso);
	if (strlen(iso) != 20)
		fz_fail("dt_format_iso_utc", iso);
	if (u.year >= 1000 && u.year <= 9999) {
		if (dt_parse(iso, 90, &t2, &off2) != 0)
			fz_fail("dt_format_iso_utc's output does not parse", iso);
		if (t2 != t || off2 != 0)
			fz_fail("dt_format_iso_utc's output is another instant", iso);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t t;
	int off, zoff;
	struct dt_civil c;

	if (size < 1)
		return 0;
	int def = ((int)data[0] - 128) * 7;
	char *s = xstrndup((const char *)data + 1, size - 1);

	if (dt_parse(s, def, &t, &off) == 0)
		check_parsed(t, off);

	if (dt_from_filename(s, def, &t, &off) == 0) {
		check_parsed(t, off);
		if (off != def)
			fz_fail("dt_from_filename", "a zone other than the default");
		if (floor_div(t + (int64_t)off * 60, 86400) * 86400 != t + (int64_t)off * 60)
			fz_fail("dt_from_filename", "not midnight");
	}

	if (dt_parse_zone(s, &zoff) == 0 && (zoff < -(23 * 60 + 59) || zoff > 23 * 60 + 59))
		fz_fail("dt_parse_zone", "offset out of range");

	if (size >= 9) {
		uint64_t raw;
		memcpy(&raw, data + 1, sizeof raw);
		/* About ±278,000 years: within what the int fields can hold. */
		t = (int64_t)(raw % (UINT64_C(1) << 44)) - (INT64_C(1) << 43);
		check_civil(t, def, &c);
		char iso[21], date[11];
		memset(iso, 'Z', sizeof iso);
		memset(date, 'Z', sizeof date);
		dt_format_iso_utc(t, iso);
		dt_format_date(t, def, date);
		if (memchr(iso, '\0', sizeof iso) == NULL || memchr(date, '\0', sizeof date) == NULL)
			fz_fail("dt_format_*", "not NUL-terminated");
	}
	free(s);
	return 0;
}
