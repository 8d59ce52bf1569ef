"""Lines of medians over time that can be read: numbers apart, a legend that counts ads."""

from __future__ import annotations

import itertools
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from classifieds.analyze.charts import draw_prices
from classifieds.analyze.summary import summarize


def drawn(frame: pd.DataFrame, by: list[str]) -> Figure:
    chart = draw_prices(summarize(frame, by), [])
    chart.figure.canvas.draw()
    return chart.figure


def legend_of(figure: Figure) -> list[str]:
    legend: Any = figure.axes[0].get_legend()
    return [text.get_text() for text in legend.get_texts()]


def months(column: str, prices: dict[str, float], count: int = 4) -> pd.DataFrame:
    """The same ads of each town at the same price each month, dated by ``column``."""
    rows = [
        (f"{town}{month}" if column == "first_seen" else town, town, price, f"2026-0{month}-03")
        for month in range(1, count + 1)
        for town, price in prices.items()
    ]
    frame = pd.DataFrame(rows, columns=["listing_id", "town", "price_eur", column])
    frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame.assign(category="bonnes_affaires")


def test_numbers_of_close_lines_do_not_cover_each_other() -> None:
    """Two towns whose medians are 4 % apart on an axis that a third spans down to 40 €: their
    n=… were drawn over each other."""
    prices = {"Caen": 250.0, "Vire": 260.0, "Bayeux": 40.0}
    figure = drawn(months("first_seen", prices), ["first_seen:month", "town"])
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [text.get_window_extent(renderer) for text in figure.axes[0].texts]
    assert len(boxes) == 12
    for one, other in itertools.combinations(boxes, 2):
        assert not one.overlaps(other), (one, other)


def test_a_legend_over_fetched_at_does_not_count_an_ad_once_a_month() -> None:
    """One ad per town seen 4 months: a line rests on 1 ad, not n=4."""
    sighted = months("fetched_at", {"Caen": 250.0, "Vire": 900.0})
    figure = drawn(sighted, ["fetched_at:month", "town"])
    assert legend_of(figure) == [
        "Caen · bonnes_affaires (n≤1 a month)",
        "Vire · bonnes_affaires (n≤1 a month)",
    ]
    first_seen = drawn(months("first_seen", {"Caen": 250.0}), ["first_seen:month", "town"])
    assert legend_of(first_seen) == ["Caen · bonnes_affaires (n=4)"]  # 4 ads, one a month


def test_a_line_far_under_another_is_drawn_on_a_log_axis() -> None:
    """Bikes at 200 € beside cars at 16 000 € (a factor of 80): on a linear axis the bikes'
    line lay flat along the bottom of the panel."""
    bikes = months("first_seen", {"Caen": 200.0})
    cars = months("first_seen", {"Vire": 16000.0}).assign(category="automobile")
    figure = drawn(pd.concat([bikes, cars]), ["first_seen:month", "town"])
    assert figure.axes[0].get_yscale() == "log"
    close = drawn(months("first_seen", {"Caen": 200.0, "Vire": 1900.0}), ["first_seen:month"])
    assert close.axes[0].get_yscale() == "linear"  # a factor under 10 stays linear


def test_price_axis_titles_over_time_stay_within_their_panels() -> None:
    """A log axis of rents is titled "(€ a month, log scale)": on one line it ran past its
    2.6-inch panel, up beside the title of the panel above."""
    parking = months("first_seen", {"Caen": 80.0}).assign(
        category="immobilier", transaction="location"
    )
    house = parking.assign(listing_id=lambda f: f.listing_id + "h", price_eur=950.0, town="Vire")
    bikes = months("first_seen", {"Bayeux": 40.0, "Lisieux": 2000.0})
    figure = drawn(pd.concat([parking, house, bikes]), ["first_seen:month", "town"])
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    assert "log scale" in figure.axes[1].yaxis.label.get_text()
    for axes in figure.axes:  # each title within the height of its panel
        title, panel = axes.yaxis.label.get_window_extent(renderer), axes.get_window_extent()
        assert panel.y0 <= title.y0 and title.y1 <= panel.y1, (title, panel)
