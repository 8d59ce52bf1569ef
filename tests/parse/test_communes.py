"""Towns checked against the official list of communes: the table shipped, and the matching."""

from __future__ import annotations

import gzip
import tracemalloc
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifieds.models import Ad
from classifieds.parse.ads import AdBook, build_ad, parse_page
from classifieds.parse.communes import ARRONDISSEMENTS, TABLE_FILE, CommuneTable, name_key

TABLE = CommuneTable.packaged()

# (detail line head, title, town, insee_code, commune, town_match, department_code)
TOWNS = {
    # multi-word names, lower-case particles
    "bagnoles-normandie": ("Maison Bagnoles de l'Orne Normandie (61140)", "Maison",
                           "Bagnoles de l'Orne Normandie", "61483", "Bagnoles de l'Orne Normandie",
                           "exact", "61"),
    "bagnoles-other-postcode": ("Vélo enfant Bagnoles de l'Orne Normandie (61600)", "Vélo enfant",
                                "Bagnoles de l'Orne Normandie", "61483",
                                "Bagnoles de l'Orne Normandie", "exact", "61"),
    "vire-normandie": ("Canapé Vire Normandie (14500)", "Canapé", "Vire Normandie", "14762",
                       "Vire Normandie", "exact", "14"),
    "sur-loire": ("Vélo Saint-Sébastien-sur-Loire (44230)", "Vélo", "Saint-Sébastien-sur-Loire",
                  "44190", "Saint-Sébastien-sur-Loire", "exact", "44"),
    "les": ("Maison Bourg-lès-Valence (26500)", "Maison", "Bourg-lès-Valence", "26058",
            "Bourg-lès-Valence", "exact", "26"),
    "article": ("Poêle Le Plessis-Robinson (92350)", "Poêle", "Le Plessis-Robinson", "92060",
                "Le Plessis-Robinson", "exact", "92"),
    "en-laye": ("T2 Saint-Germain-en-Laye (78100)", "T2", "Saint-Germain-en-Laye", "78551",
                "Saint-Germain-en-Laye", "exact", "78"),
    "sainte-inside": ("T2 Conflans-Sainte-Honorine (78700)", "T2", "Conflans-Sainte-Honorine",
                      "78172", "Conflans-Sainte-Honorine", "exact", "78"),
    "d-apostrophe": ("T5 Les Sables-d'Olonne (85100)", "T5", "Les Sables-d'Olonne", "85194",
                     "Les Sables-d'Olonne", "exact", "85"),
    "description-not-title": ("Maison de ville La Tronche (38700)", None, "La Tronche", "38516",
                              "La Tronche", "exact", "38"),
    "hyphenated-after-words": ("Terrain à bâtir Bourg-Achard (27310)", "Terrain à bâtir",
                               "Bourg-Achard", "27103", "Bourg-Achard", "exact", "27"),
    "parenthesis-before": ("Lot outils (sans marque) Caen (14000)", "Lot", "Caen", "14118", "Caen",
                           "exact", "14"),
    "church": ("Maison Saint-Pierre-Église (50330)", "Maison", "Saint-Pierre-Église", "50539",
               "Saint-Pierre-Église", "exact", "50"),
    # merged communes
    "vire": ("Vire (14500)", "Maison", "Vire", "14762", "Vire Normandie", "former", "14"),
    "cherbourg": ("Studio Cherbourg-Octeville (50100)", "Studio", "Cherbourg-Octeville", "50129",
                  "Cherbourg-en-Cotentin", "former", "50"),
    "annecy": ("T4 Annecy-le-Vieux (74940)", "T4", "Annecy-le-Vieux", "74010", "Annecy",
               "former", "74"),
    "new-name": ("Vélo Évry-Courcouronnes (91000)", "Vélo", "Évry-Courcouronnes", "91228",
                 "Évry-Courcouronnes", "exact", "91"),
    # St/Ste, capitals, Œ, apostrophes, accents left out
    "st": ("Vélo St-Sébastien-sur-Loire (44230)", "Vélo", "St-Sébastien-sur-Loire", "44190",
           "Saint-Sébastien-sur-Loire", "normalised", "44"),
    "no-hyphens": ("Vélo Saint Sébastien sur Loire (44230)", "Vélo", "Saint Sébastien sur Loire",
                   "44190", "Saint-Sébastien-sur-Loire", "normalised", "44"),
    "ste-capitals": ("Vélo STE MAXIME (83120)", "Vélo", "STE MAXIME", "83115", "Sainte-Maxime",
                     "normalised", "83"),
    "ste-marie": ("Chalet Ste Marie aux Mines (68160)", "Chalet", "Ste Marie aux Mines", "68298",
                  "Sainte-Marie-aux-Mines", "normalised", "68"),
    "sainte-marie": ("Chalet Sainte-Marie-aux-Mines (68160)", "Chalet", "Sainte-Marie-aux-Mines",
                     "68298", "Sainte-Marie-aux-Mines", "exact", "68"),
    "capitals": ("Poussette CHATEAUNEUF SUR LOIRE (45110)", "Poussette", "CHATEAUNEUF SUR LOIRE",
                 "45082", "Châteauneuf-sur-Loire", "normalised", "45"),
    "oe-ligature": ("Maison Œuilly (51480)", "Maison", "Œuilly", "51410", "Œuilly", "exact", "51"),
    "oe-spelled": ("Maison OEUILLY (51480)", "Maison", "OEUILLY", "51410", "Œuilly", "normalised",
                   "51"),
    "curly-apostrophe": ("Table L’Aigle (61300)", "Table", "L’Aigle", "61214", "L'Aigle",
                         "normalised", "61"),
    "straight-apostrophe": ("Table L'Aigle (61300)", "Table", "L'Aigle", "61214", "L'Aigle",
                            "exact", "61"),
    "no-accent": ("Maison Pont l'Eveque (14130)", "Maison", "Pont l'Eveque", "14514",
                  "Pont-l'Évêque", "normalised", "14"),
    "aix-spaces": ("T2 Aix en Provence (13100)", "T2", "Aix en Provence", "13001",
                   "Aix-en-Provence", "normalised", "13"),
    # border communes: the department is the commune's, not the postcode's
    "port-sainte-foy": ("Maison Port-Sainte-Foy-et-Ponchapt (33220)", "Maison",
                        "Port-Sainte-Foy-et-Ponchapt", "24335", "Port-Sainte-Foy-et-Ponchapt",
                        "exact", "24"),
    "eloise": ("Éloise (01200)", "Maison", "Éloise", "74109", "Éloise", "exact", "74"),
    "curbans": ("Terrain Curbans (05110)", "Terrain", "Curbans", "04066", "Curbans", "exact",
                "04"),
    # Corsica and overseas
    "bastia": ("Studio Bastia (20200)", "Studio", "Bastia", "2B033", "Bastia", "exact", "2B"),
    "ajaccio": ("Studio Ajaccio (20000)", "Studio", "Ajaccio", "2A004", "Ajaccio", "exact", "2A"),
    "saint-denis-reunion": ("Studio Saint-Denis (97400)", "Studio", "Saint-Denis", "97411",
                            "Saint-Denis", "exact", "974"),
    "st-denis-reunion": ("Studio St Denis (97400)", "Studio", "St Denis", "97411", "Saint-Denis",
                         "normalised", "974"),
    "fort-de-france": ("Villa Fort-de-France (97200)", "Villa", "Fort-de-France", "97209",
                       "Fort-de-France", "exact", "972"),
    # Paris, Lyon, Marseille: the commune's code, whether the arrondissement is printed or not
    "paris": ("Studio Paris (75011)", "Studio", "Paris", "75056", "Paris", "exact", "75"),
    "paris-11e": ("Studio Paris 11e (75011)", "Studio", "Paris 11e", "75056", "Paris",
                  "normalised", "75"),
    "paris-16e-bis": ("Studio Paris 16e (75116)", "Studio", "Paris 16e", "75056", "Paris",
                      "normalised", "75"),
    "lyon-3e": ("T2 Lyon 3e (69003)", "T2", "Lyon 3e", "69123", "Lyon", "normalised", "69"),
    "marseille": ("T3 Marseille (13008)", "T3", "Marseille", "13055", "Marseille", "exact", "13"),
    "marseille-8eme": ("T3 Marseille 8ème (13008)", "T3", "Marseille 8ème", "13055", "Marseille",
                       "normalised", "13"),
    "marseille-1er": ("Moto Marseille 1er (13001)", "Moto", "Marseille 1er", "13055", "Marseille",
                      "normalised", "13"),
    "paris-15e": ("Studio Paris 15e (75015)", "Studio", "Paris 15e", "75056", "Paris",
                  "normalised", "75"),
    "paris-15eme-arrondissement": ("Studio Paris 15ème arrondissement (75015)", "Studio",
                                   "Paris 15ème arrondissement", "75056", "Paris", "normalised",
                                   "75"),
    "paris-1er-arrondissement": ("Studio Paris 1er arrondissement (75001)", "Studio",
                                 "Paris 1er arrondissement", "75056", "Paris", "normalised", "75"),
    "paris-roman": ("Studio Paris XVIème (75016)", "Studio", "Paris XVIème", "75056", "Paris",
                    "normalised", "75"),
    "paris-other-arrondissement": ("Studio Paris 15e (75011)", "Studio", "Paris 15e", "75056",
                                   "Paris", "normalised", "75"),
    "lyon-3eme": ("T2 Lyon 3ème (69003)", "T2", "Lyon 3ème", "69123", "Lyon", "normalised", "69"),
    "lyon-1ere": ("T2 Lyon 1ère (69001)", "T2", "Lyon 1ère", "69123", "Lyon", "normalised", "69"),
    "marseille-8e-arrondissement": ("T3 Marseille 8e arrondissement (13008)", "T3",
                                    "Marseille 8e arrondissement", "13055", "Marseille",
                                    "normalised", "13"),
    "marseille-8e-arr": ("T3 Marseille 8e arr. (13008)", "T3", "Marseille 8e arr.", "13055",
                         "Marseille", "normalised", "13"),
    "lyon-3e-villeurbanne": ("T2 Lyon 3e (69100)", "T2", "Lyon 3e", None, None, "none", "69"),
    "paris-25e": ("Studio Paris 25e (75015)", "Studio", "Paris 25e", None, None, "none", "75"),
    "lyon-roman-without-suffix": ("T2 Lyon IX (69009)", "T2", "Lyon IX", None, None, "none",
                                  "69"),
    # a name without its article, St-Lô's spellings
    "havre": ("Vélo Havre (76600)", "Vélo", "Havre", "76351", "Le Havre", "normalised", "76"),
    "le-havre": ("Vélo Le Havre (76600)", "Vélo", "Le Havre", "76351", "Le Havre", "exact",
                 "76"),
    "le-havre-capitals": ("Vélo LE HAVRE (76600)", "Vélo", "LE HAVRE", "76351", "Le Havre",
                          "normalised", "76"),
    "havre-capitals": ("Vélo HAVRE (76620)", "Vélo", "HAVRE", "76351", "Le Havre", "normalised",
                       "76"),
    "havre-other-postcode": ("Vélo Havre (14000)", "Vélo", "Havre", None, None, "none", "14"),
    "plessis-robinson": ("Poêle Plessis-Robinson (92350)", "Poêle", "Plessis-Robinson", "92060",
                         "Le Plessis-Robinson", "normalised", "92"),
    "aigle": ("Table Aigle (61300)", "Table", "Aigle", "61214", "L'Aigle", "normalised", "61"),
    "saint-lo": ("Vélo Saint-Lô (50000)", "Vélo", "Saint-Lô", "50502", "Saint-Lô", "exact", "50"),
    "st-lo": ("Vélo St-Lô (50000)", "Vélo", "St-Lô", "50502", "Saint-Lô", "normalised", "50"),
    "st-lo-no-accent": ("Vélo St Lo (50000)", "Vélo", "St Lo", "50502", "Saint-Lô",
                        "normalised", "50"),
    "saint-lo-capitals": ("Vélo SAINT-LO (50000)", "Vélo", "SAINT-LO", "50502", "Saint-Lô",
                          "normalised", "50"),
    # no commune of the postcode: the town as the capitalised words say, the postcode's department
    "caen-76000": ("Studio Caen (76000)", "Studio", "Caen", None, None, "none", "76"),
    "rouen-14000": ("T1 Rouen (14000)", "T1", "Rouen", None, None, "none", "14"),
    # merged away in 2019 without delegated communes: the source keeps no name for them
    "evry-merged": ("T4 Évry (91000)", "T4", "Évry", None, None, "none", "91"),
    "olonne-merged": ("T5 Olonne-sur-Mer (85340)", "T5", "Olonne-sur-Mer", None, None, "none",
                      "85"),
}  # fmt: skip


@pytest.mark.parametrize("case", TOWNS.values(), ids=TOWNS.keys())
def test_a_town_is_matched_to_its_commune(case: tuple[str, ...]) -> None:
    head, title, town, insee_code, commune, town_match, department_code = case
    ad = build_ad("Immobilier", title, f"{head} 100 000€ Découvrir", communes=TABLE)
    assert isinstance(ad, Ad)
    found = (ad.town, ad.insee_code, ad.commune, ad.town_match, ad.department_code)
    assert found == (town, insee_code, commune, town_match, department_code)
    printed = head.rsplit(" (", 1)[0]
    assert ad.description == (printed.removesuffix(town).rstrip() or None)


# Postal marks around the town: a CEDEX mention after it, the postcode again before it.
# (detail line head, title) -> (description, town, insee_code, commune, town_match, department)
POSTAL = {
    "cedex": ("Table Caen Cedex (14000)", "Table",
              ("Table", "Caen", "14118", "Caen", "normalised", "14")),
    "cedex-capitals-number": ("Table CAEN CEDEX 4 (14000)", "Table",
                              ("Table", "CAEN", "14118", "Caen", "normalised", "14")),
    "postcode-town-cedex": ("Table 14000 Caen Cedex 9 (14000)", "Table",
                            ("Table", "Caen", "14118", "Caen", "normalised", "14")),
    "postcode-before-town": ("Table 14000 Caen (14000)", "Table",
                             ("Table", "Caen", "14118", "Caen", "exact", "14")),
    "cedex-code": ("Table Caen Cedex 4 (14050)", "Table",
                   ("Table", "Caen", "14118", "Caen", "normalised", "14")),
    "cedex-code-compound": ("Bureau Hérouville-Saint-Clair Cedex (14209)", "Bureau",
                            ("Bureau", "Hérouville-Saint-Clair", "14327", "Hérouville-Saint-Clair",
                             "normalised", "14")),
    "cedex-code-st": ("Vélo St Lo Cedex (50009)", "Vélo",
                      ("Vélo", "St Lo", "50502", "Saint-Lô", "normalised", "50")),
    "cedex-code-article-less": ("Vélo Havre Cedex (76059)", "Vélo",
                                ("Vélo", "Havre", "76351", "Le Havre", "normalised", "76")),
    "cedex-former-commune": ("Studio Cherbourg-Octeville Cedex (50100)", "Studio",
                             ("Studio", "Cherbourg-Octeville", "50129", "Cherbourg-en-Cotentin",
                              "former", "50")),
    # unambiguous only: a CEDEX code's town must name one commune of its department
    "cedex-code-homonyms": ("Table Vergne Cedex (17409)", "Table",
                            ("Table", "Vergne", None, None, "none", "17")),
    "cedex-other-department": ("Table Caen Cedex (76000)", "Table",
                               ("Table", "Caen", None, None, "none", "76")),
    "cedex-code-unknown-town": ("Table Mer Cedex (14050)", "Table",
                                ("Table", "Mer", None, None, "none", "14")),
    "code-not-in-table-without-cedex": ("Table Caen (14050)", "Table",
                                        ("Table", "Caen", None, None, "none", "14")),
    "cedex-alone-is-no-town": ("Table Cedex (14000)", "Table", "no_town"),
}  # fmt: skip


@pytest.mark.parametrize(("head", "title", "expected"), POSTAL.values(), ids=POSTAL.keys())
def test_postal_marks_are_not_the_town(head: str, title: str, expected: Any) -> None:
    ad = build_ad("Bonnes affaires", title, f"{head} 50€ Découvrir", communes=TABLE)
    if isinstance(expected, str):
        assert ad == expected
        return
    assert isinstance(ad, Ad)
    found = (ad.description, ad.town, ad.insee_code, ad.commune, ad.town_match)
    assert (*found, ad.department_code) == expected


def test_towns_fixture_page() -> None:
    """A widget of towns printed with postal marks and short forms: every ad kept, each matched
    where the postcode leaves one commune."""
    text = (Path(__file__).parent.parent / "data" / "towns.txt").read_text(encoding="utf-8")
    found = [(ad.town, ad.insee_code, ad.town_match) for ad in parse_page(text)]
    assert found == [
        ("CAEN", "14118", "normalised"),
        ("Caen", "14118", "normalised"),
        ("Caen", "14118", "normalised"),
        ("Havre", "76351", "normalised"),
        ("Paris 15ème arrondissement", "75056", "normalised"),
        ("Marseille 8e arr.", "13055", "normalised"),
        ("Lyon 3e", None, "none"),
        ("St Lo", "50502", "normalised"),
    ]


def test_a_lower_case_name_without_its_article_is_no_town() -> None:
    """A lower-case "havre" may be a word of the description: only "Havre" is Le Havre."""
    assert TABLE.find("Vélo havre", "76600") is None
    found = TABLE.find("Vélo Havre", "76600")
    assert found is not None and found.commune.name == "Le Havre"


def test_a_commune_gives_its_population_and_the_department_region() -> None:
    ad = build_ad("Immobilier", "Maison", "Maison Éloise (01200) 1€ Découvrir", communes=TABLE)
    assert isinstance(ad, Ad)
    assert (ad.population, ad.department, ad.region) == (931, "Haute-Savoie",
                                                         "Auvergne-Rhône-Alpes")  # fmt: skip


def test_a_former_commune_gets_the_population_of_the_one_it_joined() -> None:
    ad = build_ad("Immobilier", "Maison", "Maison Vire (14500) 1€ Découvrir", communes=TABLE)
    assert isinstance(ad, Ad) and ad.population == 17457


@pytest.mark.parametrize(
    ("spelled", "official"),
    [
        ("ST-LÔ", "Saint-Lô"),
        ("Sainte Mère Église", "Sainte-Mère-Église"),
        ("L’Haÿ-les-Roses", "L'Haÿ-les-Roses"),
        ("Saint  Malo", "Saint-Malo"),
        ("OEUILLY", "Œuilly"),
    ],
)
def test_spellings_of_one_name_share_a_key(spelled: str, official: str) -> None:
    assert name_key(spelled) == name_key(official)


@pytest.mark.parametrize(
    ("one", "other"),
    [("Saint-Denis", "Denis"), ("Vire", "Vire Normandie"), ("Sainte-Marie", "Saint-Marie")],
)
def test_different_names_keep_different_keys(one: str, other: str) -> None:
    assert name_key(one) != name_key(other)


def test_a_name_inside_a_word_or_after_punctuation_is_not_a_town() -> None:
    # "Caen" is a commune of 14000; "Decaen" and "Caen." are not printed as it
    assert TABLE.find("Studio Decaen", "14000") is None
    assert TABLE.find("Studio Caen.", "14000") is None
    assert TABLE.find("Studio Caen", "99999") is None


def test_the_table_says_where_it_comes_from() -> None:
    header = "\n".join(TABLE.header)
    for fact in ("@etalab/decoupage-administratif 6.0.0", "Licence Ouverte", "command: npm pack",
                 "scripts/communes_table.py"):  # fmt: skip
        assert fact in header


def test_the_table_holds_every_commune_of_the_source() -> None:
    """The issue's counts of ``communes.json``: 34,969 current communes (5 of them, in the TAAF,
    served by no postcode), 2,105 + 471 merged away, 45 arrondissements."""
    text = gzip.decompress(files("classifieds.parse").joinpath(TABLE_FILE).read_bytes())
    lines = [line for line in text.decode().splitlines() if not line.startswith("#")]
    names = {tuple(field.split("|")[:3]) for line in lines for field in line.split("\t")[1:]}
    kinds = {kind: sum(1 for k, _, _ in names if k == kind) for kind in "CFA"}
    assert kinds == {"C": 34969 - 5, "F": 2105 + 471, "A": 45}
    assert "counts: arrondissement-municipal 45, commune-actuelle 34969" in "\n".join(TABLE.header)
    assert "without a postcode (left out): 5" in "\n".join(TABLE.header)


@pytest.mark.parametrize(
    ("postcode", "key", "official", "kind", "insee_code", "population"),
    [
        ("14500", "vire", "Vire", "F", "14762", 17457),
        ("75011", "paris 11e arrondissement", "Paris 11e Arrondissement", "A", "75056", 2103778),
        ("01200", "eloise", "Éloise", "C", "74109", 931),
        ("97400", "saint denis", "Saint-Denis", "C", "97411", 155634),
    ],
)
def test_known_rows_of_the_table(
    postcode: str, key: str, official: str, kind: str, insee_code: str, population: int
) -> None:
    name = TABLE.names(postcode).by_key[key]
    assert (name.official, name.kind, name.commune.insee_code, name.commune.population) == (
        official,
        kind,
        insee_code,
        population,
    )
    assert len(TABLE.postcodes()) == 6310


def test_the_table_is_small_and_cheap_to_load() -> None:
    packed = files("classifieds.parse").joinpath(TABLE_FILE).read_bytes()
    assert len(packed) < 1_500_000
    assert gzip.decompress(packed).startswith(b"# source:")
    tracemalloc.start()
    try:
        CommuneTable.packaged()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 30_000_000


def test_a_parser_loads_the_table_once_on_its_first_ad() -> None:
    book = AdBook()
    assert book._communes is None  # a parser that reads no ad pays nothing
    first = book.communes
    book.built_ad("Immobilier", "Studio", "Studio Caen (14000) 450€ Découvrir")
    assert book.communes is first


@given(st.text(max_size=300), st.sampled_from(["14000", "75011", "14500", "2A004", "99999"]))
def test_finding_a_town_never_fails_and_finds_only_a_name_of_the_postcode(
    head: str, postcode: str
) -> None:
    found = TABLE.find(head, postcode)
    if found is not None:
        key = name_key(head[found.start :])
        # a name of the postcode, or an arrondissement of its city however printed
        city = key.split(" ")[0]
        assert key in TABLE.names(postcode).by_key or (
            found.commune.insee_code in ARRONDISSEMENTS and city in TABLE.names(postcode).by_key
        )


def test_a_town_after_a_long_description_is_found() -> None:
    head = "Maison " + "très belle " * 200 + "Vire Normandie"
    found = TABLE.find(head, "14500")
    assert found is not None and head[found.start :] == "Vire Normandie"


NAMES_OF_14500 = sorted({name.official for name in TABLE.names("14500").by_key.values()})


@given(st.text(max_size=80), st.sampled_from(NAMES_OF_14500))
def test_a_name_printed_last_is_always_found(description: str, official: str) -> None:
    head = f"{description} {official}".strip()
    found = TABLE.find(head, "14500")
    assert found is not None
    assert found.start <= len(head) - len(official)  # the whole name, or a longer one
    assert name_key(head[found.start :]) in TABLE.names("14500").by_key
