"""The README's summary and the charts of docs/ show what the code gives on seeds/ today.

When parsing or summarizing changes the seed figures, these fail until `make docs` is rerun (and
the README's table pasted from `make export`). Pixels are not compared: they depend on the
matplotlib version; the figures the chart was drawn from are embedded in the PNG.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SEEDS
from PIL import Image

import classifieds
from classifieds.analyze.charts import SUMMARY_KEY, draw_prices, figure_size
from classifieds.analyze.report import render
from classifieds.analyze.summary import group_prices
from classifieds.cli import cli

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def seed_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed") / "data"
    classifieds.build([SEEDS], out)
    return out


@pytest.mark.parametrize(
    ("name", "by"), [("prices.png", ["category"]), ("towns.png", ["town"])], ids=["prices", "towns"]
)
def test_docs_chart_shows_the_seed_summary(seed_data: Path, name: str, by: list[str]) -> None:
    listings = classifieds.load(seed_data)
    summary = classifieds.summarize(listings, by)
    panels = draw_prices(summary, group_prices(listings, summary)).panels
    with Image.open(ROOT / "docs" / name) as chart:
        assert chart.text.get(SUMMARY_KEY) == render(summary, "csv"), "stale: run `make docs`"
        assert chart.size == figure_size([len(labels) for labels in panels.values()])


def test_readme_shows_the_seed_summary(seed_data: Path) -> None:
    table = CliRunner().invoke(cli, ["summary", str(seed_data)]).stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"$ classifieds summary data/\n{table}```" in readme
    assert (
        "![Asking prices by category, transaction and type on the seed page](docs/prices.png)"
        in readme
    )
    assert "![Asking prices by town on the seed page](docs/towns.png)" in readme


def test_readme_shows_the_seed_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # sources are named as given: seeds/..., as `make export` does
    classifieds.build(["seeds"], tmp_path / "data")
    shown = CliRunner().invoke(cli, ["history", "1007d8", str(tmp_path / "data")]).stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"$ classifieds history 1007d8\n{shown}```" in readme


def test_readme_pandas_example_pools_no_unlike_ads(
    seed_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's pandas groupby gives the groups of `summary`: tyres apart from cars."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = readme.split("### In pandas\n\n```python\n", 1)[1].split("```", 1)[0]
    printed: list[Any] = []
    monkeypatch.chdir(seed_data.parent)
    exec(code, {"print": printed.append})  # the README's own example, as a reader runs it
    (described,) = printed
    counts = sorted(
        (
            (tuple(None if pd.isna(key) else key for key in keys), int(count))
            for keys, count in described["count"].items()
        ),
        key=str,
    )
    summary = classifieds.summarize(classifieds.load(seed_data))
    kinds = ["category", "transaction", "property_type", "vehicle_type"]
    expected = [(tuple(row[kinds]), int(row["with_price"])) for _, row in summary.iterrows()]
    assert counts == sorted(expected, key=str)
