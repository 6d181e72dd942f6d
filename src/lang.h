/* lang.h — the language of a post and how its dates are written.
 * Pure functions over strings; no locale. */
#ifndef POST2EPUB_LANG_H
#define POST2EPUB_LANG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A guess from the scripts of the first 4 KiB of text: "ja" when kana are
 * common, "ko" for Hangul, "zh-Hant" or "zh-Hans" when Han ideographs
 * outnumber Latin letters (Traditional when characters only Traditional
 * Chinese uses outnumber those only Simplified uses), else "en". Markup
 * (<...>) is skipped. */
const char *lang_detect(const char *text, size_t len);

/* tag as a well-formed BCP 47 tag of the common shape (letters, digits,
 * hyphens; a primary subtag of 2–3 letters; "_" taken as "-"; "zh-CN",
 * "zh-SG" → "zh-Hans", "zh-TW", "zh-HK", "zh-MO" → "zh-Hant"), or NULL.
 * Caller frees. */
char *lang_clean(const char *tag);

/* True when tag's primary subtag is prefix ("zh" matches "zh-Hant"). */
bool lang_is(const char *tag, const char *prefix);
/* Chinese, Japanese or Korean. */
bool lang_is_cjk(const char *tag);

/* The date of t in zone off as a reader of lang writes it:
 * "2022年9月17日" (zh, ja), "2022년 9월 17일" (ko), "17 September 2022".
 * Caller frees. */
char *lang_date(int64_t t, int off, const char *lang);

/* Headings of a table of contents: a year, "2022" / "2022年" / "2022년",
 * and a month under it, "September" / "9月" / "9월". Caller frees. */
char *lang_year(int year, const char *lang);
char *lang_month_name(int month, const char *lang);

#endif
