"""classifieds: the 'Petites Annonces' widget of scraped French news pages, as a dataset."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
