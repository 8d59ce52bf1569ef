"""The README's summary and docs/prices.png show what the code gives on seeds/ today.

When parsing or summarizing changes the seed figures, these fail until `make docs` is rerun (and
the README's table pasted from `make export`). Pixels are not compared: they depend on the
matplotlib version; the figures the chart was drawn from are embedded in the PNG.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEEDS
from PIL import Image

import classifieds
from classifieds.analyze.charts import SUMMARY_KEY, figure_size
from classifieds.analyze.report import render
from classifieds.cli import cli

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def seed_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed") / "data"
    classifieds.build([SEEDS], out)
    return out


def test_docs_chart_shows_the_seed_summary(seed_data: Path) -> None:
    summary = classifieds.summarize(classifieds.load(seed_data))
    with Image.open(ROOT / "docs" / "prices.png") as chart:
        assert chart.text.get(SUMMARY_KEY) == render(summary, "csv"), "stale: run `make docs`"
        assert chart.size == figure_size(len(summary))


def test_readme_shows_the_seed_summary(seed_data: Path) -> None:
    table = CliRunner().invoke(cli, ["summary", str(seed_data)]).stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"$ classifieds summary data/\n{table}```" in readme
    assert (
        "![Asking prices by category and transaction on the seed page](docs/prices.png)" in readme
    )
