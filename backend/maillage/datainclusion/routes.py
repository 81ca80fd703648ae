"""The directory published in the data·inclusion v1 format."""

from typing import Annotated

from data_inclusion.schema import v1 as di
from fastapi import APIRouter, Query

from maillage.datainclusion import export
from maillage.db import SessionDep
from maillage.pagination import Page, PageDep

router = APIRouter(prefix="/data-inclusion", tags=["data·inclusion"])
NetworkParam = Annotated[str | None, Query(description="Slug du réseau", max_length=64)]


@router.get("/structures", response_model=Page[di.Structure], summary="Structures au format data·inclusion v1")
async def structures(session: SessionDep, page: PageDep, network: NetworkParam = None) -> Page[di.Structure]:
    items, total = await export.structures_page(session, network, page.offset, page.page_size)
    return Page[di.Structure].of(items, total, page)


@router.get("/services", response_model=Page[di.Service], summary="Services au format data·inclusion v1")
async def services(session: SessionDep, page: PageDep, network: NetworkParam = None) -> Page[di.Service]:
    items, total = await export.services_page(session, network, page.offset, page.page_size)
    return Page[di.Service].of(items, total, page)
