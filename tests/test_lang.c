/* Unit tests: lang.c — language detection, tags, dates per language. */
#include "lang.h"
#include "testutil.h"

static void
test_detect(void **state)
{
	(void)state;
	const char *zh_hans = "<p>全球化来源于国际在产出环节的分工，这个问题说来话长。</p>";
	const char *zh_hant = "<p>早上拉開窗簾，外面已經一片白。這是今年的第一場雪，們說來話長。</p>";
	const char *ja = "<p>今日は雨が降っています。傘を持って出かけましょう。</p>";
	const char *ko = "<p>오늘은 비가 옵니다. 우산을 가지고 나가세요.</p>";
	const char *en = "<p>Plain text outlives every editor I have used.</p>";
	/* Mostly English with a few Chinese words stays English. */
	const char *mixed = "<p>The word 中文 means Chinese; the rest of this paragraph is "
			    "written in English, as is most of the post.</p>";
	assert_string_equal(lang_detect(zh_hans, strlen(zh_hans)), "zh-Hans");
	assert_string_equal(lang_detect(zh_hant, strlen(zh_hant)), "zh-Hant");
	assert_string_equal(lang_detect(ja, strlen(ja)), "ja");
	assert_string_equal(lang_detect(ko, strlen(ko)), "ko");
	assert_string_equal(lang_detect(en, strlen(en)), "en");
	assert_string_equal(lang_detect(mixed, strlen(mixed)), "en");
	assert_string_equal(lang_detect("", 0), "en");
	assert_string_equal(lang_detect("\xff\xfe\xe4", 3), "en");
	/* Chinese with a lot of markup around it is still Chinese. */
	const char *tagged = "<p data-pid=\"eemtUDtd\">全球化来源于国际分工</p><p data-pid=\"x1\">逆全球化</p>";
	assert_string_equal(lang_detect(tagged, strlen(tagged)), "zh-Hans");
	/* A short answer in heavy markup. */
	const char *short_zh = "<div>   \n某人的回答<br><br><p data-pid=\"a1\">写作。</p>"
			       "<a data-draft-node=\"block\" data-draft-type=\"link-card\" "
			       "href=\"https://www.zhihu.com/question/1/answer/2\" "
			       "class=\"internal\">如何坚持写作？</a></div>";
	assert_string_equal(lang_detect(short_zh, strlen(short_zh)), "zh-Hans");
	/* a < b in prose is not markup. */
	const char *lt = "if a < b then the rest is English prose, long enough to count.";
	assert_string_equal(lang_detect(lt, strlen(lt)), "en");
}

static void
test_clean(void **state)
{
	(void)state;
	const char *cases[][2] = {
		{"en", "en"},         {" en-GB ", "en-GB"},   {"zh_CN", "zh-Hans"},
		{"zh-TW", "zh-Hant"}, {"zh-hk", "zh-Hant"},   {"zh-Hans", "zh-Hans"},
		{"ja", "ja"},         {"sr-Latn-RS", "sr-Latn-RS"},
		{"e", NULL},          {"english!", NULL},     {"-en", NULL},
		{"en-", NULL},        {"en--GB", NULL},       {"1a", NULL},
		{"", NULL},           {"abcd", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = lang_clean(cases[i][0]);
		if (cases[i][1] == NULL) {
			if (got != NULL)
				fail_msg("'%s' should be refused, got '%s'", cases[i][0], got);
		} else {
			assert_non_null(got);
			assert_string_equal(got, cases[i][1]);
		}
		free(got);
	}
	assert_true(lang_is("zh-Hant", "zh"));
	assert_false(lang_is("zha", "zh"));
	assert_false(lang_is(NULL, "zh"));
	assert_true(lang_is_cjk("ko-KR"));
	assert_false(lang_is_cjk("en"));
}

static void
test_dates(void **state)
{
	(void)state;
	/* 2022-09-17T09:15:14Z */
	int64_t t = 1663406114;
	char *s = lang_date(t, 0, "zh-Hans");
	assert_string_equal(s, "2022年9月17日");
	free(s);
	s = lang_date(t, 0, "en");
	assert_string_equal(s, "17 September 2022");
	free(s);
	s = lang_date(t, 0, "ko");
	assert_string_equal(s, "2022년 9월 17일");
	free(s);
	s = lang_date(t, 0, "ja");
	assert_string_equal(s, "2022年9月17日");
	free(s);
	/* The zone the post was written in decides the day. */
	s = lang_date(1663430400 - 1, 8 * 60, "en"); /* 2022-09-17T15:59:59Z = 23:59 +08 */
	assert_string_equal(s, "17 September 2022");
	free(s);
	s = lang_date(1663430400, 8 * 60, "en");
	assert_string_equal(s, "18 September 2022");
	free(s);
}

static void
test_headings(void **state)
{
	(void)state;
	char *s;
	s = lang_year(2022, "zh-Hant");
	assert_string_equal(s, "2022年");
	free(s);
	s = lang_year(2022, "en");
	assert_string_equal(s, "2022");
	free(s);
	s = lang_month_name(9, "zh-Hant");
	assert_string_equal(s, "9月");
	free(s);
	s = lang_month_name(9, "en");
	assert_string_equal(s, "September");
	free(s);
	s = lang_month_name(1, "ko");
	assert_string_equal(s, "1월");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_headings),
	};
	return cmocka_run_group_tests_name("lang", tests, NULL, NULL);
}
