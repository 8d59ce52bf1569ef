"""Price summaries of the listings: per group, how many ads, how many priced, and at what prices.

The rules of the data contract's "Price summaries", in one place:

- One row of ``listings`` is one ad. A summary counts listings, never sightings:
  ``n_sightings`` is not a weight, and a ``listing_id`` that occurs twice counts once.
- A null price (no price, or the widget's ``0€`` placeholder) is counted in ``ads`` and left out
  of every figure.
- A rent and a sale price never share a figure: real estate is always split by ``transaction``,
  even when ``by`` does not name it, and real estate whose transaction is unknown is a group of
  its own, labelled :data:`UNKNOWN_TRANSACTION`.
- Quartiles are only given for groups with at least :data:`MIN_PRICES_FOR_QUARTILES` prices;
  below that ``p25`` and ``p75`` are null rather than interpolated from one or two prices. A
  single price is its group's min, median, mean and max.
- ``price_per_m2`` is the median of price / surface over the real-estate ads that state both:
  a monthly rent per m² for ``location``, a price per m² for ``vente``. Null for other groups.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, cast

import numpy as np
import pandas as pd
import pyarrow as pa

from classifieds.errors import QueryError
from classifieds.store.dataset import LISTING_COLUMNS

__all__ = [
    "MIN_PRICES_FOR_QUARTILES",
    "MONEY_COLUMNS",
    "STAT_COLUMNS",
    "UNKNOWN_TRANSACTION",
    "Condition",
    "group_columns",
    "group_prices",
    "select",
    "summarize",
]

REAL_ESTATE: Final = "immobilier"
UNKNOWN_TRANSACTION: Final = "(unknown)"
"""The ``transaction`` label of real estate whose transaction the ad does not tell."""
MIN_PRICES_FOR_QUARTILES: Final = 4
"""Fewer prices than this give no ``p25``/``p75``: a quartile of 2 prices is interpolation."""

MONEY_COLUMNS: Final = ("min", "p25", "median", "mean", "p75", "max", "price_per_m2")
STAT_COLUMNS: Final = ("ads", "with_price", *MONEY_COLUMNS)
"""The columns of a summary after its group columns, in order."""

Operator = Literal["=", "!=", "<", "<=", ">", ">="]
_ORDERING: Final = frozenset({"<", "<=", ">", ">="})
_NUMERIC_COLUMNS: Final = frozenset(
    c.name for c in LISTING_COLUMNS if pa.types.is_integer(c.type) or pa.types.is_floating(c.type)
)
_INTEGER_COLUMNS: Final = frozenset(c.name for c in LISTING_COLUMNS if pa.types.is_integer(c.type))

_CONDITION = re.compile(
    r"""
    ^\s*(?P<column>[A-Za-z_][A-Za-z0-9_]*)   # a column name
    \s*(?P<operator>==|!=|<=|>=|=|<|>)       # a comparison; == is the same as =
    \s*(?P<value>.*?)\s*$                    # the value(s), maybe quoted by the shell
    """,
    re.VERBOSE,
)
_NUMBER_SPACES = re.compile(r"[\s_\u00a0\u202f]")  # "1 000", "1_000" are 1000


@dataclass(frozen=True)
class Condition:
    """A filter on one column, true where the column's value passes it.

    ``=`` and ``!=`` take one value or several separated by commas ("one of"); text compares
    without regard to case; ``<``, ``<=``, ``>``, ``>=`` need a number column and one number.
    A null value passes no condition, ``!=`` included. ``department`` matches the department's
    code or its name (``department=14``, ``department=Calvados``).
    """

    column: str
    operator: Operator
    values: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Condition:
        """Return the condition written ``COLUMN<op>VALUE``; raise :class:`QueryError` if none.

        >>> Condition.parse("price_eur >= 1 000")
        Condition(column='price_eur', operator='>=', values=('1 000',))
        >>> str(Condition.parse("department==14,50"))
        'department=14,50'
        """
        match = _CONDITION.match(text)
        if match is None:
            raise QueryError(
                f"Cannot read the condition {text!r}: write COLUMN=VALUE, COLUMN!=VALUE or"
                " COLUMN>=NUMBER (also <, <=, >), e.g. department=14 or price_eur>=1000."
            )
        operator = match["operator"].replace("==", "=")
        values = tuple(v.strip() for v in match["value"].split(","))
        if not all(values):
            raise QueryError(f"The condition {text!r} needs a value after {operator}.")
        if operator in _ORDERING and len(values) > 1:
            raise QueryError(f"The condition {text!r} compares with one number only.")
        return cls(match["column"], cast(Operator, operator), values)

    def __str__(self) -> str:
        return f"{self.column}{self.operator}{','.join(self.values)}"

    def holds(self, listings: pd.DataFrame) -> pd.Series[bool]:
        """Return, per row of ``listings``, whether the condition holds (False for a null)."""
        if self.column not in listings.columns:
            raise QueryError(_unknown_column(self.column, listings, f"in {str(self)!r}"))
        column = listings[self.column]
        if self.column in _NUMERIC_COLUMNS or pd.api.types.is_numeric_dtype(column):
            return self._holds_for_numbers(pd.to_numeric(column, errors="coerce"))
        if self.operator in _ORDERING:
            raise QueryError(f"{self}: {self.column} holds text; compare it with = or != only.")
        wanted = {value.casefold() for value in self.values}
        hit = _folded(column).isin(wanted)
        if self.column == "department" and "department_code" in listings.columns:
            codes = {value.zfill(2) if value.isdigit() else value.upper() for value in self.values}
            hit |= listings["department_code"].astype("string").isin(codes).fillna(False)
        if self.operator == "=":
            return hit
        return column.notna() & ~hit

    def _holds_for_numbers(self, column: pd.Series[float]) -> pd.Series[bool]:
        numbers = [self._number(value) for value in self.values]
        if self.operator == "=":
            return column.isin(numbers)
        if self.operator == "!=":
            return column.notna() & ~column.isin(numbers)
        compare = {"<": column.lt, "<=": column.le, ">": column.gt, ">=": column.ge}
        return compare[self.operator](numbers[0]).fillna(False)

    def _number(self, value: str) -> float:
        try:
            return float(_NUMBER_SPACES.sub("", value))
        except ValueError:
            message = f"{self}: {self.column} holds numbers, and {value!r} is not one."
            raise QueryError(message) from None


Values = str | Sequence[str] | None
Conditions = str | Condition | Iterable[str | Condition]


def select(
    listings: pd.DataFrame,
    *,
    where: Conditions = (),
    category: Values = None,
    department: Values = None,
    town: Values = None,
    transaction: Values = None,
    make: Values = None,
    min_price: float | None = None,
    max_price: float | None = None,
    drop_outliers: bool = False,
) -> pd.DataFrame:
    """Return the listings that pass every filter given (all of them must hold).

    Text filters take one value or a list of values ("one of") and ignore case; ``department``
    is a code (``"14"``) or a name (``"Calvados"``). ``min_price`` and ``max_price`` are
    inclusive and drop the ads without a price. ``where`` adds conditions written
    ``COLUMN<op>VALUE`` (see :class:`Condition`) on any column: ``"rooms=3"``,
    ``["rooms>=3", "surface_m2>=50"]``. ``drop_outliers`` leaves out the listings whose
    ``price_outlier`` is true.

    >>> ads = pd.DataFrame({"category": ["immobilier", "automobile"], "price_eur": [650.0, None]})
    >>> len(select(ads, category="Immobilier")), len(select(ads, where=["price_eur<1000"]))
    (1, 1)
    """
    if isinstance(where, str | Condition):
        where = [where]
    conditions = [w if isinstance(w, Condition) else Condition.parse(w) for w in where]
    named = {
        "category": category,
        "department": department,
        "town": town,
        "transaction": transaction,
        "make": make,
    }
    for column, values in named.items():
        if values is not None:
            listed = (values,) if isinstance(values, str) else tuple(values)
            conditions.append(Condition(column, "=", listed))
    for operator, bound in ((">=", min_price), ("<=", max_price)):
        if bound is not None:
            conditions.append(Condition("price_eur", cast(Operator, operator), (repr(bound),)))
    keep = pd.Series(True, index=listings.index)
    for condition in conditions:
        keep &= condition.holds(listings)
    if drop_outliers and "price_outlier" in listings.columns:
        keep &= listings["price_outlier"].fillna(False).astype(bool).eq(False)
    return listings[keep]


def group_columns(listings: pd.DataFrame, by: str | Sequence[str] = ("category",)) -> list[str]:
    """Return the columns a summary of ``listings`` groups by: ``by``, plus ``transaction``
    (right after ``category``, or last) when real estate is among the listings.

    >>> ads = pd.DataFrame({"category": ["immobilier"], "town": ["Caen"], "price_eur": [650.0]})
    >>> group_columns(ads, "category"), group_columns(ads, ["town"])
    (['category', 'transaction'], ['town', 'transaction'])
    """
    columns = list(dict.fromkeys([by] if isinstance(by, str) else by))
    for column in columns:
        if column not in listings.columns:
            raise QueryError(_unknown_column(column, listings, "to group by"))
    if "transaction" not in columns and (_category(listings) == REAL_ESTATE).any():
        at = columns.index("category") + 1 if "category" in columns else len(columns)
        columns.insert(at, "transaction")
    return columns


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
    ``p25``, ``median``, ``mean``, ``p75``, ``max`` (euros) and ``price_per_m2``.

    ``listings`` is the frame of :func:`classifieds.load`, or any frame with the contract's
    columns (``category`` and ``price_eur`` at least; plain object or float dtypes are fine).
    The filters are those of :func:`select`. Groups come largest first, then in the order of
    their keys (nulls last); ``top`` keeps the ``top`` largest. The module docstring gives the
    rules: real estate split by transaction, null prices counted but not priced, quartiles from
    4 prices.

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
    table = _statistics(_labelled(rows, keys), keys)
    table = table.sort_values(
        ["ads", *keys],
        ascending=[False, *(True for _ in keys)],
        na_position="last",
        kind="mergesort",
    )
    if top is not None:
        table = table.head(top)
    for key in keys:  # plain Python values and None, whatever the input dtypes were
        table[key] = table[key].astype(object).where(table[key].notna(), None)
    return table.reset_index(drop=True)


def group_prices(listings: pd.DataFrame, summary: pd.DataFrame) -> list[list[float]]:
    """Return, for each row of ``summary``, the known prices of its group, sorted.

    ``listings`` are the rows that were summarized (after the same filters).
    """
    keys = [column for column in summary.columns if column not in STAT_COLUMNS]
    rows = _labelled(_prepare(listings), keys)
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
        rows = rows.drop_duplicates("listing_id")
    for column in _NUMERIC_COLUMNS.intersection(rows.columns):
        numbers = pd.to_numeric(rows[column], errors="coerce")
        rows[column] = numbers.astype("Int64" if column in _INTEGER_COLUMNS else "float64")
    return rows


def _labelled(rows: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Give real estate without a known transaction the :data:`UNKNOWN_TRANSACTION` label."""
    if "transaction" not in keys:
        return rows
    transaction = (
        rows["transaction"].astype(object)
        if "transaction" in rows.columns
        else pd.Series(None, index=rows.index, dtype=object)
    )
    unknown = (_category(rows) == REAL_ESTATE) & transaction.isna()
    return rows.assign(transaction=transaction.where(~unknown, UNKNOWN_TRANSACTION))


def _statistics(rows: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Return the figures of each group of ``rows``, one row per group, in no set order."""
    if rows.empty:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in [*keys, *STAT_COLUMNS]})
    price = rows["price_eur"].astype("float64")
    surface = (
        rows["surface_m2"].astype("float64")
        if "surface_m2" in rows.columns
        else pd.Series(float("nan"), index=rows.index)
    )
    per_m2 = (price / surface).where((_category(rows) == REAL_ESTATE) & (surface > 0))
    grouping = list(keys) or ["_all"]
    frame = rows.assign(_price=price, _per_m2=per_m2, _all=0)
    groups = frame.groupby(grouping, dropna=False, sort=False)
    table = groups.agg(
        ads=("_price", "size"),
        with_price=("_price", "count"),
        min=("_price", "min"),
        median=("_price", "median"),
        mean=("_price", "mean"),
        max=("_price", "max"),
        price_per_m2=("_per_m2", "median"),
    )
    enough = table["with_price"] >= MIN_PRICES_FOR_QUARTILES
    table["p25"] = groups["_price"].quantile(0.25).where(enough)
    table["p75"] = groups["_price"].quantile(0.75).where(enough)
    table = table.reset_index()
    return table[[*keys, *STAT_COLUMNS]]


def _category(rows: pd.DataFrame) -> pd.Series[str]:
    return _folded(rows["category"])


def _folded(column: pd.Series) -> pd.Series[str]:
    """Return text stripped and case-folded, nulls as ``<NA>``."""
    return column.astype("string").str.strip().str.casefold()


def _unknown_column(column: str, listings: pd.DataFrame, purpose: str) -> str:
    known = ", ".join(str(c) for c in listings.columns)
    return f"No column {column!r} {purpose}. Columns: {known}."
