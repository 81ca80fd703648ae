"""Public directory API: networks, structures, services and search (no sign-in needed)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from maillage.db import SessionDep
from maillage.directory import referentials as ref
from maillage.directory import search, service
from maillage.directory.cards import service_card, service_detail, structure_summary
from maillage.directory.schemas import (
    FacetCount,
    NetworkList,
    NetworkOut,
    Referentials,
    SearchPage,
    ServiceCard,
    ServiceDetail,
    StructureDetail,
    StructureSummary,
)
from maillage.ops.ratelimit import limit_search
from maillage.pagination import Page, PageDep

router = APIRouter(tags=["annuaire"])
NetworkParam = Annotated[str | None, Query(description="Slug du réseau (ex. « pantin »)", max_length=64)]


@router.get("/networks", response_model=NetworkList, summary="Réseaux")
async def list_networks(session: SessionDep) -> NetworkList:
    rows = await service.list_networks(session)
    items = [
        NetworkOut(
            slug=n.slug, name=n.name, territory=n.territory, description=n.description,
            latitude=n.latitude, longitude=n.longitude,
            structures_count=structures, services_count=services,
        )
        for n, structures, services in rows
    ]
    return NetworkList(items=items, total=len(items))


@router.get("/referentials", response_model=Referentials, summary="Référentiels data·inclusion")
async def referentials() -> Referentials:
    return Referentials(
        categories=ref.as_items(ref.CATEGORIES),
        thematiques=ref.as_items(ref.THEMATIQUES),
        publics=ref.as_items(ref.PUBLICS),
        frais=ref.as_items(ref.FRAIS),
        modes_accueil=ref.as_items(ref.MODES_ACCUEIL),
        types=ref.as_items(ref.TYPES),
        reseaux_porteurs=ref.as_items(ref.RESEAUX_PORTEURS),
        modes_mobilisation=ref.as_items(ref.MODES_MOBILISATION),
        mobilisable_par=ref.as_items(ref.PERSONNES_MOBILISATRICES),
    )


@router.get("/structures", response_model=Page[StructureSummary], summary="Structures")
async def list_structures(
    session: SessionDep,
    page: PageDep,
    network: NetworkParam = None,
    q: Annotated[str | None, Query(max_length=200, description="Partie du nom")] = None,
) -> Page[StructureSummary]:
    rows, total = await service.list_structures(session, page, network, q)
    items = [structure_summary(s, services_count=count) for s, _network, count in rows]
    return Page[StructureSummary].of(items, total, page)


@router.get("/structures/{structure_id}", response_model=StructureDetail, summary="Structure et ses services")
async def get_structure(session: SessionDep, structure_id: int) -> StructureDetail:
    structure, network, services = await service.get_structure(session, structure_id)
    summary = structure_summary(structure, services_count=len(services))
    return StructureDetail(
        **summary.model_dump(),
        network=network,
        description=structure.description,
        siret=structure.siret,
        accessibilite_lieu=structure.accessibilite_lieu,
        updated_at=structure.updated_at,
        services=[service_card(s, structure.nom, network) for s in services],
    )


@router.get("/services", response_model=Page[ServiceCard], summary="Services publiés")
async def list_services(
    session: SessionDep,
    page: PageDep,
    network: NetworkParam = None,
    structure: Annotated[int | None, Query(description="Identifiant de structure")] = None,
) -> Page[ServiceCard]:
    rows, total = await service.list_services(session, page, network, structure)
    return Page[ServiceCard].of([service_card(s, nom, slug) for s, nom, slug in rows], total, page)


@router.get("/services/search", response_model=SearchPage, summary="Rechercher un service",
            dependencies=[Depends(limit_search)])
async def search_services(
    session: SessionDep,
    page: PageDep,
    q: Annotated[str | None, Query(max_length=200, description="Texte libre (français)")] = None,
    thematique: Annotated[
        list[str], Query(description="Code de thématique, ou de catégorie pour inclure ses sous-thématiques")
    ] = [],  # noqa: B006 (FastAPI copies defaults)
    public: Annotated[list[str], Query(description="Code de public")] = [],  # noqa: B006
    frais: Annotated[list[str], Query(description="gratuit / payant")] = [],  # noqa: B006
    mode_accueil: Annotated[list[str], Query(description="en-presentiel / a-distance")] = [],  # noqa: B006
    commune: Annotated[str | None, Query(max_length=150, description="Code INSEE ou nom de commune")] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    radius_km: Annotated[float | None, Query(gt=0, le=1000)] = None,
    accepts_referrals: Annotated[bool | None, Query(description="Accepte les orientations")] = None,
    network: NetworkParam = None,
) -> SearchPage:
    query = search.SearchQuery(
        q=q, thematique=thematique, public=public, frais=frais, mode_accueil=mode_accueil,
        commune=commune, lat=lat, lon=lon, radius_km=radius_km,
        accepts_referrals=accepts_referrals, network=network,
    )
    result = await search.search_services(session, query, page)
    items = [service_card(s, nom, slug, distance) for s, nom, slug, distance in result.rows]
    facets = [
        FacetCount(code=code, label=item.label, count=result.categories.get(code, 0))
        for code, item in ref.CATEGORIES.items()
    ]
    base = Page[ServiceCard].of(items, result.total, page)
    return SearchPage(**base.model_dump(), facets={"categories": facets})


@router.get("/services/{service_id}", response_model=ServiceDetail, summary="Service")
async def get_service(session: SessionDep, service_id: int) -> ServiceDetail:
    svc, structure, network = await service.get_service(session, service_id)
    return service_detail(svc, structure, network)
