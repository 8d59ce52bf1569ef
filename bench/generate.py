"""Write a deterministic synthetic crawl that mimics the seed page, for benchmarks and scale tests.

Each page is French article text of varying length followed by a "Petites Annonces" widget of
about twelve ads drawn from a fixed pool (real towns and postcodes, plausible titles and
prices), with the awkward variations of the data contract at realistic rates: CRLF endings,
tabs and runs of spaces, NBSP and narrow NBSP in prices, cents, no price, ``0€``, header
variants, other sections, missing title lines, truncated pages, the widget twice, pages
without a widget, Windows-1252 pages, empty files and binary junk.

With ``--unique-share S``, each ad occurrence is a new ad (seen nowhere else in the crawl)
with probability S: 1.0 gives a crawl where every ad is unique, as in a crawl of many sites
where most ads are new, which the pool hides (its 3,000 ads are built once, then looked up).

Usage: python bench/generate.py PAGES OUT_DIR [--seed N] [--unique-share S]
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from itertools import count
from pathlib import Path

TOWNS = [
    ("Villevocance", "07690"),
    ("Royan", "17200"),
    ("Saint-Sébastien-sur-Loire", "44230"),
    ("La Tronche", "38700"),
    ("Jullouville", "50610"),
    ("Nointot", "76210"),
    ("Lyon", "69001"),
    ("Le Plessis-Robinson", "92350"),
    ("Plérin", "22190"),
    ("Châteauneuf-sur-Loire", "45110"),
    ("Caen", "14000"),
    ("Rouen", "76000"),
    ("Le Havre", "76600"),
    ("Cherbourg-en-Cotentin", "50100"),
    ("Bayeux", "14400"),
    ("Lisieux", "14100"),
    ("Alençon", "61000"),
    ("L'Aigle", "61300"),
    ("Évreux", "27000"),
    ("Granville", "50400"),
    ("Saint-Lô", "50000"),
    ("Vire Normandie", "14500"),
    ("Dieppe", "76200"),
    ("Fécamp", "76400"),
    ("Honfleur", "14600"),
    ("Deauville", "14800"),
    ("Ajaccio", "20000"),
    ("Bastia", "20200"),
    ("Saint-Denis", "97400"),
    ("Paris", "75011"),
    ("Marseille", "13008"),
    ("Toulouse", "31000"),
    ("Nantes", "44000"),
    ("Rennes", "35000"),
    ("Brest", "29200"),
    ("Quimper", "29000"),
    ("Vannes", "56000"),
    ("Angers", "49000"),
    ("Le Mans", "72000"),
    ("Tours", "37000"),
    ("Orléans", "45000"),
    ("Bourges", "18000"),
    ("Dijon", "21000"),
    ("Besançon", "25000"),
    ("Strasbourg", "67000"),
    ("Metz", "57000"),
    ("Nancy", "54000"),
    ("Reims", "51100"),
    ("Amiens", "80000"),
    ("Lille", "59000"),
    ("Bordeaux", "33000"),
    ("Pau", "64000"),
    ("Bayonne", "64100"),
    ("Limoges", "87000"),
    ("Clermont-Ferrand", "63000"),
    ("Grenoble", "38000"),
    ("Annecy", "74000"),
    ("Nice", "06000"),
    ("Montpellier", "34000"),
    ("Perpignan", "66000"),
    ("Les Sables-d'Olonne", "85100"),
]
DWELLINGS = ["Maison", "Appartement", "Pavillon", "Studio", "Longère", "Duplex", "Villa"]
MAKES = [
    ("Renault", ["Clio", "Captur", "Mégane", "Scénic"]),
    ("Peugeot", ["208", "308", "2008", "3008"]),
    ("Citroën", ["C3", "C4", "Berlingo"]),
    ("Toyota", ["Yaris", "Corolla", "C-HR"]),
    ("Opel", ["Corsa", "Astra"]),
    ("Volkswagen", ["Golf", "Polo"]),
    ("Dacia", ["Sandero", "Duster"]),
]
FUELS = ["essence", "diesel", "hybride", "électrique", "GPL"]
GOODS = [
    "Poêle à bois",
    "Poussette",
    "Siège auto",
    "Vélo enfant 16 pouces",
    "Table basse en chêne",
    "Canapé 3 places",
    "Lot de 4 pneus neige",
    "Armoire normande",
    "Tondeuse thermique",
    "Chaise de bureau – Confort, design & vérin à gaz NEUF",
    "Machine à laver 8 kg",
]
ARTICLE_WORDS = (
    "le la les un une des de du conseil municipal maire commune travaux projet habitants "
    "région département préfet annonce mardi jeudi semaine année ville centre rue école "
    "festival concert marché sport match équipe victoire saison public entreprise emploi"
).split()


def ad_pool(rng: random.Random, size: int) -> list[tuple[str, str, str, str, str]]:
    """Return (section, title, town, postcode, price) ads: the pool pages draw from."""
    pool = []
    for _ in range(size):
        town, postcode = rng.choice(TOWNS)
        kind = rng.random()
        if kind < 0.4:
            dwelling = rng.choice(DWELLINGS)
            rooms, surface = rng.randint(1, 7), rng.randint(18, 220)
            sale = rng.random() < 0.5
            title = f"{dwelling} {rooms} pièces de {surface} m2" + (
                " à vendre" if sale else " à louer"
            )
            price = rng.randint(60, 600) * 1000 if sale else rng.randint(30, 150) * 10
            section = "Immobilier"
        elif kind < 0.7:
            make, models = rng.choice(MAKES)
            year = rng.randint(2005, 2024)
            title = f"{make} {rng.choice(models)} {rng.choice(FUELS)} {year} {rng.randint(1, 20) * 10} 000 km"
            price = rng.randint(20, 400) * 100
            section = "Automobile"
        else:
            title = rng.choice(GOODS)
            price = rng.choice([0, 5, 10, 20, 30, 45, 80, 100, 150, 250, 1800])
            section = "Bonnes affaires"
        pool.append((section, title, town, postcode, _price(rng, price)))
    return pool


def _price(rng: random.Random, amount: int) -> str:
    if rng.random() < 0.03:
        return ""  # no price at all
    grouped = f"{amount:,}".replace(",", rng.choice([" ", " ", "\u00a0", "\u202f"]))
    if rng.random() < 0.03:
        grouped += ",50"
    return grouped + rng.choice(["€", "€", "€", " €"])


def article(rng: random.Random) -> str:
    paragraphs = []
    for _ in range(rng.randint(10, 28)):
        words = rng.choices(ARTICLE_WORDS, k=rng.randint(20, 60))
        paragraphs.append(" ".join(words).capitalize() + ".")
    return "En ce moment\n\n" + "\n\n".join(paragraphs) + "\n\nEn direct\n"


Ad = tuple[str, str, str, str, str]


class Fresh:
    """Draws ads seen nowhere else: a pool ad's kind with a reference that no other ad has."""

    def __init__(self, rng: random.Random, share: float) -> None:
        self.rng, self.share = rng, share
        self.numbers: Iterator[int] = count()

    def replace(self, ads: list[Ad]) -> list[Ad]:
        """Return ``ads`` with each one replaced by a new ad with probability ``share``."""
        if not self.share:  # no draw at all: the pool corpus stays byte for byte as it was
            return ads
        return [self.new() if self.rng.random() < self.share else ad for ad in ads]

    def new(self) -> Ad:
        section, title, town, postcode, price = ad_pool(self.rng, 1)[0]
        # Letters, not digits: a number in a title could be read as a year or a surface.
        return section, f"{title} réf. {_letters(next(self.numbers))}", town, postcode, price


def _letters(number: int) -> str:
    """Return a distinct word of capitals for each number: 0 -> AAAAA, 1 -> AAAAB."""
    word = ""
    for _ in range(5):
        number, digit = divmod(number, 26)
        word = chr(ord("A") + digit) + word
    return word


def widget(rng: random.Random, pool: list[Ad], fresh: Fresh | None = None) -> str:
    drawn = rng.sample(pool, 12)
    ads = sorted(drawn if fresh is None else fresh.replace(drawn), key=lambda ad: ad[0])
    header_case = rng.random() < 0.05
    lines = ["PETITES ANNONCES " if header_case else "Petites Annonces"]
    section = None
    for ad_section, title, town, postcode, price in ads:
        if ad_section != section:
            section = ad_section
            lines.append(section.upper() if header_case else section)
        printed_title = title.replace(" ", "  \t", 1) if rng.random() < 0.05 else title
        if rng.random() > 0.03:  # a few detail lines lose their title line
            lines.append(printed_title)
        lines.append(f"{title} {town} ({postcode}) {price} Découvrir".replace("  ", " "))
    if rng.random() < 0.05:
        lines += [
            "Emploi",
            "Serveur H/F saison",
            "Serveur H/F saison Granville (50400) 1 800€ Découvrir",
        ]
    return "\n".join(lines) + "\n"


FOOTER = (
    "L'application mobile de Tendance Ouest\nInscrivez vous à la newsletter\n"
    "Les pronostics avec Tendance Ouest\nL'emploi avec Tendance Ouest\n"
)


def page(rng: random.Random, pool: list[Ad], fresh: Fresh | None = None) -> bytes:
    """Return the bytes of one page, with the data contract's variations at realistic rates."""
    roll = rng.random()
    if roll < 0.002:
        return b""
    if roll < 0.004:
        return rng.randbytes(rng.randint(100, 4000))
    text = article(rng)
    if roll > 0.03:  # 3% of pages have no widget
        text += widget(rng, pool, fresh)
        if rng.random() < 0.02:
            text += FOOTER + widget(rng, pool, fresh)
        text += FOOTER
    if rng.random() < 0.01:
        text = text[: len(text) - rng.randint(len(FOOTER) + 5, len(FOOTER) + 60)]  # truncated
    if rng.random() < 0.05:
        text = text.replace("\n", "\r\n")
    if rng.random() < 0.02:  # a legacy page: Windows-1252 has NBSP but no narrow NBSP
        return text.replace("\u202f", "\u00a0").encode("cp1252", errors="replace")
    return text.encode()


def generate(
    pages: int, out: Path, seed: int = 0, pool_size: int = 3000, unique_share: float = 0.0
) -> int:
    """Write ``pages`` pages under ``out`` (1,000 per folder); return the bytes written.

    A share ``unique_share`` of the ad occurrences are new ads, the others drawn from the pool.
    """
    rng = random.Random(seed)
    pool = ad_pool(rng, pool_size)
    fresh = Fresh(rng, unique_share)
    written = 0
    for number in range(pages):
        folder = out / f"{number // 1000:04d}"
        if number % 1000 == 0:
            folder.mkdir(parents=True, exist_ok=True)
        data = page(rng, pool, fresh)
        (folder / f"{number:07d}.txt").write_bytes(data)
        written += len(data)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--unique-share",
        type=float,
        default=0.0,
        help="share of ad occurrences that are new ads, 0 to 1 (example: 1.0, all unique)",
    )
    args = parser.parse_args()
    if not 0 <= args.unique_share <= 1:
        parser.error("--unique-share is a share between 0 and 1, such as 0.5")
    written = generate(args.pages, args.out, args.seed, unique_share=args.unique_share)
    print(f"{args.pages} pages, {written / 1e6:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()
