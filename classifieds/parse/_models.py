"""Vehicle models by make, with the kind of vehicle each one is, for :mod:`.kinds`.

Where the facts come from: compiled by hand for this project from the makers' own past and
present French line-ups (their catalogues and press kits), limited to the models one meets in
French second-hand ads; nothing is generated from a dataset or copied from a registry. Names
are written the way each maker writes them (``208``, ``Clio``, ``Mégane``, ``C-HR``,
``MT-07``, ``Série 3``): that is the canonical spelling the ``model`` column gives. Matching
folds case and accents, and a space or a hyphen in a name also matches a space, a hyphen or
nothing (``mt07``, ``MT 07``, ``MT-07``).

Each make lists its models by kind: ``voiture``, ``utilitaire`` (vans and light trucks sold as
such), ``moto`` (motorbikes and scooters); ``None`` for a model sold both as a car and as a van
(``Kangoo``, ``Berlingo``, ``Partner``): its kind must come from the ad's wording. A model name
counts only right after its make ("Volkswagen Golf", "Peugeot 208"), except the distinctive
names of :data:`classifieds.parse._vocabulary.MODELS`, which name their make on their own.
A name missing here costs recall, not precision.

To rebuild: edit the tables by hand; ``tests/parse/test_kinds.py`` checks every name is
unique within its make and spelled as it folds.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

Kind = str | None

MODELS_BY_MAKE: Final[Mapping[str, Mapping[Kind, str]]] = MappingProxyType(
    {
        "Renault": {
            "voiture": (
                "Clio, Mégane, Twingo, Captur, Scénic, Grand Scénic, Laguna, Kadjar, Koleos, "
                "Talisman, Arkana, Austral, Espace, Zoé, Modus, Fluence, Latitude, Safrane, "
                "Vel Satis, Wind, Symbol, Rafale, Super 5, R5, R4, 4L, R19, R21, R25"
            ),
            "utilitaire": "Trafic, Master",
            None: "Kangoo, Express",
        },
        "Peugeot": {
            "voiture": (
                "106, 107, 108, 205, 206, 206+, 207, 208, 306, 307, 308, 405, 406, 407, 408, "
                "508, 605, 607, 806, 807, 1007, 2008, 3008, 4007, 4008, 5008, RCZ, iOn"
            ),
            "utilitaire": "Boxer, Expert, Bipper",
            "moto": "Kisbee, Speedfight, Tweet, Django, Ludix, Vivacity, Metropolis",
            None: "Partner, Rifter",
        },
        "Citroën": {
            "voiture": (
                "C1, C2, C3, C3 Aircross, C3 Picasso, C4, C4 Picasso, C4 Grand Picasso, "
                "C4 Cactus, C4 Aircross, C5, C5 Aircross, C6, C8, C-Zéro, Saxo, Xsara, "
                "Xsara Picasso, Xantia, ZX, AX, BX, CX, XM, Évasion, 2CV, DS3, DS4, DS5, Ami, "
                "Méhari"
            ),
            "utilitaire": "Jumper, Jumpy, Nemo",
            None: "Berlingo, SpaceTourer",
        },
        "DS": {
            "voiture": "DS 3, DS 4, DS 5, DS 7, DS 9",
        },
        "Dacia": {
            "voiture": "Sandero, Sandero Stepway, Duster, Logan, Lodgy, Spring, Jogger",
            None: "Dokker",
        },
        "Volkswagen": {
            "voiture": (
                "Golf, Polo, Passat, Tiguan, Touran, Touareg, Sharan, Scirocco, Up, T-Roc, "
                "T-Cross, Taigo, Arteon, Beetle, Coccinelle, Lupo, Fox, Bora, Jetta, Eos, "
                "ID.3, ID.4"
            ),
            "utilitaire": "Crafter, Amarok",
            None: "Caddy, Transporter",
        },
        "Audi": {
            "voiture": "A1, A2, A3, A4, A5, A6, A7, A8, Q2, Q3, Q5, Q7, Q8, TT, R8, e-tron",
        },
        "BMW": {
            "voiture": (
                "Série 1, Série 2, Série 3, Série 4, Série 5, Série 6, Série 7, X1, X2, X3, "
                "X4, X5, X6, Z3, Z4, i3"
            ),
            "moto": "R 1200 GS, R 1250 GS, F 800 GS, G 310 R, C 400 X, S 1000 RR",
        },
        "Mercedes-Benz": {
            "voiture": (
                "Classe A, Classe B, Classe C, Classe E, Classe S, Classe G, Classe V, CLA, "
                "CLS, GLA, GLB, GLC, GLE, ML, SLK"
            ),
            "utilitaire": "Sprinter, Vito, Citan",
        },
        "Opel": {
            "voiture": (
                "Corsa, Astra, Zafira, Meriva, Mokka, Insignia, Crossland, Grandland, Adam, "
                "Agila, Tigra, Vectra, Antara, Karl"
            ),
            "utilitaire": "Vivaro, Movano",
            None: "Combo",
        },
        "Ford": {
            "voiture": (
                "Fiesta, Focus, Kuga, Mondeo, Puma, Ka, Ka+, C-Max, S-Max, B-Max, EcoSport, "
                "Galaxy, Mustang, Fusion"
            ),
            "utilitaire": "Transit, Transit Custom, Ranger",
            None: "Tourneo",
        },
        "Fiat": {
            "voiture": (
                "500, 500X, 500L, Panda, Punto, Grande Punto, Tipo, Bravo, Multipla, Seicento"
            ),
            "utilitaire": "Ducato, Fiorino, Scudo",
            None: "Doblo, Qubo",
        },
        "Toyota": {
            "voiture": (
                "Yaris, Yaris Cross, Corolla, Aygo, Aygo X, Auris, Prius, RAV4, C-HR, Avensis, "
                "Verso, Land Cruiser, GT86, iQ, Urban Cruiser"
            ),
            "utilitaire": "Hilux, Proace",
        },
        "Nissan": {
            "voiture": "Qashqai, Juke, Micra, Note, Leaf, X-Trail, Pulsar, Pixo",
            "utilitaire": "Navara, NV200, Primastar",
        },
        "Kia": {
            "voiture": "Picanto, Rio, Ceed, Sportage, Sorento, Niro, Stonic, Venga, Soul, EV6",
        },
        "Hyundai": {
            "voiture": "i10, i20, i30, i40, Tucson, Kona, Ioniq, Santa Fe, ix20, ix35",
        },
        "Skoda": {
            "voiture": (
                "Fabia, Octavia, Superb, Kodiaq, Karoq, Kamiq, Scala, Yeti, Citigo, Rapid, Roomster"
            ),
        },
        "Seat": {
            "voiture": "Ibiza, Leon, Arona, Ateca, Tarraco, Mii, Altea, Toledo, Alhambra",
        },
        "Suzuki": {
            "voiture": "Swift, Vitara, Jimny, Ignis, Celerio, Baleno, SX4, S-Cross, Alto",
            "moto": "GSX-R, GSX-S, V-Strom, SV650, Bandit, Burgman, Hayabusa",
        },
        "Honda": {
            "voiture": "Jazz, Civic, CR-V, HR-V, Accord",
            "moto": (
                "CB500, CB650R, CBR, CBR 600, CBF, Africa Twin, Forza, PCX, SH125, Hornet, "
                "Transalp, NC750X, Goldwing, X-ADV, Deauville"
            ),
        },
        "Mazda": {
            "voiture": "Mazda2, Mazda3, Mazda6, CX-3, CX-30, CX-5, MX-5",
        },
        "Mitsubishi": {
            "voiture": "Colt, ASX, Outlander, Space Star, Pajero",
            "utilitaire": "L200",
        },
        "Volvo": {
            "voiture": "XC40, XC60, XC90, V40, V60, V70, V90, S60, S90, C30",
        },
        "Mini": {
            "voiture": "Cooper, Countryman, Clubman, Paceman",
        },
        "Smart": {
            "voiture": "Fortwo, Forfour",
        },
        "Land Rover": {
            "voiture": (
                "Defender, Discovery, Discovery Sport, Freelander, Range Rover Evoque, Evoque, "
                "Velar"
            ),
        },
        "Jeep": {
            "voiture": "Renegade, Compass, Wrangler, Cherokee, Grand Cherokee",
        },
        "Tesla": {
            "voiture": "Model 3, Model S, Model X, Model Y",
        },
        "Porsche": {
            "voiture": "911, Cayenne, Macan, Panamera, Boxster, Cayman, Taycan",
        },
        "Alfa Romeo": {
            "voiture": "Giulietta, Giulia, MiTo, Stelvio, 147, 156, 159",
        },
        "Iveco": {
            "utilitaire": "Daily",
        },
        "Aixam": {
            "voiture": "City, Crossline, Coupé, Minauto",
        },
        "Ligier": {
            "voiture": "JS50, JS60, Myli, IXO",
        },
        "Yamaha": {
            "moto": (
                "MT-03, MT-07, MT-09, MT-10, MT-125, TMAX, XMAX, NMAX, YZF-R1, YZF-R6, "
                "YZF-R125, R1, R6, Ténéré 700, Tracer 7, Tracer 9, XJ6, FZ6, Fazer, Aerox, "
                "BW's, WR, YZ"
            ),
        },
        "Kawasaki": {
            "moto": ("Z650, Z750, Z800, Z900, Z1000, Ninja, Versys, ER-6n, Vulcan, ZX-6R, ZX-10R"),
        },
        "Ducati": {
            "moto": ("Monster, Panigale, Multistrada, Scrambler, Diavel, Hypermotard, SuperSport"),
        },
        "Triumph": {
            "moto": "Street Triple, Speed Triple, Bonneville, Tiger, Trident, Thruxton",
        },
        "KTM": {
            "moto": "Duke, 125 Duke, 390 Duke, 790 Duke, Adventure, EXC, SX",
        },
        "Harley-Davidson": {
            "moto": "Sportster, Softail, Street Glide, Road King, Fat Boy, Iron 883",
        },
        "Piaggio": {
            "moto": "MP3, Liberty, Beverly, Medley, Zip",
            "utilitaire": "Porter",
        },
        "Vespa": {
            "moto": "Primavera, Sprint, GTS, LX, PX",
        },
        "MBK": {
            "moto": "Booster, Nitro, Ovetto, Stunt",
        },
        "Aprilia": {
            "moto": "RS 125, RS 660, Tuono, SR 50, Shiver",
        },
        "Kymco": {
            "moto": "Agility, People, Downtown, AK 550, Like",
        },
    }
)
"""Make -> kind -> its models' names, separated by ', '."""

# Makes whose every vehicle in French ads is of one kind: a "Yamaha" ad is a motorbike (the
# maker's outboard engines and pianos sell in other sections), an "Aixam" a licence-free car.
KIND_OF_MAKE: Final[Mapping[str, str]] = MappingProxyType(
    {
        **dict.fromkeys(
            (
                "Yamaha",
                "Kawasaki",
                "Ducati",
                "Harley-Davidson",
                "KTM",
                "Vespa",
                "Aprilia",
                "Husqvarna",
                "Royal Enfield",
                "Moto Guzzi",
                "MV Agusta",
                "Benelli",
                "Kymco",
                "MBK",
                "Derbi",
                "Sherco",
            ),
            "moto",
        ),
        **dict.fromkeys(
            (
                "Aixam",
                "Ligier",
                "Microcar",
                "Chatenet",
                "Bellier",
                "Tesla",
                "Porsche",
                "Ferrari",
                "Lamborghini",
                "Maserati",
                "Bentley",
                "Rolls-Royce",
                "Aston Martin",
                "Lotus",
                "Alpine",
                "Bugatti",
                "Abarth",
                "Alfa Romeo",
                "Lancia",
                "Jaguar",
                "Mini",
                "Smart",
                "DS",
                "Cupra",
                "Polestar",
                "Lexus",
                "Infiniti",
                "Subaru",
                "Saab",
                "Skoda",
                "Seat",
                "Simca",
                "Talbot",
                "Matra",
                "Jeep",
                "Chrysler",
                "Cadillac",
                "Lada",
                "Rover",
                "Volvo",
                "Kia",
                "Hyundai",
                "Mazda",
                "Audi",
            ),
            "voiture",
        ),
    }
)
