"""Platform administration: networks and their first animators."""

from fastapi import APIRouter, status

from maillage import permissions
from maillage.accounts import network_admin
from maillage.accounts.deps import PrincipalDep
from maillage.accounts.routes import SettingsDep
from maillage.accounts.team_schemas import (
    AdminNetworkOut,
    AnimatorIn,
    AnimatorOut,
    NetworkIn,
)
from maillage.db import SessionDep
from maillage.directory.models import Network
from maillage.directory.service import get_network
from maillage.pagination import Page, PageDep

router = APIRouter(prefix="/admin", tags=["administration"])


def _network(network: Network, structures: int = 0, members: int = 0, animators: int = 0) -> AdminNetworkOut:
    return AdminNetworkOut(
        id=network.id, slug=network.slug, name=network.name, territory=network.territory,
        description=network.description, latitude=network.latitude, longitude=network.longitude,
        created_at=network.created_at, structures_count=structures, members_count=members,
        animators_count=animators,
    )


@router.get("/networks", response_model=Page[AdminNetworkOut], summary="Tous les réseaux (administration)")
async def list_networks(principal: PrincipalDep, session: SessionDep, page: PageDep) -> Page[AdminNetworkOut]:
    permissions.ensure_platform_admin(principal)
    rows, total = await network_admin.list_networks(session, page)
    return Page[AdminNetworkOut].of([_network(*row) for row in rows], total, page)


@router.post("/networks", response_model=AdminNetworkOut, status_code=status.HTTP_201_CREATED,
             summary="Créer un réseau")
async def create_network(body: NetworkIn, principal: PrincipalDep, session: SessionDep) -> AdminNetworkOut:
    permissions.ensure_platform_admin(principal)
    network = await network_admin.create_network(session, principal.user, **body.model_dump())
    return _network(network)


@router.post("/networks/{slug}/animators", response_model=AnimatorOut, status_code=status.HTTP_201_CREATED,
             summary="Nommer un·e animateur·rice du réseau")
async def add_animator(slug: str, body: AnimatorIn, principal: PrincipalDep, session: SessionDep,
                       settings: SettingsDep) -> AnimatorOut:
    permissions.ensure_platform_admin(principal)
    network = await get_network(session, slug)
    user, created = await network_admin.add_animator(session, network, body.email, body.first_name, body.last_name,
                                            principal.user, settings)
    return AnimatorOut(user_id=user.id, email=user.email, display_name=user.display_name, network_slug=network.slug,
                       user_created=created)
