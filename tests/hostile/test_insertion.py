"""A property: whatever bytes are inserted into a good page, the export completes, and every
good ad that the insertion did not touch survives (same title, town, postcode and price)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import classifieds

ARTICLE = "".join(
    f"Paragraphe {n} de l'article : la mairie a voté le budget de l'année, 1 200 000 € au total.\n"
    for n in range(30)
)  # long enough that 16 inserted control bytes stay under the binary share
SECTIONS = {
    "Immobilier": [
        ("Studio meublé", "Studio meublé Caen", "14000", "450€"),
        ("Maison 5 pièces", "Maison 5 pièces Bayeux", "14400", "250 000€"),
    ],
    "Automobile": [
        ("Opel Corsa", "Opel Corsa électrique Jullouville", "50610", "16 200€"),
        ("Peugeot 208", "Peugeot 208 Vire Normandie", "14500", "9 800€"),
    ],
    "Bonnes affaires": [
        ("Poussette", "Poussette Lisieux", "14100", "100€"),
        ("Vélo enfant", "Vélo enfant Falaise", "14700", "40€"),
    ],
}
FOOTER = "L'application mobile\nInscrivez vous à la newsletter\n"


def good_page() -> tuple[bytes, list[tuple[int, int, tuple[str, str, str, float]]], int]:
    """Return a page's bytes, each ad's byte span (title line start, detail line end) and
    identity, and the span end of the widget's start line."""
    data = ARTICLE.encode()
    data += b"Petites Annonces"
    start_line_end = len(data)
    data += b"\n"
    ads = []
    for header, section in SECTIONS.items():
        data += f"{header}\n".encode()
        for title, head, postcode, price in section:
            first = len(data)
            data += f"{title}\n{head} ({postcode}) {price} Découvrir".encode()
            town = head[len(title) :].split(" ")[-1] if title != "Peugeot 208" else "Vire Normandie"
            amount = float(price.rstrip("€").replace(" ", ""))
            ads.append((first, len(data), (title, town, postcode, amount)))
            data += b"\n"
    return data + FOOTER.encode(), ads, start_line_end


PAGE, ADS, START_LINE_END = good_page()


def exported(data: bytes) -> set[tuple[str, str, str, float]]:
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "page.txt"
        page.write_bytes(data)
        classifieds.build([page], Path(folder) / "data", allow_empty=True)
        listings = classifieds.load(Path(folder) / "data")
    columns = ("title", "town", "postcode", "price_eur")
    return set(zip(*(listings[column] for column in columns), strict=True))


def test_the_good_page_gives_its_ads() -> None:
    assert exported(PAGE) == {ad for _, _, ad in ADS}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    inserted=st.one_of(
        st.binary(min_size=1, max_size=16),
        st.text(alphabet="\n\r\t ()€0123456789DécouvrirAéxÿ\u200b\x00", max_size=16).map(
            lambda text: text.encode("utf-8", "surrogatepass")
        ),
    ),
    at=st.integers(min_value=1, max_value=len(PAGE)),
)
def test_an_insertion_loses_no_ad_it_does_not_touch(inserted: bytes, at: int) -> None:
    found = exported(PAGE[:at] + inserted + PAGE[at:])
    if len(ARTICLE.encode()) <= at <= START_LINE_END:
        return  # inside the widget's own start line: it may be no widget any more
    untouched = {ad for first, last, ad in ADS if not first <= at <= last}
    assert untouched <= found
