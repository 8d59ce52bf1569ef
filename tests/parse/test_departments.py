from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifieds.parse._departments import DEPARTMENTS
from classifieds.parse.departments import Department, department_of

ARA = "Auvergne-Rhône-Alpes"
IDF = "Île-de-France"

KNOWN = [
    # (postcode, place, code, name, region)
    ("07690", "Villevocance", "07", "Ardèche", ARA),
    ("17200", "Royan", "17", "Charente-Maritime", "Nouvelle-Aquitaine"),
    ("44230", "Saint-Sébastien-sur-Loire", "44", "Loire-Atlantique", "Pays de la Loire"),
    ("38700", "La Tronche", "38", "Isère", ARA),
    ("50610", "Jullouville", "50", "Manche", "Normandie"),
    ("76210", "Bolbec", "76", "Seine-Maritime", "Normandie"),
    ("69001", "Lyon 1er", "69", "Rhône", ARA),
    ("92350", "Le Plessis-Robinson", "92", "Hauts-de-Seine", IDF),
    ("22190", "Plérin", "22", "Côtes-d'Armor", "Bretagne"),
    ("45110", "Châteauneuf-sur-Loire", "45", "Loiret", "Centre-Val de Loire"),
    ("20000", "Ajaccio", "2A", "Corse-du-Sud", "Corse"),
    ("20090", "Ajaccio", "2A", "Corse-du-Sud", "Corse"),
    ("20167", "Mezzavia", "2A", "Corse-du-Sud", "Corse"),
    ("20200", "Bastia", "2B", "Haute-Corse", "Corse"),
    ("20600", "Furiani", "2B", "Haute-Corse", "Corse"),
    ("20220", "L'Île-Rousse", "2B", "Haute-Corse", "Corse"),
    ("97100", "Basse-Terre", "971", "Guadeloupe", "Guadeloupe"),
    ("97200", "Fort-de-France", "972", "Martinique", "Martinique"),
    ("97300", "Cayenne", "973", "Guyane", "Guyane"),
    ("97400", "Saint-Denis", "974", "La Réunion", "La Réunion"),
    ("97600", "Mamoudzou", "976", "Mayotte", "Mayotte"),
    ("75001", "Paris 1er", "75", "Paris", IDF),
    ("90000", "Belfort", "90", "Territoire de Belfort", "Bourgogne-Franche-Comté"),
    ("01000", "Bourg-en-Bresse", "01", "Ain", ARA),
    ("95000", "Cergy", "95", "Val-d'Oise", IDF),
    ("13001", "Marseille 1er", "13", "Bouches-du-Rhône", "Provence-Alpes-Côte d'Azur"),
    ("67000", "Strasbourg", "67", "Bas-Rhin", "Grand Est"),
    ("59000", "Lille", "59", "Nord", "Hauts-de-France"),
    ("31000", "Toulouse", "31", "Haute-Garonne", "Occitanie"),
]


@pytest.mark.parametrize(
    ("postcode", "code", "name", "region"),
    [
        pytest.param(pc, code, name, region, id=f"{pc}-{place}")
        for pc, place, code, name, region in KNOWN
    ],
)
def test_department_of_known_postcodes(postcode: str, code: str, name: str, region: str) -> None:
    assert department_of(postcode) == Department(code, name, region)


NO_DEPARTMENT = [
    pytest.param("97500", id="975xx-saint-pierre-et-miquelon"),
    pytest.param("97133", id="97133-saint-barthelemy"),
    pytest.param("97150", id="97150-saint-martin"),
    pytest.param("98000", id="98000-monaco"),
    pytest.param("98800", id="98800-nouvelle-caledonie"),
    pytest.param("99999", id="99999"),
    pytest.param("00100", id="00xxx"),
    pytest.param("96000", id="96xxx"),
    pytest.param("20700", id="207xx-past-corsica"),
    pytest.param("", id="empty"),
    pytest.param("1234", id="too-short"),
    pytest.param("123456", id="too-long"),
    pytest.param("ABCDE", id="letters"),
    pytest.param(" 7500", id="leading-space"),
    pytest.param("75001 ", id="trailing-space"),
    pytest.param("2A000", id="corsica-letter"),
    pytest.param("７５００１", id="fullwidth-digits"),
    pytest.param("٧٥٠٠١", id="arabic-indic-digits"),
]


@pytest.mark.parametrize("postcode", NO_DEPARTMENT)
def test_department_of_returns_none_outside_departments(postcode: str) -> None:
    assert department_of(postcode) is None


def test_table_has_101_departments_in_18_regions() -> None:
    codes = [code for code, _, _ in DEPARTMENTS]
    assert len(DEPARTMENTS) == 101
    assert len(set(codes)) == 101
    assert len({region for _, _, region in DEPARTMENTS}) == 18
    assert len({name for _, name, _ in DEPARTMENTS}) == 101


def test_table_covers_every_metropolitan_and_overseas_code() -> None:
    metropolitan = {f"{n:02d}" for n in range(1, 96) if n != 20} | {"2A", "2B"}
    overseas = {"971", "972", "973", "974", "976"}
    assert {code for code, _, _ in DEPARTMENTS} == metropolitan | overseas


def test_every_department_is_reachable_from_a_postcode() -> None:
    reached = {dept.code for n in range(100_000) if (dept := department_of(f"{n:05d}")) is not None}
    assert reached == {code for code, _, _ in DEPARTMENTS}


def test_names_use_the_ascii_apostrophe() -> None:
    for _, name, region in DEPARTMENTS:
        assert "’" not in name + region


@given(st.text())
def test_department_of_never_raises(text: str) -> None:
    result = department_of(text)
    if not (len(text) == 5 and all(c in string.digits for c in text)):
        assert result is None


@given(st.text(alphabet=string.digits, min_size=5, max_size=5))
def test_department_of_five_digits_is_none_or_a_known_department(postcode: str) -> None:
    result = department_of(postcode)
    assert result is None or tuple(result) in DEPARTMENTS
