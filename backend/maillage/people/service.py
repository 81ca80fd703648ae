"""People: create (after a duplicate check inside the network), find among the people
one may see, read, edit, export and erase. No HTTP here, and no commit."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from maillage.accounts.principal import Principal, StructureRole
from maillage.audit.service import record
from maillage.directory.models import Service, Structure
from maillage.directory.text import unaccent
from maillage.errors import Conflict, Forbidden, InvalidInput, NotFound
from maillage.pagination import PageParams
from maillage.people import retention
from maillage.people.models import Person
from maillage.people.schemas import INFORMED_MESSAGE, PersonCreate, PersonEdit
from maillage.people.visibility import (
    NOT_FOUND,
    READ_ACTION,
    Access,
    concerned_member,
    visible_people,
    visible_referrals,
)
from maillage.referrals.models import (
    Referral,
    ReferralAttachment,
    ReferralContact,
    ReferralEvent,
    ReferralMessage,
)

MAX_CANDIDATES = 10
DUPLICATE_MESSAGE = (
    "Une ou plusieurs personnes déjà connues du réseau ressemblent à celle-ci. Vérifiez qu'il ne s'agit pas "
    "de la même personne, ou confirmez la création d'une nouvelle fiche."
)
ANONYMISED_MESSAGE = "Cette personne a été anonymisée : sa fiche ne peut plus être modifiée."

# ---------------------------------------------------------------- normalised keys

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def name_key(value: str | None) -> str:
    """« Jean-Pierre  N'Diaye » → ``"jean pierre n diaye"`` (unaccented, lower case)."""
    return _NOT_ALNUM.sub(" ", unaccent(value or "").lower()).strip()[:100]


def phone_key(value: str | None) -> str | None:
    """Digits only, French international prefix folded: « +33 6 12 34 56 78 »,
    « 0033 (0)6 12 34 56 78 » and « 06.12.34.56.78 » all give ``"0612345678"``."""
    if not value:
        return None
    digits = re.sub(r"\D", "", value)
    international = value.strip().startswith("+")
    if digits.startswith("0033"):
        digits, international = digits[2:], True
    if international and digits.startswith("33"):
        digits = digits[2:]
        digits = digits if digits.startswith("0") else "0" + digits
    return digits[:20] or None


def email_key(value: str | None) -> str | None:
    return value.strip().lower()[:254] if value and value.strip() else None


def _set_keys(person: Person) -> None:
    person.first_name_key = name_key(person.first_name)
    person.last_name_key = name_key(person.last_name)
    person.phone_key = phone_key(person.phone)
    person.email_key = email_key(person.email)


# ---------------------------------------------------------------- acting structure


def acting_structure(principal: Principal, structure_id: int | None) -> StructureRole:
    """The structure the principal creates people for: the one named, or their current one."""
    wanted = structure_id if structure_id is not None else principal.current_structure_id
    role = principal.memberships.get(wanted) if wanted is not None else None
    if role is None:
        if structure_id is not None:
            raise Forbidden("Vous n'êtes pas membre de cette structure.")
        raise Forbidden("Choisissez la structure pour laquelle vous agissez : seuls ses membres peuvent "
                        "enregistrer une personne.")
    return role


# ---------------------------------------------------------------- duplicates


@dataclass(frozen=True)
class Candidate:
    id: int
    display_name: str
    birth_year: int | None
    commune: str | None
    matched_on: list[str]
    can_see: bool


class ProbableDuplicates(Conflict):
    """Likely duplicates were found: the caller must look at them or confirm."""

    code = "doublon_probable"

    def __init__(self, candidates: list[Candidate]):
        super().__init__(DUPLICATE_MESSAGE)
        self.candidates = candidates


def _initial(last_name: str) -> str:
    return (last_name.strip()[:1].upper() + ".") if last_name.strip() else ""


async def find_duplicates(
    session: AsyncSession, principal: Principal, network_id: int, *, first_name: str | None = None,
    last_name: str | None = None, birth_date: date | None = None, phone: str | None = None,
    email: str | None = None, exclude_id: int | None = None,
) -> list[Candidate]:
    """People of the network that look like the one described: same names and birth
    date, or same phone, or same email. Shown with as little as needed to decide."""
    criteria: dict[str, ColumnElement[bool]] = {}
    first, last = name_key(first_name), name_key(last_name)
    if first and last and birth_date:
        criteria["noms_et_date_de_naissance"] = (
            (Person.first_name_key == first) & (Person.last_name_key == last) & (Person.birth_date == birth_date)
        )
    if key := phone_key(phone):
        criteria["telephone"] = Person.phone_key == key
    if key := email_key(email):
        criteria["courriel"] = Person.email_key == key
    if not criteria:
        return []
    conditions = [Person.network_id == network_id, Person.anonymised_at.is_(None), or_(*criteria.values())]
    if exclude_id is not None:
        conditions.append(Person.id != exclude_id)
    rows = await session.execute(
        select(Person, visible_people(principal).label("can_see"), *(c.label(n) for n, c in criteria.items()))
        .where(*conditions)
        .order_by(Person.last_activity_at.desc(), Person.id)
        .limit(MAX_CANDIDATES)
    )
    return [
        Candidate(
            id=person.id, display_name=f"{person.first_name} {_initial(person.last_name)}".strip(),
            birth_year=person.birth_date.year if person.birth_date else None, commune=person.commune,
            matched_on=[name for name, hit in zip(criteria, flags, strict=True) if hit], can_see=bool(can_see),
        )
        for person, can_see, *flags in rows.all()
    ]


# ---------------------------------------------------------------- create and edit


async def create_person(
    session: AsyncSession, principal: Principal, structure: StructureRole, data: PersonCreate, now: datetime
) -> Person:
    """Raises ``InvalidInput`` without the RGPD commitment and ``ProbableDuplicates``
    when the network already knows someone alike (unless ``confirm_new``)."""
    if not data.informed:
        raise InvalidInput(INFORMED_MESSAGE)
    if not data.confirm_new:
        candidates = await find_duplicates(
            session, principal, structure.network_id, first_name=data.first_name, last_name=data.last_name,
            birth_date=data.birth_date, phone=data.phone, email=data.email,
        )
        if candidates:
            raise ProbableDuplicates(candidates)
    values = data.model_dump(exclude={"informed", "structure_id", "confirm_new"})
    person = Person(
        network_id=structure.network_id, **values, informed_at=now, informed_by_id=principal.user_id,
        created_by_structure_id=structure.structure_id, created_at=now, updated_at=now, last_activity_at=now,
    )
    _set_keys(person)
    session.add(person)
    await session.flush()
    await record(
        session, "creation_personne", f"Création de la fiche de la personne n° {person.id}",
        actor_id=principal.user_id, network_id=person.network_id, target_type="person", target_id=person.id,
        structure_id=structure.structure_id,
    )
    return person


async def update_person(
    session: AsyncSession, principal: Principal, person: Person, edit: PersonEdit, now: datetime
) -> Person:
    if person.anonymised_at is not None:
        raise Conflict(ANONYMISED_MESSAGE)
    changes = edit.model_dump(exclude_unset=True)
    for required in ("first_name", "last_name"):
        if required in changes and not changes[required]:
            raise InvalidInput("Le prénom et le nom ne peuvent pas être vides.")
    for name in ("situation", "needs"):
        if name in changes and changes[name] is None:
            changes[name] = []
    changed = sorted(k for k, v in changes.items() if getattr(person, k) != v)
    for name, value in changes.items():
        setattr(person, name, value)
    _set_keys(person)
    if changed:
        person.updated_at = now
        person.last_activity_at = now
        await record(
            session, "modification_personne", f"Modification de la fiche de la personne n° {person.id}",
            actor_id=principal.user_id, network_id=person.network_id, target_type="person", target_id=person.id,
            fields=changed,
        )
    await session.flush()
    return person


# ---------------------------------------------------------------- find and read


async def get_person(session: AsyncSession, person_id: int) -> Person:
    person = await session.get(Person, person_id)
    if person is None:
        raise NotFound(NOT_FOUND)
    return person


def _search_condition(q: str) -> ColumnElement[bool]:
    """Names (every word a prefix of a word of the first or last name), phone or email."""
    alternatives = []
    words = name_key(q).split()
    if words:
        def word_matches(word: str) -> ColumnElement[bool]:
            return or_(*(
                c for column in (Person.first_name_key, Person.last_name_key)
                for c in (column.startswith(word), column.contains(" " + word))
            ))
        alternatives.append(and_(*(word_matches(w) for w in words)))
    digits = phone_key(q)
    if digits and len(digits) >= 4 and not re.search(r"[A-Za-z@]", q):
        alternatives.append(Person.phone_key.contains(digits))
    if "@" in q:
        alternatives.append(Person.email_key.startswith(q.strip().lower(), autoescape=True))
    return or_(*alternatives) if alternatives else false()


@dataclass
class SearchResult:
    people: list[tuple[Person, bool]] = field(default_factory=list)
    total: int = 0


async def search_people(
    session: AsyncSession, principal: Principal, q: str | None, page: PageParams
) -> SearchResult:
    """People visible to the principal (never anyone else, not even in the count), not
    anonymised, matching ``q``. Each comes with whether the principal is a member of a
    concerned structure; animators' reads of the others are audited."""
    conditions = [visible_people(principal), Person.anonymised_at.is_(None)]
    if q and q.strip():
        conditions.append(_search_condition(q))
    total = await session.scalar(select(func.count()).select_from(Person).where(*conditions)) or 0
    # Without an animator role, every visible person concerns one of the principal's structures.
    concerned = concerned_member(principal) if principal.animator_of else true()
    rows = (await session.execute(
        select(Person, concerned.label("concerned"))
        .where(*conditions)
        .order_by(Person.last_name_key, Person.first_name_key, Person.id)
        .offset(page.offset).limit(page.page_size)
    )).all()
    result = SearchResult(people=[(p, bool(concerned)) for p, concerned in rows], total=total)
    outside = [p for p, concerned in result.people if not concerned]
    for network_id in sorted({p.network_id for p in outside}):
        ids = [p.id for p in outside if p.network_id == network_id]
        await record(
            session, READ_ACTION, f"Recherche de personnes par un animateur : {len(ids)} fiche(s) affichée(s)",
            actor_id=principal.user_id, network_id=network_id, target_type="person", person_ids=ids,
        )
    return result


@dataclass(frozen=True)
class ReferralLine:
    id: int
    service_id: int
    service_nom: str
    sender_structure_id: int
    sender_structure_nom: str
    receiver_structure_id: int
    receiver_structure_nom: str
    status: str
    sent_at: datetime


async def person_referrals(session: AsyncSession, principal: Principal, person: Person) -> list[ReferralLine]:
    """The person's referrals that the viewer may see, newest first, in one query."""
    sender, receiver = aliased(Structure), aliased(Structure)
    rows = await session.execute(
        select(Referral.id, Referral.service_id, Service.nom, Referral.sender_structure_id, sender.nom,
               Referral.receiver_structure_id, receiver.nom, Referral.status, Referral.sent_at)
        .join(Service, Service.id == Referral.service_id)
        .join(sender, sender.id == Referral.sender_structure_id)
        .join(receiver, receiver.id == Referral.receiver_structure_id)
        .where(Referral.person_id == person.id, Referral.network_id == person.network_id,
               visible_referrals(principal))
        .order_by(Referral.sent_at.desc(), Referral.id.desc())
    )
    return [ReferralLine(*row) for row in rows.all()]


def can_erase(principal: Principal, access: Access) -> bool:
    return access.admin_of_concerned or access.animator


# ---------------------------------------------------------------- export and erasure


def _columns(row) -> dict:
    return {attr.key: getattr(row, attr.key) for attr in row.__mapper__.column_attrs}


async def export_person(session: AsyncSession, principal: Principal, person: Person, now: datetime) -> dict:
    """Everything held on the person (right of access), in six queries; audited. The
    documents are listed (name, type, size, date): each is downloaded from its referral."""
    sender, receiver = aliased(Structure), aliased(Structure)
    referral_rows = (await session.execute(
        select(Referral, Service.nom, sender.nom, receiver.nom)
        .join(Service, Service.id == Referral.service_id)
        .join(sender, sender.id == Referral.sender_structure_id)
        .join(receiver, receiver.id == Referral.receiver_structure_id)
        .where(Referral.person_id == person.id)
        .order_by(Referral.sent_at, Referral.id)
    )).all()
    ids = [r.id for r, *_ in referral_rows]
    children: dict[str, dict[int, list[dict]]] = {"events": {}, "contacts": {}, "messages": {}, "bookings": {},
                                                  "attachments": {}}
    if ids:
        from maillage.appointments.models import Booking  # appointments build on people

        for name, model, order in (
            ("events", ReferralEvent, ReferralEvent.created_at),
            ("contacts", ReferralContact, ReferralContact.contacted_at),
            ("messages", ReferralMessage, ReferralMessage.created_at),
            ("bookings", Booking, Booking.starts_at),
        ):
            for row in (await session.scalars(
                select(model).where(model.referral_id.in_(ids)).order_by(order, model.id)
            )).all():
                children[name].setdefault(row.referral_id, []).append(_columns(row))
        for row in (await session.execute(
            select(ReferralAttachment.referral_id, ReferralAttachment.id, ReferralAttachment.filename,
                   ReferralAttachment.content_type, ReferralAttachment.size, ReferralAttachment.created_at)
            .where(ReferralAttachment.referral_id.in_(ids))
            .order_by(ReferralAttachment.created_at, ReferralAttachment.id)
        )).all():
            children["attachments"].setdefault(row.referral_id, []).append(
                {"id": row.id, "filename": row.filename, "content_type": row.content_type, "size": row.size,
                 "created_at": row.created_at})
    referrals = [
        {
            **_columns(referral), "service_nom": service_nom, "sender_structure_nom": sender_nom,
            "receiver_structure_nom": receiver_nom,
            **{name: children[name].get(referral.id, []) for name in children},
        }
        for referral, service_nom, sender_nom, receiver_nom in referral_rows
    ]
    await record(
        session, "export_donnees_personnelles", f"Export des données de la personne n° {person.id}",
        actor_id=principal.user_id, network_id=person.network_id, target_type="person", target_id=person.id,
    )
    return {"exported_at": now, "person": _columns(person), "referrals": referrals}


async def erase_person(session: AsyncSession, principal: Principal, person: Person, access: Access,
                       now: datetime) -> Person:
    """Erasure on request: the person is anonymised and the documents joined to their
    referrals deleted; the referrals are kept for the statistics."""
    if not can_erase(principal, access):
        raise Forbidden("Seuls les administrateurs d'une structure concernée et les animateurs du réseau "
                        "peuvent effacer les données d'une personne.")
    if person.anonymised_at is None:
        await retention.anonymise_people(session, [Person.id == person.id], now)
        await record(
            session, "effacement_donnees_personnelles", f"Effacement des données de la personne n° {person.id}",
            actor_id=principal.user_id, network_id=person.network_id, target_type="person", target_id=person.id,
        )
        await session.refresh(person)
    return person
