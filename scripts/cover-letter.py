#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Carry the subject and text of an old cover letter into a new one.

usage: cover-letter.py OLD NEW   (NEW is rewritten in place)
git format-patch writes '*** SUBJECT HERE ***' and '*** BLURB HERE ***'
placeholders; they are replaced with what OLD had in their place.
"""
import re
import sys


def parts(text):
    """Return (subject, blurb) of a cover letter, or None if it has none."""
    m = re.search(r"^Subject: \[[^]]*\] (.*(?:\n [^\n]*)*)$", text, re.M)
    if not m or "*** SUBJECT HERE ***" in m.group(1):
        return None
    body = text.split("\n\n", 1)[1]
    # The blurb ends where git's shortlog starts: "Name (N):".
    end = re.search(r"^\S.* \(\d+\):$", body, re.M)
    return m.group(1), body[: end.start()] if end else body


def main(old_path, new_path):
    new = open(new_path).read()
    old = parts(open(old_path).read())
    if old is None:
        return
    subject, blurb = old
    new = new.replace("*** SUBJECT HERE ***", subject, 1)
    new = new.replace("*** BLURB HERE ***\n\n", blurb, 1)
    open(new_path, "w").write(new)


if __name__ == "__main__":
    main(*sys.argv[1:3])
