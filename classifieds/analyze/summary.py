"""Price summaries of the listings: per group, how many ads, how many priced, and at what prices.

The rules of the data contract's "Price summaries", in one place:

- One row of ``listings`` is one ad. A summary counts listings, never sightings:
  ``n_sightings`` is not a weight, and a ``listing_id`` that occurs twice counts once (once
  per ``fetched_at`` in the rows of :func:`~classifieds.analyze.sighted.sighted`).
- A null price (no price, or the widget's ``0€`` placeholder) is counted in ``ads`` and left out
  of every figure.
- A group never pools categories: ``category`` is a group column even when ``by`` does not
  name it (after the columns named), so that a town's 40 € bike is not a car's price.
- A rent and a sale price never share a figure: real estate (every section of that family:
  "Immobilier", "Immo", "Logement"...) is always split by ``transaction``, even when ``by``
  does not name it, and real estate whose transaction is unknown is a group of
  its own, labelled :data:`UNKNOWN_TRANSACTION`.
- A group never pools kinds of things: real estate is also split by ``property_type`` (a
  parking space is not a flat) and vehicles by ``vehicle_type`` (a set of tyres is not a car),
  after ``category`` and ``transaction``, when ``by`` does not name them. Ads of a family whose
  type is unknown are a group of their own (null type).
- Quartiles are only given for groups with at least :data:`MIN_PRICES_FOR_QUARTILES` prices;
  below that ``p25`` and ``p75`` are null rather than interpolated from one or two prices. A
  single price is its group's min, median, mean and max.
- ``price_per_m2`` is the median of price / ``surface_m2`` (the living area) over the
  real-estate ads that state one: a monthly rent per m² for ``location``, a price per m² for
  ``vente``. Null for other groups. Grouped by ``property_type``, a summary also has
  :data:`LAND_COLUMN`, the median of price / ``land_m2`` over the terrain ads that state a land
  area: a plot's price per m² is not a house's; and :data:`AREA_COLUMN`, how many ads these
  figures rest on (often fewer than ``with_price``: an ad need not state its area).
- A ``by`` key ``COLUMN:UNIT`` groups by the day, ISO week, month or year of a date column
  (:class:`~classifieds.analyze.dates.Bucket`): ``first_seen:month`` gives ``2026-02``.
  Bucketed summaries come in time order, the undated bucket (null) last. Grouped by the
  sightings' ``fetched_at``, the rows are those of :func:`~classifieds.analyze.sighted.sighted`:
  an ad counts once per bucket it was seen in, at the price it was printed then.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from classifieds.analyze.dates import Bucket
from classifieds.analyze.query import (
    INTEGER_COLUMNS,
    NUMERIC_COLUMNS,
    Condition,
    Conditions,
    Values,
    collated,
    folded,
    select,
    unknown_column,
)
from classifieds.analyze.sighted import SIGHTED_COLUMN
from classifieds.errors import QueryError
from classifieds.models import REAL_ESTATE, VEHICLES, family_of

__all__ = [
    "AREA_COLUMN",
    "FIGURE_COLUMNS",
    "LAND_COLUMN",
    "MIN_PRICES_FOR_QUARTILES",
    "MONEY_COLUMNS",
    "STAT_COLUMNS",
    "UNKNOWN_TRANSACTION",
    "Condition",
    "group_columns",
    "group_prices",
    "select",
    "summarize",
    "time_keys",
]

TERRAIN: Final = "terrain"
UNKNOWN_TRANSACTION: Final = "(unknown)"
"""The ``transaction`` label of real estate whose transaction the ad does not tell."""
MIN_PRICES_FOR_QUARTILES: Final = 4
"""Fewer prices than this give no ``p25``/``p75``: a quartile of 2 prices is interpolation."""

LAND_COLUMN: Final = "price_per_m2_land"
"""The figure of a summary grouped by ``property_type``: a terrain's price per m² of land."""
AREA_COLUMN: Final = "with_area"
"""The count of a summary grouped by ``property_type``: the priced ads that state the area
its price per m² is of (living area, or a terrain's land), which that figure rests on."""
MONEY_COLUMNS: Final = ("min", "p25", "median", "mean", "p75", "max", "price_per_m2", LAND_COLUMN)
STAT_COLUMNS: Final = ("ads", "with_price", *MONEY_COLUMNS[:-1])
"""The columns of a summary after its group columns, in order (grouped by ``property_type``,
with :data:`AREA_COLUMN` before ``price_per_m2`` and :data:`LAND_COLUMN` last)."""
FIGURE_COLUMNS: Final = frozenset((*STAT_COLUMNS, AREA_COLUMN, LAND_COLUMN))
"""Every column of a summary that is a figure rather than a group key."""


def group_columns(listings: pd.DataFrame, by: str | Sequence[str] = ("category",)) -> list[str]:
    """Return the columns a summary of ``listings`` groups by: ``by``, and the columns that
    keep unlike ads apart when ``by`` does not name them: ``category`` (last); ``transaction``
    and ``property_type`` when real estate is among the listings, ``vehicle_type`` when vehicles
    are, right after ``category``.

    >>> ads = pd.DataFrame({"category": ["immobilier", "automobile"], "town": ["Caen", "Vire"],
    ...     "property_type": ["maison", None], "vehicle_type": [None, "moto"]})
    >>> group_columns(ads, "category")
    ['category', 'transaction', 'property_type', 'vehicle_type']
    >>> group_columns(ads[ads.category == "automobile"], ["town", "vehicle_type"])
    ['town', 'vehicle_type', 'category']
    >>> group_columns(ads, ["category", "town"])
    ['category', 'transaction', 'property_type', 'vehicle_type', 'town']
    >>> group_columns(ads.assign(transaction=["vente", None]), ["category", "transaction"])
    ['category', 'transaction', 'property_type', 'vehicle_type']
    """
    columns: list[str] = []
    for key in [by] if isinstance(by, str) else by:
        bucket = Bucket.parse(key)
        column = key if bucket is None else bucket.column
        if column == SIGHTED_COLUMN and column not in listings.columns:
            raise QueryError(
                f"{column} is a column of the sightings: summarize the rows of"
                " classifieds.sighted(listings, sightings, by), an ad per time it was seen."
            )
        if column not in listings.columns:
            raise QueryError(unknown_column(column, listings, "to group by"))
        columns.append(key if bucket is None else str(bucket))
    columns = list(dict.fromkeys(columns))
    families = _families(listings)
    kinds = ["category"]
    if REAL_ESTATE in families:
        kinds += ["transaction", *(["property_type"] if "property_type" in listings else [])]
    if VEHICLES in families and "vehicle_type" in listings:
        kinds.append("vehicle_type")
    added = [kind for kind in kinds if kind not in columns]
    if "category" not in columns:
        return columns + added
    at = columns.index("category") + 1  # what keeps a category's ads apart reads beside it
    if columns[at : at + 1] == ["transaction"]:  # named beside it: the types come after both
        at += 1
    return columns[:at] + added + columns[at:]


def time_keys(keys: Sequence[str]) -> list[str]:
    """Return the keys of ``keys`` that are date buckets (``first_seen:month``).

    >>> time_keys(["first_seen:week", "category"])
    ['first_seen:week']
    """
    return [key for key in keys if Bucket.parse(key) is not None]


def summarize(
    listings: pd.DataFrame,
    by: str | Sequence[str] = ("category",),
    *,
    where: Conditions = (),
    category: Values = None,
    department: Values = None,
    town: Values = None,
    transaction: Values = None,
    make: Values = None,
    min_price: float | None = None,
    max_price: float | None = None,
    top: int | None = None,
) -> pd.DataFrame:
    """Return one row per group of listings: its keys, then ``ads``, ``with_price``, ``min``,
    ``p25``, ``median``, ``mean``, ``p75``, ``max`` (euros) and ``price_per_m2`` (grouped by
    ``property_type``, as real estate always is: :data:`AREA_COLUMN` before it and
    :data:`LAND_COLUMN` after).

    ``listings`` is the frame of :func:`classifieds.load`, or any frame with the contract's
    columns (``category`` and ``price_eur`` at least; plain object or float dtypes are fine).
    The filters are those of :func:`select`. Groups come largest first, then in the order of
    their keys (nulls last); ``top`` keeps the ``top`` largest. With a date bucket among the
    keys (``first_seen:month``), groups come in time order, undated last, then largest first,
    and ``top`` keeps the ``top`` largest series whole: every bucket of their other keys.
    The module docstring gives the rules: categories and transactions never pooled, null prices
    counted but not priced, quartiles from 4 prices.

    >>> ads = pd.DataFrame({
    ...     "category": ["immobilier", "immobilier", "automobile", "automobile"],
    ...     "transaction": ["location", "vente", None, None],
    ...     "price_eur": [650.0, 185000.0, 9500.0, None],
    ... })
    >>> summarize(ads)[["category", "transaction", "ads", "with_price", "median"]]
         category transaction  ads  with_price    median
    0  automobile        None    2           1    9500.0
    1  immobilier    location    1           1     650.0
    2  immobilier       vente    1           1  185000.0
    """
    if top is not None and top < 1:
        raise ValueError(f"top must be 1 or more, not {top}")
    rows = _prepare(
        select(
            listings,
            where=where,
            category=category,
            department=department,
            town=town,
            transaction=transaction,
            make=make,
            min_price=min_price,
            max_price=max_price,
        )
    )
    keys = group_columns(rows, by)
    table = _statistics(_keyed(rows, keys), keys)
    table = table.sort_values(
        ["ads", *keys],
        ascending=[False, *(True for _ in keys)],
        na_position="last",
        kind="mergesort",
        key=collated,
    )
    times = time_keys(keys)
    if top is not None and times:
        table = _largest_series(table, [key for key in keys if key not in times], top)
    elif top is not None:
        table = table.head(top)
    if times:  # a time series reads in time order; the largest series first within a time
        table = table.sort_values(times, na_position="last", kind="mergesort")
    for key in keys:  # plain Python values and None, whatever the input dtypes were
        table[key] = table[key].astype(object).where(table[key].notna(), None)
    return table.reset_index(drop=True)


def _largest_series(table: pd.DataFrame, series: Sequence[str], top: int) -> pd.DataFrame:
    """Return the rows of the ``top`` largest series of a summary grouped by a date bucket.

    A series is the rows of one set of ``series`` keys over time: it is kept whole (all its
    buckets), ranked by its ads in all, so that ``top`` never cuts a line short (the 3
    largest rows of a monthly summary were January's and February's).
    """
    keys = table[list(series)].astype(object).where(table[list(series)].notna(), None)
    names = pd.Series(list(keys.itertuples(index=False, name=None)), index=table.index)
    sizes = table["ads"].groupby(names, sort=False).sum()  # rows already largest first
    ranked = sizes.sort_values(ascending=False, kind="mergesort").index[:top]
    return table[names.isin(set(ranked))]


def group_prices(listings: pd.DataFrame, summary: pd.DataFrame) -> list[list[float]]:
    """Return, for each row of ``summary``, the known prices of its group, sorted.

    ``listings`` are the rows that were summarized (after the same filters).
    """
    keys = [column for column in summary.columns if column not in FIGURE_COLUMNS]
    rows = _keyed(_prepare(listings), keys)
    priced = rows[rows["price_eur"].notna()].assign(_all=0)
    groups = priced.groupby(keys or ["_all"], dropna=False, sort=False)
    # Sort the prices by group once, then each group is a slice: no Python loop over groups.
    codes = groups.ngroup().to_numpy()
    order = np.lexsort((priced["price_eur"].to_numpy(), codes))
    prices = priced["price_eur"].to_numpy()[order]
    starts = np.searchsorted(codes[order], np.arange(groups.ngroups + 1))
    firsts = priced[keys].iloc[order[starts[:-1]]]
    slices = {
        _plain(tuple(key)): (start, stop)
        for key, start, stop in zip(
            firsts.itertuples(index=False, name=None), starts[:-1], starts[1:], strict=True
        )
    }
    found = [slices.get(_plain(tuple(row))) for row in summary[keys].itertuples(index=False)]
    return [[] if at is None else prices[at[0] : at[1]].tolist() for at in found]


def _plain(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """Return a group key with every null as ``None``, so that keys compare equal."""
    return tuple(None if value is None or pd.isna(value) else value for value in key)


def _prepare(listings: pd.DataFrame) -> pd.DataFrame:
    """Return the listings with numeric columns as numbers, and one row per ``listing_id``."""
    missing = [c for c in ("category", "price_eur") if c not in listings.columns]
    if missing:
        raise QueryError(f"A summary needs the columns {missing}: pass the listings table.")
    rows = listings.copy()
    if "listing_id" in rows.columns:
        # Rows of :func:`~classifieds.analyze.sighted.sighted`: an ad once per time it was seen.
        once = ["listing_id", *(["fetched_at"] if "fetched_at" in rows.columns else [])]
        rows = rows.drop_duplicates(once)
    for column in NUMERIC_COLUMNS.intersection(rows.columns):
        numbers = pd.to_numeric(rows[column], errors="coerce")
        rows[column] = numbers.astype("Int64" if column in INTEGER_COLUMNS else "float64")
    return rows


def _keyed(rows: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Return the rows with a column for each date bucket among ``keys`` (``first_seen:month``)
    and real estate without a known transaction labelled :data:`UNKNOWN_TRANSACTION`."""
    for key in time_keys(keys):
        bucket = Bucket.parse(key)
        assert bucket is not None  # time_keys keeps the keys that parse
        rows = rows.assign(**{key: bucket.labels(rows)})
    texts = [key for key in keys if key not in time_keys(keys) and _is_text(rows[key])]
    rows = rows.assign(**{key: _one_spelling(rows[key]) for key in texts})
    if "transaction" not in keys:
        return rows
    transaction = (
        rows["transaction"].astype(object)
        if "transaction" in rows.columns
        else pd.Series(None, index=rows.index, dtype=object)
    )
    unknown = _real_estate(rows) & transaction.isna()
    return rows.assign(transaction=transaction.where(~unknown, UNKNOWN_TRANSACTION))


def _is_text(column: pd.Series[Any]) -> bool:
    """Return whether a key column holds text (not numbers, dates or true/false)."""
    return bool(
        pd.api.types.is_string_dtype(column)
        or (column.dtype == object and column.map(type).isin([str]).any())
    )


def _one_spelling(column: pd.Series[Any]) -> pd.Series[Any]:
    """Return text keys with every spelling that ``--where`` takes for the same value (case,
    spaces around) as one: the most common, mixed case first (``Caen`` for ``CAEN``, ``caen``).

    >>> _one_spelling(pd.Series(["CAEN", "Caen", " caen", None, "Vire"])).tolist()
    ['Caen', 'Caen', 'Caen', None, 'Vire']
    """
    text = column.astype(object).where(column.notna(), None)
    known = text.dropna().astype(str)
    if known.empty:
        return text
    spellings = pd.DataFrame({"folded": folded(known), "spelling": known.str.strip()})
    counted = spellings.groupby(["folded", "spelling"], sort=False).size().reset_index(name="n")
    shouted = counted["spelling"].str.isupper() | counted["spelling"].str.islower()
    counted = counted.assign(shouted=shouted).sort_values(
        ["n", "shouted", "spelling"], ascending=[False, True, True], kind="mergesort"
    )
    chosen = counted.drop_duplicates("folded").set_index("folded")["spelling"]
    return text.where(text.isna(), folded(text).map(chosen)).astype(object)


def _statistics(rows: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Return the figures of each group of ``rows``, one row per group, in no set order."""
    figures = (
        [*STAT_COLUMNS[:-1], AREA_COLUMN, STAT_COLUMNS[-1], LAND_COLUMN]
        if "property_type" in keys
        else list(STAT_COLUMNS)
    )
    if rows.empty:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in [*keys, *figures]})
    price = rows["price_eur"].astype("float64")
    real_estate = _real_estate(rows)
    surface = _area(rows, "surface_m2")
    per_m2 = (price / surface).where(real_estate & (surface > 0))
    land = _area(rows, "land_m2")
    terrain = (
        real_estate & (folded(rows["property_type"]) == TERRAIN)
        if "property_type" in rows
        else False
    )
    per_m2_land = (price / land).where(terrain & (land > 0))
    area = per_m2.notna() | per_m2_land.notna()  # what a group's figure per m² rests on
    frame = rows.assign(
        _price=price,
        _per_m2=per_m2,
        _per_m2_land=per_m2_land,
        _area=area.astype("int64"),
        _real_estate=real_estate.astype("int64"),
    )
    groups = frame.groupby(list(keys), dropna=False, sort=False)
    table = groups.agg(
        ads=("_price", "size"),
        with_price=("_price", "count"),
        min=("_price", "min"),
        median=("_price", "median"),
        mean=("_price", "mean"),
        max=("_price", "max"),
        price_per_m2=("_per_m2", "median"),
        price_per_m2_land=("_per_m2_land", "median"),
        with_area=("_area", "sum"),
        real_estate=("_real_estate", "max"),
    )
    # A count of ads with an area, for real estate only: a car's is no figure, as its per m².
    table["with_area"] = table["with_area"].where(table["real_estate"] > 0).astype("Int64")
    enough = table["with_price"] >= MIN_PRICES_FOR_QUARTILES
    table["p25"] = groups["_price"].quantile(0.25).where(enough)
    table["p75"] = groups["_price"].quantile(0.75).where(enough)
    table = table.reset_index()
    return table[[*keys, *figures]]


def _area(rows: pd.DataFrame, column: str) -> pd.Series[float]:
    """Return an area column in m² as floats, all NaN when the frame has no such column."""
    if column not in rows.columns:
        return pd.Series(float("nan"), index=rows.index)
    return rows[column].astype("float64")


def _real_estate(rows: pd.DataFrame) -> pd.Series[bool]:
    """Return whether each row is real estate: of a section of that family, "Immobilier" or
    "Immo", "Logement", "Immobilier neuf" (:func:`~classifieds.models.family_of`)."""
    return _family(rows).eq(REAL_ESTATE).fillna(False).astype(bool)


def _families(rows: pd.DataFrame) -> set[str]:
    """Return the families of ads (real estate, vehicles) among the rows."""
    return set(_family(rows).dropna().unique())


def _family(rows: pd.DataFrame) -> pd.Series[Any]:
    """Return the family of each row's category (:func:`~classifieds.models.family_of`)."""
    category = folded(rows["category"])
    families = {name: family_of(name) for name in category.dropna().unique()}
    return category.map(families)
