"""Pages of bytes: the line number of the widget, counted on the bytes before it."""

import re

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from classifieds.read.pages import Origin, Page, lines_before, page_of_bytes

_BREAK = re.compile("\r\n|[\n\r\u2028\u2029\x85]")
"""Line breaks as the widget parser reads them."""


@given(st.text(alphabet=st.sampled_from("a é’…€\n\r\u2028\u2029\x85\u20ac\u2019\u00a0")))
def test_line_breaks_are_counted_on_the_bytes_as_on_the_text(text: str) -> None:
    data = text.encode()
    cut = len(text) // 2
    assert lines_before(data, len(data)) == len(_BREAK.findall(text))
    assert lines_before(data, len(text[:cut].encode())) == len(_BREAK.findall(text[:cut]))


_PIECES = [
    b"a",
    b"\xe9",
    b"\n",
    b"\r\n",
    b"\r",
    b"\xe2\x80\xa8",
    b"\xe2\x80\xa9",
    b"\xc2\x85",
    b"\x85",
    b"\x0b",  # control bytes, dropped from the text: "\r\x0b\n" is one break
    b"\x00",
]
_WIDGET = "Petites Annonces\nStudio\nCaen (14000) 450 € Découvrir\n"


@given(
    st.lists(st.sampled_from(_PIECES), max_size=30),
    st.sampled_from([None, "utf-8", "windows-1252", "iso-8859-15", "koi8-r", "cp437"]),
    st.sampled_from(["utf-8", "cp1252"]),
)
# Control bytes dropped make UTF-8 of what was not ("\xe9\x85\x0b\x85" reads "酅"): the
# page is then UTF-8, and its \x85 no NEL of ISO-8859-15.
@example([b"\xe9", b"\x85", b"\x0b", b"\x85"], "iso-8859-15", "utf-8")
@example([b"\xe2", b"\x0b", b"\x80\xa8"], None, "utf-8")
@settings(max_examples=300)
def test_the_widget_s_line_is_the_same_read_whole_or_from_the_widget(
    pieces: list[bytes], charset: str | None, widget_codec: str
) -> None:
    """Reading from the widget (as an export does) gives its line the number a reading of
    the whole page gives it, whatever the page declares and holds."""
    assume(pieces.count(b"\x0b") + pieces.count(b"\x00") <= 3)  # more: a binary_file
    data = b"".join(pieces) + b"\n" + _WIDGET.encode(widget_codec)
    origin = Origin("page.txt")
    whole = page_of_bytes(origin, data, html=False, charset=charset)
    part = page_of_bytes(origin, data, html=False, charset=charset, widget_only=True)
    assert isinstance(whole, Page) and isinstance(part, Page)
    before = whole.text[: whole.text.index("Petites Annonces")]
    assert part.first_line == len(_BREAK.findall(before)) + 1
