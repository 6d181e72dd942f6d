#!/usr/bin/env python3
"""Writes a deterministic folder of specimen-style posts for tests and benchmarks.

    gen_posts.py DIR N [--broken K] [--images-base URL] [--images M] [--body-kb KB]

Posts mix HTML (the specimen's shape) and Markdown bodies, Chinese and English
text, and every accepted date form. Each valid post's body holds the marker
"seq-NNNNNN", its rank in oldest-first order, so a test can check the reading
order. With --broken K, K further files are broken in different ways. Prints
the number of valid posts.
"""
import os
import random
import sys
from datetime import datetime, timedelta, timezone

ZH = ("全球化来源于国际在产出环节的分工，逆全球化可能就是这个分工出了问题。"
      "夜跑的好处很直接：不用早起，不用赶时间，跑完洗个澡就能睡个好觉。"
      "正则表达式是一种描述文本模式的小语言，掌握几个基本元素就能解决大部分问题。")
EN = ("Plain text outlives every editor I have used. Files I wrote fifteen years "
      "ago still open, still search, and still diff. The morning felt long, in a "
      "good way, and by noon I had stopped reaching for my pocket. ")
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
DAYS = "Mon Tue Wed Thu Fri Sat Sun".split()


def date_forms(dt, i):
    """The same instant written in one of the accepted forms."""
    k = i % 6
    if k == 0:
        return "%s, %02d %s %d %02d:%02d:%02d GMT" % (
            DAYS[dt.weekday()], dt.day, MONTHS[dt.month - 1], dt.year, dt.hour, dt.minute, dt.second)
    if k == 1:
        return dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    if k == 2:
        return dt.strftime("%Y-%m-%d %H:%M:%S")  # YAML timestamp, UTC
    if k == 3:
        local = dt.astimezone(timezone(timedelta(hours=8)))
        return local.strftime("%Y-%m-%dT%H:%M:%S+08:00")
    if k == 4:
        local = dt.astimezone(timezone(timedelta(hours=-5)))
        return "'%s'" % local.strftime("%Y-%m-%d %H:%M -0500")
    return "\"%s\"" % dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def body_html(rng, seq, kb, zh, images_base, nimages):
    parts = ["<div>", "作者的回答<br><br>" if zh else "An answer<br><br>"]
    size = 0
    pid = 0
    while size < kb * 1024:
        text = (ZH if zh else EN) * rng.randint(1, 3)
        parts.append('<p data-pid="p%d">%s</p>' % (pid, text))
        size += len(text.encode())
        pid += 1
    if images_base:
        parts.append('<p><img src="%s/img/%d.jpg" alt="picture"></p>' % (images_base, seq % nimages))
    parts.append("<p>seq-%06d</p>" % seq)
    parts.append('<a data-draft-node="block" data-draft-type="link-card" '
                 'href="https://example.org/q/%d" class="internal">相关问题 %d</a><p></p>' % (seq, seq))
    parts.append("</div>")
    return "".join(parts)


def body_md(rng, seq, kb, zh):
    out = ["## %s\n" % ("小节" if zh else "A section")]
    size = 0
    while size < kb * 1024:
        text = (ZH if zh else EN) * rng.randint(1, 3)
        out.append(text + "\n")
        size += len(text.encode())
    out.append("| a | b |\n|---|---|\n| 1 | 2 |\n")
    out.append("seq-%06d\n" % seq)
    return "\n".join(out)


BROKEN = [
    ("unclosed.md", "---\ntitle: never closed\ndate: 2020-01-01\n\nbody\n"),
    ("bad-yaml.md", "---\ntitle: [unclosed\ndate: 2020-01-01\n---\nbody\n"),
    ("alias.md", "---\na: &x [1, 2]\nb: *x\ntitle: alias\n---\nbody\n"),
    ("binary.txt", None),
]


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    broken = 0
    images_base = None
    kb = 2
    nimages = 50
    args = sys.argv[3:]
    while args:
        a = args.pop(0)
        if a == "--broken":
            broken = int(args.pop(0))
        elif a == "--images-base":
            images_base = args.pop(0)
        elif a == "--images":
            nimages = int(args.pop(0))
        elif a == "--body-kb":
            kb = int(args.pop(0))
    rng = random.Random(20220917)
    start = datetime(2015, 1, 1, tzinfo=timezone.utc)
    # Distinct instants, shuffled so that file order says nothing.
    instants = sorted(start + timedelta(seconds=rng.randint(0, 8 * 365 * 86400)) for _ in range(n))
    order = list(range(n))
    rng.shuffle(order)
    os.makedirs(out, exist_ok=True)
    for i, seq in enumerate(order):
        dt = instants[seq]
        zh = seq % 3 != 0
        md = seq % 4 == 1
        sub = os.path.join(out, str(dt.year))
        os.makedirs(sub, exist_ok=True)
        title = ("第 %d 篇：关于分工与合作" % seq) if zh else ("Post %d: on plain text" % seq)
        fm = ["", "---", "title: '%s'" % title, "categories:", " - 社交媒体" if zh else " - Notes",
              " - 知乎" if zh else " - Essays", "author: %s" % ("知乎" if zh else "Mei Lin"),
              "date: %s" % date_forms(dt, seq), "tags: [t%d, common]" % (seq % 7), "---", ""]
        body = body_md(rng, seq, kb, zh) if md else body_html(rng, seq, kb, zh, images_base, nimages)
        ext = ".md" if md else ".txt"
        with open(os.path.join(sub, "%06d_%x%s" % (i, rng.getrandbits(32), ext)), "w") as f:
            f.write("\n".join(fm) + body + "\n")
    for k in range(broken):
        name, text = BROKEN[k % len(BROKEN)]
        path = os.path.join(out, "broken-%d-%s" % (k, name))
        if text is None:
            with open(path, "wb") as f:
                f.write(bytes(rng.getrandbits(8) for _ in range(4096)))
        else:
            with open(path, "w") as f:
                f.write(text)
    print(n)


if __name__ == "__main__":
    main()
