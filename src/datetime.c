/* datetime.c — see datetime.h.
 *
 * A small hand-written scanner over the trimmed text: no strptime, no
 * timegm, nothing that looks at the locale or the machine's time zone.
 * Calendar arithmetic is Howard Hinnant's days_from_civil / civil_from_days
 * ("chrono-Compatible Low-Level Date Algorithms") in 64-bit integers, so it
 * is exact for every instant we can represent, before 1970 too.
 */
#include "datetime.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

#define YEAR_MIN 1000
#define YEAR_MAX 9999

/* ------------------------------------------------------------------ */
/* Calendar                                                            */
/* ------------------------------------------------------------------ */

/* Floor division for a possibly negative numerator and a positive divisor. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b) != 0 && a < 0)
		q--;
	return q;
}

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d. */
static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;                                   /* [0, 399] */
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;                                      /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return (m == 2 && is_leap(y)) ? 29 : mdays[m - 1];
}

int64_t
dt_from_civil(int year, int month, int day, int hour, int min, int sec)
{
	return days_from_civil(year, month, day) * 86400 + (int64_t)hour * 3600 +
	       (int64_t)min * 60 + sec;
}

void
dt_to_civil(int64_t t, int off, struct dt_civil *c)
{
	int64_t s = t + (int64_t)off * 60;
	int64_t days = floor_div(s, 86400);
	int64_t rem = s - days * 86400; /* [0, 86399] */
	int64_t y;

	civil_from_days(days, &y, &c->month, &c->day);
	c->year = (int)y;
	c->hour = (int)(rem / 3600);
	c->min = (int)(rem / 60 % 60);
	c->sec = (int)(rem % 60);
	/* 1970-01-01 was a Thursday. */
	c->wday = (int)(days - floor_div(days + 4, 7) * 7 + 4);
}

/* Clamps a field for printing so the fixed-size outputs cannot overflow
 * (instants outside years 0..9999 never come out of dt_parse). */
static int
clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void
dt_format_iso_utc(int64_t t, char out[21])
{
	struct dt_civil c;
	dt_to_civil(t, 0, &c);
	snprintf(out, 21, "%04d-%02d-%02dT%02d:%02d:%02dZ", clamp(c.year, 0, 9999), c.month, c.day,
	         c.hour, c.min, c.sec);
}

void
dt_format_date(int64_t t, int off, char out[11])
{
	struct dt_civil c;
	dt_to_civil(t, off, &c);
	snprintf(out, 11, "%04d-%02d-%02d", clamp(c.year, 0, 9999), c.month, c.day);
}

/* ------------------------------------------------------------------ */
/* Scanner                                                             */
/* ------------------------------------------------------------------ */

/* A cursor over [p, end). */
struct scan {
	const char *p;
	const char *end;
};

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static bool
at_end(const struct scan *sc)
{
	return sc->p >= sc->end;
}

static int
peek(const struct scan *sc)
{
	return at_end(sc) ? -1 : (unsigned char)*sc->p;
}

/* Skips blanks; returns how many were skipped. */
static size_t
skip_space(struct scan *sc)
{
	size_t n = 0;
	while (!at_end(sc) && is_space((unsigned char)*sc->p)) {
		sc->p++;
		n++;
	}
	return n;
}

static bool
accept(struct scan *sc, int c)
{
	if (peek(sc) == c) {
		sc->p++;
		return true;
	}
	return false;
}

/* Reads between min and max decimal digits; returns the number of digits
 * read (0 when fewer than min were there, cursor unchanged). */
static int
digits(struct scan *sc, int min, int max, int *v)
{
	const char *q = sc->p;
	int n = 0, x = 0;
	while (n < max && q < sc->end && is_digit((unsigned char)*q)) {
		x = x * 10 + (*q - '0');
		q++;
		n++;
	}
	if (n < min)
		return 0;
	/* More digits than allowed: not this form. */
	if (q < sc->end && is_digit((unsigned char)*q))
		return 0;
	sc->p = q;
	*v = x;
	return n;
}

/* Reads a run of ASCII letters into buf (NUL-terminated); false when there
 * is none or it does not fit. */
static bool
word(struct scan *sc, char *buf, size_t size)
{
	size_t n = 0;
	const char *q = sc->p;
	while (q < sc->end && ascii_isalpha((unsigned char)*q)) {
		if (n + 1 >= size)
			return false;
		buf[n++] = *q++;
	}
	if (n == 0)
		return false;
	buf[n] = '\0';
	sc->p = q;
	return true;
}

/* ------------------------------------------------------------------ */
/* Zones                                                               */
/* ------------------------------------------------------------------ */

static const struct {
	const char *name;
	int off; /* minutes east */
} zone_names[] = {
    {"GMT", 0},       {"UT", 0},        {"UTC", 0},       {"Z", 0},
    {"EST", -5 * 60}, {"EDT", -4 * 60}, {"CST", -6 * 60}, {"CDT", -5 * 60},
    {"MST", -7 * 60}, {"MDT", -6 * 60}, {"PST", -8 * 60}, {"PDT", -7 * 60},
};

/* A numeric offset: sign, then "h", "hh", "hhmm" or "h:mm"/"hh:mm". Hours up
 * to 23, minutes up to 59. */
static int
numeric_zone(struct scan *sc, int *off)
{
	int sign, h = 0, m = 0, n;

	if (accept(sc, '+'))
		sign = 1;
	else if (accept(sc, '-'))
		sign = -1;
	else
		return -1;
	n = digits(sc, 1, 4, &h);
	if (n == 4) {
		m = h % 100;
		h /= 100;
	} else if (n == 1 || n == 2) {
		if (accept(sc, ':') && digits(sc, 2, 2, &m) != 2)
			return -1;
	} else {
		return -1;
	}
	if (h > 23 || m > 59)
		return -1;
	*off = sign * (h * 60 + m);
	return 0;
}

/* A zone: a name from the table, a numeric offset, or "UTC"/"GMT"/"UT"
 * followed directly by a numeric offset ("UTC+8"). */
static int
zone(struct scan *sc, int *off)
{
	char name[8];
	int c = peek(sc);

	if (c == '+' || c == '-')
		return numeric_zone(sc, off);
	if (!word(sc, name, sizeof name))
		return -1;
	for (size_t i = 0; i < sizeof zone_names / sizeof zone_names[0]; i++) {
		if (ascii_casecmp(name, zone_names[i].name) != 0)
			continue;
		*off = zone_names[i].off;
		c = peek(sc);
		if (zone_names[i].off == 0 && ascii_casecmp(name, "Z") != 0 &&
		    (c == '+' || c == '-'))
			return numeric_zone(sc, off);
		return 0;
	}
	return -1;
}

int
dt_parse_zone(const char *s, int *off)
{
	struct scan sc = {s, s + strlen(s)};
	int o;

	skip_space(&sc);
	while (sc.end > sc.p && is_space((unsigned char)sc.end[-1]))
		sc.end--;
	if (zone(&sc, &o) != 0 || !at_end(&sc))
		return -1;
	*off = o;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Date forms                                                          */
/* ------------------------------------------------------------------ */

struct fields {
	int year, month, day, hour, min, sec;
	bool has_zone;
	int off;
};

static int
finish(const struct fields *f, int default_off, int64_t *t, int *off)
{
	int sec = f->sec;
	int o = f->has_zone ? f->off : default_off;

	if (f->year < YEAR_MIN || f->year > YEAR_MAX || f->month < 1 || f->month > 12 ||
	    f->day < 1 || f->day > days_in_month(f->year, f->month) || f->hour > 23 ||
	    f->min > 59 || sec > 60)
		return -1;
	if (sec == 60) /* a leap second; we have no way to count it */
		sec = 59;
	*t = dt_from_civil(f->year, f->month, f->day, f->hour, f->min, sec) - (int64_t)o * 60;
	*off = o;
	return 0;
}

/* "hh:mm[:ss[.frac]]" (hour one or two digits). */
static int
clock_time(struct scan *sc, struct fields *f, bool frac)
{
	if (digits(sc, 1, 2, &f->hour) == 0 || !accept(sc, ':') || digits(sc, 2, 2, &f->min) == 0)
		return -1;
	if (accept(sc, ':')) {
		if (digits(sc, 2, 2, &f->sec) == 0)
			return -1;
		if (frac && (peek(sc) == '.' || peek(sc) == ',')) {
			sc->p++;
			if (!is_digit(peek(sc)))
				return -1;
			while (is_digit(peek(sc)))
				sc->p++;
		}
	}
	return 0;
}

/* ISO 8601 and its relatives: "YYYY-MM-DD", "YYYY/MM/DD", "YYYY.MM.DD" with
 * one- or two-digit month and day; then optionally 'T' (or blanks) and a
 * clock time, then optionally a zone, blanks before it allowed. */
static int
parse_iso(struct scan *sc, struct fields *f)
{
	int sep;

	if (digits(sc, 4, 4, &f->year) == 0)
		return -1;
	sep = peek(sc);
	if (sep != '-' && sep != '/' && sep != '.')
		return -1;
	sc->p++;
	if (digits(sc, 1, 2, &f->month) == 0 || !accept(sc, sep) || digits(sc, 1, 2, &f->day) == 0)
		return -1;
	if (at_end(sc))
		return 0;
	if (peek(sc) == 'T' || peek(sc) == 't')
		sc->p++;
	else if (skip_space(sc) == 0)
		return -1;
	if (clock_time(sc, f, true) != 0)
		return -1;
	skip_space(sc);
	if (at_end(sc))
		return 0;
	if (zone(sc, &f->off) != 0)
		return -1;
	f->has_zone = true;
	return at_end(sc) ? 0 : -1;
}

static const char *const month_names[12] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december",
};

static const char *const day_names[7] = {
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
};

/* Matches w against a table of full English names, by the full name or its
 * first three letters; returns the index or -1. */
static int
name_index(const char *w, const char *const *names, int n)
{
	size_t len = strlen(w);
	for (int i = 0; i < n; i++) {
		if (ascii_casecmp(w, names[i]) == 0 ||
		    (len == 3 && ascii_ncasecmp(w, names[i], 3) == 0))
			return i;
	}
	return -1;
}

/* RFC 2822 (and RFC 822's two-digit years):
 *   [weekday ","] day month year [hh:mm[:ss] [zone] ["(" comment ")"]]
 * The weekday is not checked against the date: feeds get it wrong, the date
 * itself is what counts. */
static int
parse_rfc2822(struct scan *sc, struct fields *f)
{
	char w[16];
	int ndig;

	if (word(sc, w, sizeof w)) {
		if (name_index(w, day_names, 7) < 0)
			return -1;
		skip_space(sc);
		accept(sc, ',');
		skip_space(sc);
	}
	if (digits(sc, 1, 2, &f->day) == 0 || skip_space(sc) == 0)
		return -1;
	if (!word(sc, w, sizeof w) || (f->month = name_index(w, month_names, 12) + 1) == 0)
		return -1;
	if (skip_space(sc) == 0)
		return -1;
	ndig = digits(sc, 2, 4, &f->year);
	if (ndig == 2)
		f->year += f->year < 50 ? 2000 : 1900;
	else if (ndig == 3)
		f->year += 1900;
	else if (ndig != 4)
		return -1;
	if (skip_space(sc) == 0)
		return at_end(sc) ? 0 : -1;
	if (at_end(sc))
		return 0;
	if (clock_time(sc, f, false) != 0)
		return -1;
	if (skip_space(sc) > 0 && !at_end(sc) && peek(sc) != '(') {
		if (zone(sc, &f->off) != 0)
			return -1;
		f->has_zone = true;
		skip_space(sc);
	}
	if (accept(sc, '(')) {
		while (!at_end(sc) && peek(sc) != ')')
			sc->p++;
		if (!accept(sc, ')'))
			return -1;
		skip_space(sc);
	}
	return at_end(sc) ? 0 : -1;
}

int
dt_parse(const char *s, int default_off, int64_t *t, int *off)
{
	struct scan sc = {s, s + strlen(s)};
	struct fields f;
	int rc = -1;

	skip_space(&sc);
	while (sc.end > sc.p && is_space((unsigned char)sc.end[-1]))
		sc.end--;
	if (at_end(&sc))
		goto out;

	memset(&f, 0, sizeof f);
	if (is_digit(peek(&sc)) && sc.end - sc.p >= 5 && is_digit((unsigned char)sc.p[3]) &&
	    !is_digit((unsigned char)sc.p[4]) && is_digit((unsigned char)sc.p[1]) &&
	    is_digit((unsigned char)sc.p[2])) {
		if (parse_iso(&sc, &f) != 0)
			goto out;
	} else if (parse_rfc2822(&sc, &f) != 0) {
		goto out;
	}
	rc = finish(&f, default_off, t, off);
out:
	return rc;
}

int
dt_from_filename(const char *path, int default_off, int64_t *t, int *off)
{
	const char *base = strrchr(path, '/');
	struct scan sc;
	struct fields f;
	int sep, c;
	int rc = -1;

	base = base ? base + 1 : path;
	sc.p = base;
	sc.end = base + strlen(base);
	memset(&f, 0, sizeof f);
	if (digits(&sc, 4, 4, &f.year) == 0)
		goto out;
	sep = peek(&sc);
	if (sep != '-' && sep != '_')
		goto out;
	sc.p++;
	if (digits(&sc, 1, 2, &f.month) == 0 || !accept(&sc, sep) || digits(&sc, 1, 2, &f.day) == 0)
		goto out;
	c = peek(&sc);
	if (c != -1 && c != '-' && c != '_' && c != '.' && c != ' ')
		goto out;
	rc = finish(&f, default_off, t, off);
out:
	return rc;
}
