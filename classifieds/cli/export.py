"""``classifieds export``: pages in, a dataset out."""

from __future__ import annotations

import importlib.abc
import math
import re
import sys
from pathlib import Path
from types import MappingProxyType
from typing import Any

import click
import pyarrow as pa

from classifieds.cli._group import DEFAULT_INPUT, OneLineUsageError, cli, storage_option
from classifieds.cli._streams import StdoutError
from classifieds.console import ExportProgress, export_report
from classifieds.errors import ClassifiedsError, InputError
from classifieds.read import DEFAULT_JSONL_FIELDS, JsonlFields
from classifieds.read.remote import is_url
from classifieds.run.export import build
from classifieds.run.watchdog import DEFAULT_WORKER_TIMEOUT

_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?", re.IGNORECASE)
_UNITS = MappingProxyType({"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40})


def byte_size(ctx: click.Context, param: click.Parameter, value: str) -> int:
    """Return a size in bytes written 1G, 500M, 64K, 1.5GB or a plain number of bytes."""
    found = _SIZE.fullmatch(value.strip())
    if found is None:
        raise click.BadParameter(f"{value!r} is not a size: write it like 1G, 500M or 64K.")
    amount = float(found[1]) * _UNITS[found[2].lower()]
    if not math.isfinite(amount):  # 400 digits make an infinite float
        raise click.BadParameter(f"{value[:40]!r}... is more memory than any machine has.")
    size = int(amount)
    if size < 1 << 10:
        raise click.BadParameter(f"{value!r} is too little memory: give at least 1K.")
    return size


def _seconds(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """Return a duration in seconds that is a finite number (``nan`` and ``inf`` pass a
    range)."""
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of seconds: give one, such as 60.")
    return value


class _NoPandas(importlib.abc.MetaPathFinder):
    """Finds no pandas."""

    def find_spec(self, name: str, path: object, target: object = None) -> None:
        if name.partition(".")[0] == "pandas":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


def _arrow_without_pandas() -> None:
    """Have pyarrow find no pandas when it first builds an array, unless it is imported.

    pyarrow imports pandas then, to tell pandas objects from lists: 0.3 s and 45 MB in every
    export, which hands it lists only. pyarrow looks once and keeps the answer for building
    arrays; asked for a frame (``to_pandas``), it looks again and finds pandas.
    """
    if "pandas" in sys.modules:
        return
    blocker = _NoPandas()
    sys.meta_path.insert(0, blocker)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(blocker)


class InputPath(click.Path):
    """An input: a path that exists, ``-``, or a URL (checked when it is listed)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and is_url(value):
            return value
        return super().convert(value, param, ctx)


@cli.command()
@click.argument("inputs", nargs=-1, type=InputPath(exists=True, allow_dash=True))
@click.option(
    "-o",
    "--out",
    type=InputPath(file_okay=False),
    default="data",
    show_default=True,
    help="Dataset folder to write, or a URL (s3://bucket/data/).",
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
    callback=_seconds,
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="Give up when the Dask scheduler does not answer, or has no worker, for this long.",
)
@click.option(
    "--worker-timeout",
    type=click.FloatRange(min=0),
    callback=_seconds,
    default=DEFAULT_WORKER_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="End the run when a --jobs worker reads no page for this long (stopped, hung); 0: never.",
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
@click.option(
    "--memory-limit",
    metavar="SIZE",
    default="1G",
    callback=byte_size,
    show_default=True,
    help="Memory for the unique ads; past it they spill to disk (same output). E.g. 500M.",
)
@storage_option
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
    worker_timeout: float,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    jsonl_text_field: str,
    jsonl_html_field: str,
    jsonl_url_field: str,
    jsonl_date_field: str,
    append: bool,
    allow_empty: bool,
    memory_limit: int,
    storage_options: dict[str, Any],
    quiet: bool,
    verbose: bool,
) -> None:
    """Parse pages (files, folders, - for stdin) and write the dataset to --out.

    Reads text and HTML pages, WARC archives and JSON Lines, plain or compressed (gzip,
    bzip2, xz, zstd), from files and folders or from URLs (s3://, gs://, az://, https://;
    credentials from the store's usual configuration or --storage-option). Writes
    listings.parquet, listings.csv, sightings.parquet, rejects.jsonl, inputs.parquet,
    datapackage.json and manifest.json, to a folder or a URL. With no INPUTS, reads seeds/.
    Rejected ads and files do not fail the run: they are counted and written to
    rejects.jsonl. A progress bar shows on stderr when it is a terminal.

    Examples:

    \b
        classifieds export crawl/ --out data/
        classifieds export crawl/2024-06/ --out data/ --append
        classifieds export crawls/ --include '*.warc.gz' --exclude 'tmp/*'
        cat page.txt | classifieds export - -o /tmp/one-page
        classifieds export /shared/crawl --engine dask --scheduler tcp://10.0.0.5:8786
        classifieds export big-crawl/ --memory-limit 500M
        classifieds export s3://my-crawl/2024/ --include '*.warc.gz' --out s3://my-data/ads/
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
    # The system's allocator gives memory back once freed, where Arrow's own (mimalloc) keeps
    # it: 90 MB of the peak of an export of 300,000 unique ads. This process is the command's.
    pa.set_memory_pool(pa.system_memory_pool())
    _arrow_without_pandas()
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
                worker_timeout=worker_timeout,
                progress=progress,
                include=include,
                exclude=exclude,
                jsonl_fields=fields,
                append=append,
                allow_empty=allow_empty,
                memory_limit=memory_limit,
                storage_options=storage_options,
            )
    except InputError as error:  # one line, no usage text: the options were fine
        raise OneLineUsageError(str(error)) from error
    except ClassifiedsError as error:
        raise click.ClickException(str(error)) from error
    try:
        where = out if is_url(out) else Path(out)
        click.echo(export_report(manifest, where, quiet=quiet), nl=False)
        sys.stdout.flush()
    except StdoutError as error:  # closed, full, its reader gone: the dataset is written
        raise click.ClickException(
            f"The dataset was written to {out}/, but its report could not be printed:"
            f" {error.reason}."
        ) from error
