/* lang.c — see lang.h. */
#include "lang.h"

#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "util.h"

/* Frequent characters that exist in one script only: Traditional forms
 * whose Simplified counterparts differ, and those counterparts. Code points,
 * sorted, for bsearch. */
static const unsigned trad_only[] = {
	0x4F86, 0x500B, 0x5011, 0x50B3, 0x5169, 0x5225, 0x5247, 0x52D5, 0x52D9, 0x5340, 0x54E1,
	0x554F, 0x55CE, 0x570B, 0x5716, 0x5831, 0x5834, 0x58D3, 0x5B78, 0x5BE6, 0x5BEB, 0x5C07,
	0x5C0D, 0x5C0E, 0x5E2B, 0x5E36, 0x5E6B, 0x5E7E, 0x5EE3, 0x5F8C, 0x5F9E, 0x611B, 0x614B,
	0x61C9, 0x6230, 0x64C7, 0x6578, 0x6642, 0x66F8, 0x6703, 0x6771, 0x689D, 0x696D, 0x6A02,
	0x6A19, 0x6A23, 0x6A5F, 0x6AA2, 0x6B0A, 0x6B61, 0x6B72, 0x6B77, 0x6C23, 0x6C7A, 0x6C92,
	0x6E96, 0x6F22, 0x70BA, 0x7121, 0x722D, 0x73FE, 0x7522, 0x7576, 0x767C, 0x773E, 0x78BA,
	0x7A2E, 0x7BC0, 0x7BC4, 0x7D1A, 0x7D30, 0x7D50, 0x7D55, 0x7D66, 0x7D71, 0x7D93, 0x7DAD,
	0x7DB2, 0x7DDA, 0x7E3D, 0x7FA9, 0x806F, 0x8077, 0x807D, 0x8207, 0x842C, 0x85E5, 0x8655,
	0x865F, 0x88E1, 0x898B, 0x898F, 0x89AA, 0x89BA, 0x89C0, 0x8A08, 0x8A18, 0x8A2D, 0x8A71,
	0x8A8D, 0x8AAA, 0x8ABF, 0x8ACB, 0x8AD6, 0x8B1B, 0x8B49, 0x8B58, 0x8B70, 0x8B77, 0x8B80,
	0x8B8A, 0x8B93, 0x8CA1, 0x8CA8, 0x8CB7, 0x8CBB, 0x8CC7, 0x8CE3, 0x8CEA, 0x8ECA, 0x8F03,
	0x8F49, 0x8FB2, 0x9019, 0x9023, 0x9032, 0x904E, 0x9054, 0x9084, 0x908A, 0x91AB, 0x9280,
	0x9322, 0x932F, 0x9418, 0x9435, 0x9577, 0x9580, 0x958B, 0x9593, 0x95DC, 0x9670, 0x967D,
	0x968A, 0x969B, 0x96AA, 0x96D9, 0x96DE, 0x96E3, 0x96FB, 0x9801, 0x982D, 0x984C, 0x98A8,
	0x98EF, 0x9928, 0x99AC, 0x9A57, 0x9AD4, 0x9B5A, 0x9CE5, 0x9EBC, 0x9EDE,
};
static const unsigned simp_only[] = {
	0x4E07, 0x4E0E, 0x4E1A, 0x4E1C, 0x4E24, 0x4E2A, 0x4E3A, 0x4E48, 0x4E49, 0x4E50, 0x4E66,
	0x4E70, 0x4E89, 0x4EA7, 0x4EB2, 0x4ECE, 0x4EEC, 0x4F17, 0x4F1A, 0x4F20, 0x4F53, 0x5173,
	0x5199, 0x519C, 0x51B3, 0x51C6, 0x51E0, 0x5219, 0x522B, 0x52A1, 0x52A8, 0x533A, 0x533B,
	0x5356, 0x5386, 0x538B, 0x53CC, 0x53D1, 0x53D8, 0x53F7, 0x540E, 0x5417, 0x542C, 0x5458,
	0x56FD, 0x56FE, 0x573A, 0x5904, 0x5934, 0x5B66, 0x5B9E, 0x5BF9, 0x5BFC, 0x5C06, 0x5C81,
	0x5E08, 0x5E26, 0x5E2E, 0x5E7F, 0x5E94, 0x5F00, 0x5F53, 0x6001, 0x603B, 0x6218, 0x62A4,
	0x62A5, 0x62E9, 0x6570, 0x65E0, 0x65F6, 0x673A, 0x6743, 0x6761, 0x6765, 0x6807, 0x6837,
	0x68C0, 0x6B22, 0x6C14, 0x6C49, 0x6CA1, 0x70B9, 0x7231, 0x73B0, 0x7535, 0x786E, 0x79CD,
	0x7EA7, 0x7EBF, 0x7EC6, 0x7ECF, 0x7ED3, 0x7ED9, 0x7EDD, 0x7EDF, 0x7EF4, 0x7F51, 0x804C,
	0x8054, 0x8282, 0x8303, 0x836F, 0x89C1, 0x89C2, 0x89C4, 0x89C9, 0x8BA1, 0x8BA4, 0x8BA9,
	0x8BAE, 0x8BB0, 0x8BB2, 0x8BBA, 0x8BBE, 0x8BC1, 0x8BC6, 0x8BDD, 0x8BF4, 0x8BF7, 0x8BFB,
	0x8C03, 0x8D22, 0x8D27, 0x8D28, 0x8D39, 0x8D44, 0x8F66, 0x8F6C, 0x8F83, 0x8FB9, 0x8FBE,
	0x8FC7, 0x8FD8, 0x8FD9, 0x8FDB, 0x8FDE, 0x91CC, 0x949F, 0x94B1, 0x94C1, 0x94F6, 0x9519,
	0x957F, 0x95E8, 0x95EE, 0x95F4, 0x961F, 0x9633, 0x9634, 0x9645, 0x9669, 0x96BE, 0x9875,
	0x9898, 0x98CE, 0x996D, 0x9986, 0x9A6C, 0x9A8C, 0x9C7C, 0x9E1F, 0x9E21,
};

/* The Han block U+4E00..U+9FFF, two bits a character: 1 Traditional only,
 * 2 Simplified only. Built on the stack for each call from the tables
 * above (a few hundred stores) instead of a search per character. */
#define HAN_FIRST 0x4E00u
#define HAN_LAST 0x9FFFu

static void
han_map(unsigned char map[(HAN_LAST - HAN_FIRST + 1) / 4])
{
	memset(map, 0, (HAN_LAST - HAN_FIRST + 1) / 4);
	for (size_t k = 0; k < sizeof trad_only / sizeof *trad_only; k++) {
		unsigned o = trad_only[k] - HAN_FIRST;
		map[o / 4] |= (unsigned char)(1u << (o % 4 * 2));
	}
	for (size_t k = 0; k < sizeof simp_only / sizeof *simp_only; k++) {
		unsigned o = simp_only[k] - HAN_FIRST;
		map[o / 4] |= (unsigned char)(2u << (o % 4 * 2));
	}
}

const char *
lang_detect(const char *text, size_t len)
{
	size_t han = 0, kana = 0, hangul = 0, latin = 0, trad = 0, simp = 0;
	const unsigned char *p = (const unsigned char *)text;
	size_t limit = len < 4096 ? len : 4096;

	bool in_tag = false, have_map = false;
	unsigned char map[(HAN_LAST - HAN_FIRST + 1) / 4];
	for (size_t i = 0; i < limit;) {
		size_t k = utf8_seq_len(p + i, limit - i);
		if (k == 0) {
			i++;
			continue;
		}
		/* Markup says nothing of the language: skip <...>. */
		if (in_tag) {
			in_tag = p[i] != '>';
		} else if (p[i] == '<' && i + 1 < limit &&
			   (((p[i + 1] | 0x20) >= 'a' && (p[i + 1] | 0x20) <= 'z') ||
			    p[i + 1] == '/' || p[i + 1] == '!')) {
			in_tag = true;
		} else if (k == 1) {
			if ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z')
				latin++;
		} else if (k == 3) {
			unsigned cp = ((p[i] & 0x0Fu) << 12) | ((p[i + 1] & 0x3Fu) << 6) |
				      (p[i + 2] & 0x3Fu);
			if (cp >= HAN_FIRST && cp <= HAN_LAST) {
				han++;
				if (!have_map) {
					han_map(map);
					have_map = true;
				}
				unsigned o = cp - HAN_FIRST, v = (map[o / 4] >> (o % 4 * 2)) & 3u;
				trad += v == 1;
				simp += v == 2;
			} else if (cp >= 0x3400 && cp <= 0x4DBF) {
				han++;
			} else if (cp >= 0x3040 && cp <= 0x30FF) {
				kana++;
			} else if (cp >= 0xAC00 && cp <= 0xD7AF) {
				hangul++;
			}
		}
		i += k;
	}
	/* A Han character stands for a word where Latin text needs several
	 * letters: compare against a third of the letters. */
	if (kana > 0 && kana * 10 >= han && (kana + han) * 3 > latin)
		return "ja";
	if (hangul > 0 && hangul > han && hangul * 3 > latin)
		return "ko";
	if (han > 0 && han * 3 > latin)
		return trad > simp ? "zh-Hant" : "zh-Hans";
	return "en";
}

bool
lang_is(const char *tag, const char *prefix)
{
	size_t n = strlen(prefix);
	return tag != NULL && ascii_ncasecmp(tag, prefix, n) == 0 &&
	       (tag[n] == '\0' || tag[n] == '-');
}

bool
lang_is_cjk(const char *tag)
{
	return lang_is(tag, "zh") || lang_is(tag, "ja") || lang_is(tag, "ko");
}

char *
lang_clean(const char *tag)
{
	char *t = str_trim(xstrdup(tag));
	size_t n = strlen(t), first = n;
	bool ok = n >= 2 && n <= 35;

	for (size_t i = 0; ok && i < n; i++) {
		if (t[i] == '_')
			t[i] = '-';
		if (t[i] == '-') {
			if (i == 0 || t[i - 1] == '-' || i + 1 == n)
				ok = false;
			if (first == n)
				first = i;
		} else if (!ascii_isalnum(t[i])) {
			ok = false;
		}
	}
	if (ok && (first < 2 || first > 3))
		ok = false;
	for (size_t i = 0; ok && i < first; i++)
		if (!ascii_isalpha(t[i]))
			ok = false;
	if (!ok) {
		free(t);
		return NULL;
	}
	/* Chinese by region: the script is what a reader needs. */
	static const char *const hans[] = {"zh-CN", "zh-SG", "zh-Hans-CN"};
	static const char *const hant[] = {"zh-TW", "zh-HK", "zh-MO", "zh-Hant-TW"};
	for (size_t i = 0; i < sizeof hans / sizeof *hans; i++)
		if (ascii_casecmp(t, hans[i]) == 0) {
			free(t);
			return xstrdup("zh-Hans");
		}
	for (size_t i = 0; i < sizeof hant / sizeof *hant; i++)
		if (ascii_casecmp(t, hant[i]) == 0) {
			free(t);
			return xstrdup("zh-Hant");
		}
	return t;
}

static const char *const month_en[] = {"January", "February", "March",     "April",
				       "May",     "June",     "July",      "August",
				       "September", "October", "November", "December"};

char *
lang_year(int year, const char *lang)
{
	if (lang_is(lang, "zh") || lang_is(lang, "ja"))
		return xasprintf("%d年", year);
	if (lang_is(lang, "ko"))
		return xasprintf("%d년", year);
	return xasprintf("%d", year);
}

char *
lang_month_name(int month, const char *lang)
{
	if (lang_is(lang, "zh") || lang_is(lang, "ja"))
		return xasprintf("%d月", month);
	if (lang_is(lang, "ko"))
		return xasprintf("%d월", month);
	return xstrdup(month_en[month - 1]);
}

char *
lang_date(int64_t t, int off, const char *lang)
{
	struct dt_civil c;
	dt_to_civil(t, off, &c);
	if (lang_is(lang, "zh") || lang_is(lang, "ja"))
		return xasprintf("%d年%d月%d日", c.year, c.month, c.day);
	if (lang_is(lang, "ko"))
		return xasprintf("%d년 %d월 %d일", c.year, c.month, c.day);
	return xasprintf("%d %s %d", c.day, month_en[c.month - 1], c.year);
}
