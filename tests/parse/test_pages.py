"""Fixture pages, one per awkward input of the data contract: the ads that come out, the rejects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SEEDS, page

import classifieds
from classifieds.parse.ads import AdBook, parse_page

VIAGER = ("viager en Ardèche", "Villevocance", "07690", 60000.0)
OPEL = ("Opel Corsa électrique", "Jullouville", "50610", 16200.0)
POUSSETTE = ("Poussette", "Châteauneuf-sur-Loire", "45110", 100.0)
BASIC = [VIAGER, OPEL, POUSSETTE]

PAGES = {
    "basic": ("basic.txt", BASIC),
    "crlf": ("crlf.txt", BASIC),
    "cr-only": ("cr.txt", BASIC),
    "unicode-line-separators": ("line_separators.txt", BASIC),
    "spaces-and-tabs": ("spaces_tabs.txt", BASIC),
    "nbsp-prices": (
        "nbsp_prices.txt",
        [VIAGER, OPEL, ("Toyota Yaris hybride", "Lyon", "69001", 22900.0), POUSSETTE],
    ),
    "cents": (
        "cents.txt",
        [("Lot de 3 livres", "Caen", "14000", 12.5), ("Cafetière", "Rouen", "76000", 1234.5)],
    ),
    "no-price": (
        "no_price.txt",
        [
            ("Maison 4 pièces à vendre", "Bayeux", "14400", None),
            ("Poussette", "Lisieux", "14100", 30.0),
        ],
    ),
    "zero-price-placeholder": (
        "zero_price.txt",
        [("renault captur techno full hybride etech 145", "Nointot", "76210", None), OPEL],
    ),
    "header-variants": ("header_variants.txt", BASIC),
    "other-sections": (
        "other_section.txt",
        [
            VIAGER,
            ("Serveur H/F saison été", "Granville", "50400", 1800.0),
            ("Chiots labrador LOF", "Vire", "14500", 800.0),
            POUSSETTE,
        ],
    ),
    "missing-title-lines": (
        "missing_title.txt",
        [
            VIAGER,
            OPEL,
            ("Toyota Yaris IV Première 2021 en très bon état", "Lyon", "69001", 22900.0),
            (
                "Chaise de bureau Seattle – Confort, design & vérin à gaz NEUF",
                "Le Plessis-Robinson",
                "92350",
                80.0,
            ),
        ],
    ),
    "truncated-mid-detail": ("truncated.txt", [VIAGER, OPEL]),
    "truncated-after-title": ("truncated_after_title.txt", [VIAGER, OPEL]),
    "widget-twice": ("widget_twice.txt", BASIC),
    "no-widget": ("no_widget.txt", []),
    "windows-1252": (
        "cp1252.txt",
        [VIAGER, OPEL, ("Poêle à bois – état neuf", "Châteauneuf-sur-Loire", "45110", 100.0)],
    ),
    "latin-1": ("latin1.txt", BASIC),
    "parentheses-and-digits-in-description": (
        "description_parens.txt",
        [
            (
                "Location Maison Neuve Meublée ROYAN m2 avec garage 20 m2 et une très grande cave "
                "environ 40 m2 (com",
                "Royan",
                "17200",
                950.0,
            ),
            ("Appartement T3 (résidence 2010) proche Gare Saint-Lazare", "Paris", "75008", 1450.0),
            ("Maison (14000) Caen centre", "L'Aigle", "61300", 150000.0),
        ],
    ),
    "bad-ads-among-good-ones": (
        "bad_ads.txt",
        [VIAGER, OPEL, ("T2 lumineux", "Caen", "14000", 600.0), POUSSETTE],
    ),
}


@pytest.mark.parametrize(("name", "expected"), PAGES.values(), ids=PAGES.keys())
def test_page_ads(name: str, expected: list[tuple[str, str, str, float | None]]) -> None:
    ads = parse_page(page(name), source=name)
    assert [(ad.title, ad.town, ad.postcode, ad.price_eur) for ad in ads] == expected


REJECTS = {
    "truncated-mid-detail": ("truncated.txt", [(15, "truncated_ad"), (16, "truncated_ad")]),
    "truncated-after-title": ("truncated_after_title.txt", [(15, "truncated_ad")]),
    "bad-ads-among-good-ones": (
        "bad_ads.txt",
        [(12, "no_postcode"), (14, "bad_price"), (16, "no_town"), (20, "orphan_title")],
    ),
    "complete-page": ("basic.txt", []),
    "no-widget": ("no_widget.txt", []),
}


@pytest.mark.parametrize(("name", "expected"), REJECTS.values(), ids=REJECTS.keys())
def test_page_rejects(name: str, expected: list[tuple[int, str]]) -> None:
    found = AdBook().occurrences(page(name), name).rejects
    assert [(r.line, r.reason) for r in found] == expected
    assert all(r.source == name for r in found)


def test_sections_and_categories() -> None:
    ads = parse_page(page("other_section.txt"))
    assert [(ad.section, ad.category) for ad in ads] == [
        ("Immobilier", "immobilier"),
        ("Emploi", "emploi"),
        ("Animaux & Compagnie", "animaux_compagnie"),
        ("Bonnes affaires", "bonnes_affaires"),
    ]


def test_header_variants_print_as_is_but_share_a_category() -> None:
    ads = parse_page(page("header_variants.txt"))
    assert [(ad.section, ad.category) for ad in ads] == [
        ("IMMOBILIER", "immobilier"),
        ("automobile", "automobile"),
        ("Bonnes Affaires", "bonnes_affaires"),
    ]


def test_same_ad_gets_same_id_with_or_without_title_line() -> None:
    with_title = parse_page(page("basic.txt"))[0]
    without_title = parse_page(page("missing_title.txt"))[0]
    assert with_title.listing_id == without_title.listing_id


def test_widget_twice_counts_each_ad_once_at_its_first_line() -> None:
    found = AdBook().occurrences(page("widget_twice.txt"), "p")
    assert found.lines == [10, 13, 16]
    assert [ad.title for ad in found.ads] == [ad.title for ad in parse_page(page("basic.txt"))]
    assert found.ids == [ad.listing_id for ad in found.ads]
    assert found.sections == [ad.section for ad in found.ads]
    assert found.prices == [ad.price_eur for ad in found.ads]


@pytest.mark.parametrize("name", ["crlf.txt", "cr.txt", "line_separators.txt"])
def test_every_line_break_gives_the_same_lines(name: str) -> None:
    """CRLF, a lone CR (old Macs), U+2028, U+2029 and NEL all end a line."""
    assert parse_page(page(name)) == parse_page(page("basic.txt"))


def test_a_crlf_page_is_read_from_the_pieces_of_its_lf_twin() -> None:
    """Read as LF, a CRLF page places no piece of widget that the same page in LF placed."""
    book = AdBook()
    book.occurrences(page("basic.txt"), "basic.txt")
    placed = set(book._placed)
    book.occurrences(page("crlf.txt"), "crlf.txt")
    assert set(book._placed) == placed


SEED_ADS = [
    (
        "immobilier",
        "viager en Ardèche",
        "Villevocance",
        "07690",
        60000.0,
        "07",
        "Ardèche",
        "Auvergne-Rhône-Alpes",
    ),
    (
        "immobilier",
        "Location Maison Neuve Meublée ROYAN m2 avec garage 20 m2 et une très grande cave environ 40 m2 (com",
        "Royan",
        "17200",
        950.0,
        "17",
        "Charente-Maritime",
        "Nouvelle-Aquitaine",
    ),
    (
        "immobilier",
        "Pavillon Construction 2005 dans village 5 pièces de 93 m2",
        "Saint-Sébastien-sur-Loire",
        "44230",
        605.0,
        "44",
        "Loire-Atlantique",
        "Pays de la Loire",
    ),
    (
        "immobilier",
        "Chambre meublée, idéale jeune travailleur",
        "La Tronche",
        "38700",
        390.0,
        "38",
        "Isère",
        "Auvergne-Rhône-Alpes",
    ),
    (
        "automobile",
        "Opel Corsa électrique",
        "Jullouville",
        "50610",
        16200.0,
        "50",
        "Manche",
        "Normandie",
    ),
    (
        "automobile",
        "renault captur techno full hybride etech 145",
        "Nointot",
        "76210",
        None,
        "76",
        "Seine-Maritime",
        "Normandie",
    ),
    (
        "automobile",
        "Toyota Yaris IV Première 2021 en très bon état",
        "Lyon",
        "69001",
        22900.0,
        "69",
        "Rhône",
        "Auvergne-Rhône-Alpes",
    ),
    (
        "automobile",
        "4 pneus DUNLOP SPORT MAXX RT 2 – état récent – à saisir",
        "Le Plessis-Robinson",
        "92350",
        150.0,
        "92",
        "Hauts-de-Seine",
        "Île-de-France",
    ),
    (
        "bonnes_affaires",
        "Poêle à bois",
        "Plérin",
        "22190",
        1800.0,
        "22",
        "Côtes-d'Armor",
        "Bretagne",
    ),
    (
        "bonnes_affaires",
        "Poussette",
        "Châteauneuf-sur-Loire",
        "45110",
        100.0,
        "45",
        "Loiret",
        "Centre-Val de Loire",
    ),
    (
        "bonnes_affaires",
        "Siège auto",
        "Châteauneuf-sur-Loire",
        "45110",
        30.0,
        "45",
        "Loiret",
        "Centre-Val de Loire",
    ),
    (
        "bonnes_affaires",
        "Chaise de bureau Seattle – Confort, design & vérin à gaz NEUF",
        "Le Plessis-Robinson",
        "92350",
        80.0,
        "92",
        "Hauts-de-Seine",
        "Île-de-France",
    ),
]


def test_seed_page_gives_its_twelve_ads() -> None:
    (seed,) = SEEDS.glob("*.txt")
    ads = parse_page(seed.read_text(encoding="utf-8"), source=str(seed))
    assert [
        (
            a.category,
            a.title,
            a.town,
            a.postcode,
            a.price_eur,
            a.department_code,
            a.department,
            a.region,
        )
        for a in ads
    ] == SEED_ADS
    assert ads[5].price_raw == "0€"


def test_multi_megabyte_lines_become_rejects_and_the_ads_around_survive(tmp_path: Path) -> None:
    """A 5 MB article line, a 3 MB title line and a 4 MB detail line: one read, no hang."""
    huge_article = "Le conseil municipal " * 250_000
    huge_title = "Maison " * 430_000
    huge_detail = "Vends " * 700_000 + "Caen (14000) 100€ Découvrir"
    text = (
        f"{huge_article}\nPetites Annonces\nImmobilier\nviager en Ardèche\n"
        "viager en Ardèche Villevocance (07690) 60 000€ Découvrir\n"
        f"{huge_title}\nStudio Caen (14000) 450€ Découvrir\n"
        f"{huge_detail}\nAutomobile\nOpel Corsa électrique\n"
        "Opel Corsa électrique Jullouville (50610) 16 200€ Découvrir\nL'application mobile\n"
    )
    page_file = tmp_path / "huge.txt"
    page_file.write_text(text, encoding="utf-8")
    assert page_file.stat().st_size > 10_000_000
    manifest = classifieds.build([page_file], tmp_path / "out")
    listings = classifieds.load(tmp_path / "out")
    assert listings["town"].tolist() == ["Villevocance", "Caen", "Jullouville"]
    assert manifest.rejects_by_reason == {"line_too_long": 2}
    rejects = [
        json.loads(line) for line in (tmp_path / "out" / "rejects.jsonl").open(encoding="utf-8")
    ]
    assert [r["line"] for r in rejects] == [6, 8]
    assert all(len(r["text"]) <= 300 for r in rejects)


@pytest.mark.parametrize(
    ("article", "lines"),
    [
        ("L1\nL2\nL3\nL4\n", [9, 12, 15]),
        ("L1\rL2\rL3\nL4\n", [9, 12, 15]),
        ("L1\u2028L2\u2029L3\x85L4\n", [9, 12, 15]),
        ("L1\r\nL2\rL3\r\n", [8, 11, 14]),
        ("L1\rL2\rL3\rL4\r", [9, 12, 15]),
    ],
    ids=["lf", "cr-then-lf", "unicode-separators", "crlf-and-cr", "cr-only"],
)
def test_line_numbers_count_every_kind_of_line_break_before_the_widget(
    tmp_path: Path, article: str, lines: list[int]
) -> None:
    widget = page("basic.txt")[page("basic.txt").index("Petites Annonces") :]
    newline = "\r" if article.endswith("L4\r") else "\n"
    path = tmp_path / "page.txt"
    path.write_bytes((article + "Encore\n" + widget.replace("\n", newline)).encode())
    classifieds.build([path], tmp_path / "data")
    assert classifieds.load_sightings(tmp_path / "data")["line"].tolist() == lines
