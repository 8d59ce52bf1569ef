"""``classifieds schema``, ``history`` and ``summary``: what a dataset holds and says."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from classifieds.cli._group import DEFAULT_DATASET, MissingInput, cli
from classifieds.console import DictionaryFormat, HistoryFormat, data_dictionary, history_text
from classifieds.errors import ClassifiedsError, InputError, QueryError
from classifieds.store.dataset import load, load_sightings
from classifieds.store.timeline import history as price_history
from classifieds.store.timeline import history_records

if TYPE_CHECKING:
    import pandas as pd

    from classifieds.analyze.charts import PlotKind
    from classifieds.analyze.report import Format

SUMMARY_FORMATS = ("table", "csv", "json", "markdown")
"""The formats of :mod:`classifieds.analyze.report`, named here: the CLI starts without pandas."""


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
        raise MissingInput(str(error)) from error
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
@click.option(
    "--drop-outliers",
    is_flag=True,
    help="Leave out the ads whose price_outlier is true (kept by default). Example: "
    "classifieds summary --by category,property_type --drop-outliers",
)
def summary(
    dataset: Path,
    by: str,
    where: tuple[str, ...],
    output_format: Format,
    top: int | None,
    plot: Path | None,
    plot_kind: PlotKind,
    drop_outliers: bool,
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

        classifieds summary --by category,property_type --drop-outliers
    """
    from classifieds.analyze.report import render  # pandas: only summaries need it
    from classifieds.analyze.summary import group_prices, select, summarize

    if plot is not None and plot.suffix.lower() != ".png":
        raise click.BadParameter(
            "the chart is a PNG file: end its name in .png", param_hint="--plot"
        )
    try:
        listings = load(dataset)
        selected = select(listings, where=where, drop_outliers=drop_outliers)
        table = summarize(selected, [c.strip() for c in by.split(",") if c.strip()], top=top)
    except InputError as error:
        raise MissingInput(str(error)) from error
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
