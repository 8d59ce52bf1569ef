"""Shared fixtures: the fixture pages of tests/data and a fresh output folder."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
SEEDS = Path(__file__).parent.parent / "seeds"


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "out"


def page(name: str) -> str:
    """Return a fixture page decoded the way the pipeline decodes it."""
    from classifieds.sources import decode

    text = decode((DATA / name).read_bytes())
    assert text is not None
    return text
