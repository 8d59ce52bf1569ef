"""The command group and what its commands share."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import click

from classifieds._version import __version__

CONTEXT_SETTINGS = MappingProxyType(
    {"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
DEFAULT_INPUT = Path("seeds")
DEFAULT_DATASET = Path("data")


class MissingInput(click.ClickException):
    """A usage error told in one line: exit code 2, no usage text."""

    exit_code = 2


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="classifieds")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
def cli(debug: bool) -> None:  # main() reads --debug: a bug may happen before click runs
    """Turn the "Petites Annonces" widget of scraped news pages into a dataset of ads.

    Example:

        classifieds export crawl/ --out data/
    """
