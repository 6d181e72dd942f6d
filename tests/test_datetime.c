/* test_datetime.c — every date form of datetime.h.
 *
 * Expected instants were computed independently with GNU date, e.g.
 *   date -u -d 'Sat, 17 Sep 2022 09:15:14 GMT' +%s   → 1663406114
 */
#include "testutil.h"

#include "datetime.h"

struct ok_case {
	const char *in;
	int default_off;
	int64_t t;
	int off;
};

static void
check_ok(const struct ok_case *cs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int64_t t = 12345;
		int off = 12345;
		if (dt_parse(cs[i].in, cs[i].default_off, &t, &off) != 0)
			fail_msg("dt_parse(\"%s\") failed", cs[i].in);
		if (t != cs[i].t || off != cs[i].off)
			fail_msg("dt_parse(\"%s\") = %lld %+d, expected %lld %+d", cs[i].in,
			         (long long)t, off, (long long)cs[i].t, cs[i].off);
	}
}

static void
check_bad(const char *const *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int64_t t = 12345;
		int off = 12345;
		if (dt_parse(in[i], 0, &t, &off) != -1)
			fail_msg("dt_parse(\"%s\") accepted: %lld %+d", in[i], (long long)t, off);
		/* Outputs are untouched on failure. */
		assert_int_equal(t, 12345);
		assert_int_equal(off, 12345);
	}
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void
test_rfc2822(void **state)
{
	(void)state;
	static const struct ok_case cs[] = {
	    {"Sat, 17 Sep 2022 09:15:14 GMT", 0, 1663406114, 0},
	    /* the zone in the text wins over the default */
	    {"Sat, 17 Sep 2022 09:15:14 GMT", 480, 1663406114, 0},
	    {"sat, 17 sep 2022 09:15:14 gmt", 0, 1663406114, 0},
	    {"Saturday, 17 September 2022 09:15:14 UT", 0, 1663406114, 0},
	    {"Sat,17 Sep 2022 09:15:14 UTC", 0, 1663406114, 0},
	    {"Sat , 17  Sep  2022  09:15:14  Z", 0, 1663406114, 0},
	    {"17 Sep 2022 09:15:14 GMT", 0, 1663406114, 0},
	    {"Sat 17 Sep 2022 09:15:14 GMT", 0, 1663406114, 0},
	    {"17 Sep 2022 09:15 +0800", 0, 1663377300, 480},
	    {"17 Sep 2022 09:15:14 +08:00", 0, 1663377314, 480},
	    {"17 Sep 2022 09:15:14 -0330", 0, 1663418714, -210},
	    {"Sat, 17 Sep 2022 09:15:14 +0000 (UTC)", 0, 1663406114, 0},
	    /* the weekday is not checked against the date (7 Sep was a Wednesday) */
	    {"Sat, 7 Sep 2022 09:15:14 GMT", 0, 1662542114, 0},
	    {"Wed, 07 Sep 2022 9:15:14 GMT", 0, 1662542114, 0},
	    /* no zone: the default */
	    {"17 Sep 2022 09:15:14", 0, 1663406114, 0},
	    {"17 Sep 2022 09:15:14", -300, 1663406114 + 18000, -300},
	    /* no time: midnight in the default zone */
	    {"17 Sep 2022", 480, 1663372800 - 28800, 480},
	    /* two- and three-digit years (RFC 5322 §4.3) */
	    {"Sat, 17 Sep 22 09:15:14 GMT", 0, 1663406114, 0},
	    {"17 Sep 99 00:00 GMT", 0, 937526400, 0},
	    {"1 Jun 49 00:00 GMT", 0, 2506118400, 0},
	    {"1 Jun 50 00:00 GMT", 0, -618105600, 0},
	    {"1 Jun 122 00:00 GMT", 0, 1654041600, 0},
	    /* leading and trailing white space */
	    {"  \tSat, 17 Sep 2022 09:15:14 GMT \r\n", 0, 1663406114, 0},
	};
	check_ok(cs, N(cs));
}

static void
test_rfc2822_us_zones(void **state)
{
	(void)state;
	static const struct ok_case cs[] = {
	    {"17 Sep 2022 09:15:14 EST", 0, 1663406114 + 5 * 3600, -300},
	    {"17 Sep 2022 09:15:14 EDT", 0, 1663406114 + 4 * 3600, -240},
	    {"17 Sep 2022 09:15:14 CST", 0, 1663406114 + 6 * 3600, -360},
	    {"17 Sep 2022 09:15:14 CDT", 0, 1663406114 + 5 * 3600, -300},
	    {"17 Sep 2022 09:15:14 MST", 0, 1663406114 + 7 * 3600, -420},
	    {"17 Sep 2022 09:15:14 MDT", 0, 1663406114 + 6 * 3600, -360},
	    {"17 Sep 2022 09:15:14 PST", 0, 1663406114 + 8 * 3600, -480},
	    {"17 Sep 2022 09:15:14 pdt", 0, 1663406114 + 7 * 3600, -420},
	};
	check_ok(cs, N(cs));
}

static void
test_iso8601(void **state)
{
	(void)state;
	static const struct ok_case cs[] = {
	    {"2022-09-17T09:15:14Z", 0, 1663406114, 0},
	    {"2022-09-17T09:15:14z", 0, 1663406114, 0},
	    {"2022-09-17t09:15:14Z", 0, 1663406114, 0},
	    {"2022-09-17 09:15:14 +08:00", 0, 1663377314, 480},
	    {"2022-09-17T09:15:14+08:00", 0, 1663377314, 480},
	    {"2022-09-17T09:15:14+0800", 0, 1663377314, 480},
	    {"2022-09-17T09:15:14+08", 0, 1663377314, 480},
	    {"2022-09-17T09:15:14 UTC", 0, 1663406114, 0},
	    {"2022-09-17T09:15:14-03:30", 0, 1663418714, -210},
	    {"2022-09-17T09:15", 0, 1663406100, 0},
	    {"2022-09-17T09:15Z", 0, 1663406100, 0},
	    {"2022-09-17T09:15:14.123456Z", 0, 1663406114, 0},
	    {"2022-09-17T09:15:14.999+08:00", 0, 1663377314, 480},
	    {"2022-09-17T09:15:14,5+0800", 0, 1663377314, 480},
	    {"2022-09-17T9:15:14Z", 0, 1663406114, 0},
	    {"2022-09-17 09:15:14", 0, 1663406114, 0},
	    {"2022-09-17   09:15:14", 0, 1663406114, 0},
	    {"2022-09-17\t09:15:14", 0, 1663406114, 0},
	    /* no zone: the default one */
	    {"2022-09-17 09:15:14", 480, 1663377314, 480},
	    {"2022-09-17", 0, 1663372800, 0},
	    {"2022-09-17", -300, 1663372800 + 18000, -300},
	    {"2022-9-7", 0, 1662508800, 0},
	    {"2022/09/17 09:15", 0, 1663406100, 0},
	    {"2022/09/17", 0, 1663372800, 0},
	    {"2022.09.17", 0, 1663372800, 0},
	    {"2022.09.17 09:15:14 +08:00", 0, 1663377314, 480},
	    {"  2022-09-17  \n", 0, 1663372800, 0},
	};
	check_ok(cs, N(cs));
}

/* The YAML 1.1 timestamp examples (yaml.org/type/timestamp.html). */
static void
test_yaml_timestamps(void **state)
{
	(void)state;
	static const struct ok_case cs[] = {
	    {"2001-12-15T02:59:43.1Z", 0, 1008385183, 0},
	    {"2001-12-14t21:59:43.10-05:00", 0, 1008385183, -300},
	    {"2001-12-14 21:59:43.10 -5", 0, 1008385183, -300},
	    {"2001-12-15 2:59:43.10", 0, 1008385183, 0},
	    {"2002-12-14", 0, 1039824000, 0},
	};
	check_ok(cs, N(cs));
}

static void
test_ranges_and_leap_years(void **state)
{
	(void)state;
	static const struct ok_case cs[] = {
	    {"2000-02-29", 0, 951782400, 0},
	    {"2024-02-29 12:00", 0, 1709208000, 0},
	    {"29 Feb 2024 12:00 GMT", 0, 1709208000, 0},
	    /* a leap second is clamped to :59 */
	    {"2016-12-31T23:59:60Z", 0, 1483228799, 0},
	    {"2016-12-31T23:59:59Z", 0, 1483228799, 0},
	    {"1000-01-01", 0, -30610224000, 0},
	    {"9999-12-31T23:59:59Z", 0, 253402300799, 0},
	};
	check_ok(cs, N(cs));
}

static void
test_negative_epoch(void **state)
{
	(void)state;
	static const struct ok_case cs[] = {
	    {"1969-12-31T23:59:59Z", 0, -1, 0}, {"1970-01-01T00:00:00+00:01", 0, -60, 1},
	    {"1900-01-01", 0, -2208988800, 0},  {"1960-03-01", 0, -310435200, 0},
	    {"1066-10-14", 0, -28502755200, 0}, {"Wed, 31 Dec 1969 23:59:59 GMT", 0, -1, 0},
	};
	check_ok(cs, N(cs));
}

static void
test_invalid(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "",
	    "   ",
	    "yesterday",
	    "now",
	    "2022",
	    "20220917",
	    "2022-13-01",
	    "2022-00-10",
	    "2022-09-00",
	    "2022-02-30",
	    "2022-04-31",
	    "2023-02-29",
	    "1900-02-29",
	    "2100-02-29",
	    "2022-09-17T24:00",
	    "2022-09-17T23:60",
	    "2022-09-17T23:59:61",
	    "2022-09-17T09",
	    "2022-09-17T",
	    "2022-09-17X",
	    "2022-09/17",
	    "2022-123-01",
	    "2022-09-171",
	    "0999-01-01",
	    "999-01-01",
	    "10000-01-01",
	    "2022-09-17T09:15:14+2400",
	    "2022-09-17T09:15:14+0860",
	    "2022-09-17T09:15:14+530",
	    "2022-09-17T09:15:14+8:0",
	    "2022-09-17T09:15:14 EST5",
	    "2022-09-17T09:15:14 XYZ",
	    "2022-09-17T09:15:14.Z",
	    "2022-09-17T09:15:14Z+1",
	    "2022-09-17T09:15:14 +0800 extra",
	    "2022-09-17T09:15:14ZZ",
	    "32 Sep 2022",
	    "0 Sep 2022",
	    "31 Sep 2022",
	    "17 Sepx 2022",
	    "17 Sept 2022",
	    "17 2022",
	    "Foo, 17 Sep 2022",
	    "Sat, , 17 Sep 2022",
	    "17 Sep 2022 09:15:14 XYZ",
	    "17 Sep 2022 9",
	    "17 Sep 2022 09:15:14+0800",
	    "17 Sep 1 00:00 GMT",
	    "17 Sep 12345 00:00 GMT",
	    "Sat, 17 Sep 2022 09:15:14 GMT (unclosed",
	    "Sat, 17 Sep 2022 09:15:14 GMT trailing",
	    "2022-09-17\xe5\xb9\xb4",
	    "\xff\xfe",
	};
	check_bad(bad, N(bad));
}

static void
test_from_filename(void **state)
{
	(void)state;
	static const struct ok_case cs[] = {
	    {"2022-09-17-title.md", 0, 1663372800, 0},
	    {"posts/2021/2022_09_17_title.md", 0, 1663372800, 0},
	    {"2022-09-17.md", 0, 1663372800, 0},
	    {"2022-09-17 title.md", 0, 1663372800, 0},
	    {"2022-09-17", 0, 1663372800, 0},
	    {"a/b/2022-9-7-x.md", 0, 1662508800, 0},
	    {"/abs/2022-09-17-x.md", 480, 1663372800 - 28800, 480},
	};
	static const char *const bad[] = {
	    "title-2022-09-17.md",
	    "20220917-title.md",
	    "2022-09-17title.md",
	    "2022-09_17-x.md",
	    "2022-02-30-x.md",
	    "2022-09-17/post.md",
	    "",
	    "2022-09-17+x.md",
	    "dir/",
	};
	for (size_t i = 0; i < N(cs); i++) {
		int64_t t = 0;
		int off = 0;
		if (dt_from_filename(cs[i].in, cs[i].default_off, &t, &off) != 0)
			fail_msg("dt_from_filename(\"%s\") failed", cs[i].in);
		if (t != cs[i].t || off != cs[i].off)
			fail_msg("dt_from_filename(\"%s\") = %lld %+d", cs[i].in, (long long)t,
			         off);
	}
	for (size_t i = 0; i < N(bad); i++) {
		int64_t t = 0;
		int off = 0;
		if (dt_from_filename(bad[i], 0, &t, &off) != -1)
			fail_msg("dt_from_filename(\"%s\") accepted", bad[i]);
	}
}

static void
test_parse_zone(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int off;
	} ok[] = {
	    {"UTC", 0},          {"utc", 0},   {"Z", 0},      {"GMT", 0},       {"+08:00", 480},
	    {"+0800", 480},      {"+8", 480},  {"-5", -300},  {"-05:30", -330}, {"UTC+8", 480},
	    {"GMT-03:30", -210}, {" UTC ", 0}, {"EST", -300}, {"+00:00", 0},    {"-0000", 0},
	    {"+23:59", 1439},
	};
	static const char *const bad[] = {
	    "",    "  ",           "+",     "8",        "0800",   "+24",   "+0860", "+530", "UTC+",
	    "Z+1", "Europe/Paris", "local", "+08:00 x", "UTC +8", "+08:0", "++8",
	};
	for (size_t i = 0; i < N(ok); i++) {
		int off = 12345;
		if (dt_parse_zone(ok[i].in, &off) != 0)
			fail_msg("dt_parse_zone(\"%s\") failed", ok[i].in);
		if (off != ok[i].off)
			fail_msg("dt_parse_zone(\"%s\") = %d, expected %d", ok[i].in, off,
			         ok[i].off);
	}
	for (size_t i = 0; i < N(bad); i++) {
		int off = 12345;
		if (dt_parse_zone(bad[i], &off) != -1)
			fail_msg("dt_parse_zone(\"%s\") accepted: %d", bad[i], off);
		assert_int_equal(off, 12345);
	}
}

static void
expect_civil(int64_t t, int off, int y, int mo, int d, int h, int mi, int s, int wday)
{
	struct dt_civil c;
	dt_to_civil(t, off, &c);
	if (c.year != y || c.month != mo || c.day != d || c.hour != h || c.min != mi ||
	    c.sec != s || c.wday != wday)
		fail_msg("dt_to_civil(%lld, %d) = %04d-%02d-%02d %02d:%02d:%02d wday %d",
		         (long long)t, off, c.year, c.month, c.day, c.hour, c.min, c.sec, c.wday);
}

static void
test_to_civil(void **state)
{
	(void)state;
	expect_civil(0, 0, 1970, 1, 1, 0, 0, 0, 4);
	expect_civil(-1, 0, 1969, 12, 31, 23, 59, 59, 3);
	expect_civil(0, -60, 1969, 12, 31, 23, 0, 0, 3);
	expect_civil(1663406114, 0, 2022, 9, 17, 9, 15, 14, 6);
	expect_civil(1663406114, 480, 2022, 9, 17, 17, 15, 14, 6);
	expect_civil(1663406114, -600, 2022, 9, 16, 23, 15, 14, 5);
	expect_civil(951782400, 0, 2000, 2, 29, 0, 0, 0, 2);
	expect_civil(-30610224000, 0, 1000, 1, 1, 0, 0, 0, 3);   /* a Wednesday */
	expect_civil(-28502755200, 0, 1066, 10, 14, 0, 0, 0, 0); /* a Sunday */
	expect_civil(-2208988800, 0, 1900, 1, 1, 0, 0, 0, 1);    /* a Monday */
	expect_civil(253402300799, 0, 9999, 12, 31, 23, 59, 59, 5);
}

/* Every day from 1600 to 2400: dt_from_civil counts days without gaps, and
 * dt_to_civil inverts it, weekday included. */
static void
test_civil_round_trip(void **state)
{
	(void)state;
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int64_t prev = dt_from_civil(1599, 12, 31, 0, 0, 0);
	int wday = -1;

	for (int y = 1600; y <= 2400; y++) {
		bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		for (int m = 1; m <= 12; m++) {
			int nd = mdays[m - 1] + (m == 2 && leap);
			for (int d = 1; d <= nd; d++) {
				struct dt_civil c;
				int64_t t = dt_from_civil(y, m, d, 12, 34, 56);
				int64_t day = dt_from_civil(y, m, d, 0, 0, 0);
				if (day != prev + 86400)
					fail_msg("gap before %04d-%02d-%02d", y, m, d);
				prev = day;
				dt_to_civil(t, 0, &c);
				if (c.year != y || c.month != m || c.day != d || c.hour != 12 ||
				    c.min != 34 || c.sec != 56)
					fail_msg("round trip of %04d-%02d-%02d", y, m, d);
				if (wday >= 0 && c.wday != (wday + 1) % 7)
					fail_msg("weekday of %04d-%02d-%02d", y, m, d);
				wday = c.wday;
			}
		}
	}
	assert_int_equal(dt_from_civil(1970, 1, 1, 0, 0, 0), 0);
	assert_int_equal(dt_from_civil(2000, 3, 1, 0, 0, 0), 951868800);
}

static void
test_format(void **state)
{
	(void)state;
	char iso[21], date[11];

	dt_format_iso_utc(1663406114, iso);
	assert_string_equal(iso, "2022-09-17T09:15:14Z");
	dt_format_iso_utc(-1, iso);
	assert_string_equal(iso, "1969-12-31T23:59:59Z");
	dt_format_iso_utc(0, iso);
	assert_string_equal(iso, "1970-01-01T00:00:00Z");
	dt_format_iso_utc(-30610224000, iso);
	assert_string_equal(iso, "1000-01-01T00:00:00Z");

	dt_format_date(1663372799, 0, date);
	assert_string_equal(date, "2022-09-16");
	dt_format_date(1663372799, 60, date);
	assert_string_equal(date, "2022-09-17");
	dt_format_date(1663372800, -1, date);
	assert_string_equal(date, "2022-09-16");
	dt_format_date(-1, 0, date);
	assert_string_equal(date, "1969-12-31");

	/* What dt_parse reads, the formatters write back. */
	int64_t t;
	int off;
	assert_int_equal(dt_parse("2022-09-17 23:30 -05:00", 0, &t, &off), 0);
	dt_format_iso_utc(t, iso);
	assert_string_equal(iso, "2022-09-18T04:30:00Z");
	dt_format_date(t, off, date);
	assert_string_equal(date, "2022-09-17");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc2822),
	    cmocka_unit_test(test_rfc2822_us_zones),
	    cmocka_unit_test(test_iso8601),
	    cmocka_unit_test(test_yaml_timestamps),
	    cmocka_unit_test(test_ranges_and_leap_years),
	    cmocka_unit_test(test_negative_epoch),
	    cmocka_unit_test(test_invalid),
	    cmocka_unit_test(test_from_filename),
	    cmocka_unit_test(test_parse_zone),
	    cmocka_unit_test(test_to_civil),
	    cmocka_unit_test(test_civil_round_trip),
	    cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
