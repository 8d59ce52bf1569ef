"""Baseline (a): read every page and find the widget's detail lines with one regex. No typing,
no output: the floor that an export's throughput is measured against.

Usage: python bench/baseline.py CORPUS_DIR
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

DETAIL_LINE = re.compile(rb"^.*\(\d{5}\).*D\xc3\xa9couvrir\s*$", re.MULTILINE)


def main() -> None:
    pages = ads = 0
    for path in sorted(p for p in Path(sys.argv[1]).rglob("*") if p.is_file()):
        ads += len(DETAIL_LINE.findall(path.read_bytes()))
        pages += 1
    print(f"{pages} pages, {ads} detail lines")


if __name__ == "__main__":
    main()
