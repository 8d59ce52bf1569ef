"""Make classifieds/parse/communes.tsv.gz from the official list of communes.

The source is the npm package ``@etalab/decoupage-administratif`` (INSEE's Code officiel
géographique and La Poste's base officielle des codes postaux, Licence Ouverte / Etalab). Run:

    npm pack @etalab/decoupage-administratif@6.0.0
    tar xzf etalab-decoupage-administratif-6.0.0.tgz
    python scripts/communes_table.py package/data/communes.json

One line per postcode, tab-separated: the postcode, then one field for each name a town it
serves may be printed as: ``kind|official name|INSEE code|commune|department code|population``
of the current commune that name stands for. Kinds: ``C`` a current commune, ``F`` a commune
merged away into it (listed under its chef-lieu's postcodes), ``A`` an arrondissement of Paris,
Lyon or Marseille. One line per postcode lets a parser read only the postcodes its ads name.
The file is gzip-compressed without a timestamp: the same source gives the same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

VERSION = "6.0.0"
OUT = Path(__file__).parent.parent / "classifieds" / "parse" / "communes.tsv.gz"
KINDS = {
    "commune-actuelle": "C",
    "commune-deleguee": "F",
    "commune-associee": "F",
    "arrondissement-municipal": "A",
}


def by_postcode(entries: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Return the fields of each postcode's line."""
    current = {e["code"]: e for e in entries if e["type"] == "commune-actuelle"}
    lines: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        kind = KINDS[entry["type"]]
        commune = current[entry["chefLieu"]] if kind == "F" else entry
        if kind == "A":
            commune = current[entry["commune"]]
        population = commune.get("population")
        fields = (
            kind,
            entry["nom"],
            commune["code"],
            commune["nom"],
            commune["departement"],
            "" if population is None else str(population),
        )
        if any(set(field) & set("|\t\n") for field in fields):
            raise ValueError(f"a separator in {entry}")
        served = entry.get("codesPostaux") if kind != "F" else commune.get("codesPostaux")
        for postcode in served or ():
            lines[postcode].append("|".join(fields))
    return lines


def counts(entries: list[dict[str, Any]]) -> str:
    """Return the source's entries by type, and those no postcode serves (left out)."""
    types = Counter(entry["type"] for entry in entries)
    orphans = sum(
        1
        for e in entries
        if e["type"] in ("commune-actuelle", "arrondissement-municipal")
        and not e.get("codesPostaux")
    )
    listed = ", ".join(f"{name} {n}" for name, n in sorted(types.items()))
    return f"# counts: {listed}; without a postcode (left out): {orphans}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("communes_json", type=Path, help="data/communes.json of the package")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    entries = json.loads(args.communes_json.read_text(encoding="utf-8"))
    header = [
        f"# source: npm package @etalab/decoupage-administratif {VERSION}, data/communes.json"
        f" ({len(entries)} entries)",
        "# data: INSEE Code officiel géographique, La Poste base officielle des codes postaux",
        "# licence: Licence Ouverte / Open Licence (Etalab) 2.0",
        f"# command: npm pack @etalab/decoupage-administratif@{VERSION} &&"
        f" python scripts/communes_table.py package/data/communes.json",
        counts(entries),
        "# line: postcode, then kind|name|insee_code|commune|department_code|population for"
        " each name (kinds: C current, F merged away, A arrondissement)",
    ]
    rows = [
        "\t".join([code, *sorted(names)]) for code, names in sorted(by_postcode(entries).items())
    ]
    text = "\n".join([*header, *rows]) + "\n"
    args.out.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"{args.out}: {len(rows)} rows, {args.out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
