"""Sign-in, sign-out and the current user's session."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.accounts import service
from maillage.accounts.deps import (
    CSRF_COOKIE,
    PrincipalDep,
    clear_session_cookies,
    set_csrf_cookie,
    set_session_cookies,
)
from maillage.accounts.models import User, UserSession
from maillage.accounts.principal import Principal, load_roles
from maillage.accounts.schemas import (
    DemoLoginIn,
    LoginLinkIn,
    MembershipOut,
    MeOut,
    Message,
    NetworkRef,
    PersonaOut,
    ProfileIn,
    SignInMethods,
    SwitchIn,
    TokenIn,
    UserOut,
)
from maillage.accounts.tokens import new_secret
from maillage.config import Settings
from maillage.db import SessionDep
from maillage.demo.personas import PERSONAS, persona_user
from maillage.directory.models import Network, Structure
from maillage.errors import NotFound
from maillage.ops.ratelimit import limit_sign_in
from maillage.permissions import user_signed_in

router = APIRouter(prefix="/auth", tags=["connexion"])


def _settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(_settings)]


async def _me(session: AsyncSession, principal: Principal, csrf: str, settings: Settings) -> MeOut:
    user = principal.user
    networks = (await session.scalars(
        select(Network).where(Network.id.in_(principal.animator_of)).order_by(Network.name)
    )).all() if principal.animator_of else []
    return MeOut(
        user=UserOut(id=user.id, email=user.email, first_name=user.first_name, last_name=user.last_name,
                     display_name=user.display_name) if user else None,
        memberships=[
            MembershipOut(membership_id=m.membership_id, structure_id=m.structure_id,
                          structure_nom=m.structure_nom, network_id=m.network_id, role=m.role)
            for m in sorted(principal.memberships.values(), key=lambda m: m.structure_nom)
        ],
        animator_of=sorted(principal.animator_of),
        animator_networks=[NetworkRef(id=n.id, slug=n.slug, name=n.name, territory=n.territory) for n in networks],
        is_platform_admin=principal.is_platform_admin,
        current_structure_id=principal.current_structure_id,
        csrf_token=csrf,
        methods=SignInMethods(oidc=settings.oidc_enabled, oidc_label=settings.oidc_label, demo=settings.demo),
    )


async def sign_in(session: AsyncSession, response: Response, user: User, method: str, settings: Settings) -> MeOut:
    token, user_session = await service.open_session(session, user, method, settings)
    set_session_cookies(response, token, user_session.csrf_token, settings)
    memberships, networks = await load_roles(session, user.id)
    principal = Principal(user=user, session_id=user_session.id, memberships=memberships, animator_of=networks,
                          is_platform_admin=user.is_platform_admin, current_structure_id=user_session.structure_id)
    return await _me(session, principal, user_session.csrf_token, settings)


@router.get("/me", response_model=MeOut, summary="Utilisateur connecté (ou visiteur)")
async def me(request: Request, response: Response, principal: PrincipalDep, session: SessionDep,
             settings: SettingsDep) -> MeOut:
    csrf = request.cookies.get(CSRF_COOKIE)
    if principal.session_id is not None:
        csrf = await session.scalar(select(UserSession.csrf_token).where(UserSession.id == principal.session_id))
    if not csrf:
        csrf = new_secret()
    set_csrf_cookie(response, csrf, settings)
    return await _me(session, principal, csrf, settings)


@router.patch("/me", response_model=MeOut, summary="Modifier son prénom et son nom")
async def edit_profile(body: ProfileIn, request: Request, principal: PrincipalDep, session: SessionDep,
                       settings: SettingsDep) -> MeOut:
    user_signed_in(principal)
    principal.user.first_name = body.first_name.strip()
    principal.user.last_name = body.last_name.strip()
    return await _me(session, principal, request.headers.get("x-csrf-token", ""), settings)


@router.post("/login-link", response_model=Message, status_code=status.HTTP_202_ACCEPTED,
             summary="Recevoir un lien de connexion par courriel")
async def login_link(body: LoginLinkIn, request: Request, session: SessionDep, settings: SettingsDep) -> Message:
    ip = request.client.host if request.client else "inconnue"
    await service.request_login_link(session, body.email, ip, settings)
    return Message(detail="Si cette adresse est connue, un lien de connexion valable 15 minutes vient d'y être envoyé.")


@router.post("/login-link/consume", response_model=MeOut, summary="Se connecter avec un lien reçu par courriel")
async def consume_login_link(body: TokenIn, response: Response, session: SessionDep, settings: SettingsDep) -> MeOut:
    user = await service.consume_login_link(session, body.token)
    return await sign_in(session, response, user, "lien", settings)


def _demo_only(settings: Settings) -> None:
    if not settings.demo:
        raise NotFound("Ressource introuvable.")


@router.get("/demo/personas", response_model=list[PersonaOut], summary="Personas de démonstration")
async def demo_personas(session: SessionDep, settings: SettingsDep) -> list[PersonaOut]:
    _demo_only(settings)
    keys = {p.structure_key for p in PERSONAS if p.structure_key}
    names = dict((await session.execute(
        select(Structure.external_id, Structure.nom).where(
            Structure.external_id.in_([f"maillage--{p.network}-{p.structure_key}" for p in PERSONAS if p.structure_key])
        )
    )).all()) if keys else {}
    return [
        PersonaOut(key=p.key, title=p.title, name=f"{p.first_name} {p.last_name}", description=p.description,
                   structure=names.get(f"maillage--{p.network}-{p.structure_key}"))
        for p in PERSONAS
    ]


@router.post("/demo", response_model=MeOut, summary="Se connecter comme un persona (mode démo)",
             dependencies=[Depends(limit_sign_in)])
async def demo_login(body: DemoLoginIn, response: Response, session: SessionDep, settings: SettingsDep) -> MeOut:
    _demo_only(settings)
    user = await persona_user(session, body.persona)
    if user is None:
        raise NotFound(f"Le persona « {body.persona} » n'existe pas.")
    return await sign_in(session, response, user, "démo", settings)


@router.post("/logout", response_model=Message, summary="Se déconnecter")
async def logout(response: Response, principal: PrincipalDep, session: SessionDep, settings: SettingsDep) -> Message:
    if principal.session_id is not None:
        await service.revoke_session(session, principal.session_id)
    clear_session_cookies(response, settings)
    return Message(detail="Vous êtes déconnecté·e.")


@router.post("/switch", response_model=MeOut, summary="Changer de structure active")
async def switch(body: SwitchIn, principal: PrincipalDep, session: SessionDep, settings: SettingsDep,
                 request: Request) -> MeOut:
    user_signed_in(principal)
    await service.switch_structure(session, principal, body.structure_id)
    updated = Principal(**{**principal.__dict__, "current_structure_id": body.structure_id})
    return await _me(session, updated, request.headers.get("x-csrf-token", ""), settings)
