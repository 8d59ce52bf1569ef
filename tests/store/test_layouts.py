"""Datasets of other layouts exported into: an older version's plain files, a copy made through
its links (``cp -rL``, ``rsync -k``), one written where links could not be made. The dataset
is put behind a pointer again, one whole dataset (the old or the new) at every instant."""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA, SEEDS

import classifieds
from classifieds.store import dataset
from classifieds.store.dataset import load_with_sightings
from classifieds.store.folder import check_whole

DATASET = [
    "listings.parquet",
    "listings.csv",
    "sightings.parquet",
    "rejects.jsonl",
    "inputs.parquet",
    "datapackage.json",
]
STEPS = ("replace", "rename", "symlink", "link", "unlink", "rmdir", "mkdir", "fsync")
OLD, NEW = [DATA / "basic.txt"], [SEEDS]
LAYOUTS = ["plain-files", "every-link", "links-to-folders", "moved-without-links"]


class Crash(BaseException):
    """A fault injected into a filesystem step: the run dies there, like a kill, and every
    step after it fails too (no sweep runs on its way out)."""


def _without_links(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "symlink", refused)


def _laid_out(template: Path, layout: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Write the old dataset into ``template`` as ``layout`` has it."""
    linked = template.with_name("linked")
    shutil.rmtree(linked, ignore_errors=True)
    if layout == "moved-without-links":  # a pointer to the generation before, left stale
        classifieds.build(NEW, template)
        with monkeypatch.context() as patch:
            _without_links(patch)
            classifieds.build(OLD, template)
        return
    classifieds.build(OLD, linked)
    if layout == "plain-files":  # as versions before generations wrote it
        template.mkdir()
        for name in [*DATASET, "manifest.json"]:
            shutil.copyfile(linked / name, template / name)
    elif layout == "every-link":
        shutil.copytree(linked, template)
    else:
        shutil.copytree(linked, template, symlinks=True)
        (template / ".current").unlink()
        shutil.copytree(linked / ".current", template / ".current")


def _inject(monkeypatch: pytest.MonkeyPatch, at: int) -> list[int]:
    count = [0]

    def failing(step: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            count[0] += 1
            if count[0] >= at:
                raise Crash(step.__name__)
            return step(*args, **kwargs)

        return run

    for name in STEPS:
        monkeypatch.setattr(os, name, failing(getattr(os, name)))
    monkeypatch.setattr(shutil, "rmtree", failing(shutil.rmtree))
    return count


def _titles(out: Path) -> list[str]:
    return sorted(classifieds.load(out)["title"])


def _assert_whole(out: Path, *allowed: list[str]) -> None:
    """Every reader sees one whole dataset, the same one."""
    check_whole(out, DATASET)
    assert _titles(out) in allowed
    assert _titles(out / "listings.csv") == _titles(out)
    listings, sightings = load_with_sightings(out)
    assert sorted(listings["title"]) == _titles(out)
    assert set(sightings["listing_id"]) == set(listings["listing_id"])


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_crash_at_any_step_into_a_dataset_of_another_layout_leaves_one_whole_dataset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    """A .current folder set aside left the links through it dangling, which the sweep then
    removed (``No dataset``, said to be intact); plain files made links after publishing left
    a mixed folder, refused; a pointer left stale had the sightings read from the old one."""
    template, out = tmp_path / "template", tmp_path / "data"
    _laid_out(template, layout, monkeypatch)
    old = _titles(template)
    new = sorted(ad.title for ad in classifieds.parse_page(next(SEEDS.iterdir()).read_text()))
    _assert_whole(template, old)
    at = 1
    while True:
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(template, out, symlinks=True)
        with monkeypatch.context() as patch:
            count = _inject(patch, at)
            try:
                classifieds.build(NEW, out)
            except Crash:
                crashed = True
            else:
                crashed = False
        _assert_whole(out, old, new)
        if not crashed:
            break
        classifieds.build(NEW, out)  # the next export mends what the crash left
        _assert_whole(out, new)
        at += 1
    assert count[0] < at and at > 10, "the injection reached few steps: it tests nothing"
    assert _titles(out) == new
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [
        ".current",
        os.readlink(out / ".current"),
        ".lock",
    ]
    assert all(os.readlink(out / name) == f".current/{name}" for name in DATASET)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_dataset_of_another_layout_appended_to_is_the_full_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    out, full = tmp_path / "data", tmp_path / "full"
    _laid_out(out, layout, monkeypatch)
    classifieds.build([*OLD, *NEW], out, append=True)
    classifieds.build([*OLD, *NEW], full)
    for name in DATASET[:-1]:  # datapackage.json and the manifest: no dates
        assert (out / name).read_bytes() == (full / name).read_bytes(), name
    _assert_whole(out, _titles(full))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_listings_and_sightings_read_while_a_copy_is_replaced_are_of_one_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    """Read through the folder's own names (no generation to follow), the listings came from
    the old dataset and the sightings from the new one an export published between them."""
    out = tmp_path / "data"
    _laid_out(out, layout, monkeypatch)
    load_sightings = dataset.load_sightings
    published = []

    def racing(path: Any, *args: Any) -> Any:
        if not published:
            published.append(classifieds.build(NEW, out))
        return load_sightings(path, *args)

    monkeypatch.setattr(dataset, "load_sightings", racing)
    listings, sightings = load_with_sightings(out)
    assert published
    assert set(sightings["listing_id"]) == set(listings["listing_id"])
    assert len(listings) == published[0].listings
