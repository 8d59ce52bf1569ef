"""The house rules, read from the code: stages and what they import, no module-level state."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest

import classifieds

PACKAGE = Path(classifieds.__file__).parent
STAGES = ("read", "parse", "store", "run", "analyze")
TOP_LEVEL = {"__init__", "__main__", "_version", "console", "errors", "models", "stops"}
COMMAND_LINE = "cli"
"""The command line: a folder of click commands, beside the stages."""
MAY_IMPORT = {
    "read": {"read", "models", "errors"},
    "parse": {"parse", "models", "errors"},
    "store": {"store", "read", "models", "errors", "stops"},
    "analyze": {"analyze", "store", "models", "errors"},
    "run": {"run", "read", "parse", "store", "models", "errors", "stops", "_version"},
}
"""What each stage may import of the package, by its first name under ``classifieds``."""
MAX_LINES = 450
DATA_TABLES = {"parse/_vocabulary.py", "parse/_departments.py"}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def relative(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def imported(path: Path) -> set[str]:
    """Return the modules of the package that a file imports, as dotted names below it."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.level:  # a relative import: resolve it against the file's package
                parts = relative(path).split("/")[: -node.level]
                names.add(".".join([*parts, node.module]))
            elif node.module.startswith("classifieds."):
                names.add(node.module.removeprefix("classifieds."))
            elif node.module == "classifieds":
                names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(
                a.name.removeprefix("classifieds.")
                for a in node.names
                if a.name.startswith("classifieds.")
            )
    return names


def test_the_package_is_the_stages_and_the_top_level_modules() -> None:
    top = {p.stem for p in PACKAGE.glob("*.py")}
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert top == TOP_LEVEL
    assert folders == {*STAGES, COMMAND_LINE}


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_says_what_it_takes_gives_and_may_import(stage: str) -> None:
    doc = importlib.import_module(f"classifieds.{stage}").__doc__ or ""
    assert "Takes:" in doc and "Gives:" in doc and "May import:" in doc


@pytest.mark.parametrize("path", modules(), ids=relative)
def test_a_module_imports_only_what_its_stage_may(path: Path) -> None:
    stage = relative(path).split("/")[0]
    firsts = {name.split(".")[0] for name in imported(path)}
    if relative(path) != "__main__.py" and stage != COMMAND_LINE:
        assert COMMAND_LINE not in firsts, "nothing imports the command line"
    if stage in MAY_IMPORT:
        assert firsts <= MAY_IMPORT[stage], f"{stage} imports {firsts - MAY_IMPORT[stage]}"


def test_the_import_rules_catch_a_stage_importing_a_later_one(tmp_path: Path) -> None:
    """The checker is not blind: a parse module importing run is seen."""
    bad = tmp_path / "bad.py"
    bad.write_text("from classifieds.run.export import build\nfrom . import x\n")
    assert {name.split(".")[0] for name in imported(bad)} >= {"run"}


@pytest.mark.parametrize("path", modules(), ids=relative)
def test_modules_stay_short(path: Path) -> None:
    if relative(path) not in DATA_TABLES:
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines <= MAX_LINES, f"{relative(path)}: {lines} lines"


def loaded_modules() -> list[ModuleType]:
    names = [  # __main__ runs the command line when imported
        info.name
        for info in pkgutil.walk_packages(classifieds.__path__, "classifieds.")
        if not info.name.endswith("__main__")
    ]
    return [importlib.import_module(name) for name in ["classifieds", *names]]


def mutable_globals(module: ModuleType) -> list[str]:
    """Return the module-level names of a module bound to a mutable container or a cache."""
    found = []
    for name, value in vars(module).items():
        if name.startswith("__") or isinstance(value, ModuleType | type):
            continue
        if isinstance(value, dict | list | set | bytearray) or hasattr(value, "cache_info"):
            found.append(name)
    return found


@pytest.mark.parametrize("module", loaded_modules(), ids=lambda m: m.__name__)
def test_no_module_level_mutable_state(module: ModuleType) -> None:
    """Caches and counters belong to an object a run owns; constants are immutable."""
    assert mutable_globals(module) == []


def test_the_state_check_sees_a_cache() -> None:
    module = ModuleType("m")
    module.seen = {}  # type: ignore[attr-defined]
    assert mutable_globals(module) == ["seen"]
