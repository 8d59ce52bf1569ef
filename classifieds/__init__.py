r"""classifieds: the "Petites Annonces" widget of scraped French news pages, as a dataset.

>>> import classifieds
>>> [ad.town for ad in classifieds.parse_page(
...     "Petites Annonces\nAutomobile\nClio\nClio Caen (14000) 9 500€ Découvrir\n")]
['Caen']
"""

from __future__ import annotations

from classifieds._version import __version__
from classifieds.ads import parse_page
from classifieds.dataset import load
from classifieds.errors import ClassifiedsError, InputError, OutputError, QueryError
from classifieds.export import build
from classifieds.models import Ad, Listing, Manifest, Reject, Sighting
from classifieds.summary import summarize

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
    "load",
    "parse_page",
    "summarize",
]
