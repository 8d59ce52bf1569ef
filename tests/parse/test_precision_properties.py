"""Rules of precision that hold for every ad written from the pieces real ads are made of:
an attribute is a number the text writes with its unit, and the families that fooled the
readers (an area after "sur", a distance in km, a boat of a moto maker) give no value.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from classifieds.parse.areas import M2_PER_ARE, M2_PER_HECTARE
from classifieds.parse.attributes import extract_attributes
from classifieds.parse.wording import fold, read_number

IMMO = "immobilier"
AUTO = "automobile"

DWELLINGS = st.sampled_from(["Maison", "Appartement", "Pavillon", "Studio", "Villa", "Terrain"])
NUMBERS = st.integers(min_value=1, max_value=9999)
AREA_UNITS = st.sampled_from(["m2", "m²", "M²", " m2", " m²", " mètres carrés"])
LAND_UNITS = st.sampled_from([" ha", "ha", " hectares", " ares"])
DECIMALS = st.builds(lambda n, d: f"{n},{d}", st.integers(1, 999), st.integers(0, 9))
AREA_NUMBERS = NUMBERS.map(str) | DECIMALS | st.integers(1, 99).map(lambda n: f"{n} 500")
WORDS = st.sampled_from(
    [
        "4 pièces",
        "T3",
        "3 chambres",
        "garage",
        "cave",
        "terrain",
        "de",
        "sur",
        "avec",
        "habitables",
        "environ",
        "2e étage",
        "à 5 min de la gare",
        "à 2 km du centre",
        "année 1975",
        "+",
        ",",
        "-",
        "de terrain",
        "plain-pied",
        "sans jardin",
    ]
)
AREAS = st.builds(lambda n, u: f"{n}{u}", AREA_NUMBERS, AREA_UNITS)
LANDS = st.builds(lambda n, u: f"{n}{u}", st.integers(1, 99), LAND_UNITS)
PIECES = st.one_of(WORDS, AREAS, LANDS, NUMBERS.map(str))
AD_TEXTS = st.builds(
    lambda head, rest: " ".join([head, *rest]), DWELLINGS, st.lists(PIECES, max_size=8)
)

_M2 = re.compile(r"([0-9][0-9 ]*(?:,[0-9])?) ?(?:m2|metres carres)")
_LAND = re.compile(r"([0-9]+) ?(?:(ha|hectares)\b(?: ?([0-9]{1,2}) ?(?:a|ares)\b)?|ares\b)")


def written_areas(text: str) -> set[float]:
    """Return every area in m2 the text writes with a unit, each tail of a spaced number too."""
    folded = fold(text)
    found: set[float] = set()
    for m in _M2.finditer(folded):
        groups = m.group(1).strip().split(" ")
        found.update(read_number(" ".join(groups[i:])) for i in range(len(groups)))
    for m in _LAND.finditer(folded):
        per = M2_PER_HECTARE if m.group(2) else M2_PER_ARE
        found.add(int(m.group(1)) * per + int(m.group(3) or 0) * M2_PER_ARE)
    return found


@settings(max_examples=400)
@given(AD_TEXTS, st.none() | st.floats(min_value=0, max_value=500_000))
def test_an_area_is_one_the_text_writes_with_its_unit(text: str, price: float | None) -> None:
    found = extract_attributes(IMMO, text, price)
    written = written_areas(text)
    for area in (found.surface_m2, found.land_m2):
        assert area is None or area in written, (text, area, written)


@given(DWELLINGS, st.lists(WORDS.filter(lambda w: w != "de terrain"), max_size=4), AREA_NUMBERS)
def test_an_area_after_sur_alone_is_neither_living_area_nor_plot_of_a_dwelling(
    dwelling: str, words: list[str], number: str
) -> None:
    text = " ".join([dwelling, *[w for w in words if w != "sur"], "sur", f"{number} m2"])
    found = extract_attributes(IMMO, text, None)
    assert found.surface_m2 is None
    if dwelling != "Terrain":
        assert found.land_m2 is None


@given(DWELLINGS, st.lists(PIECES, max_size=6))
def test_rooms_are_only_read_from_a_room_word(head: str, pieces: list[str]) -> None:
    text = " ".join([head, *pieces])
    rooms = extract_attributes(IMMO, text, None).rooms
    folded = fold(text)
    if rooms is not None:
        assert re.search(r"pieces?|\b[tf] ?[0-9]|type|studio", folded), text


VEHICLES = st.sampled_from(
    ["Clio 4", "Peugeot 208", "Voiture", "Yamaha MT-07", "Renault Zoé", "Golf 7", "Moto"]
)
VEHICLE_WORDS = st.sampled_from(
    ["diesel", "essence", "1ère main", "ct ok", "5 portes", "110 ch", "1.5 dCi", "2015", "TBE"]
)
PLACES = st.sampled_from(["de Caen", "du centre", "d'autonomie", "autonomie", "de la gare"])
KM = st.integers(min_value=1, max_value=300_000).map(lambda n: f"{n:,}".replace(",", " "))
# A distance or a range is short: a reading of thousands before "de" is the odometer's.
SHORT_KM = st.integers(min_value=1, max_value=999).map(str)


@given(VEHICLES, st.lists(VEHICLE_WORDS, max_size=4), SHORT_KM, PLACES)
def test_a_distance_or_range_in_km_is_no_mileage(
    vehicle: str, words: list[str], km: str, place: str
) -> None:
    text = " ".join([vehicle, *words, f"{km} km {place}"])
    assert extract_attributes(AUTO, text, None).mileage_km is None


@given(VEHICLES, st.lists(VEHICLE_WORDS, max_size=4), KM)
def test_a_warranty_in_km_is_no_mileage(vehicle: str, words: list[str], km: str) -> None:
    text = " ".join([vehicle, *words, f"{km} km de garantie"])
    assert extract_attributes(AUTO, text, None).mileage_km is None


@given(VEHICLES, st.lists(VEHICLE_WORDS, max_size=4), KM, st.sampled_from(["km", "kms", " km"]))
def test_a_mileage_is_a_number_written_before_km(
    vehicle: str, words: list[str], km: str, unit: str
) -> None:
    text = " ".join([vehicle, *words, f"{km}{unit}"])
    mileage = extract_attributes(AUTO, text, None).mileage_km
    assert mileage is None or mileage == int(km.replace(" ", "")) or str(mileage) in text


@given(
    st.sampled_from(["Jet ski", "Bateau", "Hors-bord", "Quad", "Tracteur", "Vélo", "Tondeuse"]),
    st.sampled_from(["Yamaha", "Honda", "Kawasaki", "Suzuki", "Peugeot"]),
    st.lists(VEHICLE_WORDS, max_size=3),
)
def test_a_vehicle_of_no_kind_gets_none_from_its_make(
    noun: str, make: str, words: list[str]
) -> None:
    found = extract_attributes(AUTO, " ".join([noun, make, *words]), None)
    assert found.vehicle_type is None
