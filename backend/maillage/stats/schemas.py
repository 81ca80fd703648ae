"""What the Pilotage pages receive: figures and tables already protected (``protect``),
each with its definition in French."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

ScopeKind = Literal["network", "received", "sent", "service"]
Unit = Literal["count", "percent", "days"]


class Value(BaseModel):
    value: float | None = Field(description="Le nombre ; absent s'il est masqué (moins de 5 personnes) ou sans objet")
    display: str = Field(description="Le nombre tel qu'il s'affiche : « 42 », « 37 % », « 12 j », « < 5 », « — »")
    suppressed: bool = Field(description="Masqué pour protéger les personnes (moins de 5)")


class Figure(BaseModel):
    key: str
    label: str
    unit: Unit
    value: Value
    basis: str | None = Field(default=None, description="Sur quoi le chiffre porte : « sur 230 orientations »")
    network: Value | None = Field(default=None, description="Le même chiffre pour tout le réseau (vue d'une structure "
                                                            "ou d'un service)")
    definition: str


class Column(BaseModel):
    key: str
    label: str
    unit: Unit = "count"


class Row(BaseModel):
    key: str
    label: str
    cells: list[Value]


class Table(BaseModel):
    key: str = Field(description="Identifiant, aussi celui de l'export CSV")
    title: str
    definition: str
    columns: list[Column]
    rows: list[Row]
    total: Row | None = None
    chart: Literal["bar", "line", "none"] = Field(description="Le graphique qui le lit le mieux (« none » : tableau seul)")


class Section(BaseModel):
    key: str
    title: str
    figures: list[Figure]
    tables: list[Table]


class ScopeOut(BaseModel):
    kind: ScopeKind
    id: int
    label: str


class StatsReport(BaseModel):
    network_slug: str
    network_name: str
    scope: ScopeOut
    start: str = Field(description="Premier mois de la période (AAAA-MM)")
    end: str = Field(description="Dernier mois de la période (AAAA-MM)")
    computed_at: datetime = Field(description="Quand les chiffres ont été calculés")
    refresh_minutes: int = Field(description="Les chiffres sont recalculés à cet intervalle")
    threshold: int = Field(description="En dessous de ce nombre de personnes, un chiffre est masqué")
    privacy: str = Field(description="La règle de protection des personnes, en une phrase à afficher")
    sections: list[Section]


class ScopeStructure(BaseModel):
    id: int
    nom: str


class ScopeService(BaseModel):
    id: int
    nom: str
    structure_id: int


class ScopeChoices(BaseModel):
    network: bool = Field(description="La personne connectée voit les chiffres de tout le réseau (animation)")
    structures: list[ScopeStructure]
    services: list[ScopeService]


class Definition(BaseModel):
    key: str
    section: str
    label: str
    definition: str


class Definitions(BaseModel):
    threshold: int
    privacy: str = Field(description="La règle de protection des personnes")
    indicators: list[Definition]
