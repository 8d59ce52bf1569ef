"""Typed records of the pipeline: an ad as parsed, a listing, a sighting, a reject, a run manifest.

Invalid values are caught here, when a record is built, not downstream: a parser that produces
a bad postcode or a negative price gets a ``ValidationError``, which the pipeline turns into a
reject with reason ``invalid_record``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from itertools import pairwise
from types import MappingProxyType
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Postcode = Annotated[str, StringConstraints(pattern=r"^[0-9]{5}$")]
DepartmentCode = Annotated[
    str, StringConstraints(pattern=r"^(0[1-9]|[1-8][0-9]|9[0-5]|2[AB]|97[1-6])$")
]
Category = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
Transaction = Literal["vente", "location", "viager"]
Fuel = Literal["essence", "diesel", "hybride", "électrique", "gpl"]
PropertyType = Literal[
    "maison", "appartement", "terrain", "parking", "local_commercial", "immeuble", "chambre"
]
VehicleType = Literal["voiture", "moto", "utilitaire", "camping_car", "remorque", "piece"]
TownMatch = Literal["exact", "normalised", "former", "none"]

Family = Literal["immobilier", "vehicules"]
REAL_ESTATE: Final = "immobilier"
VEHICLES: Final = "vehicules"
# Words of a section header that tell its family: "Immo", "Logement", "Immobilier neuf" hold
# real estate; "Véhicules", "Auto-Moto", "Occasions auto" hold vehicles.
_REAL_ESTATE_SECTION_WORDS: Final = frozenset(
    {"immobilier", "immobiliere", "immobilieres", "immo", "logement", "logements", "habitat"}
)
_VEHICLE_SECTION_WORDS: Final = frozenset(
    {
        "automobile",
        "automobiles",
        "auto",
        "autos",
        "moto",
        "motos",
        "vehicule",
        "vehicules",
        "voiture",
        "voitures",
        "utilitaires",
        "camping car",
        "camping cars",
        "deux roues",
        "2 roues",
    }
)


def family_of(category: str) -> Family | None:
    """Return the family of ads a section holds, told by the words of its slug (``category``):
    which attributes its ads get, and which figures a summary keeps apart.

    >>> family_of("immobilier"), family_of("immobilier_neuf"), family_of("auto_moto")
    ('immobilier', 'immobilier', 'vehicules')
    >>> family_of("bonnes_affaires"), family_of("emploi"), family_of("auto_et_immo")
    (None, None, None)
    """
    if category == REAL_ESTATE:
        return REAL_ESTATE
    if category == "automobile":
        return VEHICLES
    words = category.split("_")
    phrases = {*words, *(" ".join(pair) for pair in pairwise(words))}
    real_estate = not phrases.isdisjoint(_REAL_ESTATE_SECTION_WORDS)
    vehicles = not phrases.isdisjoint(_VEHICLE_SECTION_WORDS)
    if real_estate == vehicles:  # neither, or both ("Auto et immo"): not one family
        return None
    return REAL_ESTATE if real_estate else VEHICLES


# A reason is a stable code: users filter rejects.jsonl on it, the README explains each one.
RejectReason = Literal[
    "empty_file",
    "binary_file",
    "file_too_large",
    "unreadable_file",
    "no_postcode",
    "no_town",
    "no_title",
    "bad_price",
    "line_too_long",
    "truncated_ad",
    "orphan_title",
    "invalid_record",
    "unknown_format",
    "corrupt_file",
    "decompression_limit",
    "record_too_large",
    "bad_json",
    "no_page_field",
    "bad_date",
    "html_too_complex",
    "stray_line",
    "too_many_ads",
]

REJECT_MEANINGS: Mapping[str, str] = MappingProxyType(
    {
        "empty_file": "the input has no text (0 bytes or only whitespace), or a WARC or JSON"
        " Lines input holds no record",
        "binary_file": "the input is not text (over 1% control bytes): an image, an archive, junk",
        "file_too_large": "the input is larger than 64 MiB (decompressed), far beyond any web page",
        "unreadable_file": "the input could not be opened or read (permissions, I/O error)",
        "no_postcode": "a widget line ends in 'Découvrir' but has no '(postcode)' before the price",
        "no_town": "an ad with a postcode but no town name before it",
        "no_title": "an ad with neither a title line nor a description",
        "bad_price": "the price holds digits but is not a price (e.g. '1,800€', '12 5 0€')",
        "line_too_long": "a widget line over 2,000 characters: junk, not an ad",
        "truncated_ad": "the page ends in the middle of an ad (truncated download)",
        "orphan_title": "a title line whose detail line is missing (the next line is a header)",
        "invalid_record": "the parsed ad breaks a rule of the data model (a bug: please report)",
        "unknown_format": (
            "a file whose name says it is no page, WARC or JSON Lines (.pdf, .png, .zip)"
        ),
        "corrupt_file": (
            "a compressed file or WARC archive is damaged or cut short; pages before kept"
        ),
        "decompression_limit": (
            "a compressed input holds over 16 GiB (a zip bomb); pages before kept"
        ),
        "record_too_large": "a page in a WARC archive or JSON Lines file is larger than 64 MiB",
        "bad_json": "a JSON Lines line that is not a JSON object",
        "no_page_field": (
            "a JSON Lines object without the text or html field (see --jsonl-text-field)"
        ),
        "bad_date": (
            "a page's date (WARC-Date, JSON Lines date) is not ISO 8601 or epoch seconds;"
            " the page is kept, undated"
        ),
        "stray_line": (
            "a line among the ads that is no header and no part of an ad; the ads after it are read"
        ),
        "too_many_ads": (
            "a page holds more than 10,000 ads and rejected lines (no widget does): those are"
            " kept, the rest of the page is not read"
        ),
        "html_too_complex": (
            "an HTML page that would give the parser more work than 10,000 nested elements"
            " (nested that deep, or many tags deep down), or with a tag of over 2,000 words"
        ),
    }
)
"""What each reject reason means; the README and ``classifieds schema`` show this table."""

REJECT_TEXT_MAX = 300
"""Rejects keep this many characters of the offending text: enough to see the problem."""


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Ad(_Record):
    """One ad as printed in a widget, parsed, normalised and enriched (no sighting facts)."""

    listing_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
    category: Category
    section: Annotated[str, StringConstraints(min_length=1)] | None
    title: Annotated[str, StringConstraints(min_length=1)]
    description: str | None
    town: Annotated[str, StringConstraints(min_length=1)]
    insee_code: Annotated[str, StringConstraints(pattern=r"^[0-9][0-9AB][0-9]{3}$")] | None = None
    commune: Annotated[str, StringConstraints(min_length=1)] | None = None
    town_match: TownMatch = "none"
    population: Annotated[int, Field(ge=0)] | None = None
    postcode: Postcode
    department_code: DepartmentCode | None
    department: str | None
    region: str | None
    price_eur: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None
    price_raw: str | None
    currency: Literal["EUR"] = "EUR"
    transaction: Transaction | None = None
    surface_m2: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    land_m2: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    property_type: PropertyType | None = None
    rooms: Annotated[int, Field(ge=1, le=50)] | None = None
    vehicle_type: VehicleType | None = None
    make: str | None = None
    model: str | None = None
    year: Annotated[int, Field(ge=1800, le=2100)] | None = None
    fuel: Fuel | None = None
    mileage_km: Annotated[int, Field(ge=0)] | None = None

    def values(self) -> tuple[Any, ...]:
        """Return the values of the ad, in the order of its fields: how a catalogue holds it."""
        return tuple(self.__dict__.values())


class Listing(Ad):
    """A unique ad across all inputs: the row of ``listings``."""

    n_sightings: Annotated[int, Field(ge=1)] = 1
    price_outlier: bool = False
    """Whether the price is implausible for its group; set when the dataset is written, over all
    its listings (:mod:`classifieds.store.outliers`)."""
    first_source: str
    first_line: Annotated[int, Field(ge=1)]
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    first_url: str | None = None


class Sighting(_Record):
    """One occurrence of an ad on a page: the row of ``sightings``."""

    listing_id: str
    source: str
    line: Annotated[int, Field(ge=1)]
    position: Annotated[int, Field(ge=1)]
    section: str
    price_eur: float | None
    url: str | None = None
    fetched_at: datetime | None = None


class Reject(_Record):
    """An ad or a file that could not be used: a row of ``rejects.jsonl``."""

    source: str
    line: Annotated[int, Field(ge=0)]
    reason: RejectReason
    text: Annotated[str, StringConstraints(max_length=REJECT_TEXT_MAX)]

    @classmethod
    def of(cls, source: str, line: int, reason: RejectReason, text: str) -> Reject:
        """Return a reject whose text is cut to a readable length."""
        if len(text) > REJECT_TEXT_MAX:
            text = text[: REJECT_TEXT_MAX - 1] + "…"
        return cls(source=source, line=line, reason=reason, text=text)


class Manifest(BaseModel):
    """What a run read and wrote: ``manifest.json``."""

    tool: str = "classifieds"
    version: str
    schema_version: int
    parser_version: int
    """:data:`~classifieds.parse.PARSER_VERSION` of the parser that read every listing."""
    created_at: str
    inputs: int
    """Inputs the dataset holds (with ``--append``, those of earlier runs too)."""
    inputs_read: int
    """Inputs this run read (the others were copied from the dataset appended to)."""
    input_bytes: int
    pages: int
    pages_with_widget: int
    pages_without_widget: int
    records_skipped: int = 0
    """Records of archives that hold no page (requests, revisits, images, error statuses),
    and the FIFOs, sockets and devices found in input folders."""
    listings: int
    sightings: int
    rejects: int
    rejects_by_reason: dict[str, int]
    outputs: dict[str, str]
    """sha256 of each output file, by file name."""
