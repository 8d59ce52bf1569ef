"""``classifieds schema``, ``history`` and ``summary``: what a dataset holds and says."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from classifieds.cli._group import DEFAULT_DATASET, OneLineUsageError, cli, storage_option
from classifieds.console import DictionaryFormat, data_dictionary
from classifieds.errors import ClassifiedsError, InputError, QueryError
from classifieds.store.dataset import load, load_sightings, load_with_sightings
from classifieds.store.timeline import find_listing
from classifieds.store.timeline import history as price_history

if TYPE_CHECKING:
    import pandas as pd

    from classifieds.analyze.charts import PlotKind
    from classifieds.analyze.report import Format
    from classifieds.analyze.rows import RowFormat

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
@storage_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="How to print the history.",
)
def history(
    listing_id: str, dataset: str, storage_options: dict[str, Any], output_format: RowFormat
) -> None:
    """Print the price history of one ad: when (or where) it was seen, at what price.

    LISTING_ID is the ad's listing_id, or its first characters (6 or more) when no other id
    starts with them. DATASET is an export folder or its sightings.parquet (default data/),
    - for it piped into standard input.
    Sightings are in time order by capture date; undated ones (text files) come first, in
    input order.

    Examples:

    \b
        classifieds history 1007d86089d41720 data/
        classifieds history 1007d8
    """
    try:
        sightings = load_sightings(dataset, storage_options)
        if sightings.empty:
            raise QueryError(
                f"{dataset} holds no sightings: its export found no ad, so no listing has a"
                " history. Export pages with a Petites Annonces widget into it."
            )
        found = find_listing(sightings, listing_id.strip())
    except (InputError, QueryError) as error:
        raise OneLineUsageError(str(error)) from error
    except ClassifiedsError as error:  # a store that refuses the credentials
        raise click.ClickException(str(error)) from error
    if found is None:
        raise OneLineUsageError(
            f"No listing {listing_id.strip()} in {dataset}. Copy an id from the listing_id"
            f" column of `classifieds rows {dataset}` or of listings.csv."
        )
    seen = price_history(sightings, found)
    from classifieds.analyze.rows import render_history  # the sightings loaded pandas already

    # color=True: click would strip ANSI sequences from the text of a CSV, which is data.
    click.echo(render_history(seen, output_format), nl=False, color=True)


@cli.command()
@click.argument("dataset", required=False, default=str(DEFAULT_DATASET), type=click.Path())
@storage_option
@click.option(
    "--by",
    default="category",
    show_default=True,
    help="Columns to group by, comma-separated: category, transaction, department, town, make,"
    " property_type...; a date column by day, week, month or year: first_seen:month;"
    " fetched_at:month: each ad once a month it was seen, at the price printed then.",
)
@click.option(
    "--where",
    multiple=True,
    metavar="CONDITION",
    help="Keep the ads where CONDITION holds (repeatable, all must hold): department=14, "
    "'price_eur>=1000', make=Peugeot,Renault, 'first_seen>=2026-02-01' (dates in UTC).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(SUMMARY_FORMATS),
    default="table",
    show_default=True,
    help="table for a terminal, markdown for reports, csv and json with plain numbers.",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    metavar="N",
    help="Keep the N largest groups (over time: series, every period of each).",
)
@click.option(
    "--plot",
    type=click.Path(path_type=Path),  # a folder too: writable_chart says what to give
    metavar="FILE.png",
    help="Also draw the prices of each group into this PNG file: a panel per transaction;"
    " grouped by a date bucket, lines of medians over time.",
)
@click.option(
    "--plot-kind",
    type=click.Choice(["box", "bar"]),
    default="box",
    show_default=True,
    help="box: the spread of each group's prices; bar: each group's median (not over time).",
)
@click.option(
    "--drop-outliers",
    is_flag=True,
    help="Leave out the ads whose price_outlier is true (kept by default). Example: "
    "classifieds summary --by category,property_type --drop-outliers",
)
def summary(
    dataset: str,
    storage_options: dict[str, Any],
    by: str,
    where: tuple[str, ...],
    output_format: Format,
    top: int | None,
    plot: Path | None,
    plot_kind: PlotKind,
    drop_outliers: bool,
) -> None:
    """Print the prices of each group of ads: count, min, quartiles, median, mean, max.

    DATASET is an export folder (default data/), its listings.parquet or its listings.csv
    (a folder holding the CSV alone is read through it), - for either piped into stdin.
    Each ad counts once however many pages showed it. Ads without a price are counted but
    not priced. Every group lies within one category (it is added to --by), real estate is
    always split by transaction and property_type (a rent never shares a figure with a sale,
    nor a parking space with a flat), and vehicles by vehicle_type (tyres are not cars).
    Quartiles need 4 prices. Groups come largest first; grouped by a date bucket, in time
    order.

    Examples:

    \b
        classifieds summary data/ --by category,transaction
        classifieds summary --by town --where department=14 --where category=immobilier
        classifieds summary --where category=automobile --by make --top 10 --plot cars.png
        classifieds summary --by first_seen:month --where 'first_seen>=2026-01-01' --plot t.png
        classifieds summary --by fetched_at:month --where category=immobilier --plot rents.png
        classifieds summary --by category,property_type --drop-outliers
    """
    from classifieds.analyze.report import render  # pandas: only summaries need it
    from classifieds.analyze.sighted import by_sightings, sighted
    from classifieds.analyze.summary import group_prices, select, summarize

    if plot is not None and plot.suffix.lower() != ".png" and not plot.is_dir():
        raise click.BadParameter(
            "the chart is a PNG file: end its name in .png", param_hint="--plot"
        )
    keys = [c.strip() for c in by.split(",") if c.strip()]
    try:
        if plot is not None:  # before any work: a table printed, then an error, is no run
            from classifieds.analyze.charts import writable_chart

            writable_chart(plot)
    except ClassifiedsError as error:
        raise click.ClickException(str(error)) from error
    try:
        if by_sightings(keys):  # the prices printed at each time, not the latest
            listings, sightings = load_with_sightings(dataset, storage_options)
            rows = sighted(listings, sightings, keys, where)
        else:
            listings = rows = load(dataset, storage_options)
        selected = select(rows, where=where, drop_outliers=drop_outliers)
        table = summarize(selected, keys, top=top)
    except InputError as error:
        raise OneLineUsageError(str(error)) from error
    except QueryError as error:
        raise OneLineUsageError(str(error)) from error
    except ClassifiedsError as error:  # a store that refuses the credentials
        raise click.ClickException(str(error)) from error
    if table.empty:
        reason = f"No listing matches {' '.join(where)}" if len(listings) else "No listings"
        click.echo(f"{reason} in {dataset}: nothing to summarize.", err=True)
        if output_format in ("table", "markdown"):
            return
    said = None
    if plot is not None:  # drawn before the table is printed: `| head` must not lose it
        kept = [f"Ads where {', '.join(where)}."] if where else []
        left_out = ["Implausible prices (price_outlier) left out."] if drop_outliers else []
        note = " ".join(kept + left_out) or None  # a chart read alone says what it leaves out
        said = _plot(table, group_prices(selected, table), plot, plot_kind, note)
    click.echo(render(table, output_format), nl=False, color=True)  # CSV text as it is
    if said is not None:
        click.echo(said, err=True)


def _plot(
    table: pd.DataFrame, prices: list[list[float]], path: Path, kind: PlotKind, note: str | None
) -> str:
    """Draw the chart into ``path``; return what to say of it."""
    from classifieds.analyze.charts import drawable, drawn_text, plot_prices

    if not drawable(table, prices):
        return f"No {drawn_text(table, prices, 0)}: {path} not written."
    try:
        drawn = plot_prices(table, prices, path, kind=kind, note=note)
    except ClassifiedsError as error:
        raise click.ClickException(str(error)) from error
    return f"Chart of {drawn_text(table, prices, len(drawn))} written to {path}"
