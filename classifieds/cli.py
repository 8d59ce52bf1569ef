"""The ``classifieds`` command line: click commands only, the work is done by the library."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import click

from classifieds._version import __version__
from classifieds.console import (
    DictionaryFormat,
    ExportProgress,
    HistoryFormat,
    data_dictionary,
    export_report,
    history_text,
)
from classifieds.errors import ClassifiedsError, InputError, QueryError, Stopped
from classifieds.read import DEFAULT_JSONL_FIELDS, JsonlFields
from classifieds.run.engines import STOP_SIGNALS
from classifieds.run.export import build
from classifieds.store.dataset import (
    load,
    load_sightings,
)
from classifieds.store.timeline import history as price_history
from classifieds.store.timeline import history_records

if TYPE_CHECKING:
    import pandas as pd

    from classifieds.analyze.charts import PlotKind
    from classifieds.analyze.report import Format

CONTEXT_SETTINGS = MappingProxyType(
    {"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
DEFAULT_INPUT = Path("seeds")
DEFAULT_DATASET = Path("data")
SUMMARY_FORMATS = ("table", "csv", "json", "markdown")
"""The formats of :mod:`classifieds.analyze.report`, named here: the CLI starts without pandas."""


class _MissingInput(click.ClickException):
    """A usage error told in one line: exit code 2, no usage text."""

    exit_code = 2


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="classifieds")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
def cli(debug: bool) -> None:  # main() reads --debug: a bug may happen before click runs
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
    help="excel-fr: ';', decimal comma, BOM. Formulas are neutralised in both.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that parse: this one and N-1 workers (default: one per CPU).",
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
    "--dask-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="Give up when the Dask scheduler does not answer, or has no worker, for this long.",
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
@click.option(
    "--allow-empty",
    is_flag=True,
    help="Write the dataset even when no input could be read (else exit 1, dataset kept).",
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
    dask_timeout: float,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    jsonl_text_field: str,
    jsonl_html_field: str,
    jsonl_url_field: str,
    jsonl_date_field: str,
    append: bool,
    allow_empty: bool,
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
    progress = ExportProgress(
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
                dask_timeout=dask_timeout,
                progress=progress,
                include=include,
                exclude=exclude,
                jsonl_fields=fields,
                append=append,
                allow_empty=allow_empty,
            )
    except InputError as error:
        raise click.UsageError(str(error)) from error
    except ClassifiedsError as error:
        raise click.ClickException(str(error)) from error
    try:
        click.echo(export_report(manifest, Path(out), quiet=quiet), nl=False)
        sys.stdout.flush()
    except OSError as error:  # a closed pipe, a full disk: the dataset is written all the same
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (nothing more goes to the old one)
        raise click.ClickException(
            f"The dataset was written to {out}/, but its report could not be printed:"
            f" {error.strerror or error}."
        ) from error


@cli.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "markdown", "json"]),
    default="table",
    show_default=True,
    help="How to print the dictionary.",
)
def schema(output_format: DictionaryFormat) -> None:
    """Print the data dictionary: the columns of listings and sightings, and reject reasons.

    Example:

        classifieds schema --format markdown
    """
    click.echo(data_dictionary(output_format), nl=False)


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
def history(listing_id: str, dataset: str, output_format: HistoryFormat) -> None:
    """Print the price history of one ad: when (or where) it was seen, at what price.

    DATASET is an export folder or its sightings.parquet (default data/). Sightings are in
    time order by capture date; undated ones (text files) come first, in input order.

    Example:

        classifieds history 1007d86089d41720 data/
    """
    try:
        sightings = load_sightings(dataset)
    except InputError as error:
        raise _MissingInput(str(error)) from error
    seen = price_history(sightings, listing_id)
    if seen.empty:
        raise click.BadParameter(
            f"no listing {listing_id} in {dataset}. Copy an id from the listing_id column"
            " of listings.csv.",
            param_hint="LISTING_ID",
        )
    click.echo(history_text(history_records(seen), output_format), nl=False)


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
    from classifieds.analyze.report import render  # pandas: only summaries need it
    from classifieds.analyze.summary import group_prices, select, summarize

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
    from classifieds.analyze.charts import plot_prices

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
    """Entry point: stop signals, the last-resort error message, and a quick exit.

    SIGINT, SIGTERM and SIGHUP unwind the command as Ctrl-C does (workers stopped, staging
    removed): exit 128 + the signal. A bug prints one line, its traceback with ``--debug``.
    The exit skips the interpreter's teardown, which frees every cached ad one by one (0.45 s
    after 10^5 pages): every file is closed by then, the standard streams are flushed.
    """
    for stop in STOP_SIGNALS:
        signal.signal(stop, _stop)
    try:
        cli(prog_name="classifieds")
    except SystemExit as done:  # click ends every command so, with an int status
        if not isinstance(done.code, int):
            raise
        code = done.code
    except Stopped as stopped:
        name = signal.Signals(stopped.signum).name
        click.echo(
            f"classifieds: stopped by {name}; a dataset being replaced was left as it was.",
            err=True,
        )
        code = 128 + stopped.signum
    except Exception as error:
        if "--debug" in sys.argv[1:]:
            raise
        line = " ".join(f"{type(error).__name__}: {error}".split())[:300]
        click.echo(
            f"classifieds: internal error: {line}. Run again with --debug to see the"
            " traceback, and please report it.",
            err=True,
        )
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe, a full disk
            stream.flush()
    os._exit(code)


def _stop(signum: int, _frame: object) -> None:
    for stop in STOP_SIGNALS:  # a second Ctrl-C must not break the cleanup of the first
        signal.signal(stop, signal.SIG_IGN)
    raise Stopped(signum)
