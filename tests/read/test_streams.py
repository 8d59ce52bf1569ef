"""Reading inputs: discovery order, decoding, and unusable files as rejects."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from classifieds.errors import InputError
from classifieds.models import Reject
from classifieds.read import Page, Skipped, iter_inputs, read_input, streams
from classifieds.read.decode import decode


def read_page(source: str) -> Page | Reject:
    """Return the one page, or reject, of a single-page input."""
    items = list(read_input(source))
    assert len(items) == 1 and not isinstance(items[0], Skipped)
    return items[0]


def test_inputs_sort_recursively_skip_hidden_and_repeats(tmp_path: Path) -> None:
    for name in ("b.txt", "a/z.txt", "a/c.txt", ".git/HEAD", "a/.DS_Store"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = list(iter_inputs([tmp_path, tmp_path / "b.txt", "-"]))
    assert found == ["-", *(str(tmp_path / n) for n in ("a/c.txt", "a/z.txt", "b.txt"))]


def test_a_linked_folder_is_read_once_under_its_link(tmp_path: Path) -> None:
    """A crawl's folder that links to another disk (crawl/2024 -> /mnt/2024) was skipped
    without a word, as no file nor FIFO: its pages are read under the link's name, once
    however many links lead there; a link into a folder given, or to one above it, is not
    followed (its files are read where they are)."""
    for name in ("crawl/own.txt", "elsewhere/a.txt", "elsewhere/deep/b.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    crawl, elsewhere = tmp_path / "crawl", tmp_path / "elsewhere"
    for link, target in [("2024", elsewhere), ("2024-again", elsewhere), ("up", tmp_path)]:
        (crawl / link).symlink_to(target, target_is_directory=True)
    (elsewhere / "back").symlink_to(crawl, target_is_directory=True)
    found = [Path(p).relative_to(tmp_path).as_posix() for p in iter_inputs([crawl])]
    assert found == ["crawl/2024/a.txt", "crawl/2024/deep/b.txt", "crawl/own.txt"]
    both = [Path(p).relative_to(tmp_path).as_posix() for p in iter_inputs([crawl, elsewhere])]
    assert both == ["crawl/own.txt", "elsewhere/a.txt", "elsewhere/deep/b.txt"]
    with_a_file = [Path(p).name for p in iter_inputs([crawl, elsewhere / "deep" / "b.txt"])]
    assert with_a_file == ["a.txt", "b.txt", "own.txt", "b.txt"]  # a file given holds no folder


def test_a_missing_input_says_what_to_fix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="No such file or folder"):
        iter_inputs([tmp_path / "nope"])


DECODINGS = {
    "utf-8": ("Poêle à bois 1 800€".encode(), "Poêle à bois 1 800€"),
    "utf-8-bom": (b"\xef\xbb\xbfCaf\xc3\xa9", "Café"),
    "windows-1252": ("Poêle – 1 800€ œuvre".encode("cp1252"), "Poêle – 1 800€ œuvre"),
    "latin-1": ("Châteauneuf".encode("latin-1"), "Châteauneuf"),
    "undefined-cp1252-byte": (b"caf\xe9 \x81", "café \x81"),
    "mixed-lines": ("Ardèche\n".encode() + "Plérin".encode("cp1252"), "Ardèche\nPlérin"),
    "mixed-in-one-line": (
        "Vélo Découvrir".encode() + b" \xff caf\xe9 " + "Découvrir".encode(),
        "Vélo Découvrir ÿ café Découvrir",
    ),
    "stray-nul": (b"text\x00more", "textmore"),
    "stray-controls": (
        b"Studio\x01 Caen\x1b (14000) 450 \xe2\x82\xac",
        "Studio Caen (14000) 450 €",
    ),
    "utf-16-le-bom": ("\ufeffŒuilly (51480) 10 €".encode("utf-16-le"), "Œuilly (51480) 10 €"),
    "utf-16-be-bom": ("\ufeffCafé".encode("utf-16-be"), "Café"),
    "utf-32-bom": ("Café".encode("utf-32"), "Café"),
    "nul-junk": (b"\x00" * 10 + b"text", None),
    "control-junk": (bytes(range(1, 32)) * 10, None),
    "random-bytes": (bytes(range(256)) * 4, None),
}


@pytest.mark.parametrize(("data", "expected"), DECODINGS.values(), ids=DECODINGS.keys())
def test_decode(data: bytes, expected: str | None) -> None:
    assert decode(data) == expected


@pytest.mark.parametrize(
    ("name", "reason"),
    [("empty.txt", "empty_file"), ("blank.txt", "empty_file"), ("binary.txt", "binary_file")],
)
def test_unusable_files_become_rejects(data_dir: Path, name: str, reason: str) -> None:
    result = read_page(str(data_dir / name))
    assert isinstance(result, Reject)
    assert (result.reason, result.line) == (reason, 0)


def test_oversized_file_is_rejected_without_reading_it_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streams, "MAX_PAGE_BYTES", 10)
    big = tmp_path / "big.txt"
    big.write_text("x" * 11)
    result = read_page(str(big))
    assert isinstance(result, Reject) and result.reason == "file_too_large"


def test_unreadable_file_is_a_reject(tmp_path: Path) -> None:
    result = read_page(str(tmp_path))  # a folder cannot be opened as a file
    assert isinstance(result, Reject) and result.reason == "unreadable_file"


def test_stdin_is_read_as_a_page(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO("Petites Annonces\n".encode("cp1252")))
    monkeypatch.setattr("sys.stdin", stdin)
    assert read_page("-") == Page("<stdin>", "Petites Annonces\n", 17)


def test_reject_text_is_cut() -> None:
    reject = Reject.of("p", 3, "line_too_long", "x" * 5000)
    assert len(reject.text) == 300 and reject.text.endswith("…")


SELECTIONS = {
    "everything": ((), (), ["a.warc.gz", "b.txt", "sub/c.warc.gz", "tmp/d.warc.gz"]),
    "include-crosses-folders": (
        ("*.warc.gz",),
        (),
        ["a.warc.gz", "sub/c.warc.gz", "tmp/d.warc.gz"],
    ),
    "include-and-exclude": (("*.warc.gz",), ("tmp/*",), ["a.warc.gz", "sub/c.warc.gz"]),
    "several-includes": (("*.txt", "sub/*"), (), ["b.txt", "sub/c.warc.gz"]),
    "exclude-only": ((), ("*.txt",), ["a.warc.gz", "sub/c.warc.gz", "tmp/d.warc.gz"]),
}


@pytest.mark.parametrize(
    ("include", "exclude", "expected"), SELECTIONS.values(), ids=SELECTIONS.keys()
)
def test_include_and_exclude_select_files_of_folders(
    tmp_path: Path, include: tuple[str, ...], exclude: tuple[str, ...], expected: list[str]
) -> None:
    for name in ("a.warc.gz", "b.txt", "sub/c.warc.gz", "tmp/d.warc.gz"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x")
    found = list(iter_inputs([tmp_path], include, exclude))
    assert found == [str(tmp_path / name) for name in expected]


def test_files_named_explicitly_are_read_whatever_the_globs(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("x")
    assert list(iter_inputs([tmp_path / "b.txt"], ("*.warc.gz",), ("*.txt",))) == [
        str(tmp_path / "b.txt")
    ]
