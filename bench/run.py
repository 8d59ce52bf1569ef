"""Benchmark an export against the lean scan on the same synthetic crawls.

Two kinds of corpus are generated (once, deterministically) with bench/generate.py: the pool
corpus, whose pages draw their ads from a pool of 3,000 (most ads seen again and again), at
each size of PAGES, and an all-unique corpus of --unique pages, where every ad occurrence is a
new ad (``--unique-share 1``). On each it measures, each in a fresh process:

  (a) the lean scan: every page read and decoded, its widget found with str.rfind and its
      detail lines with one regex (no typing, no output): bench/baseline.py
  (b) classifieds export --jobs 1
  (c) classifieds export (one worker per CPU)

and prints pages/s, unique ads/s, MB/s, peak RSS and PSS (of the whole process tree, RSS
sampled every 20 ms, PSS every 0.5 s) and each run's time as a multiple of (a)'s. Runs go in
--repeat rounds of (a), (b), (c); the best of each counts. The corpus is read before each run,
so that every run finds it in the page cache.

Usage: python bench/run.py [PAGES ...] [--unique PAGES] [--corpus-root bench/corpus] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402


@dataclass
class Measure:
    corpus: str
    name: str
    pages: int
    unique_ads: int
    megabytes: float
    seconds: float
    peak_rss_mb: float
    peak_pss_mb: float

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds

    @property
    def unique_ads_per_second(self) -> float:
        return self.unique_ads / self.seconds

    @property
    def mb_per_second(self) -> float:
        return self.megabytes / self.seconds


RSS_EVERY = 0.02
"""Seconds between two readings of the tree's RSS (``/proc/PID/statm``: ~30 µs a process)."""
TREE_EVERY = 0.5
"""Seconds between two readings of the tree's processes and their PSS. Each costs milliseconds
(a walk of ``/proc``, ``smaps_rollup``: ~16 ms for an export's three processes): read every
20 ms, they took a third of a CPU from the run measured, and slowed (c), which needs both."""


def run(command: list[str]) -> tuple[float, float, float]:
    """Return (seconds, peak RSS, peak PSS) of a command; memory in MB, summed over its tree.

    RSS counts the pages that the processes share (libraries, the interpreter) once per
    process; PSS splits them between the processes that share them.
    """
    started = time.perf_counter()
    process = psutil.Popen(command, stdout=subprocess.DEVNULL)
    peak_rss = peak_pss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_rss, peak_pss
        tree: list[psutil.Process] = []
        next_tree = 0.0
        while not done.is_set():
            if time.perf_counter() >= next_tree:
                tree = _tree(process)
                peak_pss = max(peak_pss, _total(tree, lambda proc: proc.memory_full_info().pss))
                next_tree = time.perf_counter() + TREE_EVERY
            peak_rss = max(peak_rss, _total(tree, lambda proc: proc.memory_info().rss))
            time.sleep(RSS_EVERY)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if code:
        raise SystemExit(f"{' '.join(command)} failed with exit code {code}")
    return seconds, peak_rss / 1e6, peak_pss / 1e6


def _tree(process: psutil.Process) -> list[psutil.Process]:
    try:
        return [process, *process.children(recursive=True)]
    except psutil.Error:  # it has exited
        return []


def _total(tree: list[psutil.Process], read: Callable[[psutil.Process], int]) -> int:
    """Return the sum of ``read`` over the processes still running (a lower bound)."""
    total = 0
    for proc in tree:
        with contextlib.suppress(psutil.Error):  # it has exited
            total += read(proc)
    return total


def corpus(pages: int, root: Path, unique_share: float = 0.0) -> tuple[Path, float]:
    folder = root / (f"unique-{pages}" if unique_share else f"pages-{pages}")
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate(pages, folder, unique_share=unique_share)
        (folder / ".complete").touch()
    size = sum(f.stat().st_size for f in folder.rglob("*.txt"))
    return folder, size / 1e6


def warm(folder: Path) -> None:
    """Read every file of the corpus, so that each run finds it in the page cache.

    Once before all runs is not enough where the kernel pages out files unread for a minute
    (DAMON's ``pageout`` scheme, as on the development sandbox): the later runs would read
    part of the corpus from disk.
    """
    for path in folder.rglob("*.txt"):
        path.read_bytes()


def bench(pages: int, root: Path, repeat: int, unique_share: float = 0.0) -> list[Measure]:
    folder, megabytes = corpus(pages, root, unique_share)
    python = sys.executable
    exporter = [python, "-m", "classifieds", "export", str(folder), "-q"]
    commands = {
        "(a) lean scan": [python, str(HERE / "baseline.py"), str(folder)],
        "(b) export --jobs 1": [*exporter, "--jobs", "1"],
        f"(c) export --jobs {os.cpu_count()}": exporter,
    }
    unique_ads = 0
    # Rounds of (a), (b), (c) rather than (a) three times, then (b)...: when the machine's
    # speed drifts over minutes (a shared host), each round's three runs share its speed.
    best = dict.fromkeys(commands, (float("inf"), 0.0, 0.0))
    for _ in range(repeat):
        for name, command in commands.items():
            warm(folder)
            with tempfile.TemporaryDirectory() as out:
                full = [*command, "--out", out] if "export" in command else command
                best[name] = min(best[name], run(full))
                if "export" in command:
                    manifest = json.loads((Path(out) / "manifest.json").read_text("utf-8"))
                    unique_ads = manifest["listings"]
    kind = "all-unique" if unique_share else "pool"
    return [Measure(kind, name, pages, unique_ads, megabytes, *best[name]) for name in commands]


def table(measures: list[Measure]) -> str:
    """Return the measures as a Markdown table; "x (a)" is a run's time over the lean scan's
    (so 1 / its throughput ratio)."""
    rows = [
        "| corpus | pages | unique ads | run | seconds | pages/s | unique ads/s | MB/s "
        "| peak RSS (MB) | peak PSS (MB) | x (a) time | vs (a) throughput |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    baseline = {(m.corpus, m.pages): m for m in measures if m.name.startswith("(a)")}
    for m in measures:
        times = m.seconds / baseline[m.corpus, m.pages].seconds
        rows.append(
            f"| {m.corpus} | {m.pages:,} | {m.unique_ads:,} | {m.name} | {m.seconds:.2f} "
            f"| {m.pages_per_second:,.0f} | {m.unique_ads_per_second:,.0f} "
            f"| {m.mb_per_second:.1f} | {m.peak_rss_mb:.0f} | {m.peak_pss_mb:.0f} "
            f"| {times:.1f} | {1 / times:.2f} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", type=int, nargs="*", default=[10_000, 40_000, 100_000])
    parser.add_argument(
        "--unique",
        type=int,
        default=25_000,
        metavar="PAGES",
        help="pages of the all-unique corpus (12 new ads each); 0 to skip it",
    )
    parser.add_argument("--corpus-root", type=Path, default=HERE / "corpus")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure; the best counts")
    args = parser.parse_args()
    measures = []
    for pages in args.pages:
        measures += bench(pages, args.corpus_root, args.repeat)
        print(table(measures), flush=True)
        print(flush=True)
    if args.unique:
        unique = bench(args.unique, args.corpus_root, args.repeat, unique_share=1.0)
        print(table(unique), flush=True)


if __name__ == "__main__":
    main()
