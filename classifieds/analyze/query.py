"""Which listings (or sightings) a question is about: conditions written ``COLUMN<op>VALUE``.

``summary`` and ``rows`` take the same ``--where`` conditions, read here: ``=`` and ``!=`` on
text (without regard to case), numbers and true/false columns (``price_outlier=true``); ``<``,
``<=``, ``>``, ``>=`` on numbers and dates (:mod:`.dates`). A null passes no condition.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal, cast
from unicodedata import combining

import pandas as pd
import pyarrow as pa

from classifieds.analyze.dates import Bound, as_utc, is_timestamp, parse_bound
from classifieds.errors import QueryError
from classifieds.store.columns import LISTING_COLUMNS, SIGHTING_COLUMNS

__all__ = [
    "INTEGER_COLUMNS",
    "NUMERIC_COLUMNS",
    "Condition",
    "Conditions",
    "Values",
    "collated",
    "conditions_of",
    "folded",
    "select",
    "unknown_column",
]

Operator = Literal["=", "!=", "<", "<=", ">", ">="]
_ORDERING: Final = frozenset({"<", "<=", ">", ">="})
NUMERIC_COLUMNS: Final = frozenset(
    c.name
    for c in (*LISTING_COLUMNS, *SIGHTING_COLUMNS)
    if pa.types.is_integer(c.type) or pa.types.is_floating(c.type)
)
"""Columns of the dataset that hold numbers, whatever dtype a hand-made frame gives them."""
INTEGER_COLUMNS: Final = frozenset(
    c.name for c in (*LISTING_COLUMNS, *SIGHTING_COLUMNS) if pa.types.is_integer(c.type)
)

BOOLEAN_COLUMNS: Final = frozenset(
    c.name for c in (*LISTING_COLUMNS, *SIGHTING_COLUMNS) if pa.types.is_boolean(c.type)
)
_TRUTH: Final = MappingProxyType(
    dict.fromkeys(("true", "1", "yes", "oui"), True)
    | dict.fromkeys(("false", "0", "no", "non"), False)
)

_CONDITION = re.compile(
    r"""
    ^\s*(?P<column>[A-Za-z_][A-Za-z0-9_]*)   # a column name
    \s*(?P<operator>==|!=|<=|>=|=|<|>)       # a comparison; == is the same as =
    \s*(?P<value>.*?)\s*$                    # the value(s), maybe quoted by the shell
    """,
    re.VERBOSE,
)
_CODE_WIDTHS: Final = MappingProxyType({"postcode": 5, "department_code": 2, "insee_code": 5})
"""Codes held as text, their leading zeros kept: the digits they are written with."""
_NUMBER_SPACES = re.compile(r"[\s_\u00a0\u202f]")  # "1 000", "1_000" are 1000
_DECIMAL_COMMA = re.compile(r"^\s*[0-9][0-9 \u00a0\u202f]*,[0-9]+\s*$")  # French 1 000,50


@dataclass(frozen=True)
class Condition:
    """A filter on one column, true where the column's value passes it.

    ``=`` and ``!=`` take one value or several separated by commas ("one of"); text compares
    without regard to case; ``<``, ``<=``, ``>``, ``>=`` need a number or a date column and one
    number or date. A null value passes no condition, ``!=`` included. ``department`` matches
    the department's code or its name (``department=14``, ``department=Calvados``).

    A date column (``first_seen``, ``last_seen``, ``fetched_at``) compares with a date or a
    datetime in UTC (:func:`~classifieds.analyze.dates.parse_bound`): a date alone is midnight
    UTC as a bound (``first_seen<2026-03-01``: before March), the whole day with ``=`` and
    ``!=`` (``first_seen=2026-02-03``: first seen that day).
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
                " COLUMN>=NUMBER (also <, <=, >), e.g. department=14, price_eur>=1000 or"
                " first_seen>=2026-02-01."
            )
        operator = match["operator"].replace("==", "=")
        values = tuple(v.strip() for v in match["value"].split(","))
        if not all(values):
            raise QueryError(f"The condition {text!r} needs a value after {operator}.")
        if operator in _ORDERING and len(values) > 1:
            hint = ""
            if _DECIMAL_COMMA.match(match["value"]):  # 1000,5: a French decimal, not two numbers
                hint = f": write a decimal point, {match['column']}{operator}{'.'.join(values)}"
            raise QueryError(f"The condition {text!r} compares with one number or date only{hint}.")
        return cls(match["column"], cast(Operator, operator), values)

    def __str__(self) -> str:
        return f"{self.column}{self.operator}{','.join(self.values)}"

    def holds(self, listings: pd.DataFrame) -> pd.Series[bool]:
        """Return, per row of ``listings``, whether the condition holds (False for a null)."""
        if self.column not in listings.columns:
            raise QueryError(unknown_column(self.column, listings, f"in {str(self)!r}"))
        column = listings[self.column]
        if is_timestamp(self.column, column):
            return self._holds_for_dates(as_utc(column))
        if self.column in BOOLEAN_COLUMNS or pd.api.types.is_bool_dtype(column):
            return self._holds_for_truth(column.astype("boolean"))
        if self.column in NUMERIC_COLUMNS or pd.api.types.is_numeric_dtype(column):
            return self._holds_for_numbers(pd.to_numeric(column, errors="coerce"))
        if self.operator in _ORDERING:
            raise QueryError(f"{self}: {self.column} holds text; compare it with = or != only.")
        # NFC, as the dataset's text is: a terminal or a copied file name may give "é" as
        # "e" and a combining accent, which looks the same and matched nothing.
        wanted = {unicodedata.normalize("NFC", value).casefold() for value in self.values}
        width = _CODE_WIDTHS.get(self.column)
        if width is not None:  # 7690 is 07690, as a spreadsheet that read the code as a number
            wanted |= {value.zfill(width) for value in wanted if value.isdigit()}
        hit = folded(column).isin(wanted)
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

    def _holds_for_truth(self, column: pd.Series[bool]) -> pd.Series[bool]:
        if self.operator in _ORDERING:
            raise QueryError(f"{self}: {self.column} is true or false; compare it with = or !=.")
        wanted = set()
        for value in self.values:
            if value.casefold() not in _TRUTH:
                raise QueryError(
                    f"{self}: {self.column} is true or false, and {value!r} is neither: write"
                    f" {self.column}=true or {self.column}=false."
                )
            wanted.add(_TRUTH[value.casefold()])
        hit = column.isin(wanted).fillna(False).astype(bool)
        return hit if self.operator == "=" else column.notna() & ~hit

    def _holds_for_dates(self, column: pd.Series) -> pd.Series[bool]:
        bounds = [self._bound(value) for value in self.values]
        if self.operator in ("=", "!="):
            hit = pd.Series(False, index=column.index)
            for bound in bounds:
                within = column.ge(bound.start) & column.lt(bound.end)
                hit |= (within if bound.whole_day else column.eq(bound.start)).fillna(False)
            return hit if self.operator == "=" else column.notna() & ~hit
        compare = {"<": column.lt, "<=": column.le, ">": column.gt, ">=": column.ge}
        return compare[self.operator](bounds[0].start).fillna(False)

    def _bound(self, value: str) -> Bound:
        bound = parse_bound(value)
        if bound is None:
            raise QueryError(
                f"{self}: {self.column} holds dates, and {value!r} is not one. Write a date or a"
                " datetime in UTC: 2026-02-01 or 2026-02-01T12:00, or a month, week or year as"
                " summaries print them: 2026-02, 2026-W05, 2026."
            )
        return bound

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
    conditions = conditions_of(where)
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


def conditions_of(where: Conditions) -> list[Condition]:
    """Return the conditions written in ``where``: one, or several, as text or parsed.

    >>> [str(c) for c in conditions_of("rooms>=3")]
    ['rooms>=3']
    """
    if isinstance(where, str | Condition):
        where = [where]
    return [w if isinstance(w, Condition) else Condition.parse(w) for w in where]


def folded(column: pd.Series) -> pd.Series[str]:
    """Return text stripped and case-folded, nulls as ``<NA>``."""
    return column.astype("string").str.strip().str.casefold()


def collated(column: pd.Series) -> pd.Series:
    """Return a column as it sorts for a French reader: text without accents or case
    (``Évreux`` before ``Vire``, ``caen`` beside ``Caen``), anything else as it is.

    >>> names = pd.Series(["Vire", "Évreux", "caen", "Œuilly", "Bayeux"])
    >>> names.sort_values(key=collated).tolist()
    ['Bayeux', 'caen', 'Évreux', 'Œuilly', 'Vire']
    """
    if column.dtype != object and not pd.api.types.is_string_dtype(column):
        return column
    texts = {value for value in column.tolist() if isinstance(value, str)}
    decomposed = {text: _decomposed(text) for text in texts}
    # The combining marks among them, removed by one translate a text rather than char by char.
    marks = {ord(char): None for char in set("".join(decomposed.values())) if combining(char)}
    keys = {text: folded.translate(marks) for text, folded in decomposed.items()}
    return column.map(lambda value: keys[value] if isinstance(value, str) else value)


def _decomposed(text: str) -> str:
    ligatures = text.casefold().replace("œ", "oe").replace("æ", "ae")
    return ligatures if ligatures.isascii() else unicodedata.normalize("NFKD", ligatures)


def unknown_column(column: str, rows: pd.DataFrame, purpose: str) -> str:
    """Return the one-line error for a column ``rows`` lacks, naming those it has."""
    known = ", ".join(str(c) for c in rows.columns)
    return f"No column {column!r} {purpose}. Columns: {known}."
