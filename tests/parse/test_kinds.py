"""Property type, land area, vehicle type and model: one table per value, then the look-alikes.

Rows are (category, text) -> expected value, the text written the way the widget prints it.
Each value has at least 15 real-looking titles; the look-alikes must stay null.
"""

from __future__ import annotations

from typing import Any

import pytest

from classifieds.parse import _models
from classifieds.parse import _vocabulary as vocab
from classifieds.parse.attributes import extract_attributes
from classifieds.parse.kinds import family_of
from classifieds.parse.wording import compact, fold

IMMO = "immobilier"
AUTO = "automobile"


def rows(category: str, expected: Any, texts: list[str]) -> list[Any]:
    return [pytest.param(category, text, expected, id=f"{expected}:{text[:40]}") for text in texts]


PROPERTY_ROWS = [
    *rows(
        IMMO,
        "maison",
        [
            "Maison 5 pièces 120 m2 avec jardin",
            "Vends maison de plain-pied 3 chambres",
            "Pavillon Construction 2005 dans village 5 pièces de 93 m2",
            "Location Maison Neuve Meublée ROYAN",
            "Longère en pierre à rénover",
            "Villa contemporaine avec piscine",
            "Chalet bois 4 pièces vue montagne",
            "Fermette sur 1 ha avec dépendances",
            "Corps de ferme à restaurer",
            "Maison de ville T4 avec cour",
            "Mas provençal 6 pièces",
            "Belle propriété de caractère",
            "Bastide du XVIIIe siècle",
            "Maison individuelle 90 m² sur 600 m² de terrain",
            "Manoir normand 10 pièces",
            "Pavillons neufs RT2020 à vendre",
            "A louer maison 3 chambres garage",
        ],
    ),
    *rows(
        IMMO,
        "appartement",
        [
            "Appartement T3 à vendre 65 m2",
            "Appartement 2 pièces lumineux centre-ville",
            "T2 meublé proche gare",
            "F3 avec balcon et place de parking",
            "Studio meublé étudiant",
            "Studette 14 m2 proche fac",
            "Duplex 4 pièces avec terrasse",
            "Loft industriel 150 m2",
            "Appart T4 dernier étage",
            "Bel appartement ancien, parquet, moulures",
            "Triplex atypique vue mer",
            "Penthouse avec rooftop",
            "Vends T3 bis 68 m2 résidence calme",
            "Appartements neufs du T2 au T4",
            "Location studio 25 m2 charges comprises",
            "Appartement DPE F 3 pièces",
        ],
    ),
    *rows(
        IMMO,
        "terrain",
        [
            "Terrain constructible 800 m2",
            "Terrain à bâtir viabilisé de 600 m²",
            "Parcelle de 1 200 m2 hors lotissement",
            "Terrain de loisirs 2500 m² arboré",
            "Terrain agricole 3 ha",
            "Terrains à bâtir libres de constructeur",
            "Terrain plat et clos 950 m2",
            "Vends terrain 1500 m2 proche bourg",
            "Parcelles constructibles en lotissement",
            "Terrain non constructible 5000 m2",
            "Terrain en zone UB de 700 m2",
            "Beau terrain vue mer 1000 m²",
            "Terrain boisé 2 hectares",
            "Terrain viabilisé eau électricité",
            "Terrain de 450 m2 exposé sud",
        ],
    ),
    *rows(
        IMMO,
        "parking",
        [
            "Garage fermé centre-ville",
            "Place de parking en sous-sol sécurisé",
            "Box 15 m2 avec électricité",
            "Parking extérieur résidence",
            "Location garage 18 m2",
            "Vends box double",
            "Places de parking à vendre",
            "Place de stationnement couverte",
            "Garage individuel porte motorisée",
            "Parking souterrain proche gare",
            "Emplacement de parking gardé",
            "Garages en bande à louer",
            "Box fermé pour voiture ou stockage",
            "Parking aérien 45 €/mois",
            "Garage 20 m2 quartier calme",
        ],
    ),
    *rows(
        IMMO,
        "local_commercial",
        [
            "Local commercial 80 m2 centre-ville",
            "Bureau 25 m2 à louer",
            "Bureaux lumineux 120 m2",
            "Boutique en angle avec vitrine",
            "Entrepôt 500 m2 accès poids lourds",
            "Locaux professionnels à louer",
            "Local d'activité 200 m2",
            "Murs commerciaux loués",
            "Cellule commerciale en zone d'activité",
            "Local 50 m2 rez-de-chaussée",
            "Boutique 40 m2 rue piétonne",
            "Entrepots de stockage",
            "Bureau meublé dans centre d'affaires",
            "Local professionnel pour profession libérale",
            "Bureaux en open space",
        ],
    ),
    *rows(
        IMMO,
        "immeuble",
        [
            "Immeuble de rapport 6 lots",
            "Immeuble entier à vendre centre historique",
            "Vends immeuble 4 appartements",
            "Immeuble mixte commerce et logements",
            "Immeubles de rapport rentabilité 8 %",
            "Immeuble 3 étages avec cave",
            "Bel immeuble ancien en pierre",
            "Immeuble de 5 logements loués",
            "Immeuble à rénover entièrement",
            "Petit immeuble 2 appartements + local",
            "Immeuble haussmannien",
            "Immeuble de bureaux et commerces",
            "Immeuble loué 45 000 € par an",
            "Investisseurs : immeuble 8 studios",
            "Immeuble avec garages",
        ],
    ),
    *rows(
        IMMO,
        "chambre",
        [
            "Chambre meublée, idéale jeune travailleur",
            "Chambre chez l'habitant proche université",
            "Colocation : chambre dans maison",
            "Chambre à louer dans appartement",
            "Chambre étudiante 12 m2",
            "Colocation 4 chambres proche centre",
            "Coloc étudiante T5",
            "Chambre meublée charges comprises",
            "Loue chambre dans maison calme",
            "Chambre en colocation avec jardin",
            "Chambre indépendante avec salle d'eau",
            "Chambre chez l'habitant petit-déjeuner",
            "Belle chambre 15 m² tout confort",
            "Chambre meublée pour stagiaire",
            "Chambre dans villa avec piscine",
        ],
    ),
    *rows(
        "immo",
        "appartement",
        ["Appartement T2 à louer", "Studio meublé proche gare"],
    ),
    *rows("logement", "maison", ["Maison 4 pièces avec jardin"]),
    *rows("immobilier_neuf", "appartement", ["Appartements neufs T3 livraison 2026"]),
]
PROPERTY_NULL_ROWS = [
    *rows(
        IMMO,
        None,
        [
            "Terrain de tennis à louer à l'heure",
            "Terrain de foot synthétique",
            "Garage Renault recrute un mécanicien H/F",
            "Garage automobile cherche repreneur",
            "Viager en Ardèche",
            "Local à vélo dans résidence",
            "Chambre d'hôte en bord de mer",
            "Terrain avec maison ancienne à rénover",
            "Investissement rentable",
            "DPE F classe énergie",
            "Vends 3 chambres et un salon",
            "Local commercial avec appartement à l'étage",
            "Maison de retraite recrute en CDI",
        ],
    ),
    pytest.param("bonnes_affaires", "Maison de poupée en bois", None, id="doll-house"),
    pytest.param("bonnes_affaires", "Bureau d'angle en chêne", None, id="desk"),
    pytest.param("emploi", "Garage Renault recrute", None, id="job-section"),
    pytest.param(AUTO, "Garage pour voiture", None, id="car-section"),
]


@pytest.mark.parametrize(("category", "text", "expected"), PROPERTY_ROWS + PROPERTY_NULL_ROWS)
def test_property_type(category: str, text: str, expected: str | None) -> None:
    assert extract_attributes(category, text, None).property_type == expected


LAND_ROWS = [
    pytest.param("Maison 120 m2 sur 800 m² de terrain", 120.0, 800.0, id="sur-terrain"),
    pytest.param("Terrain de 600 m2 constructible", None, 600.0, id="terrain-de"),
    pytest.param("Terrain constructible 800 m2", None, 800.0, id="terrain-ad"),
    pytest.param("Terrain constructible 1\u00a0200 m2", None, 1200.0, id="nbsp-thousands"),
    pytest.param("Terrain de 1.200 m2 viabilisé", None, 1200.0, id="dot-thousands"),
    pytest.param("Parcelle 950 m² plate", None, 950.0, id="parcelle"),
    pytest.param("Terrain 800 m2 avec abri de jardin 10 m2", None, 800.0, id="land-and-shed"),
    pytest.param("Maison F4 105 m² sur 500 m² de terrain", 105.0, 500.0, id="f4-sur"),
    pytest.param("Belle maison 100 m2, terrain 800 m2", 100.0, 800.0, id="unattached"),
    pytest.param("Maison 100m2 + garage 30m2 + terrain 500m2", 100.0, 500.0, id="plus"),
    pytest.param("Appartement T3 65 m2", 65.0, None, id="flat-no-land"),
    pytest.param("Terrain de 500 à 800 m2", None, None, id="range"),
    pytest.param("Terrain 600 m2 ou 900 m2", None, None, id="two-plots"),
    pytest.param("Maison sur terrain de 2 parcelles", None, None, id="no-number"),
    pytest.param("Terrain constructible de 1 ha", None, 10000.0, id="hectare"),
    pytest.param("Fermette 120 m2 sur 2,5 ha", 120.0, 25000.0, id="decimal-hectares"),
    pytest.param("Terrain agricole 3 hectares", None, 30000.0, id="hectares-spelled"),
    pytest.param("Terrain de 1 à 2 ha", None, None, id="hectare-range"),
    pytest.param("Terrain 5000 m2 soit 0,5 ha", None, 5000.0, id="same-area-twice"),
    pytest.param("Chalet 2 chambres", None, None, id="ha-in-a-word"),
]


@pytest.mark.parametrize(("text", "surface", "land"), LAND_ROWS)
def test_land_apart_from_living_area(text: str, surface: float | None, land: float | None) -> None:
    found = extract_attributes(IMMO, text, None)
    assert (found.surface_m2, found.land_m2) == (surface, land)


VEHICLE_ROWS = [
    *rows(
        AUTO,
        "voiture",
        [
            "Toyota Yaris IV Première 2021 en très bon état",
            "Opel Corsa électrique",
            "Renault Clio 4 dCi 90 2016 98 000 km",
            "Peugeot 208 GT Line 1.2 PureTech",
            "Volkswagen Golf 7 TDI 150 DSG",
            "Citroën C3 Shine 2019",
            "Dacia Sandero Stepway GPL",
            "Voiture sans permis Aixam City",
            "Audi A3 Sportback S line",
            "BMW Série 3 320d Touring",
            "Berline Mercedes Classe C 220 CDI",
            "Tesla Model 3 Grande Autonomie",
            "Citadine Fiat Panda 2012 très économique",
            "4x4 Suzuki Jimny 2020",
            "Monospace 7 places Renault Grand Scénic",
            "Kia Picanto 1.0 essence 2018",
            "Mini Cooper S cabriolet",
        ],
    ),
    *rows(
        AUTO,
        "moto",
        [
            "Yamaha MT07 A2 2019",
            "Moto Honda CB500 F 2017",
            "Scooter Peugeot Kisbee 50 cc",
            "Kawasaki Z900 performance",
            "Vespa Primavera 125 2021",
            "Moto cross KTM 250 SX",
            "Scooter 125 Kymco Agility",
            "Ducati Monster 821 2018",
            "Harley-Davidson Sportster Iron 883",
            "Triumph Street Triple RS",
            "Maxi scooter Yamaha TMAX 560",
            "BMW R 1250 GS Adventure",
            "Mobylette Motobécane 1975",
            "Scooter électrique 3 000 km",
            "MBK Booster 2 temps",
            "Suzuki V-Strom 650 2015",
        ],
    ),
    *rows(
        AUTO,
        "utilitaire",
        [
            "Renault Trafic L2H1 dCi 120",
            "Utilitaire Peugeot Boxer 2018",
            "Citroën Jumper fourgon 3 places",
            "Fiat Ducato 2.3 Multijet 130",
            "Ford Transit Custom 2019",
            "Mercedes Sprinter 316 CDI",
            "Fourgon Iveco Daily 35C",
            "Camionnette benne 3,5 t",
            "Renault Master L3H2 2017",
            "Volkswagen Crafter 2.0 TDI",
            "Opel Vivaro 1.6 CDTI",
            "Fourgonnette Kangoo express 2 places",
            "Camion plateau 2015",
            "Toyota Hilux double cabine",
            "Peugeot Expert 2.0 BlueHDi",
            "Utilitaire Clio société 2 places",
        ],
    ),
    *rows(
        AUTO,
        "camping_car",
        [
            "Camping-car Fiat Ducato 2015",
            "Camping car profilé Challenger 2018",
            "Fourgon aménagé Citroën Jumper",
            "Van aménagé Volkswagen Transporter T5",
            "Camping-car intégral Rapido",
            "Camping car capucine 6 places",
            "Camping-cars d'occasion révisés",
            "Autocaravane Hymer B544",
            "Fourgon aménagé Renault Trafic",
            "Camping car Pilote Galaxy",
            "Camping-car 4 couchages 2010",
            "Camping car Burstner 2016 75 000 km",
            "Camper van Ford Transit Nugget",
            "Camping-car Chausson Flash 2012",
            "Camping car Mercedes Sprinter 2019",
        ],
    ),
    *rows(
        AUTO,
        "remorque",
        [
            "Remorque Lider 750 kg",
            "Remorque porte-voiture",
            "Remorque bagagère 1,50 m",
            "Van à chevaux 2 places",
            "Remorque plateau basculante",
            "Remorque pour moto",
            "Petite remorque avec bâche",
            "Remorque 500 kg carte grise",
            "Remorques agricoles",
            "Remorque porte bateau",
            "Remorque double essieu 2 t",
            "Van chevaux Böckmann",
            "Remorque Erde 102",
            "Remorque frigorifique",
            "Porte-voiture 3,5 tonnes",
        ],
    ),
    *rows(
        AUTO,
        "piece",
        [
            "4 pneus DUNLOP SPORT MAXX RT 2 – état récent – à saisir",
            "Pneus neige pour Clio",
            "Jantes alu 17 pouces Peugeot",
            "Lot de 4 jantes tôle",
            "Moteur 1.5 dCi 98 000 km",
            "Boîte de vitesses Golf 5",
            "Batterie 12V 70Ah neuve",
            "Autoradio Bluetooth",
            "Attelage pour Renault Scénic",
            "Coffre de toit Thule",
            "Barres de toit",
            "Casque moto taille M",
            "Blouson moto cuir",
            "Rétroviseur droit Clio 3",
            "Pièces détachées Peugeot 206",
            "Kit distribution neuf",
        ],
    ),
    *rows("vehicules", "voiture", ["Renault Clio 5 2020"]),
    *rows("auto_moto", "moto", ["Yamaha MT-09 2021"]),
    *rows("occasions_auto", "voiture", ["Peugeot 3008 Allure 2018"]),
]
VEHICLE_NULL_ROWS = [
    *rows(
        AUTO,
        None,
        [
            "Garage Renault recrute un mécanicien H/F",
            "Voiture miniature Peugeot 205 1/43",
            "Moto jouet pour enfant",
            "Voiture télécommandée",
            "Voiture ou moto, faire offre",
            "Peugeot",
            "Renault Kangoo 1.5 dCi",
            "Caravane 4 places",
            "Scooter Renault Clio",
        ],
    ),
    pytest.param("bonnes_affaires", "Siège auto", None, id="child-seat-elsewhere"),
    pytest.param(IMMO, "Garage pour voiture ou moto", None, id="real-estate"),
    pytest.param("emploi", "Chauffeur poids lourd camion", None, id="job-section"),
]


@pytest.mark.parametrize(("category", "text", "expected"), VEHICLE_ROWS + VEHICLE_NULL_ROWS)
def test_vehicle_type(category: str, text: str, expected: str | None) -> None:
    assert extract_attributes(category, text, None).vehicle_type == expected


MODEL_ROWS = [
    pytest.param("Peugeot 208 GT Line 2019", "Peugeot", "208", id="208"),
    pytest.param("Renault Clio 4 dCi 90", "Renault", "Clio", id="clio"),
    pytest.param("Clio 2014 très bon état", "Renault", "Clio", id="clio-alone"),
    pytest.param("Toyota Yaris IV Première 2021", "Toyota", "Yaris", id="yaris"),
    pytest.param("Yamaha MT07 A2", "Yamaha", "MT-07", id="mt07-glued"),
    pytest.param("YAMAHA MT-07 35 kW", "Yamaha", "MT-07", id="mt-07"),
    pytest.param("Volkswagen Golf 7 TDI", "Volkswagen", "Golf", id="golf"),
    pytest.param("VW Golf GTI", "Volkswagen", "Golf", id="vw-golf"),
    pytest.param("Peugeot 3008 Allure", "Peugeot", "3008", id="3008-not-308"),
    pytest.param("Peugeot 2008 de 2019", "Peugeot", "2008", id="2008-model"),
    pytest.param("Renault Mégane 3 Estate", "Renault", "Mégane", id="megane-accent"),
    pytest.param("renault megane rs", "Renault", "Mégane", id="megane-folded"),
    pytest.param("Renault Grand Scénic 7 places", "Renault", "Grand Scénic", id="grand-scenic"),
    pytest.param("Citroën DS3 Sport Chic", "Citroën", "DS3", id="citroen-ds3"),
    pytest.param("Toyota C-HR hybride", "Toyota", "C-HR", id="c-hr"),
    pytest.param("Toyota CHR hybride", "Toyota", "C-HR", id="chr-glued"),
    pytest.param("BMW Série 3 320d", "BMW", "Série 3", id="serie-3"),
    pytest.param("Mercedes Classe A 180", "Mercedes-Benz", "Classe A", id="classe-a"),
    pytest.param("Fiat 500X Cross", "Fiat", "500X", id="500x-not-500"),
    pytest.param("Kawasaki Z 900", "Kawasaki", "Z900", id="z-900-spaced"),
    pytest.param("Renault nouvelle Clio 5", "Renault", "Clio", id="nouvelle"),
    pytest.param("Opel Corsa électrique", "Opel", "Corsa", id="corsa"),
    pytest.param("Dacia Sandero Stepway", "Dacia", "Sandero Stepway", id="stepway"),
]
MODEL_NULL_ROWS = [
    pytest.param("Golf 7 TDI", None, None, id="golf-without-make"),
    pytest.param("Renault 5 portes", "Renault", None, id="doors-not-a-model"),
    pytest.param("Renault Clio ou Mégane", "Renault", None, id="two-models"),
    pytest.param("Peugeot diesel 2012", "Peugeot", None, id="make-only"),
    pytest.param("Pneus neige pour Clio", None, None, id="tyres-for-a-clio"),
    pytest.param("Voiture miniature Peugeot 205", None, None, id="toy"),
    pytest.param("Peugeot ou Renault Clio", None, None, id="two-makes"),
]


@pytest.mark.parametrize(("text", "make", "model"), MODEL_ROWS + MODEL_NULL_ROWS)
def test_model(text: str, make: str | None, model: str | None) -> None:
    found = extract_attributes(AUTO, text, None)
    assert (found.make, found.model) == (make, model)


@pytest.mark.parametrize(
    ("category", "family"),
    [
        ("immobilier", "immobilier"),
        ("immo", "immobilier"),
        ("logement", "immobilier"),
        ("immobilier_neuf", "immobilier"),
        ("automobile", "vehicules"),
        ("vehicules", "vehicules"),
        ("auto_moto", "vehicules"),
        ("occasions_auto", "vehicules"),
        ("camping_cars", "vehicules"),
        ("bonnes_affaires", None),
        ("emploi", None),
        ("auto_et_immo", None),
    ],
)
def test_the_family_is_told_by_the_words_of_the_section(category: str, family: str | None) -> None:
    assert family_of(category) == family


def test_attribute_columns_stay_within_their_family() -> None:
    car = extract_attributes(AUTO, "Renault Clio 4 maison 5 pièces 93 m2 terrain 800 m2", None)
    house = extract_attributes(IMMO, "Maison 5 pièces, garage pour Renault Clio", None)
    assert (car.property_type, car.land_m2, car.surface_m2, car.rooms) == (None,) * 4
    assert (house.vehicle_type, house.make, house.model) == (None,) * 3


@pytest.mark.parametrize("make", sorted(_models.MODELS_BY_MAKE))
def test_each_make_of_the_model_table_is_a_make_and_its_names_unique(make: str) -> None:
    assert make in set(vocab.MAKES.values())
    names = [n for names in _models.MODELS_BY_MAKE[make].values() for n in names.split(", ")]
    keys = [compact(fold(name).replace("-", " ")) for name in names]
    assert len(set(keys)) == len(keys)


def test_every_distinctive_model_name_has_its_canonical_spelling() -> None:
    for key, make in vocab.MODELS.items():
        names = [n for ns in _models.MODELS_BY_MAKE[make].values() for n in ns.split(", ")]
        assert compact(key) in {compact(fold(n).replace("-", " ")) for n in names}, key
