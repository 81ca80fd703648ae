"""The permission table: every API route × {anonymous, other network, other structure,
member, admin, animator}. A new route without rows here makes this file fail."""

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from maillage.accounts.models import Invitation, JoinRequest, Membership
from maillage.accounts.service import create_api_token
from maillage.accounts.tokens import hash_secret, new_secret
from maillage.db import utcnow
from maillage.main import create_app
from maillage.appointments.models import Booking, CalendarFeed, Place, Slot, SlotSeries
from maillage.referrals.models import ReferralAttachment
from sqlalchemy import select

from tests.accounts.factories import make_user
from tests.directory.factories import make_network, make_service, make_structure
from tests.referrals.factories import make_person, make_referral

ROLES = ("anonymous", "other_network", "other_structure", "member", "admin", "animator")
OK = "ok"
EVERYONE = dict.fromkeys(ROLES, OK)
VIEW = {"anonymous": 401, "other_network": 403, "other_structure": 403, "member": OK, "admin": OK, "animator": OK}
EDIT = {**VIEW, "member": 403}
MEMBERS_ONLY = {**VIEW, "animator": 403}
PLATFORM_ADMIN = {**dict.fromkeys(ROLES, 403), "anonymous": 401}
# Any signed-in user who is not already a member may ask to join.
OUTSIDERS = {"anonymous": 401, "other_network": OK, "other_structure": OK, "member": 409, "admin": 409,
             "animator": OK}
# A person (and their referrals) is private: outsiders get 404, existence included.
CONCERNED = {"anonymous": 401, "other_network": 404, "other_structure": 404, "member": OK, "admin": OK,
             "animator": OK}
ACTING_MEMBERS = {"anonymous": 401, "other_network": OK, "other_structure": OK, "member": OK, "admin": OK,
                  "animator": 403}
ANIMATOR = {"anonymous": 401, "other_network": 403, "other_structure": 403, "member": 403, "admin": 403,
            "animator": OK}
COMPLETE = {
    "description": "Accueil et accompagnement vers l'emploi des personnes du quartier.",
    "thematiques": ["trouver-un-emploi--repondre-a-des-offres-demploi"], "publics": ["tous-publics"],
    "modes_accueil": ["a-distance"], "accepts_referrals": True, "referral_emails": ["o@s.example.org"],
}


@dataclass
class World:
    network: object
    structure: object
    other_structure: object
    other_network: object
    service: object
    users: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    expected: dict
    path: str
    body: object = None
    files: dict | None = None  # a multipart upload instead of a JSON body


def rows(w: World) -> dict[tuple[str, str], Row]:
    """Requests run in this order in one transaction (publish is refused: the service is
    already published; then suspend → unpublish → archive → restore are legal)."""
    s, x, n, ids = w.structure.id, w.service.id, w.network.slug, w.ids
    later = str(date.today() + timedelta(days=5))
    return {
        ("GET", "/api/v1/config"): Row(EVERYONE, "/api/v1/config"),
        ("GET", "/api/v1/networks"): Row(EVERYONE, "/api/v1/networks"),
        ("GET", "/api/v1/referentials"): Row(EVERYONE, "/api/v1/referentials"),
        ("GET", "/api/v1/structures"): Row(EVERYONE, "/api/v1/structures"),
        ("GET", "/api/v1/structures/{structure_id}"): Row(EVERYONE, f"/api/v1/structures/{s}"),
        ("GET", "/api/v1/services"): Row(EVERYONE, "/api/v1/services"),
        ("GET", "/api/v1/services/search"): Row(EVERYONE, f"/api/v1/services/search?network={n}"),
        ("GET", "/api/v1/services/{service_id}"): Row(EVERYONE, f"/api/v1/services/{x}"),
        ("GET", "/api/v1/data-inclusion/structures"): Row(EVERYONE, "/api/v1/data-inclusion/structures"),
        ("GET", "/api/v1/data-inclusion/services"): Row(EVERYONE, "/api/v1/data-inclusion/services"),
        ("GET", "/api/v1/demo/mailbox"): Row(EVERYONE, "/api/v1/demo/mailbox"),
        ("GET", "/api/v1/auth/me"): Row(EVERYONE, "/api/v1/auth/me"),
        ("PATCH", "/api/v1/auth/me"): Row({**EVERYONE, "anonymous": 401}, "/api/v1/auth/me",
                                          {"first_name": "Camille", "last_name": "Martin"}),
        ("POST", "/api/v1/auth/login-link"): Row(EVERYONE, "/api/v1/auth/login-link", {"email": "a@b.example.org"}),
        ("POST", "/api/v1/auth/login-link/consume"): Row(dict.fromkeys(ROLES, 422), "/api/v1/auth/login-link/consume",
                                                         {"token": "jeton-inconnu-0123456789"}),
        ("GET", "/api/v1/auth/demo/personas"): Row(EVERYONE, "/api/v1/auth/demo/personas"),
        ("POST", "/api/v1/auth/demo"): Row(EVERYONE, "/api/v1/auth/demo", {"persona": "referent-rsa"}),
        ("POST", "/api/v1/auth/logout"): Row(EVERYONE, "/api/v1/auth/logout"),
        # OpenID Connect is not configured in this table's app: absent for everyone
        # (tests/accounts/test_oidc.py covers it configured, with a real provider).
        ("GET", "/api/v1/auth/oidc/login"): Row(dict.fromkeys(ROLES, 404), "/api/v1/auth/oidc/login"),
        ("GET", "/api/v1/auth/oidc/callback"): Row(dict.fromkeys(ROLES, 404), "/api/v1/auth/oidc/callback?state=x&code=y"),
        ("POST", "/api/v1/auth/switch"): Row(MEMBERS_ONLY, "/api/v1/auth/switch", {"structure_id": s}),
        ("GET", "/api/v1/manage/structures/{structure_id}"): Row(VIEW, f"/api/v1/manage/structures/{s}"),
        ("PATCH", "/api/v1/manage/structures/{structure_id}"): Row(EDIT, f"/api/v1/manage/structures/{s}",
                                                                   {"horaires_accueil": "Mo-Fr 09:00-17:00"}),
        ("POST", "/api/v1/manage/structures/{structure_id}/services"): Row(
            EDIT, f"/api/v1/manage/structures/{s}/services", {"nom": "Nouveau service"}),
        ("GET", "/api/v1/manage/services/{service_id}"): Row(VIEW, f"/api/v1/manage/services/{x}"),
        ("PATCH", "/api/v1/manage/services/{service_id}"): Row(EDIT, f"/api/v1/manage/services/{x}",
                                                               {"conditions_acces": "Sur orientation"}),
        ("POST", "/api/v1/manage/services/{service_id}/publish"): Row(
            {**EDIT, "admin": 409, "animator": 409}, f"/api/v1/manage/services/{x}/publish"),
        ("POST", "/api/v1/manage/services/{service_id}/suspend"): Row(EDIT, f"/api/v1/manage/services/{x}/suspend",
                                                                      {"until": later}),
        ("POST", "/api/v1/manage/services/{service_id}/unpublish"): Row(EDIT, f"/api/v1/manage/services/{x}/unpublish"),
        ("POST", "/api/v1/manage/services/{service_id}/archive"): Row(EDIT, f"/api/v1/manage/services/{x}/archive"),
        ("POST", "/api/v1/manage/services/{service_id}/restore"): Row(EDIT, f"/api/v1/manage/services/{x}/restore"),
        ("POST", "/api/v1/manage/services/{service_id}/confirm"): Row(EDIT, f"/api/v1/manage/services/{x}/confirm"),
        ("GET", "/api/v1/manage/networks/{slug}/outdated-services"): Row(
            ANIMATOR, f"/api/v1/manage/networks/{n}/outdated-services"),
        # People: member/admin belong to the structure that received their referral.
        ("GET", "/api/v1/people/duplicates"): Row(ACTING_MEMBERS, "/api/v1/people/duplicates?phone=0612345678"),
        ("POST", "/api/v1/people"): Row(ACTING_MEMBERS, "/api/v1/people", {
            "first_name": "Inès", "last_name": "Morel", "informed": True, "confirm_new": True}),
        ("GET", "/api/v1/people"): Row({**EVERYONE, "anonymous": 401}, "/api/v1/people?q=diallo"),
        ("GET", "/api/v1/people/{person_id}"): Row(CONCERNED, f"/api/v1/people/{ids.get('person')}"),
        ("PATCH", "/api/v1/people/{person_id}"): Row(CONCERNED, f"/api/v1/people/{ids.get('person')}",
                                                     {"quartier": "Église"}),
        ("GET", "/api/v1/people/{person_id}/export"): Row(CONCERNED, f"/api/v1/people/{ids.get('person')}/export"),
        # Referrals: member/admin belong to the receiving structure; each row has its own referral.
        ("POST", "/api/v1/referrals"): Row(
            {**CONCERNED, "member": OK, "admin": OK, "animator": 403}, "/api/v1/referrals",
            {"person_id": ids.get("person"), "service_id": ids.get("open_service"),
             "motive": "Besoin d'un accompagnement vers l'emploi.", "needs": []}),
        ("GET", "/api/v1/referrals"): Row({**VIEW}, f"/api/v1/referrals?structure_id={s}&direction=received"),
        ("GET", "/api/v1/referrals/vocabulary"): Row(EVERYONE, "/api/v1/referrals/vocabulary"),
        ("GET", "/api/v1/referrals/{referral_id}"): Row(CONCERNED, f"/api/v1/referrals/{ids.get('r_view')}"),
        ("POST", "/api/v1/referrals/{referral_id}/messages"): Row(
            CONCERNED, f"/api/v1/referrals/{ids.get('r_view')}/messages", {"body": "Bonjour"}),
        ("POST", "/api/v1/referrals/{referral_id}/accept"): Row(CONCERNED, f"/api/v1/referrals/{ids.get('r_accept')}/accept"),
        ("POST", "/api/v1/referrals/{referral_id}/refuse"): Row(
            CONCERNED, f"/api/v1/referrals/{ids.get('r_refuse')}/refuse", {"reason": "doublon"}),
        ("POST", "/api/v1/referrals/{referral_id}/cancel"): Row(
            {**CONCERNED, "member": 403, "admin": 403}, f"/api/v1/referrals/{ids.get('r_cancel')}/cancel"),
        ("POST", "/api/v1/referrals/{referral_id}/contacts"): Row(
            CONCERNED, f"/api/v1/referrals/{ids.get('r_contact')}/contacts",
            {"contacted_at": utcnow().isoformat(), "channel": "telephone", "reached": True}),
        ("POST", "/api/v1/referrals/{referral_id}/close"): Row(
            CONCERNED, f"/api/v1/referrals/{ids.get('r_close')}/close", {"outcome": "abandon"}),
        ("POST", "/api/v1/referrals/{referral_id}/reorient"): Row(
            CONCERNED, f"/api/v1/referrals/{ids.get('r_reorient')}/reorient",
            {"service_id": ids.get("reorient_service")}),
        # Documents: joined by either side (not by an animator from outside), read like the referral.
        ("POST", "/api/v1/referrals/{referral_id}/attachments"): Row(
            {**CONCERNED, "animator": 403}, f"/api/v1/referrals/{ids.get('r_attach')}/attachments",
            files={"file": ("fiche.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf")}),
        ("GET", "/api/v1/referrals/{referral_id}/attachments/{attachment_id}"): Row(
            CONCERNED, f"/api/v1/referrals/{ids.get('r_download')}/attachments/{ids.get('attachment')}"),
        # The animators' queue.
        ("GET", "/api/v1/stats/definitions"): Row(EVERYONE, "/api/v1/stats/definitions"),
        ("GET", "/api/v1/stats/networks/{slug}"): Row(ANIMATOR, f"/api/v1/stats/networks/{n}"),
        ("GET", "/api/v1/stats/networks/{slug}/scopes"): Row(
            {**VIEW, "other_network": 404, "other_structure": OK}, f"/api/v1/stats/networks/{n}/scopes"),
        ("GET", "/api/v1/stats/networks/{slug}/export/{table}.csv"): Row(
            VIEW, f"/api/v1/stats/networks/{n}/export/par-mois.csv?scope=received&scope_id={s}"),
        ("POST", "/api/v1/stats/networks/{slug}/refresh"): Row(ANIMATOR, f"/api/v1/stats/networks/{n}/refresh"),
        ("GET", "/api/v1/manage/networks/{slug}/stalled"): Row(ANIMATOR, f"/api/v1/manage/networks/{n}/stalled"),
        ("GET", "/api/v1/manage/networks/{slug}/without-solution"): Row(
            ANIMATOR, f"/api/v1/manage/networks/{n}/without-solution"),
        ("POST", "/api/v1/manage/networks/{slug}/stalled/{referral_id}/remind"): Row(
            ANIMATOR, f"/api/v1/manage/networks/{n}/stalled/{ids.get('q_sent')}/remind", {"message": "Où en êtes-vous ?"}),
        ("POST", "/api/v1/manage/networks/{slug}/stalled/{referral_id}/snooze"): Row(
            ANIMATOR, f"/api/v1/manage/networks/{n}/stalled/{ids.get('q_sent')}/snooze", {"until": later}),
        ("POST", "/api/v1/manage/networks/{slug}/stalled/{referral_id}/reconnected"): Row(
            ANIMATOR, f"/api/v1/manage/networks/{n}/stalled/{ids.get('q_accepted')}/reconnected",
            {"contacted_at": utcnow().isoformat(), "channel": "telephone"}),
        ("POST", "/api/v1/manage/networks/{slug}/stalled/{referral_id}/close"): Row(
            ANIMATOR, f"/api/v1/manage/networks/{n}/stalled/{ids.get('q_accepted')}/close", {"outcome": "emploi-durable"}),
        ("POST", "/api/v1/manage/networks/{slug}/stalled/{referral_id}/reorient"): Row(
            ANIMATOR, f"/api/v1/manage/networks/{n}/stalled/{ids.get('q_reorient')}/reorient",
            {"service_id": ids.get("reorient_service")}),
        # Appointments: the structure's agenda (members, animators), its places and feeds (admins,
        # animators), a service's free slots (the network), bookings like their referral.
        ("GET", "/api/v1/structures/{structure_id}/places"): Row(VIEW, f"/api/v1/structures/{s}/places"),
        ("POST", "/api/v1/structures/{structure_id}/places"): Row(
            EDIT, f"/api/v1/structures/{s}/places", {"name": "Antenne", "kind": "visio"}),
        ("PATCH", "/api/v1/places/{place_id}"): Row(EDIT, f"/api/v1/places/{ids.get('place')}",
                                                    {"instructions": "Sonnez"}),
        ("DELETE", "/api/v1/places/{place_id}"): Row(EDIT, f"/api/v1/places/{ids.get('spare_place')}"),
        ("POST", "/api/v1/services/{service_id}/slots"): Row(VIEW, f"/api/v1/services/{ids.get('open_service')}/slots", {
            "place_id": ids.get("place"), "starts_at": (utcnow() + timedelta(days=9)).isoformat(), "capacity": 2}),
        ("POST", "/api/v1/services/{service_id}/slot-series"): Row(
            VIEW, f"/api/v1/services/{ids.get('open_service')}/slot-series",
            {"place_id": ids.get("place"), "weekdays": [1], "start_time": "10:00", "starts_on": later,
             "ends_on": str(date.today() + timedelta(days=40))}),
        ("GET", "/api/v1/slot-series/{series_id}"): Row(VIEW, f"/api/v1/slot-series/{ids.get('series')}"),
        ("POST", "/api/v1/slot-series/{series_id}/exceptions"): Row(
            VIEW, f"/api/v1/slot-series/{ids.get('series')}/exceptions", {"dates": [later]}),
        ("POST", "/api/v1/slot-series/{series_id}/stop"): Row(VIEW, f"/api/v1/slot-series/{ids.get('series')}/stop", {}),
        ("POST", "/api/v1/slots/{slot_id}/cancel"): Row(VIEW, f"/api/v1/slots/{ids.get('spare_slot')}/cancel",
                                                        {"reason": "Fermeture exceptionnelle"}),
        ("GET", "/api/v1/services/{service_id}/slots"): Row(
            {**EVERYONE, "anonymous": 401, "other_network": 403}, f"/api/v1/services/{ids.get('open_service')}/slots"),
        ("GET", "/api/v1/structures/{structure_id}/agenda"): Row(
            VIEW, f"/api/v1/structures/{s}/agenda?from={utcnow().date()}T00:00:00%2B01:00&to="
                  f"{utcnow().date() + timedelta(days=7)}T00:00:00%2B01:00"),
        ("GET", "/api/v1/structures/{structure_id}/calendar-feeds"): Row(EDIT, f"/api/v1/structures/{s}/calendar-feeds"),
        ("POST", "/api/v1/structures/{structure_id}/calendar-feeds"): Row(
            EDIT, f"/api/v1/structures/{s}/calendar-feeds", {"label": "Accueil"}),
        ("GET", "/api/v1/calendar/{token}.ics"): Row(EVERYONE, f"/api/v1/calendar/{ids.get('feed_token')}.ics"),
        ("DELETE", "/api/v1/calendar-feeds/{feed_id}"): Row(EDIT, f"/api/v1/calendar-feeds/{ids.get('feed')}"),
        ("GET", "/api/v1/referrals/{referral_id}/bookings"): Row(
            CONCERNED, f"/api/v1/referrals/{ids.get('r_view')}/bookings"),
        ("POST", "/api/v1/referrals/{referral_id}/bookings"): Row(
            CONCERNED, f"/api/v1/referrals/{ids.get('r_book')}/bookings", {"slot_id": ids.get("book_slot")}),
        ("POST", "/api/v1/bookings/{booking_id}/move"): Row(
            CONCERNED, f"/api/v1/bookings/{ids.get('b_move')}/move", {"slot_id": ids.get("other_slot")}),
        ("POST", "/api/v1/bookings/{booking_id}/cancel"): Row(
            CONCERNED, f"/api/v1/bookings/{ids.get('b_cancel')}/cancel", {"reason": "Empêchement"}),
        ("POST", "/api/v1/bookings/{booking_id}/attendance"): Row(
            CONCERNED, f"/api/v1/bookings/{ids.get('b_past')}/attendance", {"status": "honoured"}),
        ("GET", "/api/v1/bookings/mine"): Row({**EVERYONE, "anonymous": 401}, "/api/v1/bookings/mine"),
        # Erasure (a person of their own): only admins of a concerned structure and animators.
        ("DELETE", "/api/v1/people/{person_id}"): Row(
            {**CONCERNED, "member": 403}, f"/api/v1/people/{ids.get('erased_person')}"),
        # The team, in an order where each allowed call is legal.
        ("GET", "/api/v1/manage/structures/{structure_id}/team"): Row(VIEW, f"/api/v1/manage/structures/{s}/team"),
        ("POST", "/api/v1/manage/structures/{structure_id}/team/review"): Row(
            EDIT, f"/api/v1/manage/structures/{s}/team/review"),
        ("POST", "/api/v1/manage/structures/{structure_id}/invitations"): Row(
            EDIT, f"/api/v1/manage/structures/{s}/invitations", {"email": "nouvelle@s.example.org", "role": "member"}),
        ("DELETE", "/api/v1/manage/invitations/{invitation_id}"): Row(
            EDIT, f"/api/v1/manage/invitations/{ids.get('invitation')}"),
        ("POST", "/api/v1/manage/invitations/preview"): Row(
            dict.fromkeys(ROLES, 422), "/api/v1/manage/invitations/preview", {"token": "invitation-inconnue-0123456789"}),
        ("POST", "/api/v1/manage/invitations/accept"): Row(dict.fromkeys(ROLES, 422), "/api/v1/manage/invitations/accept",
                                                           {"token": "invitation-inconnue-0123456789"}),
        ("POST", "/api/v1/manage/structures/{structure_id}/join-requests"): Row(
            OUTSIDERS, f"/api/v1/manage/structures/{s}/join-requests", {"message": "Je travaille ici."}),
        ("PATCH", "/api/v1/manage/memberships/{membership_id}"): Row(
            EDIT, f"/api/v1/manage/memberships/{ids.get('membership')}", {"role": "admin"}),
        # The member may leave by themself.
        ("DELETE", "/api/v1/manage/memberships/{membership_id}"): Row(
            {**EDIT, "member": OK}, f"/api/v1/manage/memberships/{ids.get('membership')}"),
        ("POST", "/api/v1/manage/join-requests/{join_request_id}/approve"): Row(
            EDIT, f"/api/v1/manage/join-requests/{ids.get('join_request')}/approve"),
        ("POST", "/api/v1/manage/join-requests/{join_request_id}/reject"): Row(
            EDIT, f"/api/v1/manage/join-requests/{ids.get('other_join_request')}/reject"),
        ("GET", "/api/v1/manage/structures/{structure_id}/api-tokens"): Row(
            EDIT, f"/api/v1/manage/structures/{s}/api-tokens"),
        ("POST", "/api/v1/manage/structures/{structure_id}/api-tokens"): Row(
            EDIT, f"/api/v1/manage/structures/{s}/api-tokens", {"name": "Logiciel"}),
        ("DELETE", "/api/v1/manage/api-tokens/{token_id}"): Row(EDIT, f"/api/v1/manage/api-tokens/{ids.get('token')}"),
        ("GET", "/api/v1/manage/networks/{slug}/members"): Row(ANIMATOR, f"/api/v1/manage/networks/{n}/members"),
        ("GET", "/api/v1/manage/networks/{slug}/structures-without-admin"): Row(
            ANIMATOR, f"/api/v1/manage/networks/{n}/structures-without-admin"),
        ("GET", "/api/v1/manage/networks/{slug}/audit"): Row(ANIMATOR, f"/api/v1/manage/networks/{n}/audit"),
        # Platform administration: none of the six roles (tests/accounts/test_admin.py covers platform admins).
        ("GET", "/api/v1/admin/networks"): Row(PLATFORM_ADMIN, "/api/v1/admin/networks"),
        ("POST", "/api/v1/admin/networks"): Row(PLATFORM_ADMIN, "/api/v1/admin/networks",
                                                {"slug": "nouveau", "name": "Nouveau", "territory": "Ailleurs"}),
        ("POST", "/api/v1/admin/networks/{slug}/animators"): Row(
            PLATFORM_ADMIN, f"/api/v1/admin/networks/{n}/animators", {"email": "anim@s.example.org"}),
    }


def _api_routes() -> set[tuple[str, str]]:
    """From the OpenAPI document: recent FastAPI versions keep included routers as such in
    ``app.routes`` (no ``APIRoute`` at the top level), the document lists every route."""
    paths = create_app().openapi()["paths"]
    return {(method.upper(), path) for path, operations in paths.items() if path.startswith("/api/")
            for method in operations}


def test_every_route_has_permission_rows():
    placeholder = World(*(type("X", (), {"id": 1, "slug": "x"})() for _ in range(5)))
    routes = _api_routes()
    assert len(routes) > 50, "Les routes de l'API n'ont pas été trouvées"
    missing = routes - set(rows(placeholder))
    assert not missing, f"Routes sans ligne dans la table des permissions : {sorted(missing)}"
    unknown = set(rows(placeholder)) - routes
    assert not unknown, f"Lignes sans route : {sorted(unknown)}"


async def _world(session) -> World:
    network, elsewhere = await make_network(session), await make_network(session)
    structure = await make_structure(session, network, nom="Structure ciblée")
    other_structure = await make_structure(session, network, nom="Voisine")
    service = await make_service(session, structure, nom="Service ciblé", **COMPLETE)
    world = World(network, structure, other_structure, elsewhere, service)
    world.users = users = {
        "other_network": await make_user(session, admin_of=[await make_structure(session, elsewhere)],
                                         animator_of=[elsewhere]),
        "other_structure": await make_user(session, admin_of=[other_structure]),
        "member": await make_user(session, member_of=[structure]),
        "admin": await make_user(session, admin_of=[structure]),
        "animator": await make_user(session, animator_of=[network]),
    }
    outsiders = [await make_user(session) for _ in range(2)]
    _secret, token = await create_api_token(session, structure, "Intégration", users["admin"].id)
    invitation = Invitation(token_hash=hash_secret(new_secret()), email="invitee@s.example.org",
                            structure_id=structure.id, expires_at=utcnow() + timedelta(days=14))
    requests = [JoinRequest(user_id=u.id, structure_id=structure.id) for u in outsiders]
    session.add_all([invitation, *requests])
    await session.flush()
    sender = await make_structure(session, network, nom="Structure qui oriente")
    open_service = await make_service(session, structure, nom="Service ouvert aux orientations", **COMPLETE)
    person = await make_person(session, network, created_by_structure_id=sender.id)
    erased_person = await make_person(session, network, created_by_structure_id=sender.id)
    referrals = {}
    reorient_service = await make_service(session, other_structure, nom="Service de réorientation", **COMPLETE)
    for key, status in (("r_view", "sent"), ("r_accept", "sent"), ("r_refuse", "sent"), ("r_cancel", "sent"),
                        ("r_contact", "accepted"), ("r_close", "accepted"), ("r_reorient", "accepted"),
                        ("r_attach", "sent"), ("r_download", "accepted"), ("q_sent", "sent"),
                        ("q_accepted", "accepted"), ("q_reorient", "sent"), ("erased", "sent")):
        owner = erased_person if key == "erased" else person
        referrals[key] = (await make_referral(session, owner, open_service, sender, status=status,
                                              answered_at=utcnow() if status == "accepted" else None)).id
    attachment = ReferralAttachment(referral_id=referrals["r_download"], filename="fiche.pdf",
                                    content_type="application/pdf", size=16, content=b"%PDF-1.7\n%%EOF\n")
    session.add(attachment)
    await session.flush()
    appointments = await _appointments(session, world, open_service, sender, person)
    membership = await session.scalar(select(Membership.id).where(
        Membership.user_id == (users["member"].id), Membership.structure_id == structure.id))
    world.ids = {"invitation": invitation.id, "join_request": requests[0].id, "other_join_request": requests[1].id,
                 "token": token.id, "membership": membership, "person": person.id,
                 "erased_person": erased_person.id, "open_service": open_service.id,
                 "reorient_service": reorient_service.id, "attachment": attachment.id, **referrals,
                 **appointments}
    return world


async def _appointments(session, world: World, service, sender, person) -> dict:
    """A place with slots (one of a series), a spare place and slot, a calendar feed, and
    bookings to move, cancel and mark (one past), each on its own referral."""
    place = Place(network_id=world.network.id, structure_id=world.structure.id, name="Accueil", kind="sur-place",
                  adresse="1 rue Hoche")
    spare_place = Place(network_id=world.network.id, structure_id=world.structure.id, name="Ancien local",
                        kind="sur-place", adresse="2 rue Hoche")
    session.add_all([place, spare_place])
    await session.flush()
    series = SlotSeries(network_id=world.network.id, structure_id=world.structure.id, service_id=service.id,
                        place_id=place.id, weekdays=[1], start_time="10:00", duration_minutes=45, capacity=5,
                        starts_on=date.today(), ends_on=date.today() + timedelta(days=60))
    session.add(series)
    await session.flush()

    def slot(days: float, **fields) -> Slot:
        starts = utcnow() + timedelta(days=days)
        return Slot(network_id=world.network.id, structure_id=world.structure.id, service_id=service.id,
                    place_id=place.id, starts_at=starts, ends_at=starts + timedelta(minutes=45), capacity=10,
                    booked_count=0, **fields)

    slots = {"book_slot": slot(2), "slot": slot(3), "other_slot": slot(4), "spare_slot": slot(5),
             "series_slot": slot(6, series_id=series.id), "cancel_slot": slot(7), "past_slot": slot(-1)}
    session.add_all(slots.values())
    await session.flush()
    ids = {"place": place.id, "spare_place": spare_place.id, "series": series.id,
           **{k: v.id for k, v in slots.items()}}
    for key, at in (("r_book", None), ("b_move", "slot"), ("b_cancel", "cancel_slot"), ("b_past", "past_slot")):
        referral = await make_referral(session, person, service, sender, status="accepted", answered_at=utcnow())
        ids[key] = referral.id
        if at:
            booked = slots[at]
            booked.booked_count += 1
            booking = Booking(network_id=world.network.id, slot_id=booked.id, person_id=person.id,
                              referral_id=referral.id, structure_id=world.structure.id, service_id=service.id,
                              starts_at=booked.starts_at, ends_at=booked.ends_at, status="booked")
            session.add(booking)
            await session.flush()
            ids[key] = booking.id
    token = new_secret("cal_")
    feed = CalendarFeed(structure_id=world.structure.id, token_hash=hash_secret(token), label="Accueil")
    session.add(feed)
    await session.flush()
    return {**ids, "feed": feed.id, "feed_token": token}


@pytest.mark.parametrize("role", ROLES)
async def test_permission_table(client, session, sign_in, role):
    world = await _world(session)
    if role != "anonymous":
        await sign_in(world.users[role])
    failures = []
    for (method, template), row in rows(world).items():
        if template in ("/api/v1/auth/logout", "/api/v1/auth/demo"):
            continue  # they end or replace the session: checked last
        if row.files is not None:
            response = await client.request(method, row.path, files=row.files)
        else:
            response = await client.request(method, row.path, json=row.body)
        expected = row.expected[role]
        ok = 200 <= response.status_code < 300 if expected == OK else response.status_code == expected
        if not ok:
            failures.append(f"{method} {row.path}: {response.status_code} au lieu de {expected} ({response.text[:120]})")
        elif response.status_code >= 400:
            assert response.json()["detail"], (method, row.path)
    for template in ("/api/v1/auth/demo", "/api/v1/auth/logout"):
        row = rows(world)[("POST", template)]
        response = await client.post(row.path, json=row.body)
        if not 200 <= response.status_code < 300:
            failures.append(f"POST {template}: {response.status_code}")
        elif "csrf_token" in response.json():
            client.headers["x-csrf-token"] = response.json()["csrf_token"]
    assert not failures, "\n".join(failures)
