"""Orienting a person again from their page, in a real browser: the Mission Locale counsellor opens the page of a
person her structure oriented (demo data), clicks "Orienter cette personne", chooses a service in the directory
search (which carries the person), sends, lands on the new referral, and finds it on the person's page."""

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.steps import (
    DESKTOP,
    PHONE,
    TABLE_OURCQ,
    assert_no_horizontal_scroll,
    critical_violations,
    sign_in,
)

pytestmark = pytest.mark.e2e

COUNSELLOR = "Amina Benali"
# Demo data (backend/maillage/demo/referrals.py): oriented by the Mission Locale to a crèche the day before, in no
# stall rule — another referral of hers changes nothing the animators' queue shows.
FIRST_NAME, LAST_NAME = "Océane", "Lefort"
FULL_NAME = f"{FIRST_NAME} {LAST_NAME}"


def table_service(app_url: str) -> tuple[int, str]:
    """A published service of La Table de l'Ourcq that accepts referrals (from the public search API)."""
    answer = httpx.get(
        f"{app_url}/api/v1/services/search",
        params={"network": "pantin", "accepts_referrals": "true", "page_size": 100},
        timeout=10,
    )
    answer.raise_for_status()
    for card in answer.json()["items"]:
        if card["structure_nom"] == TABLE_OURCQ:
            return card["id"], card["nom"]
    pytest.fail("Aucun service de La Table de l'Ourcq n'accepte les orientations dans les données de démonstration.")


def person_id(page: Page, app_url: str) -> int:
    """The demo person's id, read with the counsellor's session (the people she may see)."""
    answer = page.request.get(f"{app_url}/api/v1/people", params={"q": LAST_NAME})
    assert answer.ok, answer.text()
    for item in answer.json()["items"]:
        if (item["first_name"], item["last_name"]) == (FIRST_NAME, LAST_NAME):
            return item["id"]
    pytest.fail(f"{FULL_NAME} n'est pas parmi les personnes que la conseillère peut voir.")


def test_counsellor_orients_a_person_again_from_her_page(
    offline_page: Page, app_url: str, screenshot_dir, axe_script
) -> None:
    page = offline_page
    page.set_viewport_size(DESKTOP)
    service_id, service_name = table_service(app_url)
    sign_in(page, app_url, COUNSELLOR)
    pid = person_id(page, app_url)

    # The person's page offers to orient her.
    page.goto(f"{app_url}/personnes/{pid}")
    expect(page.get_by_role("heading", level=1)).to_have_text(FULL_NAME)
    referrals = page.get_by_role("region", name="Orientations").locator("tbody tr")
    expect(referrals.first).to_be_visible()
    before = referrals.count()
    page.screenshot(path=str(screenshot_dir / "personne-orienter-bureau.png"), full_page=True)
    page.get_by_role("link", name="Orienter cette personne").click()

    # The directory search carries her: a notice, only services that accept referrals, a way back.
    expect(page).to_have_url(re.compile(rf"/\?(.*&)?personne={pid}(&|$)"))
    notice = page.get_by_role("status").filter(has_text="Vous orientez")
    expect(notice).to_have_text(re.compile(rf"Vous orientez {FIRST_NAME} {LAST_NAME[0]}\. : choisissez un service\."))
    expect(notice.get_by_role("link", name="Annuler et revenir à sa fiche")).to_have_attribute("href", f"/personnes/{pid}")
    expect(page.get_by_label("Accepte les orientations")).to_be_checked()
    page.get_by_label("Rechercher un service").fill(service_name)
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page).to_have_url(re.compile(rf"personne={pid}"))
    orient = page.get_by_role("link", name=f"Orienter vers ce service : {service_name}")
    expect(orient).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "orienter-depuis-personne-recherche-bureau.png"), full_page=True)
    assert not critical_violations(page, axe_script)
    page.set_viewport_size(PHONE)
    assert_no_horizontal_scroll(page, "La recherche pour orienter une personne")
    page.set_viewport_size(DESKTOP)
    orient.click()

    # The form starts with her already chosen.
    expect(page).to_have_url(re.compile(rf"/orienter/{service_id}\?personne={pid}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(service_name)
    expect(page.get_by_text(f"Personne orientée : {FULL_NAME}")).to_be_visible()
    expect(page.get_by_role("link", name="Annuler")).to_have_attribute("href", f"/personnes/{pid}")
    page.get_by_label("Motif de l'orientation").fill("Souhaite découvrir les métiers de la restauration.")
    page.screenshot(path=str(screenshot_dir / "orienter-depuis-personne-bureau.png"), full_page=True)
    assert not critical_violations(page, axe_script)
    page.get_by_role("button", name="Suivant").click()
    page.get_by_role("button", name="Envoyer l'orientation").click()

    # She lands on the new referral…
    expect(page.get_by_role("heading", level=1)).to_have_text("Orientation envoyée")
    page.get_by_role("link", name="Voir l'orientation").click()
    expect(page).to_have_url(re.compile(r"/orientations/\d+$"))
    referral_path = re.search(r"/orientations/\d+$", page.url).group(0)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Orientation de {FULL_NAME}")
    expect(page.get_by_text("En attente de réponse").first).to_be_visible()
    expect(page.locator("main")).to_contain_text(service_name)

    # … which the person's page lists.
    page.get_by_role("link", name=FULL_NAME).click()
    expect(page).to_have_url(re.compile(rf"/personnes/{pid}$"))
    expect(referrals).to_have_count(before + 1)
    row = referrals.filter(has=page.locator(f"a[href='{referral_path}']"))
    expect(row).to_contain_text(service_name)
    expect(row).to_contain_text("Envoyée")


def test_a_person_who_cannot_be_found_leaves_the_usual_form(offline_page: Page, app_url: str) -> None:
    page = offline_page
    page.set_viewport_size(DESKTOP)
    service_id, _ = table_service(app_url)
    sign_in(page, app_url, COUNSELLOR)

    page.goto(f"{app_url}/orienter/{service_id}?personne=999999999")
    expect(page.get_by_text("La personne demandée est introuvable ou vous n'y avez pas accès")).to_be_visible()
    expect(page.get_by_label(re.compile("Rechercher une personne"))).to_be_visible()
    expect(page.get_by_role("button", name="Créer une nouvelle personne")).to_be_visible()

    page.goto(f"{app_url}/?personne=999999999&accepts_referrals=true")
    expect(page.get_by_text("La personne à orienter est introuvable ou vous n'y avez pas accès.")).to_be_visible()
    page.get_by_role("button", name="Rechercher sans orienter").click()
    expect(page).not_to_have_url(re.compile("personne="))
    expect(page.get_by_text("Vous orientez")).to_have_count(0)
