"""Reorientation: the person is oriented to another service by a new referral (sent on
behalf of the structure that sent the old one), and the old referral — sent or
accepted — is closed with the outcome « réorientation ». Both timelines point to each
other. Taken by the receiving structure or by an animator of the network (queue).
No HTTP here and no commit."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.db import utcnow
from maillage.directory.models import Service, Structure
from maillage.errors import InvalidInput, NotFound
from maillage.people.models import Person
from maillage.referrals import lifecycle, service
from maillage.referrals.models import Referral

ACTION = "reorient"


@dataclass(frozen=True)
class Reoriented:
    old: Referral
    new: Referral


async def reorient(
    session: AsyncSession,
    referral: Referral,
    *,
    service_id: int,
    motive: str | None,
    message: str | None,
    actor_user_id: int | None,
    actor_structure_id: int | None,
    now: datetime | None = None,
) -> Reoriented:
    """The new referral (through ``service.send_referral``), then the old one closed.
    409 if the old one is neither sent nor accepted (checked first, and again by the
    conditional UPDATE: of two concurrent actions one wins); 422 if the target service
    does not receive referrals."""
    now = now or utcnow()
    lifecycle.ensure_allowed(referral, ACTION)
    target = await session.get(Service, service_id)
    if target is None or target.network_id != referral.network_id:
        raise NotFound("Service introuvable.")
    if target.id == referral.service_id:
        raise InvalidInput("Choisissez un autre service que celui de l'orientation actuelle.")
    person = await session.get(Person, referral.person_id)
    new = await service.send_referral(
        session, person=person, service=target, sender_user_id=actor_user_id,
        sender_structure_id=referral.sender_structure_id,
        motive=(motive or "").strip() or referral.motive, needs=list(referral.needs or []),
        message=message, preferred_contact=referral.preferred_contact, reoriented_from_id=referral.id, now=now,
    )
    target_structure = await session.scalar(select(Structure.nom).where(Structure.id == target.structure_id))
    detail = f"Réorientée vers « {target.nom} » ({target_structure})."
    old = await service.transition(
        session, referral, ACTION, actor_user_id=actor_user_id, actor_structure_id=actor_structure_id,
        detail=detail, now=now, event_data={"reoriented_to_id": new.id},
    )
    return Reoriented(old=old, new=new)
