"""HTML pages made text the way a browser shows them, and the ads that come out of them."""

from __future__ import annotations

import pytest
from conftest import SEEDS, html_page, page
from hypothesis import given
from hypothesis import strategies as st

from classifieds.parse.ads import parse_page
from classifieds.read.html import html_to_text, looks_complete

MARKUP = {
    "blocks-break-lines": (
        "<div>a</div><div>b</div><p>c<h2>d</h2><ul><li>e<li>f</ul>",
        "a\nb\nc\nd\ne\nf\n",
    ),
    "inline-elements-do-not": (
        "<div><span>Caen</span> <b>(14000)</b><a>Découvrir</a></div>",
        "Caen (14000)Découvrir\n",
    ),
    "br-breaks": ("Studio<br>Caen<br/>Rouen", "Studio\nCaen\nRouen\n"),
    "markup-whitespace-collapses": ("<p>\n   Studio\n\t  Caen  \n</p>", "Studio Caen\n"),
    "nbsp-is-kept": ("<span>60&nbsp;000&euro;</span>", "60\xa0000€\n"),
    "entities-decoded": (
        "<p>L&#x27;Aigle &amp; Sées &lt;61&gt; &quot;T3&quot;</p>",
        'L\'Aigle & Sées <61> "T3"\n',
    ),
    "dropped-elements": (
        "<head><title>T</title><style>p{}</style></head><body><script>var a = '<p>x</p>'</script>"
        "<noscript>Activez JavaScript</noscript><template><p>modèle</p></template>"
        "<!-- Petites Annonces --><iframe>cadre</iframe><p>texte</p>",
        "texte\n",
    ),
    "table-cells-side-by-side": (
        "<table><tr><td>a</td><td>b</td></tr><tr><th>c</th></tr></table>",
        "a b\nc\n",
    ),
    "preformatted-keeps-lines": (
        "<pre>Studio\nCaen (14000) 450€ Découvrir</pre>",
        "Studio\nCaen (14000) 450€ Découvrir\n",
    ),
    "unclosed-tags": ("<ul><li><div>a<span>b<li>c<p>d<p>e", "ab\nc\nd\ne\n"),
    "stray-end-tags": ("a</span></div>b</p>c", "ab\nc\n"),  # as browsers: </p> alone is <p></p>
    "empty": ("", ""),
    "only-markup": ("<html><head><script>x</script></head><body> <div> </div></body></html>", ""),
}


@pytest.mark.parametrize(("html", "text"), MARKUP.values(), ids=MARKUP.keys())
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_a_cut_document_does_not_end_in_a_newline() -> None:
    cut = "<html><body><p>Studio</p><p>Studio Caen (140"
    assert html_to_text(cut, complete=looks_complete(cut)) == "Studio\nStudio Caen (140"
    assert looks_complete(cut + "00)</p></body></html>\n<!-- served in 3 ms -->\n")


def test_deep_nesting_is_read_without_recursion_error() -> None:
    assert html_to_text("<div>" * 5000 + "Caen") == "Caen\n"


def ad_tuples(text: str) -> list[tuple[str, str, str, str, float | None]]:
    return [(a.category, a.title, a.town, a.postcode, a.price_eur) for a in parse_page(text)]


TEXT_PAGES = {
    "basic": page("basic.txt"),
    "seed": next(SEEDS.glob("*.txt")).read_text(encoding="utf-8"),
    "other-sections": page("other_section.txt"),
    "no-price": page("no_price.txt"),
    "nbsp-prices": page("nbsp_prices.txt"),
}


@pytest.mark.parametrize("text", TEXT_PAGES.values(), ids=TEXT_PAGES.keys())
def test_html_page_gives_the_ads_of_its_text_page(text: str) -> None:
    from_html = ad_tuples(html_to_text(html_page(text)))
    assert from_html == ad_tuples(text)
    assert from_html


BROKEN_BASIC = """<html><head><meta charset=utf-8><title>Tendance Ouest</title>
<body>
<div class=article><p>En ce moment<p>Le conseil municipal a voté mardi le budget 2024 de la commune.
<div class="pa"><h2>Petites Annonces</h2>
 <div class=section><h3>Immobilier</h3>
  <ul><li><div class=t>viager en Ardèche</div>
      <div class=d>viager en Ardèche <span>Villevocance</span> (<span>07690</span>) <span>60&nbsp;000€<a href=/1>Découvrir</a>
 <div class=section><h3>Automobile
  <ul><li><div class=t>Opel Corsa électrique
      <div class=d>Opel Corsa électrique <span>Jullouville (50610) <b>16 200&euro;</span> <a href=/2>Découvrir</b></a>
 <h3>Bonnes affaires</h4>
  <ul><li><div class=t>Poussette</div><div class=d>Poussette <span>Châteauneuf-sur-Loire</span>
       (45110) 100€ <a href=/3>Découvrir
</ul></div></div></div>
<div class=footer>L'application mobile de Tendance Ouest<br>Inscrivez vous à la newsletter
"""


def test_broken_markup_gives_the_ads_of_the_text_page() -> None:
    assert ad_tuples(html_to_text(BROKEN_BASIC)) == ad_tuples(page("basic.txt"))


MARKUP_PIECES = st.sampled_from(
    [*"<>/ab &;#x\n\xa0'\"=!-", "<li>", "<br>", "<div>", "</p>", "<!--"]
)


@given(st.lists(st.one_of(MARKUP_PIECES, st.text(max_size=5)), max_size=40).map("".join))
def test_any_markup_becomes_text_without_raising(html: str) -> None:
    text = html_to_text(html)
    assert "\ue000" not in text and (not text or text.endswith("\n"))
