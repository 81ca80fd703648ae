"""Referrals: send, read, answer, follow up, exchange messages; inboxes."""

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile, status

from maillage.accounts.deps import PrincipalDep
from maillage.db import SessionDep
from maillage.directory.models import Service
from maillage.errors import NotFound
from maillage.pagination import PageDep
from maillage.people.models import CONTACT_PREFERENCE_LABELS
from maillage.referrals import access, attachments, reorientation, service, vocabulary
from maillage.referrals.access import Access
from maillage.referrals.followup import FOLLOW_UP_LABELS, FollowUp
from maillage.referrals.models import STATUS_LABELS, Referral, ReferralStatus
from maillage.referrals.schemas import (
    AttachmentSummary,
    CancelIn,
    CloseIn,
    ContactIn,
    Count,
    InboxOut,
    InboxRow,
    MessageIn,
    ReferralIn,
    ReferralOut,
    ReferralPerson,
    ReferralStructure,
    ReferralVocabulary,
    RefuseIn,
    ReorientIn,
    ServiceSummary,
    TimelineItem,
)

router = APIRouter(prefix="/referrals", tags=["orientations"])


async def _visible(referral_id: int, principal: PrincipalDep, session: SessionDep) -> tuple[Referral, Access]:
    return await access.load(session, principal, referral_id)


ReferralDep = Annotated[tuple[Referral, Access], Depends(_visible)]


async def _out(session, referral: Referral, acc: Access) -> ReferralOut:
    view = await service.detail(session, referral)
    person = view.person
    preferred = referral.preferred_contact or person.contact_preference
    follow = service.current_follow_up(referral)
    return ReferralOut(
        id=referral.id, network_id=referral.network_id,
        person=ReferralPerson(
            id=person.id, first_name=person.first_name, last_name=person.last_name, phone=person.phone,
            email=person.email, preferred_contact=preferred,
            preferred_contact_label=CONTACT_PREFERENCE_LABELS.get(preferred, preferred) if preferred else None,
        ),
        service=ServiceSummary(id=view.service.id, nom=view.service.nom),
        sender_structure=ReferralStructure(id=view.sender_structure.id, nom=view.sender_structure.nom),
        receiver_structure=ReferralStructure(id=view.receiver_structure.id, nom=view.receiver_structure.nom),
        sender_name=view.sender_name, reoriented_from_id=referral.reoriented_from_id,
        motive=referral.motive, needs=referral.needs or [], message=referral.message,
        status=referral.status, status_label=STATUS_LABELS[ReferralStatus(referral.status)],
        follow_up=follow, follow_up_label=FOLLOW_UP_LABELS[follow],
        refusal_reason=referral.refusal_reason, refusal_reason_label=service.reason_label(referral.refusal_reason),
        outcome=referral.outcome, outcome_label=service.outcome_label(referral.outcome),
        status_detail=referral.status_detail, sent_at=referral.sent_at, answered_at=referral.answered_at,
        closed_at=referral.closed_at, last_reached_at=referral.last_reached_at, last_event_at=referral.last_event_at,
        timeline=[TimelineItem(**item) for item in service.timeline(view)],
        attachments=[AttachmentSummary(id=a.id, filename=a.filename, content_type=a.content_type, size=a.size,
                                       created_at=a.created_at) for a in view.attachments],
        allowed_actions=access.allowed_actions(referral, acc),
    )


@router.post("", response_model=ReferralOut, status_code=status.HTTP_201_CREATED,
             summary="Orienter une personne vers un service")
async def send(body: ReferralIn, principal: PrincipalDep, session: SessionDep) -> ReferralOut:
    structure_id = access.sending_structure_id(principal, body.structure_id)
    person = await access.visible_person(session, principal, body.person_id)
    target = await session.get(Service, body.service_id)
    if target is None:
        raise NotFound("Service introuvable.")
    # « Orienter et prendre RDV » is all or nothing (a savepoint): a full slot keeps no
    # referral; the form stays on screen and another slot is chosen.
    async with session.begin_nested():
        referral = await service.send_referral(
            session, person=person, service=target, sender_user_id=principal.user_id,
            sender_structure_id=structure_id, motive=body.motive, needs=body.needs, message=body.message,
            preferred_contact=body.preferred_contact,
        )
        found = access.access_of(principal, referral)
        if body.slot_id is not None:
            from maillage.appointments import booking  # the appointments domain builds on this one

            slot = await booking.get_slot(session, body.slot_id)
            await booking.book(session, referral, slot, by_user_id=principal.user_id, by_structure_id=structure_id,
                               by_receiver=found.receiver or found.animator, notify_person=body.notify_person)
    if body.slot_id is not None:
        await session.refresh(referral)
    return await _out(session, referral, found)


@router.get("", response_model=InboxOut, summary="Orientations reçues ou envoyées par une structure")
async def inbox(
    principal: PrincipalDep,
    session: SessionDep,
    page: PageDep,
    structure_id: Annotated[int | None, Query(description="Par défaut la structure courante")] = None,
    direction: Annotated[Literal["received", "sent"], Query(description="Reçues ou envoyées")] = "received",
    status_filter: Annotated[ReferralStatus | None, Query(alias="status")] = None,
    follow_up: Annotated[FollowUp | None, Query(description="Statut de suivi")] = None,
) -> InboxOut:
    structure = await access.inbox_structure(session, principal, structure_id)
    found = await service.inbox(session, structure.id, direction, page, status=status_filter,
                                follow_up_filter=follow_up)
    await access.audit_inbox_read(session, principal, structure, direction)
    items = []
    for row in found.rows:
        r = row.referral
        follow = service.current_follow_up(r)
        items.append(InboxRow(
            id=r.id, person_first_name=row.person_first_name, person_last_name=row.person_last_name,
            service=ServiceSummary(id=r.service_id, nom=row.service_nom),
            other_structure=ReferralStructure(id=row.other_structure_id, nom=row.other_structure_nom),
            status=r.status, status_label=STATUS_LABELS[ReferralStatus(r.status)],
            follow_up=follow, follow_up_label=FOLLOW_UP_LABELS[follow], sent_at=r.sent_at,
            last_event_at=r.last_event_at,
        ))
    return InboxOut(
        items=items, total=found.total, page=page.page, page_size=page.page_size,
        pages=(found.total + page.page_size - 1) // page.page_size, structure_id=structure.id, direction=direction,
        counts_by_status=[Count(code=s.value, label=STATUS_LABELS[s], count=found.by_status.get(s.value, 0),
                                capped=s.value in found.capped) for s in ReferralStatus],
        counts_by_follow_up=[Count(code=f.value, label=FOLLOW_UP_LABELS[f], count=found.by_follow_up.get(f.value, 0),
                                   capped=f.value in found.capped) for f in FollowUp],
        count_limit=service.COUNT_LIMIT, total_capped=found.total_capped,
    )


@router.get("/vocabulary", response_model=ReferralVocabulary,
            summary="Vocabulaires des orientations : statuts, motifs de refus, sorties, canaux de contact…")
async def read_vocabulary() -> ReferralVocabulary:
    """Public, like the directory's referentials: codes and labels, no personal data."""
    return vocabulary.referral_vocabulary()


@router.get("/{referral_id}", response_model=ReferralOut, summary="Une orientation et son historique")
async def read(loaded: ReferralDep, principal: PrincipalDep, session: SessionDep) -> ReferralOut:
    referral, acc = loaded
    await access.audit_read(session, principal, referral, acc)
    return await _out(session, referral, acc)


async def _transition(session, principal, loaded, action: str, side: str, **kwargs) -> ReferralOut:
    referral, acc = loaded
    (access.ensure_receiver if side == "receiver" else access.ensure_sender)(acc)
    referral = await service.transition(
        session, referral, action, actor_user_id=principal.user_id,
        actor_structure_id=access.actor_structure(acc, referral, side), **kwargs,
    )
    return await _out(session, referral, acc)


@router.post("/{referral_id}/accept", response_model=ReferralOut, summary="Accepter une orientation reçue")
async def accept(loaded: ReferralDep, principal: PrincipalDep, session: SessionDep) -> ReferralOut:
    return await _transition(session, principal, loaded, "accept", "receiver")


@router.post("/{referral_id}/refuse", response_model=ReferralOut, summary="Refuser une orientation reçue (avec un motif)")
async def refuse(body: RefuseIn, loaded: ReferralDep, principal: PrincipalDep, session: SessionDep) -> ReferralOut:
    return await _transition(session, principal, loaded, "refuse", "receiver", reason=body.reason, detail=body.detail)


@router.post("/{referral_id}/cancel", response_model=ReferralOut, summary="Annuler une orientation envoyée")
async def cancel(loaded: ReferralDep, principal: PrincipalDep, session: SessionDep,
                 body: CancelIn | None = None) -> ReferralOut:
    return await _transition(session, principal, loaded, "cancel", "sender", detail=body.reason if body else None)


@router.post("/{referral_id}/close", response_model=ReferralOut, summary="Clôturer une orientation (avec la sortie)")
async def close(body: CloseIn, loaded: ReferralDep, principal: PrincipalDep, session: SessionDep) -> ReferralOut:
    return await _transition(session, principal, loaded, "close", "receiver", outcome=body.outcome, detail=body.detail)


@router.post("/{referral_id}/contacts", response_model=ReferralOut, status_code=status.HTTP_201_CREATED,
             summary="Noter un contact avec la personne (jointe ou non)")
async def log_contact(body: ContactIn, loaded: ReferralDep, principal: PrincipalDep, session: SessionDep) -> ReferralOut:
    referral, acc = loaded
    access.ensure_receiver(acc)
    await service.log_contact(
        session, referral, contacted_at=body.contacted_at, channel=body.channel, reached=body.reached, note=body.note,
        author_id=principal.user_id, actor_structure_id=access.actor_structure(acc, referral, "receiver"),
    )
    return await _out(session, referral, acc)


@router.post("/{referral_id}/messages", response_model=ReferralOut, status_code=status.HTTP_201_CREATED,
             summary="Écrire à l'autre structure au sujet de l'orientation")
async def post_message(body: MessageIn, loaded: ReferralDep, principal: PrincipalDep,
                       session: SessionDep) -> ReferralOut:
    referral, acc = loaded
    await service.post_message(
        session, referral, body=body.body, author_id=principal.user_id,
        author_structure_id=access.actor_structure(acc, referral, "either"),
        author_email=principal.user.email if principal.user else None,
    )
    return await _out(session, referral, acc)


@router.post("/{referral_id}/reorient", response_model=ReferralOut,
             summary="Réorienter la personne vers un autre service (l'orientation est clôturée)")
async def reorient(body: ReorientIn, loaded: ReferralDep, principal: PrincipalDep, session: SessionDep) -> ReferralOut:
    referral, acc = loaded
    access.ensure_receiver(acc)
    done = await reorientation.reorient(
        session, referral, service_id=body.service_id, motive=body.motive, message=body.message,
        actor_user_id=principal.user_id, actor_structure_id=access.actor_structure(acc, referral, "receiver"),
    )
    return await _out(session, done.old, acc)


# ---------------------------------------------------------------- documents

_READ_LIMIT = attachments.MAX_SIZE + 1


@router.post("/{referral_id}/attachments", response_model=ReferralOut, status_code=status.HTTP_201_CREATED,
             summary="Joindre un document (PDF, PNG ou JPEG, 5 Mo au plus)")
async def add_attachment(
    loaded: ReferralDep, principal: PrincipalDep, session: SessionDep,
    file: Annotated[UploadFile, File(description="Le document : PDF, PNG ou JPEG, 5 Mo au plus")],
) -> ReferralOut:
    referral, acc = loaded
    access.ensure_side(acc)
    content = await file.read(_READ_LIMIT)  # one byte more than allowed is enough to refuse it
    await attachments.add_attachment(
        session, referral, filename=file.filename, content=content, uploaded_by=principal.user_id,
        actor_structure_id=access.actor_structure(acc, referral, "either"),
    )
    return await _out(session, referral, acc)


def _disposition(filename: str) -> str:
    fallback = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get("/{referral_id}/attachments/{attachment_id}", response_class=Response,
            summary="Télécharger un document joint",
            responses={200: {"content": {"application/pdf": {}, "image/png": {}, "image/jpeg": {}},
                             "description": "Le document"}})
async def download_attachment(attachment_id: int, loaded: ReferralDep, principal: PrincipalDep,
                              session: SessionDep) -> Response:
    referral, acc = loaded
    attachment = await attachments.get_attachment(session, referral, attachment_id)
    await access.audit_read(session, principal, referral, acc)
    return Response(content=attachment.content, media_type=attachment.content_type, headers={
        "Content-Disposition": _disposition(attachment.filename),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    })
