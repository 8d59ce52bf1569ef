"""The price history of one ad: its sightings in time order, with the price seen each time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from classifieds.errors import QueryError

if TYPE_CHECKING:  # the functions take frames but need not import pandas themselves
    import pandas as pd

HISTORY_COLUMNS = ("fetched_at", "price_eur", "url", "source", "line")
MIN_PREFIX: Final = 6
"""The fewest characters of a ``listing_id`` that name an ad: fewer would often name several."""
_MAX_SHOWN: Final = 10  # ids listed for an ambiguous prefix


def find_listing(sightings: pd.DataFrame, prefix: str) -> str | None:
    """Return the ``listing_id`` that starts with ``prefix``, in any case; None when none does.

    A whole id names itself. Raise :class:`QueryError` for a prefix shorter than
    :data:`MIN_PREFIX` characters, or one that starts several ids (listing them).

    >>> import pandas as pd
    >>> seen = pd.DataFrame({"listing_id": ["1007d86089", "1007d8ff00", "ab12cd34"]})
    >>> find_listing(seen, "ab12cd"), find_listing(seen, "AB12CD"), find_listing(seen, "ffffff")
    ('ab12cd34', 'ab12cd34', None)
    >>> find_listing(seen, "1007d8")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    classifieds.errors.QueryError: 1007d8 starts 2 listing ids: 1007d86089, 1007d8ff00. Give ...
    """
    ids = _listing_ids(sightings)
    if prefix in ids:
        return prefix
    wanted = prefix.casefold()  # 1007D8: an id copied from a tool that writes hex in capitals
    whole = [listing for listing in ids if listing.casefold() == wanted]
    if len(whole) == 1:
        return whole[0]
    if len(prefix) < MIN_PREFIX:
        raise QueryError(
            f"{prefix!r} is too short: give {MIN_PREFIX} characters or more of a listing_id"
            " (or all of it)."
        )
    matches = sorted(listing for listing in ids if listing.casefold().startswith(wanted))
    if len(matches) > 1:
        shown = ", ".join(matches[:_MAX_SHOWN])
        more = f" and {len(matches) - _MAX_SHOWN} more" if len(matches) > _MAX_SHOWN else ""
        raise QueryError(
            f"{prefix} starts {len(matches)} listing ids: {shown}{more}. Give more characters."
        )
    return matches[0] if matches else None


def _listing_ids(sightings: pd.DataFrame) -> set[str]:
    """Return the distinct listing ids of a sightings frame."""
    return {str(listing) for listing in sightings["listing_id"].unique()}


def history(sightings: pd.DataFrame, listing_id: str) -> pd.DataFrame:
    """Return the sightings of one ad in time order: when and where it was seen, at what price.

    ``sightings`` is the frame of :func:`classifieds.load_sightings`. Sightings are ordered by
    capture date, undated ones first in input order (the order the listing's latest price
    follows). The frame is empty when the id was never seen.

    >>> import pandas as pd
    >>> seen = pd.DataFrame({"listing_id": ["a", "b", "a"], "source": ["w#3", "w#4", "w#9"],
    ...     "line": [7, 7, 8], "price_eur": [61000.0, 5.0, 60000.0], "url": ["u1", "u2", "u3"],
    ...     "fetched_at": pd.to_datetime(["2024-05-02", "2024-05-01", "2024-04-01"], utc=True)})
    >>> history(seen, "a")[["source", "price_eur"]].to_dict("records")
    [{'source': 'w#9', 'price_eur': 60000.0}, {'source': 'w#3', 'price_eur': 61000.0}]
    """
    rows = sightings[sightings["listing_id"] == listing_id]
    rows = rows.sort_values("fetched_at", kind="stable", na_position="first")
    return rows[list(HISTORY_COLUMNS)].reset_index(drop=True)
