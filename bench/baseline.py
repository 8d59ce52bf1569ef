r"""Baseline (a), the lean scan: read every page, decode it, find its widget with
``str.rfind("Petites Annonces")`` and its detail lines from there with one regex. No typing,
no output: the floor that an export's throughput is measured against.

The regex starts at the postcode, not at the line start: a pattern like
``^.*\(\d{5}\).*Découvrir`` backtracks over every line of every page, and ran 1.8 times slower
than this scan (issue 18): a slow floor flatters the ratios.

Usage: python bench/baseline.py CORPUS_DIR
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

DETAIL_LINE = re.compile(r"\((\d{5})\)[^\n]*?Découvrir")
HEADERS = ("Petites Annonces", "PETITES ANNONCES")


def detail_lines(text: str) -> int:
    """Return the number of detail lines after the page's last widget header."""
    for header in HEADERS:
        start = text.rfind(header)
        if start >= 0:
            return len(DETAIL_LINE.findall(text, start))
    return 0


def main() -> None:
    pages = ads = 0
    for path in sorted(p for p in Path(sys.argv[1]).rglob("*") if p.is_file()):
        ads += detail_lines(path.read_bytes().decode("utf-8", "replace"))
        pages += 1
    print(f"{pages} pages, {ads} detail lines")


if __name__ == "__main__":
    main()
