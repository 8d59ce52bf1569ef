"""The ``classifieds`` command line: click commands only, the work is done by the library."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from tqdm import tqdm

from classifieds._version import __version__
from classifieds.batches import BatchOutput
from classifieds.dataset import (
    INPUT_COLUMNS,
    LISTING_COLUMNS,
    MANIFEST_JSON,
    SIGHTING_COLUMNS,
    Column,
    load,
    load_sightings,
)
from classifieds.errors import ClassifiedsError, InputError, QueryError
from classifieds.export import build
from classifieds.formats import DEFAULT_JSONL_FIELDS, JsonlFields
from classifieds.models import REJECT_MEANINGS, Manifest
from classifieds.sources import iter_inputs
from classifieds.timeline import history as price_history
from classifieds.timeline import history_records

if TYPE_CHECKING:
    import pandas as pd

    from classifieds.charts import PlotKind
    from classifieds.report import Format

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
DEFAULT_INPUT = Path("seeds")
DEFAULT_DATASET = Path("data")
SUMMARY_FORMATS = ("table", "csv", "json", "markdown")
"""The formats of :mod:`classifieds.report`, named here so that the CLI starts without pandas."""


class _MissingInput(click.ClickException):
    """A usage error told in one line: exit code 2, no usage text."""

    exit_code = 2


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="classifieds")
def cli() -> None:
    """Turn the "Petites Annonces" widget of scraped news pages into a dataset of ads.

    Example:

        classifieds export crawl/ --out data/
    """


@cli.command()
@click.argument("inputs", nargs=-1, type=click.Path(exists=True, allow_dash=True))
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False),
    default="data",
    show_default=True,
    help="Dataset folder to write.",
)
@click.option(
    "--csv-dialect",
    type=click.Choice(["default", "excel-fr"]),
    default="default",
    show_default=True,
    help="excel-fr: ';', decimal comma, BOM, formulas neutralised.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: one per CPU).",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="dask: run on a Dask cluster (pip install 'classifieds[dask]').",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: start a local cluster).",
)
@click.option(
    "--include",
    multiple=True,
    metavar="GLOB",
    help="Read only the files of folders whose relative path matches (repeatable).",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Skip the files of folders whose relative path matches (repeatable).",
)
@click.option(
    "--jsonl-text-field",
    default=DEFAULT_JSONL_FIELDS.text,
    show_default=True,
    help="JSON Lines field holding a page's text.",
)
@click.option(
    "--jsonl-html-field",
    default=DEFAULT_JSONL_FIELDS.html,
    show_default=True,
    help="JSON Lines field holding a page's HTML (when it has no text field).",
)
@click.option(
    "--jsonl-url-field",
    default=DEFAULT_JSONL_FIELDS.url,
    show_default=True,
    help="JSON Lines field holding a page's URL.",
)
@click.option(
    "--jsonl-date-field",
    default=DEFAULT_JSONL_FIELDS.date,
    show_default=True,
    help="JSON Lines field holding a page's capture date (ISO 8601 or epoch seconds).",
)
@click.option(
    "--append",
    is_flag=True,
    help="Add INPUTS to the dataset in --out; inputs it holds already are not read again.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar; a one-line summary.")
@click.option("-v", "--verbose", is_flag=True, help="Warn on stderr about every rejected file.")
def export(
    inputs: tuple[str, ...],
    out: str,
    csv_dialect: str,
    jobs: int | None,
    engine: str,
    scheduler: str | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    jsonl_text_field: str,
    jsonl_html_field: str,
    jsonl_url_field: str,
    jsonl_date_field: str,
    append: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Parse pages (files, folders, - for stdin) and write the dataset to --out.

    Reads text and HTML pages, WARC archives and JSON Lines, plain or compressed (gzip,
    bzip2, xz, zstd). Writes listings.parquet, listings.csv, sightings.parquet, rejects.jsonl
    and manifest.json. With no INPUTS, reads seeds/. Rejected ads and files do not fail the
    run: they are counted and written to rejects.jsonl. A progress bar shows on stderr when
    it is a terminal.

    Examples:

        classifieds export crawl/ --out data/

        classifieds export crawl/2024-06/ --out data/ --append

        classifieds export crawls/ --include '*.warc.gz' --exclude 'tmp/*'

        cat page.txt | classifieds export - -o /tmp/one-page

        classifieds export /shared/crawl --engine dask --scheduler tcp://10.0.0.5:8786
    """
    if not inputs:
        if not DEFAULT_INPUT.is_dir():
            raise click.UsageError(
                "No INPUTS given and no seeds/ folder here: name the pages to read."
            )
        inputs = (str(DEFAULT_INPUT),)
    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler goes with --engine dask.")
    fields = JsonlFields(jsonl_text_field, jsonl_html_field, jsonl_url_field, jsonl_date_field)
    progress = _Progress(
        inputs, include, exclude, show_bar=not quiet and sys.stderr.isatty(), warn=verbose
    )
    try:
        with progress:
            manifest = build(
                inputs,
                out,
                csv_dialect="excel-fr" if csv_dialect == "excel-fr" else "default",
                jobs=jobs,
                engine="dask" if engine == "dask" else "local",
                scheduler=scheduler,
                progress=progress,
                include=include,
                exclude=exclude,
                jsonl_fields=fields,
                append=append,
            )
    except InputError as error:
        raise click.UsageError(str(error)) from error
    except ClassifiedsError as error:
        raise click.ClickException(str(error)) from error
    _report(manifest, Path(out), quiet=quiet)


class _Progress:
    """Progress on stderr: a bar (files, pages/s, ads, rejects) and per-file warnings."""

    def __init__(
        self,
        inputs: tuple[str, ...],
        include: tuple[str, ...] = (),
        exclude: tuple[str, ...] = (),
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
        self.pages = self.ads = self.rejects = 0
        if show_bar:  # count the files on the side, so the bar can show a total and an ETA
            count = self._count
            threading.Thread(target=count, args=(inputs, include, exclude), daemon=True).start()

    def _count(
        self, inputs: tuple[str, ...], include: tuple[str, ...], exclude: tuple[str, ...]
    ) -> None:
        with contextlib.suppress(ClassifiedsError, OSError):
            self.bar.total = sum(1 for _ in iter_inputs(inputs, include, exclude))

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.bar.close()

    def __call__(self, batch: BatchOutput) -> None:
        self.pages += sum(stats.pages for stats in batch.inputs)
        self.ads += len(batch.sightings)
        self.rejects += len(batch.rejects)
        self.bar.update(len(batch.inputs))
        self.bar.set_postfix(pages=self.pages, ads=self.ads, rejects=self.rejects, refresh=False)
        if self.warn:
            for reject in batch.rejects:
                if reject.line == 0:
                    self.bar.write(
                        f"warning: {reject.source}: {reject.reason} ({reject.text})", sys.stderr
                    )


def _report(manifest: Manifest, out: Path, *, quiet: bool) -> None:
    m = manifest
    click.echo(
        f"{m.listings} listings from {m.sightings} sightings on {m.pages} pages"
        f" ({m.pages_with_widget} with a widget), {m.rejects} rejects -> {out}/"
    )
    if quiet:
        return
    if m.inputs_read < m.inputs:
        click.echo(f"  read {m.inputs_read} new inputs; {m.inputs - m.inputs_read} were in {out}/")
    for name in [*manifest.outputs, MANIFEST_JSON]:
        click.echo(f"  {out / name}")
    if m.records_skipped:
        click.echo(f"  skipped: {m.records_skipped:>7} archive records without a page")
    if manifest.rejects:
        for reason, count in manifest.rejects_by_reason.items():
            click.echo(f"  rejects: {count:>7} {reason}")


@cli.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "markdown", "json"]),
    default="table",
    show_default=True,
    help="How to print the dictionary.",
)
def schema(output_format: str) -> None:
    """Print the data dictionary: the columns of listings and sightings, and reject reasons.

    Example:

        classifieds schema --format markdown
    """
    tables: dict[str, tuple[Column, ...]] = {
        "listings": LISTING_COLUMNS,
        "sightings": SIGHTING_COLUMNS,
        "inputs": INPUT_COLUMNS,
    }
    if output_format == "json":
        document: dict[str, Any] = {
            name: [
                {"name": c.name, "type": str(c.type), "nullable": c.nullable, "meaning": c.meaning}
                for c in columns
            ]
            for name, columns in tables.items()
        }
        document["reject_reasons"] = REJECT_MEANINGS
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    markdown = output_format == "markdown"
    for name, columns in tables.items():
        rows = [
            (c.name, str(c.type) + (", null" if c.nullable else ""), c.meaning) for c in columns
        ]
        click.echo(_table(f"{name} columns", ("column", "type", "meaning"), rows, markdown))
    reasons = list(REJECT_MEANINGS.items())
    click.echo(_table("reject reasons", ("reason", "meaning"), reasons, markdown), nl=False)


@cli.command()
@click.argument("listing_id")
@click.argument("dataset", default="data", type=click.Path())
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="How to print the history.",
)
def history(listing_id: str, dataset: str, output_format: str) -> None:
    """Print the price history of one ad: when (or where) it was seen, at what price.

    DATASET is an export folder or its sightings.parquet (default data/). Sightings are in
    time order by capture date; undated ones (text files) come first, in input order.

    Example:

        classifieds history 1007d86089d41720 data/
    """
    try:
        sightings = load_sightings(dataset)
    except InputError as error:
        raise click.UsageError(str(error)) from error
    seen = price_history(sightings, listing_id)
    if seen.empty:
        raise click.BadParameter(
            f"no listing {listing_id} in {dataset}. Copy an id from the listing_id column"
            " of listings.csv.",
            param_hint="LISTING_ID",
        )
    rows = history_records(seen)
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif output_format == "csv":
        lines = io.StringIO()
        writer = csv.DictWriter(lines, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(lines.getvalue(), nl=False)
    else:  # columns that are null throughout (no URLs, no dates) are left out
        columns = [name for name in rows[0] if any(row[name] is not None for row in rows)]
        cells = [tuple(_cell(row[name]) for name in columns) for row in rows]
        click.echo(_table("price history", tuple(columns), cells, False), nl=False)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return repr(value).removesuffix(".0")
    return str(value)


def _table(
    title: str, header: tuple[str, ...], rows: Sequence[tuple[str, ...]], markdown: bool
) -> str:
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


@cli.command()
@click.argument("dataset", required=False, default=DEFAULT_DATASET, type=click.Path(path_type=Path))
@click.option(
    "--by",
    default="category",
    show_default=True,
    help="Columns to group by, comma-separated: category, transaction, department, town, make...",
)
@click.option(
    "--where",
    multiple=True,
    metavar="CONDITION",
    help="Keep the ads where CONDITION holds (repeatable, all must hold): department=14, "
    "'price_eur>=1000', make=Peugeot,Renault.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(SUMMARY_FORMATS),
    default="table",
    show_default=True,
    help="table for a terminal, markdown for reports, csv and json with plain numbers.",
)
@click.option("--top", type=click.IntRange(min=1), metavar="N", help="Keep the N largest groups.")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.png",
    help="Also draw the prices of each group into this PNG file.",
)
@click.option(
    "--plot-kind",
    type=click.Choice(["box", "bar"]),
    default="box",
    show_default=True,
    help="box: the spread of each group's prices; bar: each group's median.",
)
def summary(
    dataset: Path,
    by: str,
    where: tuple[str, ...],
    output_format: Format,
    top: int | None,
    plot: Path | None,
    plot_kind: PlotKind,
) -> None:
    """Print the prices of each group of ads: count, min, quartiles, median, mean, max.

    DATASET is an export folder (default data/), its listings.parquet or its listings.csv.
    Each ad counts once however many pages showed it. Ads without a price are counted but
    not priced. Real estate is always split by transaction: a rent never shares a figure
    with a sale. Quartiles need 4 prices. Groups come largest first.

    Examples:

        classifieds summary data/ --by category,transaction

        classifieds summary --by town --where department=14 --where category=immobilier

        classifieds summary --where category=automobile --by make --top 10 --plot cars.png
    """
    from classifieds.report import render  # pandas: only summaries need it
    from classifieds.summary import group_prices, select, summarize

    if plot is not None and plot.suffix.lower() != ".png":
        raise click.BadParameter(
            "the chart is a PNG file: end its name in .png", param_hint="--plot"
        )
    try:
        listings = load(dataset)
        selected = select(listings, where=where)
        table = summarize(selected, [c.strip() for c in by.split(",") if c.strip()], top=top)
    except InputError as error:
        raise _MissingInput(str(error)) from error
    except QueryError as error:
        raise click.UsageError(str(error)) from error
    if table.empty:
        reason = f"No listing matches {' '.join(where)}" if len(listings) else "No listings"
        click.echo(f"{reason} in {dataset}: nothing to summarize.", err=True)
        if output_format in ("table", "markdown"):
            return
    click.echo(render(table, output_format), nl=False)
    if plot is not None:
        note = f"where {', '.join(where)}" if where else None
        _plot(table, group_prices(selected, table), plot, plot_kind, note)


def _plot(
    table: pd.DataFrame, prices: list[list[float]], path: Path, kind: PlotKind, note: str | None
) -> None:
    from classifieds.charts import plot_prices

    priced = sum(1 for group in prices if group)
    if not priced:
        click.echo(f"No ad has a price: {path} not written.", err=True)
        return
    try:
        drawn = plot_prices(table, prices, path, kind=kind, note=note)
    except ClassifiedsError as error:
        raise click.ClickException(str(error)) from error
    shown = f"the {len(drawn)} largest of {priced}" if len(drawn) < priced else str(priced)
    click.echo(f"Chart of {shown} groups with a price written to {path}", err=True)


def main() -> None:
    """Entry point: quit quietly when stdout is a closed pipe (``| head``)."""
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    cli(prog_name="classifieds")
    sys.exit(0)
