"""The price slot of a detail line read: its amount in euros, and what its terms say of the ad.

The widget prints a price between the postcode and "Découvrir": mostly ``16 200€``, but sites
also print terms around it. Each family of terms is read as a demanding analyst would:

- the amount is the asking price whatever the terms of payment or fees say: ``€/mois``,
  ``CC``, ``charges comprises``, ``HC``, ``HT``, ``TTC``, ``FAI``, ``net vendeur``,
  ``à débattre``, ``le lot``, ``Prix :``, ``Loyer :``, ``€ 1 200``;
- no one amount is the price of the ad for a range (``100 - 150 €``, ``de 100 à 150 €``), a
  choice of two (``500 € ou 450 €``), ``€/m`` (a month's or a m²'s?), a floor or a ceiling
  (``à partir de 90 €``, ``dès``, ``jusqu'à``), an estimate (``environ``), a price per unit,
  per m², per week, night, day or year (``10 € pièce``, ``3 000 €/m²``, ``450 €/semaine``: a
  rent is monthly in this dataset): the ad is kept, its amount null;
- a rent's terms (``€/mois``, ``CC``, ``charges comprises``, ``HC``, ``Loyer :``) tell a let,
  a sale's (``FAI``, ``HAI``, ``net vendeur``, ``honoraires inclus``) a sale: real-estate ads
  whose wording does not say it take it from there (see :mod:`.attributes`).

Thousands written ``k€`` are read (``250 k€``, ``1,5 k€``: 250 000 and 1 500 €), the ``k``
before a currency sign and after plain digits only (``1.500 k€``: 1,5 k€ or 1 500 k€?).
Anything else that holds digits is no price (``1,800€``, ``12 5 0€``, ``15 k``, ``-450€``,
``1 200 $``): :func:`read_price` returns None and the caller rejects it as ``bad_price``. A
number is never guessed from text the grammar does not know.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Final, NamedTuple

from classifieds.parse.wording import fold

__all__ = ["MAX_PRICE_EUR", "Price", "parse_price", "read_price"]

MAX_PRICE_EUR: Final = 1e9
"""A price above this is no asking price of a classified ad: ``bad_price``."""

# The widget prints digit groups with spaces, NBSP (U+00A0), narrow NBSP (U+202F) or thin
# spaces, all one space once folded. ASCII digits only: a price in other digits is a bad price,
# not a number read wrong.
_AMOUNT: Final = r"""
    (?:[0-9]{1,3}(?:[ .][0-9]{3})+   # grouped thousands: 16 200, 1.800, 1 250 000
      |[0-9]+)                       # or plain digits: 605, 16200
    (?:[,.][0-9]{1,2})?              # decimal part: 12,50 (a dot only before 1-2 digits)
"""
_PARTS: Final = r"(?P<units>[0-9]{1,3}(?:[ .][0-9]{3})+|[0-9]+)(?:[,.](?P<cents>[0-9]{1,2}))?"
"""``_AMOUNT`` with its parts named: the units and the cents."""
_AMOUNT_PARTS: Final = re.compile(f"^{_PARTS}$")
_CURRENCY: Final = r"(?:€|euros?|eur)"
# The slot as most sites print it, "16 200€": read without folding the text (3 times faster).
_PLAIN: Final = re.compile(rf"^{_PARTS}\ ?(?:€|euros?|eur)?$", re.IGNORECASE)

# What comes before the terms: an optional label, an optional lead, the amount (or a range of
# two) and its currency sign, on text folded by :func:`fold` (lower case, no accents).
_HEAD: Final = re.compile(
    rf"""
    ^(?:(?P<label>prix\ de\ vente|prix|loyer|tarif)\ ?:?\ ?)?  # "Prix : 1 200 €", "Loyer 650 €"
    (?:(?P<lead>a\ partir\ de|a\ partir\ d'|des|jusqu'a|jusqu'?\ a|environ|env\.?|de|entre)
       \ ?:?\ ?)?                            # "à partir de 90 €"; "de"/"entre" open a range
    (?P<before>{_CURRENCY}\ ?)?              # "€ 1 200", "EUR 450"
    (?P<amount>{_AMOUNT})
    (?:\ ?(?P<kilo>k\ ?)?                    # "250 k€": thousands, before a sign only
       (?P<after>{_CURRENCY}))?              # "605€", "22 900 €", "450 euros"
    (?:\ ?(?P<sep>-|a|au|et|/|ou)\ ?         # a range: "100 - 150 €", "de 100 à 150 €";
                                             # or a choice of two: "500 € ou 450 €"
       (?P<before2>{_CURRENCY}\ ?)?
       (?P<amount2>{_AMOUNT})
       (?:\ ?(?:k\ ?)?(?P<after2>{_CURRENCY}))?
    )?
    (?![0-9])
    """,
    re.VERBOSE,
)

# One term after the amount, each in the family that says what it does to the price.
_TERM: Final = re.compile(
    r"""
    [\ ,-]*(?:
      (?P<monthly>/\ ?mois|par\ mois|le\ mois|mensuel(?:le)?s?)         # the rent of a month
    | (?P<rent>c\.?c\.?|charges\ (?:comprises|incluses)|h\.?c\.?
        |hors\ charges|\+\ ?charges|charges\ en\ sus)                  # a rent's charges
    | (?P<sale>f\.?a\.?i\.?|h\.?a\.?i\.?|net\ vendeur
        |honoraires\ (?:inclus|compris)|frais\ d'agence\ (?:inclus|compris)
        |hors\ honoraires)                                             # a sale's agency fees
    | (?P<tax>h\.?t\.?|t\.?t\.?c\.?|hors\ taxes?|toutes\ taxes\ comprises)
    | (?P<deal>a\ debattre|a\ discuter|a\ negocier|negociables?|neg\.?|non\ negociable
        |prix\ ferme|ferme|le\ lot|le\ tout|l'ensemble)                # the price itself
    | (?P<rent_period>/\ ?(?:semaine|sem\.?|nuit|nuitee|jour|an|annee)
        |par\ (?:semaine|nuit|jour|an)|la\ (?:semaine|nuit|nuitee)|le\ jour
        |annuel(?:le)?s?|hebdo(?:madaire)?)                            # a rent, not monthly
    | (?P<per_unit>/\ ?m[23]|le\ m[23]|du\ m[23]|par\ m[23]|piece|l'unite|l'un|l'une
        |chacun(?:e)?|/\ ?u(?:nite)?|par\ personne|/\ ?pers(?:onne)?|le\ stere)  # a unit's
    | (?P<unclear>/\ ?m)                                               # a month's or a m²'s
    )(?![\w])
    """,
    re.VERBOSE,
)
_OPENING: Final = re.compile(r"[\ ,-]*\(\ ?")
_CLOSING: Final = re.compile(r"\ ?\)")
# What each family does: (is the amount the ad's price, the transaction it tells).
_FAMILIES: Final = MappingProxyType(
    {
        "monthly": (True, "location"),
        "rent": (True, "location"),
        "sale": (True, "vente"),
        "tax": (True, None),
        "deal": (True, None),
        "rent_period": (False, "location"),
        "per_unit": (False, None),
        "unclear": (False, None),
    }
)
_LABELS: Final = MappingProxyType({"loyer": "location", "prix de vente": "vente"})
_SUPERSCRIPTS: Final = re.compile("[²³]")


class Price(NamedTuple):
    """A price slot read: the amount it states, and the transaction its terms tell."""

    eur: float | None
    """The ad's price in euros; None when the slot states no one price (a range, a floor, a
    price per unit or per week). ``0.0`` for ``0€``: the caller reads it as no price."""
    transaction: str | None = None
    """``location`` or ``vente`` when the terms say it (``€/mois``, ``CC``; ``FAI``)."""


def read_price(price_raw: str) -> Price | None:
    """Return what a printed price states, or None when it is not a price (``bad_price``).

    >>> read_price("16\\u202f200€"), read_price("500 €/mois"), read_price("250 000 € FAI")
    (Price(eur=16200.0, transaction=None), Price(eur=500.0, transaction='location'), \
Price(eur=250000.0, transaction='vente'))
    >>> read_price("390 € (CC)"), read_price("1 200 € (FAI, à débattre)")
    (Price(eur=390.0, transaction='location'), Price(eur=1200.0, transaction='vente'))
    >>> read_price("à partir de 90 €"), read_price("100 - 150 €")
    (Price(eur=None, transaction=None), Price(eur=None, transaction=None))
    >>> read_price("1,800€"), read_price("9" * 400 + "€"), read_price("1 200 € l'ami")
    (None, None, None)
    """
    plain = _PLAIN.match(" ".join(price_raw.split()))
    if plain is not None:
        amount = _value(plain)
        return None if amount is None else Price(amount)
    if _SUPERSCRIPTS.search(price_raw):
        # "m²" folds to "m2"; any other superscript would fold into the digits ("1²00").
        price_raw = price_raw.replace("m²", "m2").replace("m³", "m3")
        if _SUPERSCRIPTS.search(price_raw):
            return None
    text = fold(price_raw)
    head = _HEAD.match(text)
    if head is None:
        return None
    amount = _euros(head["amount"])
    if amount is not None and head["kilo"]:
        parts = _AMOUNT_PARTS.match(head["amount"])
        if parts is None or not parts["units"].isdigit():
            return None  # "1.500 k€", "1 500 k€": 1,5 k€ or 1 500 000 €? Thousands of k€ no
        amount = None if amount * 1000 > MAX_PRICE_EUR else round(amount * 1000, 2)
    if amount is None:
        return None
    has_currency = bool(head["before"] or head["after"] or head["before2"] or head["after2"])
    if (head["before"] and head["after"]) or (head["before2"] and head["after2"]):
        return None  # "€ 100 €": no layout prints that
    single, lead, sep = True, head["lead"], head["sep"]
    if sep is not None:
        second = _euros(head["amount2"])
        if second is None or (lead == "entre") != (sep == "et"):
            return None  # "et" only in "entre 100 et 150 €", and "entre" only with it
        if lead not in (None, "de", "entre") or (lead == "de" and sep not in ("a", "au")):
            return None
        single = False
    elif lead in ("de", "entre"):
        return None  # "de 150 €" alone is no phrase of a price
    elif lead is not None:
        single = False  # "à partir de", "dès", "jusqu'à", "environ": no one price
    transactions = {_LABELS.get(head["label"] or "")}  # "Loyer : 650 €" tells a let
    position, inside = head.end(), False
    while position < len(text):
        opening = _OPENING.match(text, position)  # terms in parentheses: "500 € (CC)"
        if opening is not None:
            if inside:
                return None
            position, inside = opening.end(), True
        term = _TERM.match(text, position)
        if term is None or term.lastgroup is None:
            return None  # words the grammar does not know: no number is guessed from them
        is_price, transaction = _FAMILIES[term.lastgroup]
        single = single and is_price
        transactions.add(transaction)
        position = term.end()
        closing = _CLOSING.match(text, position)
        if closing is not None:
            if not inside:
                return None
            position, inside = closing.end(), False
    if inside:
        return None
    transactions.discard(None)
    if not has_currency and (position > head.end() or lead or sep):
        return None  # terms or a range with no currency sign: "750 cc" is a motorbike's
    told = transactions.pop() if len(transactions) == 1 else None
    return Price(amount if single else None, told)


def parse_price(price_raw: str) -> float | None:
    """Return the amount of a printed euro price, or None when it states no one price.

    ``0€`` gives ``0.0``: the caller decides that the widget's placeholder means "no price".

    >>> parse_price("16\\u202f200€"), parse_price("12,50 €"), parse_price("1.800€")
    (16200.0, 12.5, 1800.0)
    >>> parse_price("Prix sur demande"), parse_price("1,800€"), parse_price("de 10 à 20 €")
    (None, None, None)
    """
    price = read_price(price_raw)
    return None if price is None else price.eur


def _euros(amount: str) -> float | None:
    """Return an amount matched by ``_AMOUNT`` in euros, or None above :data:`MAX_PRICE_EUR`."""
    parts = _AMOUNT_PARTS.match(amount)
    return None if parts is None else _value(parts)  # never None: the same pattern


def _value(parts: re.Match[str]) -> float | None:
    """Return the euros of an amount's units and cents, or None above :data:`MAX_PRICE_EUR`."""
    units = int(parts["units"].replace(" ", "").replace(".", ""))
    if units > MAX_PRICE_EUR:
        return None
    cents = parts["cents"]
    return units + int(cents.ljust(2, "0")) / 100 if cents else float(units)
