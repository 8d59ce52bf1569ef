"""Rules that hold for every input: parsing never raises, prices round-trip, ids are stable."""

from __future__ import annotations

from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from classifieds.parse.ads import AdBook, build_ad, listing_id
from classifieds.parse.prices import parse_price
from classifieds.parse.widget import WidgetReader
from classifieds.read.decode import decode

WIDGET_LINES = st.sampled_from(
    [
        "Petites Annonces",
        "Immobilier",
        "IMMOBILIER ",
        "Bonnes affaires",
        "Emploi",
        "Poussette",
        "Poussette Châteauneuf-sur-Loire (45110) 100€ Découvrir",
        "(14000) Découvrir",
        "Caen (14000) 0€ Découvrir",
        "Vélo Caen 1,2€ Découvrir",
        "Studio Caen Cedex 4 (14050) 450 €/mois CC Découvrir",
        "T2 Lyon 3e (69100) à partir de 500 € Découvrir",
        "Vélo Havre (76600) 100 - 150 € Découvrir",
        "",
        "   ",
        "Découvrir",
    ]
)


@settings(max_examples=300)
@given(st.lists(st.one_of(WIDGET_LINES, st.text(max_size=80)), max_size=30), st.booleans())
def test_parsing_any_page_never_raises(lines: list[str], crlf: bool) -> None:
    text = ("\r\n" if crlf else "\n").join(lines)
    found = AdBook().occurrences(text, "page")
    for reject in found.rejects:
        assert reject.line >= 1 and len(reject.text) <= 300
    assert len(found.ads) == len(found.lines) == len({ad.listing_id for ad in found.ads})
    assert found.sections == [ad.section for ad in found.ads]  # carried beside each ad
    assert found.prices == [ad.price_eur for ad in found.ads]
    assert found.values == [ad.values() for ad in found.ads]
    for ad, line in zip(found.ads, found.lines, strict=True):
        assert ad.price_eur is None or ad.price_eur > 0
        assert len(ad.postcode) == 5 and line >= 1


@given(st.binary(max_size=2000))
def test_decoding_any_bytes_never_raises(data: bytes) -> None:
    text = decode(data)
    assert text is None or isinstance(text, str)


@given(
    st.integers(min_value=1, max_value=10**9),
    st.sampled_from([" ", "\u00a0", "\u202f", ""]),
    st.booleans(),
)
def test_grouped_prices_parse_to_their_value(
    amount: int, separator: str, space_before_sign: bool
) -> None:
    grouped = f"{amount:,}".replace(",", separator)
    printed = grouped + ("\u00a0€" if space_before_sign else "€")
    assert parse_price(printed) == amount


NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàç -'", min_size=1, max_size=40)


@given(NAMES, NAMES)
def test_listing_id_ignores_case_and_spacing(title: str, town: str) -> None:
    assert listing_id("x", title, town, "14000") == listing_id(
        "x", f" {title.upper()}  ", town.upper(), "14000"
    )


PAGES_OF_WIDGET_LINES = (
    st.lists(
        st.one_of(WIDGET_LINES, st.sampled_from(["Découvrir la côte", " Découvrir  "])), max_size=30
    ),
    st.sampled_from(["\n", "\r\n", " \n", "\t\n"]),
    st.booleans(),
)


@settings(max_examples=500)
@given(*PAGES_OF_WIDGET_LINES)
def test_walking_a_widget_ad_by_ad_finds_what_the_line_walk_finds(
    lines: list[str], newline: str, final_newline: bool
) -> None:
    text = newline.join(lines) + (newline if final_newline else "")
    with mock.patch.object(WidgetReader, "_walk_ads", return_value=False):
        line_by_line = WidgetReader().scan(text, 3)
    reader = WidgetReader()  # the pieces of this text are walked afresh, then from the cache
    assert reader.scan(text, 3) == line_by_line
    assert reader.scan(text, 3) == line_by_line


@settings(max_examples=500)
@given(*PAGES_OF_WIDGET_LINES)
def test_reading_a_widget_piece_by_piece_finds_what_the_scan_finds(
    lines: list[str], newline: str, final_newline: bool
) -> None:
    text = newline.join(["Article", "Petites Annonces", *lines]) + (newline * final_newline)
    with mock.patch.object(WidgetReader, "single_widget", return_value=None):
        scanned = AdBook().occurrences(text, "page", 3)
    book = AdBook()  # the pieces of this text are placed afresh, then from the cache
    for _ in range(2):
        found = book.occurrences(text, "page", 3)
        assert (found.ads, found.lines, found.rejects) == (
            scanned.ads,
            scanned.lines,
            scanned.rejects,
        )
        assert found.sections == scanned.sections == [ad.section for ad in found.ads]
        assert found.prices == scanned.prices == [ad.price_eur for ad in found.ads]
        assert found.values == scanned.values == [ad.values() for ad in found.ads]


@settings(max_examples=500)
@given(*PAGES_OF_WIDGET_LINES)
def test_crlf_made_lf_reads_as_the_page_was(
    lines: list[str], newline: str, final_newline: bool
) -> None:
    """occurrences() reads CRLF as LF (so that such pages share the cached pieces of the
    others): the line walk of the page as it was finds the same."""
    text = newline.join(["Article", "Petites Annonces", *lines]) + (newline * final_newline)
    with mock.patch.object(WidgetReader, "_walk_ads", return_value=False):
        reader = WidgetReader()
        assert reader.scan(text.replace("\r\n", "\n"), 3) == reader.scan(text, 3)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Immobilier", "IMMOBILIER", "immobilier", "Emploi", "Véhicules"]),
            st.sampled_from([None, "Studio", "STUDIO meublé", "Vélo"]),
            st.sampled_from(
                [
                    "Studio Caen (14000) 450€ Découvrir",
                    "Studio meublé Caen (14000) 450\u00a0€ Découvrir",
                    "Vélo Caen (14000) 1,2€ Découvrir",
                    "Caen (14000) Découvrir",
                ]
            ),
        ),
        max_size=12,
    )
)
def test_an_ad_built_once_per_way_of_printing_it_is_the_ad_built_afresh(
    printed: list[tuple[str, str | None, str]],
) -> None:
    book = AdBook()
    for section, title_line, detail_line in printed:
        assert book.built_ad(section, title_line, detail_line) == build_ad(
            section, title_line, detail_line, communes=book.communes
        )
