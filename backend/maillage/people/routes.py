"""People accompanied: create, find, read (as far as the viewer may), export, erase."""

from dataclasses import asdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse

from maillage import permissions
from maillage.accounts.deps import PrincipalDep
from maillage.db import SessionDep, utcnow
from maillage.pagination import Page, PageDep
from maillage.people import service
from maillage.people.models import Person
from maillage.people.schemas import (
    DuplicateCandidate,
    DuplicateConflict,
    DuplicatesOut,
    ExportOut,
    PersonCreate,
    PersonEdit,
    PersonListItem,
    PersonOut,
    PersonReferral,
)
from maillage.people.visibility import Access, ensure_can_see

router = APIRouter(prefix="/people", tags=["personnes"])

_NOT_VISIBLE = {404: {"description": "Personne introuvable ou non visible"}}


def _summary(person: Person) -> PersonListItem:
    return PersonListItem(
        id=person.id, first_name=person.first_name, last_name=person.last_name, birth_date=person.birth_date,
        phone=person.phone, email=person.email, commune=person.commune,
        anonymised=person.anonymised_at is not None, last_activity_at=person.last_activity_at,
    )


async def _person_out(session, principal, person: Person, access: Access) -> PersonOut:
    referrals = await service.person_referrals(session, principal, person)
    fields = {name: getattr(person, name) for name in PersonOut.model_fields
              if name not in ("referrals", "can_edit", "can_erase")}
    return PersonOut(
        **fields, referrals=[PersonReferral(**asdict(r)) for r in referrals],
        can_edit=person.anonymised_at is None, can_erase=service.can_erase(principal, access),
    )


def _candidates(found: list[service.Candidate]) -> list[DuplicateCandidate]:
    return [DuplicateCandidate(**asdict(c)) for c in found]


@router.post(
    "", response_model=PersonOut, status_code=status.HTTP_201_CREATED,
    summary="Enregistrer une personne (après vérification des doublons)",
    responses={409: {"model": DuplicateConflict, "description": "Doublons probables : confirmer avec confirm_new"}},
)
async def create_person(body: PersonCreate, principal: PrincipalDep, session: SessionDep):
    permissions.signed_in(principal)
    structure = service.acting_structure(principal, body.structure_id)
    try:
        person = await service.create_person(session, principal, structure, body, utcnow())
    except service.ProbableDuplicates as exc:
        conflict = DuplicateConflict(detail=exc.detail, candidates=_candidates(exc.candidates))
        return JSONResponse(conflict.model_dump(mode="json"), status_code=status.HTTP_409_CONFLICT)
    access = Access(concerned=True, animator=principal.is_animator(person.network_id),
                    admin_of_concerned=principal.is_admin(structure.structure_id))
    return await _person_out(session, principal, person, access)


@router.get("/duplicates", response_model=DuplicatesOut, summary="Doublons probables dans le réseau")
async def duplicates(
    principal: PrincipalDep, session: SessionDep,
    first_name: Annotated[str | None, Query(max_length=100)] = None,
    last_name: Annotated[str | None, Query(max_length=100)] = None,
    birth_date: date | None = None,
    phone: Annotated[str | None, Query(max_length=40)] = None,
    email: Annotated[str | None, Query(max_length=254)] = None,
    structure_id: Annotated[int | None, Query(description="Structure pour laquelle on agit")] = None,
) -> DuplicatesOut:
    permissions.signed_in(principal)
    structure = service.acting_structure(principal, structure_id)
    found = await service.find_duplicates(
        session, principal, structure.network_id, first_name=first_name, last_name=last_name,
        birth_date=birth_date, phone=phone, email=email,
    )
    return DuplicatesOut(candidates=_candidates(found))


@router.get("", response_model=Page[PersonListItem], summary="Rechercher parmi les personnes que je peux voir")
async def search(
    principal: PrincipalDep, session: SessionDep, page: PageDep,
    q: Annotated[str | None, Query(max_length=200, description="Nom, prénom, téléphone ou courriel")] = None,
) -> Page[PersonListItem]:
    permissions.signed_in(principal)
    result = await service.search_people(session, principal, q, page)
    return Page.of([_summary(p) for p, _ in result.people], result.total, page)


@router.get("/{person_id}", response_model=PersonOut, summary="Fiche d'une personne", responses=_NOT_VISIBLE)
async def get_person(person_id: int, principal: PrincipalDep, session: SessionDep) -> PersonOut:
    permissions.signed_in(principal)
    person = await service.get_person(session, person_id)
    access = await ensure_can_see(session, principal, person)
    return await _person_out(session, principal, person, access)


@router.patch("/{person_id}", response_model=PersonOut, summary="Modifier la fiche d'une personne",
              responses=_NOT_VISIBLE)
async def update_person(person_id: int, body: PersonEdit, principal: PrincipalDep, session: SessionDep) -> PersonOut:
    permissions.signed_in(principal)
    person = await service.get_person(session, person_id)
    access = await ensure_can_see(session, principal, person, audit=None)
    person = await service.update_person(session, principal, person, body, utcnow())
    return await _person_out(session, principal, person, access)


@router.get("/{person_id}/export", response_model=ExportOut,
            summary="Exporter tout ce qui est conservé sur une personne (RGPD)", responses=_NOT_VISIBLE)
async def export_person(person_id: int, principal: PrincipalDep, session: SessionDep) -> ExportOut:
    permissions.signed_in(principal)
    person = await service.get_person(session, person_id)
    await ensure_can_see(session, principal, person, audit=None)
    return ExportOut(**await service.export_person(session, principal, person, utcnow()))


@router.delete("/{person_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Effacer les données d'une personne (anonymisation, RGPD)", responses=_NOT_VISIBLE)
async def erase_person(person_id: int, principal: PrincipalDep, session: SessionDep) -> Response:
    permissions.signed_in(principal)
    person = await service.get_person(session, person_id)
    access = await ensure_can_see(session, principal, person, audit=None)
    await service.erase_person(session, principal, person, access, utcnow())
    return Response(status_code=status.HTTP_204_NO_CONTENT)
