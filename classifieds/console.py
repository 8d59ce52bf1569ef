"""What the command line shows people: the export's progress and report, text tables.

Presentation only; the commands in :mod:`classifieds.cli` call these and print the result.
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from tqdm import tqdm

from classifieds.errors import ClassifiedsError
from classifieds.models import REJECT_MEANINGS, Manifest
from classifieds.read import iter_inputs
from classifieds.run.batches import BatchOutput
from classifieds.store.columns import INPUT_COLUMNS, LISTING_COLUMNS, SIGHTING_COLUMNS
from classifieds.store.folder import MANIFEST_JSON

DictionaryFormat = Literal["table", "markdown", "json"]


class ExportProgress:
    """Progress on stderr: a bar (files, pages/s, ads, rejects) and per-file warnings."""

    def __init__(
        self,
        inputs: Sequence[str],
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        *,
        show_bar: bool,
        warn: bool,
    ) -> None:
        self.warn = warn
        self.bar = tqdm(
            disable=not show_bar,
            unit=" files",
            file=sys.stderr,
            dynamic_ncols=True,
            desc="export",
        )
        self.pages = self.sightings = self.rejects = 0
        if show_bar:  # count the files on the side, so the bar can show a total and an ETA
            count = self._count
            threading.Thread(target=count, args=(inputs, include, exclude), daemon=True).start()

    def _count(self, inputs: Sequence[str], include: Sequence[str], exclude: Sequence[str]) -> None:
        with contextlib.suppress(ClassifiedsError, OSError):
            self.bar.total = sum(1 for _ in iter_inputs(inputs, include, exclude))

    def __enter__(self) -> ExportProgress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.bar.close()

    def __call__(self, batch: BatchOutput) -> None:
        self.pages += sum(batch.inputs.pages)
        self.sightings += len(batch.sightings)
        self.rejects += len(batch.rejects)
        self.bar.update(len(batch.inputs))
        # A string: tqdm would print counts as floats (2e+04).
        counts = f"pages={self.pages}, sightings={self.sightings}, rejects={self.rejects}"
        self.bar.set_postfix_str(counts, refresh=False)
        if self.warn:
            for reject in batch.rejects:
                if reject.line == 0:
                    self.bar.write(
                        f"warning: {reject.source}: {reject.reason} ({reject.text})", sys.stderr
                    )


def counted(count: int, noun: str) -> str:
    """Return a count and its noun, plural but for one.

    >>> counted(1, "page"), counted(0, "reject"), counted(12, "listing")
    ('1 page', '0 rejects', '12 listings')
    """
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def export_report(manifest: Manifest, out: str | Path, *, quiet: bool) -> str:
    """Return what an export says it did: one line, then (unless quiet) its files and counts."""
    m = manifest
    out = str(out).rstrip("/") or "/"  # a URL too: a Path would make s3:// s3:/
    lines = [
        f"{counted(m.listings, 'listing')} from {counted(m.sightings, 'sighting')} on"
        f" {counted(m.pages, 'page')} ({m.pages_with_widget} with a widget),"
        f" {counted(m.rejects, 'reject')} -> {out}/"
    ]
    if not quiet:
        if m.inputs_read < m.inputs:
            lines.append(
                f"  read {m.inputs_read} new inputs; {m.inputs - m.inputs_read} were in {out}/"
            )
        lines += [f"  {out}/{name}" for name in [*m.outputs, MANIFEST_JSON]]
        if m.records_skipped:
            lines.append(
                f"  skipped: {m.records_skipped:>7} archive records without a page, or special"
                " files (FIFO, socket)"
            )
        lines += [
            f"  rejects: {count:>7} {reason}" for reason, count in m.rejects_by_reason.items()
        ]
    return "\n".join(lines) + "\n"


def data_dictionary(output_format: DictionaryFormat) -> str:
    """Return the columns of listings, sightings and inputs, and the reject reasons."""
    tables = {"listings": LISTING_COLUMNS, "sightings": SIGHTING_COLUMNS, "inputs": INPUT_COLUMNS}
    if output_format == "json":
        document: dict[str, Any] = {
            name: [
                {"name": c.name, "type": str(c.type), "nullable": c.nullable, "meaning": c.meaning}
                for c in columns
            ]
            for name, columns in tables.items()
        }
        document["reject_reasons"] = dict(REJECT_MEANINGS)
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    markdown = output_format == "markdown"
    parts = [
        text_table(
            f"{name} columns",
            ("column", "type", "meaning"),
            [(c.name, str(c.type) + (", null" if c.nullable else ""), c.meaning) for c in columns],
            markdown=markdown,
        )
        for name, columns in tables.items()
    ]
    parts.append(
        text_table(
            "reject reasons",
            ("reason", "meaning"),
            list(REJECT_MEANINGS.items()),
            markdown=markdown,
        )
    )
    return "\n".join(parts)


def text_table(
    title: str, header: tuple[str, ...], rows: Sequence[tuple[str, ...]], *, markdown: bool = False
) -> str:
    """Return rows as an aligned plain-text table under a title, or as a Markdown table."""
    if markdown:
        lines = [f"**{title}**", "", "| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
        lines += [
            "| "
            + " | ".join(f"`{row[0]}`" if i == 0 else cell for i, cell in enumerate(row))
            + " |"
            for row in rows
        ]
        return "\n".join(lines) + "\n"
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    lines = [
        title.upper(),
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
    ]
    lines += [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    return "\n".join(lines) + "\n"
