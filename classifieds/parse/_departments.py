"""The French departments and their regions, as a static table.

Source: INSEE, Code officiel géographique (COG), 2024 edition — the list of departments and
the regions they belong to since the 2016 regional reform (loi n° 2015-29). Names are written
exactly as INSEE writes them (accents, hyphens, ASCII apostrophe ``'``).

Each row of :data:`DEPARTMENTS` is ``(code, name, region)``:

- ``code``: the INSEE department code — ``"01"``..``"95"`` with ``"2A"``/``"2B"`` in place of
  ``"20"``, then ``"971"``..``"974"`` and ``"976"`` overseas (``"975"``, Saint-Pierre-et-Miquelon,
  is a collectivity, not a department);
- ``name``: the official department name;
- ``region``: the official name of its region.

96 metropolitan + 5 overseas = 101 departments, in 18 regions.
"""

from __future__ import annotations

from typing import Final

# Region names are bound once so that a typo is a NameError rather than a silent 19th region.
_ARA: Final = "Auvergne-Rhône-Alpes"
_BFC: Final = "Bourgogne-Franche-Comté"
_BRE: Final = "Bretagne"
_CVL: Final = "Centre-Val de Loire"
_COR: Final = "Corse"
_GES: Final = "Grand Est"
_HDF: Final = "Hauts-de-France"
_IDF: Final = "Île-de-France"
_NOR: Final = "Normandie"
_NAQ: Final = "Nouvelle-Aquitaine"
_OCC: Final = "Occitanie"
_PDL: Final = "Pays de la Loire"
_PAC: Final = "Provence-Alpes-Côte d'Azur"
_GUA: Final = "Guadeloupe"
_MTQ: Final = "Martinique"
_GUF: Final = "Guyane"
_REU: Final = "La Réunion"
_MAY: Final = "Mayotte"

DEPARTMENTS: Final[tuple[tuple[str, str, str], ...]] = (
    ("01", "Ain", _ARA),
    ("02", "Aisne", _HDF),
    ("03", "Allier", _ARA),
    ("04", "Alpes-de-Haute-Provence", _PAC),
    ("05", "Hautes-Alpes", _PAC),
    ("06", "Alpes-Maritimes", _PAC),
    ("07", "Ardèche", _ARA),
    ("08", "Ardennes", _GES),
    ("09", "Ariège", _OCC),
    ("10", "Aube", _GES),
    ("11", "Aude", _OCC),
    ("12", "Aveyron", _OCC),
    ("13", "Bouches-du-Rhône", _PAC),
    ("14", "Calvados", _NOR),
    ("15", "Cantal", _ARA),
    ("16", "Charente", _NAQ),
    ("17", "Charente-Maritime", _NAQ),
    ("18", "Cher", _CVL),
    ("19", "Corrèze", _NAQ),
    ("2A", "Corse-du-Sud", _COR),
    ("2B", "Haute-Corse", _COR),
    ("21", "Côte-d'Or", _BFC),
    ("22", "Côtes-d'Armor", _BRE),
    ("23", "Creuse", _NAQ),
    ("24", "Dordogne", _NAQ),
    ("25", "Doubs", _BFC),
    ("26", "Drôme", _ARA),
    ("27", "Eure", _NOR),
    ("28", "Eure-et-Loir", _CVL),
    ("29", "Finistère", _BRE),
    ("30", "Gard", _OCC),
    ("31", "Haute-Garonne", _OCC),
    ("32", "Gers", _OCC),
    ("33", "Gironde", _NAQ),
    ("34", "Hérault", _OCC),
    ("35", "Ille-et-Vilaine", _BRE),
    ("36", "Indre", _CVL),
    ("37", "Indre-et-Loire", _CVL),
    ("38", "Isère", _ARA),
    ("39", "Jura", _BFC),
    ("40", "Landes", _NAQ),
    ("41", "Loir-et-Cher", _CVL),
    ("42", "Loire", _ARA),
    ("43", "Haute-Loire", _ARA),
    ("44", "Loire-Atlantique", _PDL),
    ("45", "Loiret", _CVL),
    ("46", "Lot", _OCC),
    ("47", "Lot-et-Garonne", _NAQ),
    ("48", "Lozère", _OCC),
    ("49", "Maine-et-Loire", _PDL),
    ("50", "Manche", _NOR),
    ("51", "Marne", _GES),
    ("52", "Haute-Marne", _GES),
    ("53", "Mayenne", _PDL),
    ("54", "Meurthe-et-Moselle", _GES),
    ("55", "Meuse", _GES),
    ("56", "Morbihan", _BRE),
    ("57", "Moselle", _GES),
    ("58", "Nièvre", _BFC),
    ("59", "Nord", _HDF),
    ("60", "Oise", _HDF),
    ("61", "Orne", _NOR),
    ("62", "Pas-de-Calais", _HDF),
    ("63", "Puy-de-Dôme", _ARA),
    ("64", "Pyrénées-Atlantiques", _NAQ),
    ("65", "Hautes-Pyrénées", _OCC),
    ("66", "Pyrénées-Orientales", _OCC),
    ("67", "Bas-Rhin", _GES),
    ("68", "Haut-Rhin", _GES),
    ("69", "Rhône", _ARA),
    ("70", "Haute-Saône", _BFC),
    ("71", "Saône-et-Loire", _BFC),
    ("72", "Sarthe", _PDL),
    ("73", "Savoie", _ARA),
    ("74", "Haute-Savoie", _ARA),
    ("75", "Paris", _IDF),
    ("76", "Seine-Maritime", _NOR),
    ("77", "Seine-et-Marne", _IDF),
    ("78", "Yvelines", _IDF),
    ("79", "Deux-Sèvres", _NAQ),
    ("80", "Somme", _HDF),
    ("81", "Tarn", _OCC),
    ("82", "Tarn-et-Garonne", _OCC),
    ("83", "Var", _PAC),
    ("84", "Vaucluse", _PAC),
    ("85", "Vendée", _PDL),
    ("86", "Vienne", _NAQ),
    ("87", "Haute-Vienne", _NAQ),
    ("88", "Vosges", _GES),
    ("89", "Yonne", _BFC),
    ("90", "Territoire de Belfort", _BFC),
    ("91", "Essonne", _IDF),
    ("92", "Hauts-de-Seine", _IDF),
    ("93", "Seine-Saint-Denis", _IDF),
    ("94", "Val-de-Marne", _IDF),
    ("95", "Val-d'Oise", _IDF),
    ("971", "Guadeloupe", _GUA),
    ("972", "Martinique", _MTQ),
    ("973", "Guyane", _GUF),
    ("974", "La Réunion", _REU),
    ("976", "Mayotte", _MAY),
)
