"""Prices implausible for their group: the ``price_outlier`` column of listings.

A group is the listings alike enough to share a price scale: same category, transaction and
property or vehicle type (a flat let, a house sold, a moto). A price is flagged when

- it lies outside the group's absolute bounds (:data:`BOUNDS`: a 45,000 € monthly rent, a
  300 € house for sale), whatever the group's size; or
- the group has at least :data:`MIN_GROUP` prices and the price's log10 lies more than
  :data:`MAD_K` robust standard deviations from the group's median log-price, the robust
  standard deviation being 1.4826 × the median absolute deviation (MAD), never taken below
  :data:`MIN_SPREAD` (a factor of 1.41) so that a group of near-equal prices does not flag
  every price that differs a little.

Log-prices, because prices spread by factors, not by sums. Median and MAD, because the outliers
themselves must not move the yardstick. The flag is a function of the whole set of listings,
not of their order: the same listings give the same flags, whatever the batching and with
``--append``, where it is computed again over the whole dataset.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from statistics import median
from types import MappingProxyType
from typing import Any, Final

MIN_GROUP: Final = 8
"""Prices a group needs before its own spread is trusted."""
MAD_K: Final = 3.5
"""Robust standard deviations from the median beyond which a price is flagged."""
MIN_SPREAD: Final = 0.15
"""Floor of the robust standard deviation, in log10 units (a factor of 1.41)."""
MAD_TO_SD: Final = 1.4826
"""The MAD of a normal distribution times this is its standard deviation."""

_ANY: Final = None
# (transaction, property or vehicle type) -> (lowest, highest) plausible price in €, for the
# groups of any category with that transaction and type: only real estate has a transaction,
# only vehicles a vehicle type. Rents are monthly. A viager (its bouquet may be anything) and
# a group without a transaction or type have no bounds; a property type without a transaction
# has the widest of its rent and sale bounds (see _bounds).
BOUNDS: Final[Mapping[tuple[str | None, str | None], tuple[float, float]]] = MappingProxyType(
    {
        ("location", _ANY): (20.0, 20_000.0),
        ("location", "parking"): (10.0, 1_000.0),
        ("location", "chambre"): (50.0, 3_000.0),
        ("vente", _ANY): (1_000.0, 50_000_000.0),
        ("vente", "maison"): (10_000.0, 50_000_000.0),
        ("vente", "appartement"): (10_000.0, 50_000_000.0),
        ("vente", "immeuble"): (30_000.0, 100_000_000.0),
        ("vente", "parking"): (1_000.0, 500_000.0),
        ("vente", "terrain"): (500.0, 50_000_000.0),
        (None, "voiture"): (300.0, 3_000_000.0),
        (None, "moto"): (100.0, 300_000.0),
        (None, "utilitaire"): (300.0, 500_000.0),
        (None, "camping_car"): (1_000.0, 500_000.0),
        (None, "remorque"): (50.0, 100_000.0),
        (None, "piece"): (1.0, 50_000.0),
    }
)

Group = tuple[str, str | None, str | None]
"""Category, transaction, property or vehicle type."""
OUTLIER_INPUTS: Final = ("category", "transaction", "property_type", "vehicle_type", "price_eur")
"""The columns of listings that tell whether a price is an outlier."""


def _bounds(group: Group) -> tuple[float, float] | None:
    """Return a group's bounds; real estate of a known type whose ads do not tell the
    transaction gets the widest of its type's rent and sale bounds (a house for 1 € is
    neither)."""
    _, transaction, kind = group
    if transaction is None and kind is None:
        return None
    bounds = BOUNDS.get((transaction, kind)) or BOUNDS.get((transaction, _ANY))
    if bounds is None and transaction is None:
        rent, sale = (BOUNDS.get((t, kind)) or BOUNDS[(t, _ANY)] for t in ("location", "vente"))
        bounds = (min(rent[0], sale[0]), max(rent[1], sale[1]))
    return bounds


def _too_far(log_prices: Sequence[float]) -> tuple[float, float] | None:
    """Return the (low, high) log-prices beyond which a group's price is an outlier."""
    if len(log_prices) < MIN_GROUP:
        return None
    centre = median(log_prices)
    spread = max(MAD_TO_SD * median(abs(x - centre) for x in log_prices), MIN_SPREAD)
    return centre - MAD_K * spread, centre + MAD_K * spread


def price_outliers(rows: Sequence[Mapping[str, Any]]) -> list[bool]:
    """Return, for each listing row, whether its price is implausible for its group.

    A row without a price is never an outlier.

    >>> rents = [{"category": "immobilier", "transaction": "location", "price_eur": p}
    ...          for p in (450.0, 45_000.0, None)]
    >>> price_outliers(rents)
    [False, True, False]
    """
    return outliers_of({name: [row.get(name) for row in rows] for name in OUTLIER_INPUTS})


def outliers_of(columns: Mapping[str, Sequence[Any]]) -> list[bool]:
    """Return :func:`price_outliers` of the listings whose :data:`OUTLIER_INPUTS` columns
    these are: a table's columns, never turned into rows."""
    groups: dict[Group, list[float]] = {}
    keys: list[Group | None] = []
    prices = columns["price_eur"]
    for category, transaction, property_type, vehicle_type, price in zip(
        *(columns[name] for name in OUTLIER_INPUTS), strict=True
    ):
        if price is None or not price > 0:
            keys.append(None)
            continue
        group = (category, transaction, property_type or vehicle_type)
        keys.append(group)
        groups.setdefault(group, []).append(math.log10(price))
    limits = {group: _too_far(values) for group, values in groups.items()}
    flags = []
    for price, key in zip(prices, keys, strict=True):
        if key is None:
            flags.append(False)
            continue
        bounds, far = _bounds(key), limits[key]
        out_of_bounds = bounds is not None and not bounds[0] <= price <= bounds[1]
        log_price = math.log10(price)
        too_far = far is not None and not far[0] <= log_price <= far[1]
        flags.append(out_of_bounds or too_far)
    return flags
