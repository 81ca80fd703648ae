"""Who may see and act on a referral, a person and an inbox.

- a referral is visible to the members of its sending and receiving structures and to
  the animators of its network (their reads are audited); to anyone else it does not
  exist (404);
- receiver-side actions (accept, refuse, log a contact, close, reorient): the receiving
  structure's members, or an animator; sender-side (cancel): the sending structure's
  members, or an animator; messages: either side (and animators); documents: joined by
  either side, read by whoever sees the referral;
- a person may be oriented by a structure that created them or sent / received one of
  their referrals, or by an animator of their network (a minimal check until the people
  domain's visibility rules exist).
"""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from maillage import permissions
from maillage.accounts.principal import Principal
from maillage.audit.service import record
from maillage.directory.models import Structure
from maillage.errors import Forbidden, InvalidInput, NotFound
from maillage.people.models import Person
from maillage.people.visibility import access_to
from maillage.referrals import service
from maillage.referrals.models import Referral, ReferralStatus

PERSONAL_DATA_READ = "lecture_donnees_personnelles"
PERSON_NOT_FOUND = "Personne introuvable."


@dataclass(frozen=True)
class Access:
    sender: bool      # member of the sending structure
    receiver: bool    # member of the receiving structure
    animator: bool    # animator of the referral's network

    @property
    def outsider(self) -> bool:
        """An animator reading a referral of structures they are not a member of."""
        return not (self.sender or self.receiver)


def access_of(principal: Principal, referral: Referral) -> Access | None:
    found = Access(
        sender=principal.is_member(referral.sender_structure_id),
        receiver=principal.is_member(referral.receiver_structure_id),
        animator=principal.is_animator(referral.network_id),
    )
    return found if (found.sender or found.receiver or found.animator) else None


async def load(session: AsyncSession, principal: Principal, referral_id: int) -> tuple[Referral, Access]:
    """The referral if the principal may see it; 401 anonymous, 404 otherwise."""
    permissions.signed_in(principal)
    referral = await service.get_referral(session, referral_id)
    access = access_of(principal, referral)
    if access is None:
        raise NotFound(service.NOT_FOUND)
    return referral, access


async def audit_read(session: AsyncSession, principal: Principal, referral: Referral, access: Access) -> None:
    if access.outsider:
        await record(session, PERSONAL_DATA_READ, f"Lecture de l'orientation n° {referral.id}",
                     actor_id=principal.user_id, network_id=referral.network_id, target_type="referral",
                     target_id=referral.id, person_id=referral.person_id)


def ensure_receiver(access: Access) -> None:
    if not (access.receiver or access.animator):
        raise Forbidden("Seule la structure qui reçoit l'orientation peut faire cette action.")


def ensure_sender(access: Access) -> None:
    if not (access.sender or access.animator):
        raise Forbidden("Seule la structure qui a envoyé l'orientation peut l'annuler.")


def actor_structure(access: Access, referral: Referral, side: str) -> int | None:
    """The structure an action is taken for (None when an animator acts from outside)."""
    if side == "receiver" and access.receiver:
        return referral.receiver_structure_id
    if side == "sender" and access.sender:
        return referral.sender_structure_id
    if side == "either":
        if access.receiver:
            return referral.receiver_structure_id
        if access.sender:
            return referral.sender_structure_id
    return None


def allowed_actions(referral: Referral, access: Access) -> list[str]:
    receiver = access.receiver or access.animator
    sender = access.sender or access.animator
    actions: list[str] = []
    if referral.status == ReferralStatus.SENT:
        if receiver:
            actions += ["accept", "refuse"]
        if sender:
            actions.append("cancel")
    elif referral.status == ReferralStatus.ACCEPTED and receiver:
        actions += ["log_contact", "close"]
    is_open = referral.status in (ReferralStatus.SENT, ReferralStatus.ACCEPTED)
    if is_open and receiver:
        actions.append("reorient")
    if is_open and not access.outsider:
        actions.append("attach")
    if is_open and (receiver or sender):
        actions.append("book")
    actions.append("message")
    return actions


def ensure_side(access: Access) -> None:
    """Documents are joined by the structures of the referral (not by an animator from outside)."""
    if access.outsider:
        raise Forbidden("Seules les structures qui envoient ou reçoivent l'orientation peuvent y joindre un document.")


# ---------------------------------------------------------------- sending


def sending_structure_id(principal: Principal, structure_id: int | None) -> int:
    """The structure a referral is sent for: given, or the current one; the caller's own."""
    permissions.signed_in(principal)
    chosen = structure_id if structure_id is not None else principal.current_structure_id
    if chosen is None:
        raise Forbidden("Orienter une personne demande d'être membre d'une structure du réseau.")
    if not principal.is_member(chosen):
        raise Forbidden("Vous n'êtes pas membre de cette structure.")
    return chosen


async def visible_person(session: AsyncSession, principal: Principal, person_id: int) -> Person:
    """The person if the principal may see them, by the people's privacy rule
    (people.visibility); 404 otherwise: existence is private."""
    person = await session.get(Person, person_id)
    if person is None or await access_to(session, principal, person) is None:
        raise NotFound(PERSON_NOT_FOUND)
    return person


# ---------------------------------------------------------------- inboxes


async def inbox_structure(session: AsyncSession, principal: Principal, structure_id: int | None) -> Structure:
    """A structure whose inbox the principal may read (member, or animator of its network)."""
    permissions.signed_in(principal)
    chosen = structure_id if structure_id is not None else principal.current_structure_id
    if chosen is None:
        raise InvalidInput("Indiquez la structure (structure_id).")
    structure = await session.get(Structure, chosen)
    if structure is None:
        raise NotFound("Structure introuvable.")
    if not (principal.is_member(structure.id) or principal.is_animator(structure.network_id)):
        raise Forbidden("Vous n'êtes pas membre de cette structure.")
    return structure


async def audit_inbox_read(session: AsyncSession, principal: Principal, structure: Structure, direction: str) -> None:
    if not principal.is_member(structure.id):
        sens = "reçues" if direction == "received" else "envoyées"
        await record(session, PERSONAL_DATA_READ, f"Lecture des orientations {sens} de {structure.nom}",
                     actor_id=principal.user_id, network_id=structure.network_id, target_type="structure",
                     target_id=structure.id)
