"""The one permission model every route uses.

- anonymous: reads the public directory only;
- member of a structure: acts for that structure;
- admin of a structure: also edits its listing, members and API tokens;
- animator of a network: acts across that network, and nowhere else;
- platform admin: creates networks and first animators.

Each check raises a domain error with a French message (401 when not signed in,
403 when signed in but not allowed; callers use 404 where existence is private).
"""

from maillage.accounts.principal import Principal
from maillage.directory.models import Structure
from maillage.errors import Forbidden, Unauthorized


def signed_in(principal: Principal) -> Principal:
    if not principal.is_authenticated:
        raise Unauthorized("Connectez-vous pour accéder à cette page.")
    return principal


def user_signed_in(principal: Principal) -> Principal:
    if principal.user is None:
        signed_in(principal)
        raise Forbidden("Cette action demande un compte utilisateur, pas un jeton d'API.")
    return principal


def can_act_for(principal: Principal, structure: Structure) -> bool:
    return principal.is_member(structure.id) or principal.is_animator(structure.network_id)


def can_edit(principal: Principal, structure: Structure) -> bool:
    return (
        principal.is_admin(structure.id)
        or principal.is_animator(structure.network_id)
        or principal.is_platform_admin
    )


def ensure_member(principal: Principal, structure: Structure) -> None:
    signed_in(principal)
    if not (can_act_for(principal, structure) or principal.is_platform_admin):
        raise Forbidden("Vous n'êtes pas membre de cette structure.")


def ensure_can_edit(principal: Principal, structure: Structure) -> None:
    signed_in(principal)
    if not can_edit(principal, structure):
        raise Forbidden("Seuls les administrateurs de la structure et les animateurs du réseau peuvent la modifier.")


def ensure_structure_admin(principal: Principal, structure: Structure) -> None:
    """Members and invitations, API tokens: the structure's admins (and the network's animators)."""
    user_signed_in(principal)
    if not can_edit(principal, structure):
        raise Forbidden("Seuls les administrateurs de la structure peuvent gérer son équipe.")


def ensure_animator(principal: Principal, network_id: int) -> None:
    user_signed_in(principal)
    if not (principal.is_animator(network_id) or principal.is_platform_admin):
        raise Forbidden("Réservé aux animateurs de ce réseau.")


def ensure_platform_admin(principal: Principal) -> None:
    user_signed_in(principal)
    if not principal.is_platform_admin:
        raise Forbidden("Réservé aux administrateurs de la plateforme.")


def ensure_team_reader(principal: Principal, structure: Structure) -> None:
    """A structure's team page: its members and its network's animators, as users (not API tokens)."""
    user_signed_in(principal)
    ensure_member(principal, structure)


def ensure_self_or_structure_admin(principal: Principal, structure: Structure, user_id: int) -> None:
    """Leaving a team: the member themself, or whoever manages the team."""
    user_signed_in(principal)
    if principal.user_id != user_id:
        ensure_structure_admin(principal, structure)
