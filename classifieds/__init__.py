r"""classifieds: the "Petites Annonces" widget of scraped French news pages, as a dataset.

>>> import classifieds
>>> [ad.town for ad in classifieds.parse_page(
...     "Petites Annonces\nAutomobile\nClio\nClio Caen (14000) 9 500€ Découvrir\n")]
['Caen']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from classifieds._version import __version__
from classifieds.errors import ClassifiedsError, InputError, OutputError, QueryError
from classifieds.models import Ad, Listing, Manifest, Reject, Sighting
from classifieds.parse.ads import parse_page
from classifieds.run.export import build
from classifieds.store.dataset import load, load_sightings
from classifieds.store.timeline import history

if TYPE_CHECKING:
    from classifieds.analyze.summary import summarize

__all__ = [
    "Ad",
    "ClassifiedsError",
    "InputError",
    "Listing",
    "Manifest",
    "OutputError",
    "QueryError",
    "Reject",
    "Sighting",
    "__version__",
    "build",
    "history",
    "load",
    "load_sightings",
    "parse_page",
    "summarize",
]


def __getattr__(name: str) -> Any:
    # Summaries need pandas, which an export does without: import them on first use.
    if name == "summarize":
        from classifieds.analyze.summary import summarize

        return summarize
    raise AttributeError(f"module 'classifieds' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
