"""Who may do what with places, slots and bookings (on top of ``maillage.permissions``):

- a structure's places and calendar feeds: its admins and the network's animators;
- its slots and series, its agenda: its members and the network's animators (and the
  platform admins, who may edit every listing); a reader who is not a member is audited;
- a service's free slots: signed-in members of the network's structures (those of other
  structures see only the slots open to the network);
- a booking is made on a referral, by either side (the sending side only on slots open to
  the network); moved or cancelled by either side; attendance by the receiving side;
  animators everywhere in their network.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from maillage import permissions
from maillage.accounts.principal import Principal
from maillage.appointments.models import Booking
from maillage.audit.service import record
from maillage.directory.models import Service, Structure
from maillage.errors import Forbidden, NotFound
from maillage.referrals import access as referral_access
from maillage.referrals.access import Access
from maillage.referrals.models import Referral


async def structure_for(session: AsyncSession, structure_id: int) -> Structure:
    structure = await session.get(Structure, structure_id)
    if structure is None:
        raise NotFound("Structure introuvable.")
    return structure


async def service_for(session: AsyncSession, service_id: int) -> Service:
    service = await session.get(Service, service_id)
    if service is None:
        raise NotFound("Service introuvable.")
    return service


def ensure_agenda_member(principal: Principal, structure: Structure) -> None:
    """Members of the structure (not through an API token of another) and animators."""
    permissions.signed_in(principal)
    if not (principal.is_member(structure.id) or principal.is_animator(structure.network_id)
            or principal.is_platform_admin):
        raise Forbidden("Seuls les membres de la structure et les animateurs du réseau gèrent son agenda.")


def ensure_network_member(principal: Principal, service: Service) -> bool:
    """May see the service's free slots; returns whether they see the structure-only ones too."""
    permissions.signed_in(principal)
    own = principal.is_member(service.structure_id) or principal.is_animator(service.network_id)
    if not own and service.network_id not in principal.network_ids:
        raise Forbidden("Les créneaux sont réservés aux structures du réseau.")
    return own


async def audit_agenda_read(session: AsyncSession, principal: Principal, structure: Structure) -> None:
    if not principal.is_member(structure.id):
        await record(session, referral_access.PERSONAL_DATA_READ, f"Lecture de l'agenda de {structure.nom}",
                     actor_id=principal.user_id, network_id=structure.network_id, target_type="structure",
                     target_id=structure.id)


async def booking_with_access(session: AsyncSession, principal: Principal, booking_id: int
                              ) -> tuple[Booking, Referral, Access]:
    """The booking and its referral if the principal sees the referral; 404 otherwise."""
    permissions.signed_in(principal)
    booking = await session.get(Booking, booking_id)
    if booking is None or booking.referral_id is None:
        raise NotFound("Rendez-vous introuvable.")
    referral = await session.get(Referral, booking.referral_id)
    access = referral_access.access_of(principal, referral) if referral else None
    if access is None:
        raise NotFound("Rendez-vous introuvable.")
    return booking, referral, access


def acting_structure(access: Access, referral: Referral) -> int | None:
    return referral_access.actor_structure(access, referral, "either")
