"""The command line through click's CliRunner: exit codes, stdout and stderr kept apart."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import DATA, SEEDS, html_page, page, write_warc

import classifieds
from classifieds import __version__
from classifieds.cli import cli
from classifieds.parse import PARSER_VERSION


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def command_names() -> list[str]:
    assert isinstance(cli, click.Group)
    return sorted(cli.commands)


@pytest.mark.parametrize("name", command_names())
def test_every_command_has_help_with_an_example(runner: CliRunner, name: str) -> None:
    result = runner.invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout and "-h, --help" in result.stdout


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"classifieds, version {__version__} (parser {PARSER_VERSION})\n"


def test_export_reports_on_stdout_and_nothing_on_stderr(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["export", str(SEEDS), "-o", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "12 listings from 12 sightings on 1 page (1 with a widget), 0 rejects"
    )
    assert "listings.parquet" in result.stdout
    assert result.stderr == ""
    assert (tmp_path / "data" / "listings.parquet").is_file()


def test_export_quiet_prints_one_line(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["export", str(SEEDS), "-o", str(tmp_path), "-q"])
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 1


def test_export_lists_rejects_by_reason(runner: CliRunner, tmp_path: Path, data_dir: Path) -> None:
    result = runner.invoke(cli, ["export", str(data_dir), "-o", str(tmp_path)])
    assert result.exit_code == 0  # rejects are not failures
    assert "empty_file" in result.stdout and "truncated_ad" in result.stdout


def test_export_reads_stdin(runner: CliRunner, tmp_path: Path) -> None:
    page = "Petites Annonces\nImmobilier\nStudio\nStudio Caen (14000) 450€ Découvrir\n"
    result = runner.invoke(cli, ["export", "-", "-o", str(tmp_path)], input=page.encode("cp1252"))
    assert result.exit_code == 0, result.output
    rows = (tmp_path / "listings.csv").read_text(encoding="utf-8").splitlines()
    assert (
        len(rows) == 2
        and ",Caen,14118,Caen,exact,109400,14000," in rows[1]
        and rows[1].endswith(",<stdin>,4,,,")
    )  # no date, no URL


def test_export_defaults_to_seeds(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    os.symlink(SEEDS, "seeds")
    result = runner.invoke(cli, ["export"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "listings.parquet").is_file()


def test_missing_input_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["export", str(tmp_path / "nope"), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr and result.stdout == ""


def test_no_inputs_and_no_seeds_is_a_usage_error(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["export"])
    assert result.exit_code == 2 and "name the pages to read" in result.stderr


def test_unwritable_output_exits_1_with_a_fix(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    result = runner.invoke(cli, ["export", str(SEEDS), "-o", str(tmp_path / "file" / "data")])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Cannot write to") and "--out" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("out", ["/dev/null", "a-file"])
def test_an_output_that_is_a_file_says_so(tmp_path: Path, out: str) -> None:
    """From Python (the command line's --out takes folders only), a file or a device as the
    output folder said 'File exists'."""
    import classifieds
    from classifieds.errors import OutputError

    target = tmp_path / out if out == "a-file" else Path(out)
    if out == "a-file":
        target.write_text("mine")
    with pytest.raises(OutputError, match=r"it is a file, not a folder\. Choose another --out"):
        classifieds.build([SEEDS], target)
    assert out == "/dev/null" or target.read_text() == "mine"


def test_an_output_that_is_a_dangling_link_says_where_it_points(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "data").symlink_to(tmp_path / "gone")
    result = runner.invoke(cli, ["export", str(SEEDS), "-o", str(tmp_path / "data")])
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert f"symbolic link to {tmp_path / 'gone'}, which does not exist" in result.stderr


def test_schema_lists_every_column_and_reason(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["schema"])
    assert result.exit_code == 0
    for word in ("listing_id", "department_code", "mileage_km", "position", "truncated_ad"):
        assert word in result.stdout


def test_schema_json_is_machine_readable(runner: CliRunner) -> None:
    document = json.loads(runner.invoke(cli, ["schema", "--format", "json"]).stdout)
    assert document["listings"][10] == {
        "name": "postcode",
        "type": "string",
        "nullable": False,
        "meaning": "five characters, leading zero kept",
    }


def test_readme_shows_the_current_schema(runner: CliRunner) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert runner.invoke(cli, ["schema", "--format", "markdown"]).stdout in readme


def test_export_include_exclude_and_unknown_formats(runner: CliRunner, tmp_path: Path) -> None:
    crawl = tmp_path / "crawl"
    (crawl / "tmp").mkdir(parents=True)
    seed = next(SEEDS.glob("*.txt")).read_bytes()
    (crawl / "page.txt.gz").write_bytes(gzip.compress(seed))
    (crawl / "tmp" / "page.txt").write_bytes(seed)
    (crawl / "report.pdf").write_bytes(b"%PDF-1.4")
    args = ["export", str(crawl), "-o", str(tmp_path / "data")]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "on 2 pages" in result.stdout and "unknown_format" in result.stdout
    result = runner.invoke(
        cli, [*args, "--include", "*.gz", "--include", "*.txt", "--exclude", "tmp/*"]
    )
    assert result.exit_code == 0 and result.stdout.startswith(
        "12 listings from 12 sightings on 1 page (1 with a widget), 0 rejects"
    )


def test_export_jsonl_field_options(runner: CliRunner, tmp_path: Path) -> None:
    seed = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")
    line = {"page": seed, "link": "https://x/a", "crawled": "2024-03-01T12:00:00Z"}
    (tmp_path / "export.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    options = [
        "--jsonl-text-field",
        "page",
        "--jsonl-url-field",
        "link",
        "--jsonl-date-field",
        "crawled",
    ]
    result = runner.invoke(
        cli, ["export", str(tmp_path / "export.jsonl"), "-o", str(tmp_path / "d"), *options]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("12 listings")
    csv_text = (tmp_path / "d" / "listings.csv").read_text(encoding="utf-8")
    assert "export.jsonl#1,86,2024-03-01T12:00:00Z,2024-03-01T12:00:00Z,https://x/a\n" in csv_text


@pytest.fixture(scope="module")
def dated_dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A dataset where the Poussette was seen at 100€, 90€, then again undated at 120€."""
    folder = tmp_path_factory.mktemp("history")
    basic = page("basic.txt")
    write_warc(
        folder / "crawl.warc.gz",
        [
            {
                "url": "https://x/2",
                "body": basic.replace("100€", "90€").encode(),
                "date": "2024-03-08T09:00:00Z",
                "content_type": "text/plain",
            },
            {
                "url": "https://x/1",
                "body": html_page(basic).encode(),
                "date": "2024-03-01T09:00:00Z",
            },
        ],
    )
    (folder / "page.txt").write_text(basic.replace("100€", "120€"), encoding="utf-8")
    classifieds.build([folder / "crawl.warc.gz", folder / "page.txt"], folder / "data")
    listings = classifieds.load(folder / "data")
    return folder / "data", str(listings[listings.title == "Poussette"].listing_id.iloc[0])


def test_history_table_in_time_order(runner: CliRunner, dated_dataset: tuple[Path, str]) -> None:
    data, poussette = dated_dataset
    result = runner.invoke(cli, ["history", poussette, str(data)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.replace("\u00a0", " ").splitlines()
    assert lines[0] == "PRICE HISTORY"
    assert lines[1].split() == ["fetched_at", "price_eur", "url", "source", "line"]
    # Prices and nulls as summary prints them: 120 €, not 120.0 or 120; —, not -.
    assert [re.split(r"\s{2,}", line)[:3] for line in lines[2:]] == [
        ["—", "120 €", "—"],
        ["2024-03-01T09:00:00Z", "100 €", "https://x/1"],
        ["2024-03-08T09:00:00Z", "90 €", "https://x/2"],
    ]
    assert result.stderr == ""


def test_history_prices_are_those_of_summary(runner: CliRunner, tmp_path: Path) -> None:
    text = "Petites Annonces\nImmobilier\nMaison\nMaison Caen (14000) 250 000€ Découvrir\n"
    (tmp_path / "page.txt").write_text(text, encoding="utf-8")
    classifieds.build([tmp_path / "page.txt"], tmp_path / "data")
    listing = str(classifieds.load(tmp_path / "data").listing_id.iloc[0])
    shown = runner.invoke(cli, ["history", listing, str(tmp_path / "data")]).stdout
    summary = runner.invoke(cli, ["summary", str(tmp_path / "data")]).stdout
    assert "250\u00a0000\u00a0€" in shown.splitlines()[2] and "250\u00a0000\u00a0€" in summary
    plain = runner.invoke(cli, ["history", listing, str(tmp_path / "data"), "--format", "csv"])
    assert plain.stdout.splitlines()[1].startswith(",250000.0,,")


def test_history_table_shows_control_characters_harmlessly(
    runner: CliRunner, tmp_path: Path
) -> None:
    text = "Petites Annonces\nBonnes affaires\nVélo\nVélo Caen (14000) 40€ Découvrir\n"
    # A WARC archive keeps the URL's escape; JSON Lines drop control characters.
    record = {"url": "https://x/\x1b[2J", "body": text.encode(), "date": "2026-02-03"}
    write_warc(tmp_path / "crawl.warc.gz", [{**record, "content_type": "text/plain"}])
    classifieds.build([tmp_path / "crawl.warc.gz"], tmp_path / "data")
    listing = str(classifieds.load(tmp_path / "data").listing_id.iloc[0])
    shown = runner.invoke(cli, ["history", listing, str(tmp_path / "data")], color=True).stdout
    assert "\x1b" not in shown and "https://x/\N{REPLACEMENT CHARACTER}[2J" in shown


def test_history_csv_and_json(runner: CliRunner, dated_dataset: tuple[Path, str]) -> None:
    data, poussette = dated_dataset
    csv_out = runner.invoke(
        cli, ["history", poussette, str(data / "sightings.parquet"), "--format", "csv"]
    )
    assert csv_out.exit_code == 0
    assert csv_out.stdout.splitlines()[0] == "fetched_at,price_eur,url,source,line"
    assert csv_out.stdout.splitlines()[3].startswith("2024-03-08T09:00:00Z,90.0,https://x/2,")
    records = json.loads(
        runner.invoke(cli, ["history", poussette, str(data), "--format", "json"]).stdout
    )
    assert [r["price_eur"] for r in records] == [120.0, 100.0, 90.0]
    assert records[0]["fetched_at"] is None and records[0]["source"].endswith("page.txt")


def test_history_of_an_unknown_id_is_a_usage_error(
    runner: CliRunner, dated_dataset: tuple[Path, str]
) -> None:
    data, _ = dated_dataset
    result = runner.invoke(cli, ["history", "0000000000000000", str(data)])
    assert result.exit_code == 2 and result.stdout == ""
    assert "No listing 0000000000000000" in result.stderr and "listing_id" in result.stderr


def test_history_without_a_dataset_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["history", "0000000000000000", str(tmp_path)])
    assert result.exit_code == 2 and "classifieds export" in result.stderr


def test_an_export_imports_no_pandas_and_a_frame_still_loads_after(tmp_path: Path) -> None:
    """pyarrow would import pandas on the first array the export builds (0.3 s, 45 MB)."""
    out = str(tmp_path / "data")
    code = f"""
import sys
from click.testing import CliRunner
import classifieds
from classifieds.cli import cli
result = CliRunner().invoke(cli, ["export", {str(DATA)!r}, "-o", {out!r}, "-q", "--jobs", "2"])
assert result.exit_code == 0, result.output
assert "pandas" not in sys.modules
print(len(classifieds.load({out!r})), type(classifieds.load({out!r})).__name__)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        str(classifieds.build([DATA], tmp_path / "api").listings),
        "DataFrame",
    ]


@pytest.mark.parametrize("name", ["", *command_names()])
def test_help_examples_are_whole_lines_that_can_be_pasted(runner: CliRunner, name: str) -> None:
    command = cli if not name else cli.commands[name]  # type: ignore[attr-defined]
    examples = [
        line.strip()
        for line in (command.help or "").splitlines()
        if line.strip().startswith("classifieds ")
    ]
    result = runner.invoke(cli, [*([name] if name else []), "--help"], terminal_width=80)
    shown = [line.strip() for line in result.stdout.splitlines()]
    assert examples and all(example in shown for example in examples), result.stdout


def test_history_csv_guards_a_url_a_spreadsheet_would_run(
    runner: CliRunner, tmp_path: Path
) -> None:
    text = "Petites Annonces\nBonnes affaires\nVélo\nVélo Caen (14000) 40€ Découvrir\n"
    page = {"url": '=HYPERLINK("http://x.y")', "text": text, "fetched_at": "2026-02-03"}
    (tmp_path / "crawl.jsonl").write_text(json.dumps(page) + "\n", encoding="utf-8")
    classifieds.build([tmp_path / "crawl.jsonl"], tmp_path / "data")
    listing = str(classifieds.load(tmp_path / "data").listing_id.iloc[0])
    result = runner.invoke(cli, ["history", listing, str(tmp_path / "data"), "--format", "csv"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].split(",")[2] == '"\'=HYPERLINK(""http://x.y"")"'


@pytest.mark.parametrize("option", ["--dask-timeout", "--worker-timeout"])
@pytest.mark.parametrize("timeout", ["nan", "inf", "NaN", "-1"])
def test_a_timeout_that_is_no_number_of_seconds_is_a_usage_error(
    tmp_path: Path, timeout: str, option: str
) -> None:
    """``nan`` passes a range check (it compares false): it was an internal error."""
    result = CliRunner().invoke(
        cli, ["export", str(SEEDS), "--out", str(tmp_path / "data"), option, timeout]
    )
    assert result.exit_code == 2
    assert "is not a number of seconds" in result.stderr or "-1" in result.stderr
    assert not (tmp_path / "data").exists()


def test_the_output_folder_given_as_an_input_is_a_usage_error(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Its pages were silently left out: alone, the run found no input; beside another
    input, the dataset lacked them."""
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    shutil.copy(next(SEEDS.glob("*.txt")), crawl)
    for inputs in ([crawl], [crawl, SEEDS]):
        result = runner.invoke(cli, ["export", *map(str, inputs), "-o", str(crawl)])
        assert result.exit_code == 2 and "is the output folder" in result.stderr, result.output
    assert sorted(p.name for p in crawl.iterdir()) == [next(SEEDS.glob("*.txt")).name]


@pytest.mark.parametrize("slash", ["", "/"])
def test_the_output_url_given_as_an_input_is_a_usage_error(
    runner: CliRunner, tmp_path: Path, slash: str
) -> None:
    """As a folder is: the prefix was walked as nothing, "the export found no input"."""
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    shutil.copy(next(SEEDS.glob("*.txt")), crawl)
    url = crawl.as_uri()
    result = runner.invoke(cli, ["export", f"{url}/", "-o", url + slash])
    assert result.exit_code == 2 and "is the output folder" in result.stderr, result.output
    assert sorted(p.name for p in crawl.iterdir()) == [next(SEEDS.glob("*.txt")).name]
