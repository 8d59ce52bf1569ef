r"""classifieds: the "Petites Annonces" widget of scraped French news pages, as a dataset.

>>> import classifieds
>>> [ad.town for ad in classifieds.parse_page(
...     "Petites Annonces\nAutomobile\nClio\nClio Caen (14000) 9 500€ Découvrir\n")]
['Caen']
"""

from __future__ import annotations

import importlib
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from classifieds._version import __version__
from classifieds.errors import ClassifiedsError, InputError, OutputError, QueryError

if TYPE_CHECKING:
    from classifieds.analyze.sighted import sighted
    from classifieds.analyze.summary import summarize
    from classifieds.models import Ad, Listing, Manifest, Reject, Sighting
    from classifieds.parse.ads import parse_page
    from classifieds.run.export import build
    from classifieds.store.dataset import load, load_sightings
    from classifieds.store.timeline import history

_HOMES = MappingProxyType(
    {
        "Ad": "classifieds.models",
        "Listing": "classifieds.models",
        "Manifest": "classifieds.models",
        "Reject": "classifieds.models",
        "Sighting": "classifieds.models",
        "build": "classifieds.run.export",
        "history": "classifieds.store.timeline",
        "load": "classifieds.store.dataset",
        "load_sightings": "classifieds.store.dataset",
        "parse_page": "classifieds.parse.ads",
        "sighted": "classifieds.analyze.sighted",
        "summarize": "classifieds.analyze.summary",
    }
)
"""The module of each public name imported on first use: the package takes 0.4 s to import
(pydantic, pyarrow; pandas for summaries), which the command line must not spend before it
handles Ctrl-C, and an export does without pandas."""

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
    "sighted",
    "summarize",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'classifieds' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
