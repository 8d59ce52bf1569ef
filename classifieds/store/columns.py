"""The data dictionary: the columns of each file of a dataset, their Arrow types and meanings.

``classifieds schema``, the README, ``datapackage.json`` and the Arrow schemas of
:mod:`.dataset` are all made from these tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

TIMESTAMP = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class Column:
    """A column of the data dictionary."""

    name: str
    type: pa.DataType
    nullable: bool
    meaning: str

    @property
    def field(self) -> pa.Field[pa.DataType]:
        return pa.field(self.name, self.type, self.nullable, {"meaning": self.meaning})


LISTING_COLUMNS = (
    Column(
        "listing_id", pa.string(), False, "stable id of the ad: category, title, town, postcode"
    ),
    Column("category", pa.string(), False, "immobilier, automobile, bonnes_affaires, other slug"),
    Column("section", pa.string(), True, "the section header as printed"),
    Column("title", pa.string(), False, "NFC, whitespace collapsed"),
    Column("description", pa.string(), True, "the detail text before the town"),
    Column("town", pa.string(), False, "as printed, NFC"),
    Column("insee_code", pa.string(), True, "INSEE code of the matched commune; null if none"),
    Column("commune", pa.string(), True, "official name of the matched (current) commune"),
    Column("town_match", pa.string(), False, "exact, normalised, former (merged-away) or none"),
    Column("population", pa.int64(), True, "the matched commune's population"),
    Column("postcode", pa.string(), False, "five characters, leading zero kept"),
    Column(
        "department_code", pa.string(), True, "the commune's, else the postcode's; null outside"
    ),
    Column("department", pa.string(), True, "official department name"),
    Column("region", pa.string(), True, "official region name (2016 regions)"),
    Column(
        "price_eur",
        pa.float64(),
        True,
        "price at the latest sighting; null if none, 0€ or no one amount (a range)",
    ),
    Column("price_raw", pa.string(), True, "the price as printed"),
    Column(
        "price_outlier",
        pa.bool_(),
        False,
        "price implausible for its category, transaction and type (see README); false if none",
    ),
    Column("currency", pa.string(), False, "EUR"),
    Column("transaction", pa.string(), True, "real estate: vente, location or viager"),
    Column("surface_m2", pa.float64(), True, "living area when unambiguous"),
    Column("land_m2", pa.float64(), True, "land area: sur 800 m² de terrain, a terrain ad's"),
    Column(
        "property_type",
        pa.string(),
        True,
        "maison, appartement, terrain, parking, local_commercial, immeuble, chambre",
    ),
    Column("rooms", pa.int64(), True, "number of rooms: 5 pièces, T3, F4"),
    Column(
        "vehicle_type",
        pa.string(),
        True,
        "voiture, moto, utilitaire, camping_car, remorque, piece",
    ),
    Column("make", pa.string(), True, "vehicle make, canonical capitalisation"),
    Column("model", pa.string(), True, "vehicle model, canonical capitalisation: 208, MT-07"),
    Column("year", pa.int64(), True, "model year or year of construction"),
    Column("fuel", pa.string(), True, "essence, diesel, hybride, électrique, gpl"),
    Column("mileage_km", pa.int64(), True, "vehicle mileage in km"),
    Column("n_sightings", pa.int64(), False, "occurrences across all inputs"),
    Column("first_source", pa.string(), False, "input where the ad was first seen"),
    Column("first_line", pa.int64(), False, "1-based line of its detail line there"),
    Column("first_seen", TIMESTAMP, True, "capture date of its first dated sighting; null if none"),
    Column("last_seen", TIMESTAMP, True, "capture date of its latest sighting; null if undated"),
    Column("first_url", pa.string(), True, "URL of the page it was first seen on; null if none"),
)
SIGHTING_COLUMNS = (
    Column("listing_id", pa.string(), False, "the ad seen"),
    Column("source", pa.string(), False, "input it was seen in"),
    Column("line", pa.int64(), False, "1-based line of the detail line"),
    Column("position", pa.int64(), False, "1-based rank of the ad among the page's ads"),
    Column("section", pa.string(), True, "section header as printed on that page"),
    Column("price_eur", pa.float64(), True, "price as printed on that page"),
    Column("url", pa.string(), True, "URL of the page (WARC, JSON Lines); null for files"),
    Column("fetched_at", TIMESTAMP, True, "capture date of the page, UTC; null if undated"),
)


INPUT_COLUMNS = (
    Column("source", pa.string(), False, "input file as read (<stdin> for standard input)"),
    Column("bytes", pa.int64(), False, "size of the file as stored"),
    Column("sha256", pa.string(), False, "hash of its content; empty for stdin"),
    Column("pages", pa.int64(), False, "pages read from it"),
    Column("pages_with_widget", pa.int64(), False, "pages with a Petites Annonces widget"),
    Column("sightings", pa.int64(), False, "its rows in sightings.parquet"),
    Column("rejects", pa.int64(), False, "its lines in rejects.jsonl"),
    Column("records_skipped", pa.int64(), False, "archive records that hold no page"),
)
"""``inputs.parquet``: what each input gave, in input order. ``--append`` reads it to skip
inputs already read and to copy their rows."""
