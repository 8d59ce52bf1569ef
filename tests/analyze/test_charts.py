"""Charts: a PNG of the right size, the groups of the data, and nothing that changes between runs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from classifieds.analyze.charts import MAX_GROUPS, SUMMARY_KEY, PlotKind, figure_size, plot_prices
from classifieds.analyze.report import render
from classifieds.analyze.summary import group_prices, summarize


@pytest.fixture(scope="module")
def listings() -> pd.DataFrame:
    rows = [("immobilier", "location", p) for p in (450.0, 520.0, 610.0, 700.0, 980.0)]
    rows += [("immobilier", "vente", 185000.0), ("immobilier", None, None)]
    rows += [("automobile", None, p) for p in (4500.0, 9500.0, None)]
    return pd.DataFrame(rows, columns=["category", "transaction", "price_eur"])


@pytest.mark.parametrize("kind", ["box", "bar"])
def test_chart_shows_the_groups_of_the_data(
    listings: pd.DataFrame, tmp_path: Path, kind: PlotKind
) -> None:
    summary = summarize(listings)
    path = tmp_path / "prices.png"
    drawn = plot_prices(summary, group_prices(listings, summary), path, kind=kind)
    # The real estate of unknown transaction has no price: it is in the summary, not drawn.
    assert drawn == ["immobilier · location (n=5)", "automobile (n=2)", "immobilier · vente (n=1)"]
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == figure_size(3) == (1000, 300)
        assert image.getextrema() != ((255, 255),) * 4  # something is drawn
        assert image.text == {
            "Title": "Median asking price by category · transaction"
            if kind == "bar"
            else "Asking prices by category · transaction",
            SUMMARY_KEY: render(summary, "csv"),
        }


def test_same_summary_same_bytes(listings: pd.DataFrame, tmp_path: Path) -> None:
    summary = summarize(listings)
    prices = group_prices(listings, summary)
    plot_prices(summary, prices, tmp_path / "a.png")
    plot_prices(summary, prices, tmp_path / "b.png")
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    assert sorted(tmp_path.iterdir()) == [tmp_path / "a.png", tmp_path / "b.png"]  # no staging file


def test_a_chart_draws_at_most_the_largest_groups(tmp_path: Path) -> None:
    towns = pd.DataFrame(
        {
            "category": "bonnes_affaires",
            "town": [f"Town {i:02}" for i in range(40)],
            "price_eur": 10.0,
        }
    )
    summary = summarize(towns, "town")
    drawn = plot_prices(
        summary, group_prices(towns, summary), tmp_path / "towns.png", title="Towns"
    )
    assert len(drawn) == MAX_GROUPS and drawn[0] == "Town 00 · bonnes_affaires (n=1)"
    with Image.open(tmp_path / "towns.png") as image:
        assert image.size == figure_size(MAX_GROUPS)
