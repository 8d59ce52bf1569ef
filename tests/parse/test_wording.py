"""The wording helpers are fast paths of simple definitions: each agrees with its definition."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from classifieds.parse.wording import _FOLDED, alternation, first_words, fold, words_of

# Vocabulary is written folded: words start with a letter or digit, one space between words.
WORDS = st.lists(
    st.from_regex(r"[abd3][abd\- 3']{0,5}", fullmatch=True).map(lambda w: " ".join(w.split())),
    max_size=8,
)
TEXTS = st.text("abd- 3'x.", max_size=14)


def longest_first(words: list[str]) -> str:
    """The plain alternation: every word, longest first, a space matching '-' or nothing."""
    keys = sorted(words, key=len, reverse=True)
    return "|".join(r"[\s-]?".join(map(re.escape, k.split())) for k in keys)


@settings(max_examples=300, deadline=None)
@given(WORDS, TEXTS)
def test_the_trie_alternation_finds_what_the_plain_one_finds(words: list[str], text: str) -> None:
    if not words:
        return
    trie = re.compile(rf"(?<![\w])(?:{alternation(words)})(?![\w])")
    plain = re.compile(rf"(?<![\w])(?:{longest_first(words)})(?![\w])")
    assert trie.findall(text) == plain.findall(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_fold_translates_only_what_it_must(text: str) -> None:
    assert fold(text) == " ".join(text.lower().split()).translate(_FOLDED)


@settings(max_examples=200, deadline=None)
@given(WORDS, TEXTS)
def test_a_text_holding_a_phrase_holds_one_of_its_first_words(words: list[str], text: str) -> None:
    """The gate of a pattern never hides a match: its words are in every text it matches."""
    if not words:
        return
    pattern = re.compile(rf"(?<![\w])(?:{alternation(words)})(?![\w])")
    if pattern.search(text):
        assert not words_of(text).isdisjoint(first_words(words))
