"""``classifieds rows``: the listings or sightings themselves, filtered, sorted, the first N."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from classifieds.cli._group import DEFAULT_DATASET, OneLineUsageError, cli, storage_option
from classifieds.errors import ClassifiedsError, InputError, QueryError
from classifieds.store.dataset import load, load_sightings

if TYPE_CHECKING:
    from classifieds.analyze.rows import RowFormat, Table

ROW_FORMATS = ("table", "csv", "json")
"""The formats of :mod:`classifieds.analyze.rows`, named here: the CLI starts without pandas."""
DEFAULT_LIMIT = 20


def _names(text: str | None) -> list[str]:
    return [name.strip() for name in (text or "").split(",") if name.strip()]


@cli.command()
@click.argument("dataset", required=False, default=str(DEFAULT_DATASET), type=click.Path())
@click.option(
    "--table",
    "table",
    type=click.Choice(["listings", "sightings"]),
    default="listings",
    show_default=True,
    help="listings: one row per ad; sightings: one row per page an ad was seen on.",
)
@click.option(
    "--where",
    multiple=True,
    metavar="CONDITION",
    help="Keep the rows where CONDITION holds, as in summary (repeatable): department=14, "
    "'price_eur>=1000', 'first_seen>=2026-02-01'.",
)
@click.option(
    "--columns",
    metavar="A,B,...",
    help="Columns to show, comma-separated. Default: listing_id, category, transaction, title, "
    "town, postcode, price_eur, first_seen, last_seen; for sightings listing_id, fetched_at, "
    "price_eur, source, line, url.",
)
@click.option(
    "--sort",
    metavar="COLUMN[:desc]",
    help="Sort by these columns, comma-separated, each ascending or :desc; nulls last.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=DEFAULT_LIMIT,
    show_default=True,
    metavar="N",
    help="Show the first N rows; 0 shows them all.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(ROW_FORMATS),
    default="table",
    show_default=True,
    help="table for a terminal, csv and json with the full text and plain numbers.",
)
@storage_option
def rows(
    dataset: str,
    table: Table,
    where: tuple[str, ...],
    columns: str | None,
    sort: str | None,
    limit: int,
    output_format: RowFormat,
    storage_options: dict[str, Any],
) -> None:
    """Print the rows of a dataset: listings (or sightings) that pass conditions, sorted.

    DATASET is an export folder (default data/), one of its files (- for one piped into
    standard input), or a dataset's URL. The conditions are those of summary. Rows go to
    stdout; how many matched in all goes to stderr.

    Examples:

    \b
        classifieds rows data/ --where category=automobile --sort price_eur:desc --limit 5
        classifieds rows --columns title,town,price_eur,first_seen --where 'first_seen>=2026-02-01'
        classifieds rows --table sightings --where listing_id=1007d86089d41720 --format csv
    """
    from classifieds.analyze.rows import browse, render_rows  # pandas: only rows need it

    try:
        read = load_sightings if table == "sightings" else load
        frame = read(dataset, storage_options)
        chosen = browse(
            frame,
            table=table,
            where=where,
            columns=_names(columns),
            sort=_names(sort),
            limit=limit,
        )
    except InputError as error:
        raise OneLineUsageError(str(error)) from error
    except QueryError as error:
        raise OneLineUsageError(str(error)) from error
    except ClassifiedsError as error:  # a store that refuses the credentials
        raise click.ClickException(str(error)) from error
    if chosen.matched == 0:
        reason = f"No {table[:-1]} matches {' '.join(where)}" if len(frame) else f"No {table}"
        click.echo(f"{reason} in {dataset}.", err=True)
    else:
        click.echo(chosen.count_line(table), err=True)
    if chosen.matched or output_format != "table":
        # color=True: click would strip ANSI sequences from the text of a CSV, which is data.
        click.echo(render_rows(chosen.rows, output_format), nl=False, color=True)
