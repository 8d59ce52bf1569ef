"""Charts people can read: panels per transaction, labels that say what they pool, nothing
clipped, every point inside its axis, lines over time; and a PNG that does not change."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import matplotlib.dates
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

from classifieds.analyze.charts import (
    MAX_GROUPS,
    SUMMARY_KEY,
    PlotKind,
    draw_prices,
    figure_size,
    plot_prices,
)
from classifieds.analyze.panels import MAX_LABEL, label_of
from classifieds.analyze.report import render
from classifieds.analyze.summary import group_prices, summarize
from classifieds.analyze.timecharts import MAX_SERIES

RENTS, SALES, OTHERS = (
    "Rents (location), per month",
    "Sales (vente)",
    ("Other categories (no transaction)"),
)


@pytest.fixture(scope="module")
def listings() -> pd.DataFrame:
    rows = [("immobilier", "location", "Caen", p) for p in (450.0, 520.0, 610.0, 700.0, 980.0)]
    rows += [("immobilier", "vente", "Caen", 185000.0), ("immobilier", None, "Caen", None)]
    rows += [("automobile", None, "Caen", p) for p in (4500.0, 9500.0, None)]
    rows += [("bonnes_affaires", None, "Caen", 40.0)]
    return pd.DataFrame(rows, columns=["category", "transaction", "town", "price_eur"])


def chart_of(frame: pd.DataFrame, by: Any = "category", **options: Any) -> tuple[Any, Figure]:
    summary = summarize(frame, by)
    chart = draw_prices(summary, group_prices(frame, summary), **options)
    chart.figure.canvas.draw()  # tick labels get their text when drawn
    return chart, chart.figure


def assert_readable(figure: Figure) -> None:
    """Everything drawn lies inside the picture, every point inside its axes, and no two
    labels of an axis touch."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    for axes in figure.axes:
        for axis, start, end in ((axes.xaxis, "x0", "x1"), (axes.yaxis, "y0", "y1")):
            low, high = sorted(axis.get_view_interval())
            for which in ("label1", "label2"):
                boxes = sorted(
                    (
                        getattr(tick, which).get_window_extent(renderer)
                        for tick in axis.get_major_ticks()
                        if low <= tick.get_loc() <= high
                        and getattr(tick, which).get_visible()
                        and getattr(tick, which).get_text()
                        and not getattr(tick, which).get_rotation()  # slanted: boxes overlap
                    ),
                    key=lambda box: getattr(box, start),
                )
                for before, after in itertools.pairwise(boxes):
                    assert getattr(before, end) < getattr(after, start), (before, after)
    drawn = figure.get_tightbbox(renderer)  # in inches
    assert drawn is not None
    assert drawn.x0 >= 0 and drawn.y0 >= 0, drawn
    assert drawn.x1 <= figure.get_figwidth() and drawn.y1 <= figure.get_figheight(), drawn
    for axes in figure.axes:
        (x0, x1), (y0, y1) = sorted(axes.get_xlim()), sorted(axes.get_ylim())
        for line in axes.get_lines():
            xs = np.asarray(axes.convert_xunits(line.get_xdata()), dtype=float)
            ys = np.asarray(line.get_ydata(), dtype=float)
            assert ((xs > x0) & (xs < x1)).all() and ((ys > y0) & (ys < y1)).all(), line


@pytest.mark.parametrize("kind", ["box", "bar"])
def test_rents_and_sales_are_drawn_in_panels_of_their_own(
    listings: pd.DataFrame, tmp_path: Path, kind: PlotKind
) -> None:
    summary = summarize(listings)
    chart = draw_prices(summary, group_prices(listings, summary), kind=kind)
    # The real estate of unknown transaction has no price: it is in the summary, not drawn.
    assert chart.panels == {
        RENTS: ["immobilier · location (n=5)"],
        OTHERS: ["automobile (n=2)", "bonnes_affaires (n=1)"],
        SALES: ["immobilier · vente (n=1)"],
    }
    assert len(chart.figure.axes) == 3
    assert_readable(chart.figure)
    path = tmp_path / "prices.png"
    assert plot_prices(summary, group_prices(listings, summary), path, kind=kind) == chart.labels
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == figure_size([1, 2, 1])
        assert image.text == {
            "Title": "Median asking price by category · transaction"
            if kind == "bar"
            else "Asking prices by category · transaction",
            SUMMARY_KEY: render(summary, "csv"),
        }


def test_a_panel_has_its_own_price_axis(listings: pd.DataFrame) -> None:
    _, figure = chart_of(listings)
    rents, others, sales = figure.axes
    assert rents.get_xscale() == "linear" and rents.get_xlim()[1] < 1100
    assert others.get_xscale() == "log"  # 40 € to 9 500 €
    assert sales.get_xlim()[0] > 100_000


def test_labels_say_what_they_pool(listings: pd.DataFrame) -> None:
    chart, figure = chart_of(listings, "town")
    assert chart.panels[OTHERS] == ["Caen · automobile (n=2)", "Caen · bonnes_affaires (n=1)"]
    shown = [label.get_text() for label in figure.axes[1].get_yticklabels()]
    assert shown == ["Caen · automobile (n=2)", "Caen · bonnes_affaires (n=1)"]
    rents = [label.get_text() for label in figure.axes[0].get_yticklabels()]
    assert rents == ["Caen · immobilier (n=5)"]  # its panel's title says "location"


@pytest.mark.parametrize(
    ("values", "keys", "label"),
    [
        (["Caen", "automobile"], ["town", "category"], "Caen · automobile"),
        (["Caen", None, "automobile"], ["town", "make", "category"], "Caen · no make · automobile"),
        (
            ["Saint-Sébastien-sur-Loire", "immobilier", "location"],
            ["town", "category", "transaction"],
            "Saint-Sébastien-sur-Loire · immobilier",
        ),
        (
            [
                "Chaise de bureau Seattle – Confort, design & vérin à gaz NEUF",
                "Le Plessis-Robinson",
                "bonnes_affaires",
            ],
            ["title", "town", "category"],
            "Chaise d… · Le Pless… · bonnes_affaires",
        ),
        (  # the moment tells the groups apart: it was cut to its day
            [pd.Timestamp("2026-01-03T10:00Z"), "immobilier", "Saint-Sébastien-sur-Loire"],
            ["fetched_at", "category", "town"],
            "2026-01-03 10:00 · immobilier · Saint-S…",
        ),
    ],
    ids=["town", "null-make", "transaction-in-panel", "long-title", "fetched-at"],
)
def test_long_labels_are_cut_but_keep_their_category(
    values: list[Any], keys: list[str], label: str
) -> None:
    assert label_of(pd.Series(dict(zip(keys, values, strict=True))), keys) == label
    assert len(label) <= MAX_LABEL + 3


def test_long_titles_labels_and_notes_are_never_clipped(tmp_path: Path) -> None:
    titles = [
        f"Très belle maison de caractère numéro {i} avec jardin arboré et piscine"
        for i in range(40)
    ]
    frame = pd.DataFrame(
        {
            "category": "immobilier",
            "transaction": ["vente", "location"] * 20,
            "title": titles,
            "town": "Saint-Rémy-de-Provence-sur-Mer-et-Montagne",
            "price_eur": [150000.0 + 1000 * i if i % 2 == 0 else 500.0 + i for i in range(40)],
        }
    )
    note = "Ads where " + ", ".join(f"title!=Maison numéro {i}" for i in range(25)) + "."
    for kind in ("box", "bar"):
        chart, figure = chart_of(frame, ["title", "town"], kind=kind, note=note, title="Prix " * 40)
        assert len(chart.labels) == MAX_GROUPS
        assert_readable(figure)


def test_a_single_price_and_equal_prices_lie_inside_the_axis() -> None:
    frame = pd.DataFrame({"category": ["bonnes_affaires"] * 3, "price_eur": [5.0, 5.0, 5.0]})
    for kind in ("box", "bar"):
        assert_readable(chart_of(frame, kind=kind)[1])


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
        assert image.size == figure_size([MAX_GROUPS])
    caption = draw_prices(summary, group_prices(towns, summary)).figure.get_supxlabel()  # type: ignore[attr-defined]
    assert f"The {MAX_GROUPS} largest of 40 groups with a price" in caption
    few = summary.head(MAX_GROUPS)
    assert "largest" not in draw_prices(few, group_prices(towns, few)).figure.get_supxlabel()  # type: ignore[attr-defined]


# --- over time ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dated() -> pd.DataFrame:
    rows: list[tuple[Any, ...]] = []
    for month, (rent, car) in enumerate([(600.0, 9000.0), (650.0, 9500.0), (700.0, 8000.0)], 1):
        seen = pd.Timestamp(f"2026-0{month}-10", tz="UTC")
        rows += [("immobilier", "location", rent + d, seen) for d in (0.0, 10.0)]
        rows += [("automobile", None, car, seen)]
    rows += [("immobilier", "vente", 200000.0, pd.Timestamp("2026-02-01", tz="UTC"))]
    rows += [("automobile", None, 5000.0, pd.NaT)]
    return pd.DataFrame(rows, columns=["category", "transaction", "price_eur", "first_seen"])


def test_a_bucketed_summary_is_a_line_of_medians_with_n_at_each_point(
    dated: pd.DataFrame, tmp_path: Path
) -> None:
    chart, figure = chart_of(dated, "first_seen:month")
    assert chart.panels == {
        RENTS: ["immobilier · location"],
        OTHERS: ["automobile"],
        SALES: ["immobilier · vente"],
    }
    rents = figure.axes[0]
    (line,) = rents.get_lines()
    assert list(line.get_ydata()) == [605.0, 655.0, 705.0]
    assert [
        matplotlib.dates.num2date(x).strftime("%Y-%m-%d")
        for x in rents.convert_xunits(line.get_xdata())
    ] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    assert [t.get_text() for t in rents.texts] == ["n=2", "n=2", "n=2"]
    bottom = figure.axes[-1]  # the panels share their time axis, labelled under the last
    assert [t.get_text() for t in bottom.get_xticklabels()] == ["2026-01", "2026-02", "2026-03"]
    assert "1 undated ads not drawn." in figure.get_supxlabel()  # type: ignore[attr-defined]
    assert_readable(figure)
    path = tmp_path / "months.png"
    plot_prices(summarize(dated, "first_seen:month"), [], path)
    with Image.open(path) as image:
        assert image.size == figure_size([1, 1, 1], over_time=True)


def test_weeks_are_labelled_as_summaries_print_them(dated: pd.DataFrame) -> None:
    _, figure = chart_of(dated, "first_seen:week", kind="bar")
    labels = [t.get_text() for t in figure.axes[-1].get_xticklabels()]
    assert labels == ["2026-W02", "2026-W05", "2026-W07", "2026-W11"]  # the sale: 1 February
    assert_readable(figure)


def test_a_chart_over_time_draws_at_most_the_largest_lines() -> None:
    frame = pd.DataFrame(
        {
            "category": "bonnes_affaires",
            "town": [f"Town {i:02}" for i in range(12) for _ in range(i + 1)],
            "price_eur": 10.0,
            "first_seen": pd.Timestamp("2026-01-05", tz="UTC"),
        }
    )
    chart, figure = chart_of(frame, ["first_seen:day", "town"])
    assert len(chart.labels) == MAX_SERIES and chart.labels[0] == "Town 11 · bonnes_affaires"
    assert_readable(figure)


@pytest.mark.parametrize(("days", "first"), [(24, "n=1"), (25, "1")], ids=["roomy", "crowded"])
def test_a_crowded_panel_gives_the_bare_number_at_each_point(days: int, first: str) -> None:
    frame = pd.DataFrame(
        {
            "category": "bonnes_affaires",
            "price_eur": 10.0,
            "first_seen": pd.date_range("2026-01-01", periods=days, freq="D", tz="UTC"),
        }
    )
    _, figure = chart_of(frame, "first_seen:day")
    assert [t.get_text() for t in figure.axes[0].texts] == [first] * days
    assert_readable(figure)


def shown_ticks(axis: Any) -> list[str]:
    """Return the labels of an axis's major ticks that lie inside it, as drawn."""
    low, high = sorted(axis.get_view_interval())
    return [
        tick.label1.get_text()
        for tick in axis.get_major_ticks()
        if low <= tick.get_loc() <= high and tick.label1.get_text()
    ]


def test_a_log_price_axis_is_labelled_between_its_powers_of_ten(listings: pd.DataFrame) -> None:
    _, figure = chart_of(listings)
    others = figure.axes[1]
    assert others.get_xscale() == "log"  # 40 € to 9 500 €: 100 € and 1 000 € were all it said
    shown = [text.replace("\u00a0", " ") for text in shown_ticks(others.xaxis)]
    assert shown == [
        *("50 €", "100 €", "200 €", "500 €"),
        *("1 000 €", "2 000 €", "5 000 €", "10 000 €"),
    ]


def test_a_log_price_axis_over_many_powers_of_ten_keeps_its_labels_apart() -> None:
    frame = pd.DataFrame({"category": "bonnes_affaires", "price_eur": [0.5, 5.0, 400.0, 90000.0]})
    _, figure = chart_of(frame)
    shown = [text.replace("\u00a0", " ") for text in shown_ticks(figure.axes[0].xaxis)]
    assert shown == ["1 €", "10 €", "100 €", "1 000 €", "10 000 €", "100 000 €"]


def test_close_medians_are_not_drawn_as_a_steep_rise() -> None:
    frame = pd.DataFrame(
        {
            "category": "immobilier",
            "transaction": "vente",
            "price_eur": [337000.0, 339000.0],
            "first_seen": pd.to_datetime(["2025-03-01", "2026-03-01"], utc=True),
        }
    )
    _, figure = chart_of(frame, "first_seen:year")
    low, high = figure.axes[0].get_ylim()
    assert high - low >= 0.2 * 339000  # the 0.6 % apart: it spanned 337 000 € to 339 000 €
    assert_readable(figure)


def test_a_tall_panel_has_its_price_axis_labelled_above_too(tmp_path: Path) -> None:
    towns = pd.DataFrame(
        {
            "category": "bonnes_affaires",
            "town": [f"Town {i:02}" for i in range(14)],
            "price_eur": 10.0,
        }
    )
    _, tall = chart_of(towns, "town")
    _, short = chart_of(towns.head(3), "town")
    assert shown_ticks(tall.axes[0].xaxis) and all(
        tick.label2.get_visible() for tick in tall.axes[0].xaxis.get_major_ticks()
    )
    assert not any(tick.label2.get_visible() for tick in short.axes[0].xaxis.get_major_ticks())
    assert_readable(tall)


def test_numbers_on_a_line_over_time_stay_legible_or_are_left_to_the_table() -> None:
    def days(count: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "category": "bonnes_affaires",
                "price_eur": [10.0 + i % 7 for i in range(count)],
                "first_seen": pd.date_range("2026-01-01", periods=count, freq="D", tz="UTC"),
            }
        )

    _, few = chart_of(days(40), "first_seen:day")
    assert len(few.axes[0].texts) == 40
    assert all(text.get_path_effects() for text in few.axes[0].texts)  # a halo over the line
    _, many = chart_of(days(41), "first_seen:day")
    assert len(many.axes[0].texts) == 0  # 41 numbers ran into each other
    caption = many.get_supxlabel()  # type: ignore[attr-defined]
    assert "41 days, too many to give n at each" in caption
    assert "(--by first_seen:week or :month)" in caption
    assert_readable(many)


def test_a_narrow_log_axis_keeps_its_labels_apart() -> None:
    """Long group labels leave the price axis 600 pixels: 1-2-5 labels would touch there."""
    towns = ["Châteauneuf-sur-Loire", "Jullouville", "Le Plessis-Robinson", "Lyon", "Plérin"]
    frame = pd.DataFrame(
        {
            "category": "bonnes_affaires",
            "town": towns,
            "price_eur": [30.0, 16200.0, 150.0, 22900.0, 1800.0],
        }
    )
    _, figure = chart_of(frame, "town")
    assert len(shown_ticks(figure.axes[0].xaxis)) >= 5
    assert_readable(figure)


@pytest.mark.parametrize(
    ("prices", "caption"),
    [
        ([1800.0], "Dots: each price · red: median · n: ads with a price."),
        (
            [10.0, 20.0, 30.0, 40.0],
            "Red: median · box: p25 to p75 and whiskers: min to max · n: ads with a price.",
        ),
    ],
    ids=["one-price", "boxes-only"],
)
def test_the_caption_reads_what_is_drawn(prices: list[float], caption: str) -> None:
    """A chart of one dot explained boxes and whiskers it did not draw."""
    frame = pd.DataFrame({"category": "emploi", "price_eur": prices})
    _, figure = chart_of(frame)
    assert figure.get_supxlabel() == caption  # type: ignore[attr-defined]
