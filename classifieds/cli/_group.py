"""The command group and what its commands share."""

from __future__ import annotations

import json
from pathlib import Path
from types import MappingProxyType
from typing import Any

import click

from classifieds._version import __version__
from classifieds.parse import PARSER_VERSION

CONTEXT_SETTINGS = MappingProxyType(
    {"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
DEFAULT_INPUT = Path("seeds")
DEFAULT_DATASET = Path("data")


def storage_option(function: Any) -> Any:
    """Add the repeatable ``--storage-option KEY=VALUE`` to a command that reads or writes URLs."""
    return click.option(
        "--storage-option",
        "storage_options",
        multiple=True,
        metavar="KEY=VALUE",
        callback=_storage_options,
        help="An fsspec option for s3:// gs:// az:// URLs (repeatable); a VALUE in JSON is"
        " parsed (true, 3, {...}), a dotted KEY nests. Example: --storage-option"
        " profile=crawler --storage-option endpoint_url=http://127.0.0.1:9000",
    )(function)


def _storage_options(
    _context: click.Context, _param: click.Parameter, given: tuple[str, ...]
) -> dict[str, Any]:
    """Return the storage options given as ``KEY=VALUE``, a dotted key as nested dicts.

    >>> _storage_options(None, None, ("anon=true", "client_kwargs.region_name=eu-west-3"))
    {'anon': True, 'client_kwargs': {'region_name': 'eu-west-3'}}
    """
    options: dict[str, Any] = {}
    for pair in given:
        key, equals, text = pair.partition("=")
        if not equals or not key.strip():
            raise click.BadParameter(
                f"{pair!r} is not KEY=VALUE, e.g. --storage-option anon=true",
                param_hint="--storage-option",
            )
        try:
            value: Any = json.loads(text)
        except ValueError:
            value = text  # a plain string: a key, a region, an endpoint
        *parents, last = key.strip().split(".")
        place = options
        for parent in parents:
            nested = place.setdefault(parent, {})
            if not isinstance(nested, dict):
                raise click.BadParameter(
                    f"{key} nests in {parent}, which has a value already",
                    param_hint="--storage-option",
                )
            place = nested
        place[last] = value
    return options


class OneLineUsageError(click.ClickException):
    """A usage error told in one line: exit code 2, no usage text."""

    exit_code = 2


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(
    __version__,
    "-V",
    "--version",
    prog_name="classifieds",
    message=f"%(prog)s, version %(version)s (parser {PARSER_VERSION})",
)
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
def cli(debug: bool) -> None:  # main() reads --debug: a bug may happen before click runs
    """Turn the "Petites Annonces" widget of scraped news pages into a dataset of ads.

    Example:

        classifieds export crawl/ --out data/
    """
