"""Documents joined to a referral: type checked by content (never by the name), 5 Mo at
most, stored in the database, listed on the referral page, downloaded with safe headers
by whoever sees the referral (404 for anyone else), deleted by the retention job some
months after the referral closed and when the person is erased."""

from datetime import timedelta

import pytest
from maillage.audit.models import AuditEvent
from maillage.db import utcnow
from maillage.referrals.attachments import MAX_SIZE, purge_expired_attachments
from maillage.referrals.models import ReferralAttachment
from sqlalchemy import func, select

from tests.directory.factories import make_network, make_service, make_structure
from tests.referrals.factories import make_person, make_referral
from tests.referrals.test_referrals_api import API, acting_as, build_world, send

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(40)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40)


@pytest.fixture
async def world(session):
    return await build_world(session)


@pytest.fixture
def act_as(sign_in, world):
    return acting_as(sign_in, world)


async def upload(client, referral_id: int, name: str, content: bytes, claimed: str = "application/pdf"):
    return await client.post(f"{API}/{referral_id}/attachments", files={"file": (name, content, claimed)})


async def test_either_side_joins_a_document_and_the_other_downloads_it(client, session, act_as, world):
    sent = await send(act_as, world)
    client = await act_as("counsellor")
    response = await upload(client, sent["id"], "Fiche de liaison.pdf", PDF)
    assert response.status_code == 201, response.text
    page = response.json()
    [attachment] = page["attachments"]
    assert (attachment["filename"], attachment["content_type"], attachment["size"]) == (
        "Fiche de liaison.pdf", "application/pdf", len(PDF))
    assert page["timeline"][-1]["kind"] == "attachment" and page["timeline"][-1]["label"] == "Document joint"

    client = await act_as("member")
    response = await upload(client, sent["id"], "photo.JPEG", JPEG, claimed="image/jpeg")
    assert response.status_code == 201
    page = (await client.get(f"{API}/{sent['id']}")).json()
    assert [a["filename"] for a in page["attachments"]] == ["Fiche de liaison.pdf", "photo.JPEG"]

    download = await client.get(f"{API}/{sent['id']}/attachments/{attachment['id']}")
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["x-content-type-options"] == "nosniff"
    disposition = download.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="Fiche de liaison.pdf"')
    assert "filename*=UTF-8''Fiche%20de%20liaison.pdf" in disposition


async def test_the_type_is_read_from_the_content_not_the_name(client, session, act_as, world):
    sent = await send(act_as, world)
    client = await act_as("counsellor")
    response = await upload(client, sent["id"], "scan.pdf", PNG)
    assert response.status_code == 201
    [attachment] = response.json()["attachments"]
    assert (attachment["content_type"], attachment["filename"]) == ("image/png", "scan.png")
    download = await client.get(f"{API}/{sent['id']}/attachments/{attachment['id']}")
    assert download.headers["content-type"] == "image/png" and download.content == PNG

    for name, content in (("cv.pdf", b"Bonjour, ceci est un texte.\n"),
                          ("page.png", b"<html><script>alert(1)</script></html>"),
                          ("vide.pdf", b"GIF89a" + bytes(20))):
        response = await upload(client, sent["id"], name, content)
        assert response.status_code == 422, name
        assert response.json() == {"error": "donnees_invalides",
                                   "detail": "Seuls les PDF et les images PNG ou JPEG sont acceptés."}
    empty = await upload(client, sent["id"], "vide.pdf", b"")
    assert empty.status_code == 422 and empty.json()["detail"] == "Le fichier est vide."
    missing = await client.post(f"{API}/{sent['id']}/attachments", files={"autre": ("a.pdf", PDF)})
    assert missing.status_code == 422
    assert await session.scalar(select(func.count()).select_from(ReferralAttachment)) == 1


async def test_five_megabytes_at_most(client, session, act_as, world):
    sent = await send(act_as, world)
    client = await act_as("counsellor")
    too_big = await upload(client, sent["id"], "gros.pdf", PDF + bytes(MAX_SIZE - len(PDF) + 1))
    assert too_big.status_code == 422
    assert too_big.json()["detail"] == "Le fichier dépasse 5 Mo."
    just_right = await upload(client, sent["id"], "juste.pdf", PDF + bytes(MAX_SIZE - len(PDF)))
    assert just_right.status_code == 201
    assert just_right.json()["attachments"][0]["size"] == MAX_SIZE


async def test_who_may_join_and_download(client, session, act_as, world):
    sent = await send(act_as, world)
    client = await act_as("counsellor")
    attachment = (await upload(client, sent["id"], "fiche.pdf", PDF)).json()["attachments"][0]
    url = f"{API}/{sent['id']}/attachments/{attachment['id']}"
    for role in ("other_structure", "other_network"):
        client = await act_as(role)
        response = await client.get(url)
        assert response.status_code == 404, role
        assert response.json()["detail"] == "Orientation introuvable."
        assert (await upload(client, sent["id"], "x.pdf", PDF)).status_code == 404
    # The animator reads it (audited) but does not join documents from outside.
    client = await act_as("animator")
    assert (await client.get(url)).content == PDF
    assert await session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "lecture_donnees_personnelles", AuditEvent.target_id == sent["id"])) == 1
    refused = await upload(client, sent["id"], "x.pdf", PDF)
    assert refused.status_code == 403 and "joindre un document" in refused.json()["detail"]
    # A document of another referral is not reachable through this one.
    other = await send(act_as, world)
    client = await act_as("member")
    assert (await client.get(f"{API}/{other['id']}/attachments/{attachment['id']}")).status_code == 404
    client.cookies.clear()
    assert (await client.get(url)).status_code == 401


async def test_no_document_on_a_finished_referral(client, session, act_as, world):
    sent = await send(act_as, world)
    client = await act_as("counsellor")
    assert (await client.post(f"{API}/{sent['id']}/cancel")).status_code == 200
    response = await upload(client, sent["id"], "fiche.pdf", PDF)
    assert response.status_code == 409 and "orientation en cours" in response.json()["detail"]


async def _attached(session, person, service, sender, **fields) -> ReferralAttachment:
    referral = await make_referral(session, person, service, sender, **fields)
    attachment = ReferralAttachment(referral_id=referral.id, filename="fiche.pdf", content_type="application/pdf",
                                    size=len(PDF), content=PDF)
    session.add(attachment)
    await session.flush()
    return attachment


async def test_retention_deletes_documents_of_referrals_closed_long_ago(session):
    now = utcnow()
    default, strict = await make_network(session), await make_network(session,
                                                                       settings={"attachment_retention_months": 1})
    kept, deleted = [], []
    for network in (default, strict):
        structure = await make_structure(session, network)
        service = await make_service(session, structure)
        person = await make_person(session, network)
        for days, status in ((None, "accepted"), (20, "closed"), (100, "refused"), (200, "closed")):
            closed_at = now - timedelta(days=days) if days else None
            attachment = await _attached(session, person, service, structure, status=status, closed_at=closed_at)
            months = 6 if network is default else 1
            (deleted if days and days > months * 31 else kept).append(attachment.id)
    assert await purge_expired_attachments(session, now) >= 3
    left = set(await session.scalars(select(ReferralAttachment.id).where(
        ReferralAttachment.id.in_(kept + deleted))))
    assert left == set(kept) and len(deleted) == 3
    assert await purge_expired_attachments(session, now) == 0


async def test_export_lists_and_erasure_deletes_the_persons_documents(client, session, act_as, world):
    sent = await send(act_as, world)
    client = await act_as("counsellor")
    assert (await upload(client, sent["id"], "fiche.pdf", PDF)).status_code == 201
    bystander = await make_person(session, world.network)
    other = await _attached(session, bystander, world.service, world.mission)
    client = await act_as("admin")
    exported = (await client.get(f"/api/v1/people/{world.person.id}/export")).json()
    [listed] = exported["referrals"][0]["attachments"]
    assert (listed["filename"], listed["content_type"], listed["size"]) == ("fiche.pdf", "application/pdf", len(PDF))
    assert (await client.delete(f"/api/v1/people/{world.person.id}")).status_code == 204
    left = list(await session.scalars(select(ReferralAttachment.id)))
    assert other.id in left
    assert await session.scalar(select(func.count()).select_from(ReferralAttachment).where(
        ReferralAttachment.referral_id == sent["id"])) == 0
