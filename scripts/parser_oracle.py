"""Print every ad whose parsed columns differ between an older revision's parser and this tree's.

A regression oracle for parser changes: it exports the same inputs twice, with the code of
``--old`` (a git revision, checked out in a temporary worktree) and with this tree's, joins the
two datasets on each ad's place in its page (the sightings' ``source`` and ``line``, which no
parser rule changes), and lists the ads whose columns changed, the ads found by one parser only,
and the rejects whose reason changed. Each change is to be judged by hand: wrong to null or to
right is an improvement, right to null or to wrong a regression. ``price_outlier`` is left out:
it is a figure of the whole dataset, not of one ad.

Usage, from the repository's root (inputs as ``classifieds export`` takes them)::

    .venv/bin/python bench/generate.py 3000 /tmp/corpus --unique-share 1
    .venv/bin/python scripts/parser_oracle.py --old 94b7dc9 tests/data seeds /tmp/corpus

It prints, per column, how many distinct ads changed from a value to null, from null to a
value and from a value to another, then each distinct ad (title, detail line, old -> new);
``--work DIR`` keeps both datasets there (default: a temporary folder).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
# Columns that say where or how often an ad was seen, or depend on the whole dataset.
NOT_COMPARED = frozenset(
    {"listing_id", "n_sightings", "first_source", "first_line", "first_seen", "last_seen"}
    | {"first_url", "price_outlier"}
)
Key = tuple[str, int]


def export(code: Path, inputs: list[str], out: Path) -> None:
    """Run ``classifieds export`` with the package found under ``code``."""
    # Run from ``code``: the working folder comes first on sys.path, before PYTHONPATH.
    env = {**os.environ, "PYTHONPATH": str(code)}
    paths = [str(Path(i).resolve()) if i != "-" else i for i in inputs]
    command = [sys.executable, "-m", "classifieds", "export", *paths, "--out", str(out.resolve())]
    subprocess.run(command, env=env, cwd=code, check=True, stdout=subprocess.DEVNULL)


def ads_by_place(out: Path) -> dict[Key, dict[str, Any]]:
    """Return each sighting's listing columns, by its (source, line)."""
    listings = pd.read_parquet(out / "listings.parquet").set_index("listing_id")
    sightings = pd.read_parquet(out / "sightings.parquet", columns=["listing_id", "source", "line"])
    columns = [c for c in listings.columns if c not in NOT_COMPARED]
    records = listings[columns].astype(object).where(listings[columns].notna(), None)
    by_id = records.to_dict("index")
    return {
        (source, int(line)): by_id[listing_id]
        for listing_id, source, line in sightings.itertuples(index=False)
    }


def rejects_by_place(out: Path) -> dict[Key, tuple[str, str]]:
    """Return each reject's (reason, text), by its (source, line)."""
    found = {}
    with open(out / "rejects.jsonl", encoding="utf-8") as lines:
        for line in lines:
            reject = json.loads(line)
            found[(reject["source"], reject["line"] or 0)] = (reject["reason"], reject["text"])
    return found


def kind_of(old: object, new: object) -> str:
    """Return how a value changed: 'to null', 'from null' or 'changed'."""
    return "to null" if new is None else "from null" if old is None else "changed"


def compare(old_out: Path, new_out: Path) -> None:
    """Print the differences between two datasets of the same inputs."""
    old, new = ads_by_place(old_out), ads_by_place(new_out)
    changes: dict[tuple[str, str, tuple[tuple[str, object, object], ...]], int] = {}
    for key in old.keys() & new.keys():
        a, b = old[key], new[key]
        diff = tuple((c, a.get(c), b.get(c)) for c in sorted(a.keys() | b.keys()))
        diff = tuple(d for d in diff if d[1] != d[2])
        if diff:
            ad = (b.get("title") or "", b.get("description") or "", diff)
            changes[ad] = changes.get(ad, 0) + 1
    counts: Counter[tuple[str, str]] = Counter()
    for _, _, diff in changes:
        for column, a, b in diff:
            counts[(column, kind_of(a, b))] += 1
    print(f"# {len(changes)} distinct ads changed ({sum(changes.values())} sightings)")
    by_column: defaultdict[str, dict[str, int]] = defaultdict(dict)
    for (column, kind), n in sorted(counts.items()):
        by_column[column][kind] = n
    for column, kinds in by_column.items():
        print(f"{column:15} " + ", ".join(f"{kind}: {n}" for kind, n in kinds.items()))
    for (title, description, diff), n in sorted(changes.items(), key=lambda item: item[0][:2]):
        shown = "; ".join(f"{c}: {a!r} -> {b!r}" for c, a, b in diff)
        print(f"\n{title!r} [{description!r}] x{n}\n    {shown}")
    for name, keys, side in (
        ("only old", old.keys() - new.keys(), old),
        ("only new", new.keys() - old.keys(), new),
    ):
        print(f"\n# ads {name}: {len(keys)}")
        for key in sorted(keys):
            print(f"  {key[0]}:{key[1]} {side[key].get('title')!r}")
    old_rejects, new_rejects = rejects_by_place(old_out), rejects_by_place(new_out)
    moved = [
        (key, old_rejects.get(key, ("-",))[0], new_rejects.get(key, ("-",))[0])
        for key in sorted(old_rejects.keys() | new_rejects.keys())
        if old_rejects.get(key, ("-",))[0] != new_rejects.get(key, ("-",))[0]
    ]
    print(f"\n# rejects changed: {len(moved)}")
    for (source, line), a, b in moved:
        text = (new_rejects.get((source, line)) or old_rejects[(source, line)])[1]
        print(f"  {source}:{line} {a} -> {b}  {text.splitlines()[-1][:100]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+", help="files and folders, as export takes them")
    parser.add_argument("--old", required=True, help="git revision of the older parser")
    parser.add_argument("--work", type=Path, help="folder to keep both datasets in")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = args.work or Path(scratch)
        tree = Path(scratch) / "old-tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), args.old],
            check=True,
        )
        try:
            export(tree, args.inputs, work / "old")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)])
        export(ROOT, args.inputs, work / "new")
        compare(work / "old", work / "new")


if __name__ == "__main__":
    main()
