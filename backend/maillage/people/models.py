"""People accompanied by the network's structures (personnes accompagnées): minimal
identity and contact, situation and needs, and the record that they were informed."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from maillage.db import Base, UTCDateTime, utcnow


class ContactPreference(StrEnum):
    PHONE = "telephone"
    SMS = "sms"
    EMAIL = "courriel"
    MAIL = "courrier"
    THROUGH_COUNSELLOR = "par-le-prescripteur"


CONTACT_PREFERENCE_LABELS = {
    ContactPreference.PHONE: "Téléphone",
    ContactPreference.SMS: "SMS",
    ContactPreference.EMAIL: "Courriel",
    ContactPreference.MAIL: "Courrier",
    ContactPreference.THROUGH_COUNSELLOR: "Par l'intermédiaire du prescripteur",
}


class Gender(StrEnum):
    """Optional, for the network's anonymised figures (« Genre »)."""

    WOMAN = "femme"
    MAN = "homme"
    OTHER = "autre"


GENDER_LABELS = {Gender.WOMAN: "Femme", Gender.MAN: "Homme", Gender.OTHER: "Autre"}


class HeardVia(StrEnum):
    """How the person heard of the network (the seeds' channels)."""

    COUNSELLOR = "prescripteur"
    WORD_OF_MOUTH = "bouche-a-oreille"
    NEIGHBOURHOOD_EVENT = "evenement-de-quartier"
    JOB_CAFE = "cafe-emploi"
    TOWN_HALL = "mairie"
    SOCIAL_MEDIA = "reseaux-sociaux"
    PRESS = "presse"
    OTHER = "autre"


HEARD_VIA_LABELS = {
    HeardVia.COUNSELLOR: "Orientée par un professionnel",
    HeardVia.WORD_OF_MOUTH: "Bouche-à-oreille",
    HeardVia.NEIGHBOURHOOD_EVENT: "Événement dans le quartier (Jeudis de l'insertion…)",
    HeardVia.JOB_CAFE: "Café emploi",
    HeardVia.TOWN_HALL: "Mairie",
    HeardVia.SOCIAL_MEDIA: "Réseaux sociaux",
    HeardVia.PRESS: "Presse, journal municipal",
    HeardVia.OTHER: "Autre",
}


class Person(Base):
    __tablename__ = "person"
    __table_args__ = (
        Index("ix_person_network_id_names", "network_id", "last_name_key", "first_name_key"),
        Index("ix_person_network_id_phone_key", "network_id", "phone_key"),
        Index("ix_person_network_id_email_key", "network_id", "email_key"),
        Index("ix_person_last_activity_at", "last_activity_at"),
        Index("ix_person_created_by_structure_id", "created_by_structure_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    contact_preference: Mapped[str | None] = mapped_column(String(30))
    commune: Mapped[str | None] = mapped_column(String(150))
    code_insee: Mapped[str | None] = mapped_column(String(5))
    quartier: Mapped[str | None] = mapped_column(String(150))
    situation: Mapped[list[str]] = mapped_column(JSON, default=list)
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    heard_via: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str | None] = mapped_column(Text)

    # RGPD: the counsellor's recorded commitment that the person was informed.
    informed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    informed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_by_structure_id: Mapped[int | None] = mapped_column(ForeignKey("structure.id", ondelete="SET NULL"))

    # Normalised keys for duplicate detection inside a network (directory.text.unaccent, lower case,
    # digits only for the phone): written on every change by people.service.
    first_name_key: Mapped[str] = mapped_column(String(100))
    last_name_key: Mapped[str] = mapped_column(String(100))
    phone_key: Mapped[str | None] = mapped_column(String(20))
    email_key: Mapped[str | None] = mapped_column(String(254))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
