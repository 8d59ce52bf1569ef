"""Pages of bytes: the line number of the widget, counted on the bytes before it."""

import re

from hypothesis import given
from hypothesis import strategies as st

from classifieds.read.pages import lines_before

_BREAK = re.compile("\r\n|[\n\r\u2028\u2029\x85]")
"""Line breaks as the widget parser reads them."""


@given(st.text(alphabet=st.sampled_from("a é’…€\n\r\u2028\u2029\x85\u20ac\u2019\u00a0")))
def test_line_breaks_are_counted_on_the_bytes_as_on_the_text(text: str) -> None:
    data = text.encode()
    cut = len(text) // 2
    assert lines_before(data, len(data)) == len(_BREAK.findall(text))
    assert lines_before(data, len(text[:cut].encode())) == len(_BREAK.findall(text[:cut]))
