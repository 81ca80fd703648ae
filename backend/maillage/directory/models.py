"""Directory: networks, structures and their services (data·inclusion v1 fields + Maillage's own)."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from maillage.db import Base, UTCDateTime, utcnow


class StructureStatus(StrEnum):
    PUBLISHED = "published"
    DRAFT = "draft"
    ARCHIVED = "archived"


class ServiceStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUSPENDED = "suspended"
    ARCHIVED = "archived"


class TagKind(StrEnum):
    """What a ``service_tag`` row indexes (see ``ServiceTag``)."""

    THEMATIQUE = "thematique"
    CATEGORIE = "categorie"
    PUBLIC = "public"
    MODE_ACCUEIL = "mode_accueil"


class Network(Base):
    __tablename__ = "network"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    territory: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # Overrides of the network's rules (stall delays, retention): see referrals/rules.py.
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class _Address:
    """The address block data·inclusion shares between structures and services."""

    commune: Mapped[str | None] = mapped_column(String(150))
    code_postal: Mapped[str | None] = mapped_column(String(5))
    code_insee: Mapped[str | None] = mapped_column(String(5))
    adresse: Mapped[str | None] = mapped_column(String(300))
    complement_adresse: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    telephone: Mapped[str | None] = mapped_column(String(40))
    courriel: Mapped[str | None] = mapped_column(String(254))


class Structure(_Address, Base):
    __tablename__ = "structure"
    __table_args__ = (
        UniqueConstraint("network_id", "external_id"),
        Index("ix_structure_network_id_nom", "network_id", "nom"),
        Index("ix_structure_siret", "siret"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(100), default="maillage")
    status: Mapped[StructureStatus] = mapped_column(String(20), default=StructureStatus.PUBLISHED)

    nom: Mapped[str] = mapped_column(String(150))
    description: Mapped[str | None] = mapped_column(Text)
    siret: Mapped[str | None] = mapped_column(String(14))
    site_web: Mapped[str | None] = mapped_column(String(500))
    lien_source: Mapped[str | None] = mapped_column(String(500))
    horaires_accueil: Mapped[str | None] = mapped_column(String(500))
    accessibilite_lieu: Mapped[str | None] = mapped_column(String(500))
    reseaux_porteurs: Mapped[list[str]] = mapped_column(JSON, default=list)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    network: Mapped[Network] = relationship(lazy="raise")
    services: Mapped[list["Service"]] = relationship(back_populates="structure", lazy="raise")


class Service(_Address, Base):
    __tablename__ = "service"
    __table_args__ = (
        UniqueConstraint("network_id", "external_id"),
        Index("ix_service_network_id_status", "network_id", "status"),
        Index("ix_service_structure_id", "structure_id"),
        Index("ix_service_latitude_longitude", "latitude", "longitude"),
        Index("ix_service_code_insee", "code_insee"),
        Index("ix_service_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    structure_id: Mapped[int] = mapped_column(ForeignKey("structure.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(100), default="maillage")
    status: Mapped[ServiceStatus] = mapped_column(String(20), default=ServiceStatus.DRAFT)
    suspended_until: Mapped[date | None] = mapped_column(Date)

    nom: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[str | None] = mapped_column(String(50))
    thematiques: Mapped[list[str]] = mapped_column(JSON, default=list)
    frais: Mapped[str | None] = mapped_column(String(20))
    frais_precisions: Mapped[str | None] = mapped_column(Text)
    publics: Mapped[list[str]] = mapped_column(JSON, default=list)
    publics_precisions: Mapped[str | None] = mapped_column(Text)
    conditions_acces: Mapped[str | None] = mapped_column(Text)
    modes_accueil: Mapped[list[str]] = mapped_column(JSON, default=list)
    zone_eligibilite: Mapped[list[str] | None] = mapped_column(JSON)
    contact_nom_prenom: Mapped[str | None] = mapped_column(String(200))
    lien_mobilisation: Mapped[str | None] = mapped_column(String(500))
    modes_mobilisation: Mapped[list[str]] = mapped_column(JSON, default=list)
    mobilisable_par: Mapped[list[str]] = mapped_column(JSON, default=list)
    mobilisation_precisions: Mapped[str | None] = mapped_column(Text)
    volume_horaire_hebdomadaire: Mapped[float | None] = mapped_column(Float)
    nombre_semaines: Mapped[int | None] = mapped_column(Integer)
    horaires_accueil: Mapped[str | None] = mapped_column(String(500))
    lien_source: Mapped[str | None] = mapped_column(String(500))

    accepts_referrals: Mapped[bool] = mapped_column(Boolean, default=False)
    referral_emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    update_frequency_months: Mapped[int] = mapped_column(Integer, default=6)
    publishes_slots: Mapped[bool] = mapped_column(Boolean, default=False)

    # Normalised (unaccented, lower-case, French-stemmed) text that the full-text
    # index covers; written by directory.text.fill_search_text on every change.
    search_name: Mapped[str] = mapped_column(Text, default="")
    search_body: Mapped[str] = mapped_column(Text, default="")

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    structure: Mapped[Structure] = relationship(back_populates="services", lazy="raise")
    network: Mapped[Network] = relationship(lazy="raise")
    tags: Mapped[list["ServiceTag"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )


class ServiceTag(Base):
    """One filterable code of a service (thématique, its catégorie, public, mode d'accueil).

    The lists live on ``Service`` as JSON for display and export; this table is their
    index, so that filters and facet counts are indexed lookups on both databases.
    """

    __tablename__ = "service_tag"
    __table_args__ = (Index("ix_service_tag_kind_code_service_id", "kind", "code", "service_id"),)

    service_id: Mapped[int] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[TagKind] = mapped_column(String(20), primary_key=True)
    code: Mapped[str] = mapped_column(String(120), primary_key=True)
