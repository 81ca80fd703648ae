"""Demo personas: one click signs in as one of them (demo mode only)."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.accounts.models import (
    Membership,
    MembershipRole,
    NetworkRole,
    NetworkRoleKind,
    User,
)
from maillage.directory.models import Network, Structure


@dataclass(frozen=True)
class Persona:
    key: str
    email: str
    first_name: str
    last_name: str
    title: str
    description: str
    network: str
    structure_key: str | None = None
    role: MembershipRole = MembershipRole.MEMBER
    animator: bool = False


PERSONAS = (
    Persona("conseillere-mission-locale", "amina.benali@mission-locale-lyr.example.org", "Amina", "Benali",
            "Conseillère à la Mission Locale",
            "Accompagne des jeunes de 16 à 25 ans et les oriente vers les structures du réseau.",
            "pantin", "mission-locale-lyr"),
    Persona("referent-rsa", "julien.moreau@pantin-rsa.example.org", "Julien", "Moreau", "Référent RSA",
            "Suit des allocataires du RSA au pôle RSA de la ville.", "pantin", "pole-rsa"),
    Persona("admin-structure-accueil", "sophie.lambert@table-ourcq.example.org", "Sophie", "Lambert",
            "Administratrice d'une structure d'accueil",
            "Encadrante au restaurant d'insertion La Table de l'Ourcq : tient à jour la fiche et reçoit les orientations.",
            "pantin", "table-de-l-ourcq", MembershipRole.ADMIN),
    Persona("animatrice-reseau", "claire.dubois@reseau-pantin.example.org", "Claire", "Dubois",
            "Animatrice du réseau",
            "Anime le réseau local des acteurs de l'insertion de Pantin : suit les orientations en souffrance.",
            "pantin", animator=True),
)
PERSONAS_BY_KEY = {p.key: p for p in PERSONAS}


async def seed_personas(session: AsyncSession) -> None:
    """Create the demo users with their memberships and roles (idempotent)."""
    for persona in PERSONAS:
        user = await session.scalar(select(User).where(User.email == persona.email))
        if user is None:
            user = User(email=persona.email, first_name=persona.first_name, last_name=persona.last_name)
            session.add(user)
            await session.flush()
        network_id = await session.scalar(select(Network.id).where(Network.slug == persona.network))
        if persona.structure_key:
            structure_id = await session.scalar(
                select(Structure.id).where(
                    Structure.network_id == network_id,
                    Structure.external_id == f"maillage--{persona.network}-{persona.structure_key}",
                )
            )
            exists = await session.scalar(
                select(Membership.id).where(Membership.user_id == user.id, Membership.structure_id == structure_id)
            )
            if exists is None:
                session.add(Membership(user_id=user.id, structure_id=structure_id, role=persona.role))
        if persona.animator:
            exists = await session.scalar(
                select(NetworkRole.id).where(NetworkRole.user_id == user.id, NetworkRole.network_id == network_id)
            )
            if exists is None:
                session.add(NetworkRole(user_id=user.id, network_id=network_id, role=NetworkRoleKind.ANIMATOR))
    await session.flush()


async def persona_user(session: AsyncSession, key: str) -> User | None:
    persona = PERSONAS_BY_KEY.get(key)
    if persona is None:
        return None
    return await session.scalar(select(User).where(User.email == persona.email))
