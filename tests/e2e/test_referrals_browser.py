"""The referral journey in a real browser: a Mission Locale counsellor orients a person to a service of
La Table de l'Ourcq, the receiving admin accepts and logs a contact, the counsellor sees the follow-up."""

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
    main_nav,
    sign_in,
    sign_out,
    tick,
)

pytestmark = pytest.mark.e2e

COUNSELLOR = "Amina Benali"
RECEIVER = "Sophie Lambert"
FIRST_NAME = "Maëlys"
LAST_NAME = "Navigateur-Essai"








def table_service(app_url: str) -> tuple[int, str]:
    """A published service of La Table de l'Ourcq that accepts referrals (from the public search API)."""
    answer = httpx.get(
        f"{app_url}/api/v1/services/search",
        params={"network": "pantin", "accepts_referrals": "true", "page_size": 100},
        timeout=10,
    )
    answer.raise_for_status()
    for card in answer.json()["items"]:
        if card["structure_nom"] == TABLE_OURCQ and card["accepts_referrals"]:
            return card["id"], card["nom"]
    pytest.fail("Aucun service de La Table de l'Ourcq n'accepte les orientations dans les données de démonstration.")


def test_counsellor_orients_a_person_the_receiver_accepts_and_the_sender_sees_the_follow_up(
    offline_page: Page, app_url: str, screenshot_dir, axe_script
) -> None:
    page = offline_page
    page.set_viewport_size(DESKTOP)
    service_id, service_name = table_service(app_url)

    # The counsellor orients a new person from the service page.
    sign_in(page, app_url, COUNSELLOR)
    page.goto(f"{app_url}/services/{service_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(service_name)
    page.get_by_role("link", name=re.compile(r"^Orienter une personne")).click()
    expect(page).to_have_url(re.compile(rf"/orienter/{service_id}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(service_name)

    page.get_by_role("button", name="Créer une nouvelle personne").click()
    page.get_by_label("Prénom").fill(FIRST_NAME)
    page.get_by_role("textbox", name="Nom", exact=True).fill(LAST_NAME)
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    # Without the information box, nothing is sent and what was typed stays.
    page.get_by_role("button", name="Enregistrer la personne").click()
    expect(page.get_by_text("Informez la personne et cochez la case")).to_be_visible()
    expect(page.get_by_label("Prénom")).to_have_value(FIRST_NAME)
    tick(page, page.get_by_label(re.compile(r"^\s*J'ai informé la personne")))
    page.get_by_role("button", name="Enregistrer la personne").click()

    expect(page.get_by_text(f"Personne orientée : {FIRST_NAME} {LAST_NAME}")).to_be_visible()
    page.get_by_label("Motif de l'orientation").fill("Souhaite se former aux métiers de la restauration.")
    page.get_by_label("Message à la structure").fill("Disponible les matins, plutôt joignable par SMS.")
    page.screenshot(path=str(screenshot_dir / "orienter-bureau.png"), full_page=True)
    assert not critical_violations(page, axe_script)
    page.set_viewport_size(PHONE)
    assert_no_horizontal_scroll(page, "Le formulaire d'orientation")
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Suivant").click()
    page.get_by_role("button", name="Envoyer l'orientation").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Orientation envoyée")
    page.get_by_role("link", name="Voir l'orientation").click()
    expect(page).to_have_url(re.compile(r"/orientations/\d+$"))
    referral_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Orientation de {FIRST_NAME} {LAST_NAME}")
    expect(page.get_by_text("En attente de réponse").first).to_be_visible()
    expect(page.get_by_role("button", name="Accepter")).to_have_count(0)
    sign_out(page)

    # The receiving admin finds it in the received referrals, accepts it and logs a reached contact.
    sign_in(page, app_url, RECEIVER)
    main_nav(page).get_by_role("link", name="Orientations").click()
    expect(page).to_have_url(re.compile(r"/orientations/recues$"))
    expect(page.get_by_role("tab", name="Reçues")).to_have_attribute("aria-selected", "true")
    row = page.locator("tbody tr").filter(has_text=f"{FIRST_NAME} {LAST_NAME}")
    expect(row).to_contain_text("En attente de réponse")
    page.screenshot(path=str(screenshot_dir / "orientations-recues-bureau.png"), full_page=True)
    assert not critical_violations(page, axe_script)
    row.get_by_role("link", name=f"{FIRST_NAME} {LAST_NAME}").click()
    expect(page).to_have_url(referral_url)

    page.get_by_role("button", name="Accepter").click()
    expect(page.get_by_text("L'orientation est acceptée.")).to_be_visible()
    expect(page.get_by_text("Jamais contactée").first).to_be_visible()
    page.get_by_role("button", name="Noter un contact").click()
    page.get_by_label("Canal").select_option("telephone")
    page.locator("label[for='contact-joint-oui']").click()
    page.get_by_label("Note").fill("Rendez-vous d'accueil fixé lundi.")
    page.get_by_role("button", name="Enregistrer le contact").click()
    expect(page.get_by_text("Le contact est enregistré.")).to_be_visible()
    history = page.get_by_role("region", name="Historique")
    expect(history).to_contain_text("personne jointe")
    expect(history).to_contain_text("Rendez-vous d'accueil fixé lundi.")
    page.screenshot(path=str(screenshot_dir / "orientation-bureau.png"), full_page=True)
    assert not critical_violations(page, axe_script)
    page.set_viewport_size(PHONE)
    assert_no_horizontal_scroll(page, "La page de l'orientation")
    page.set_viewport_size(DESKTOP)
    sign_out(page)

    # The counsellor sees the follow-up in the sent referrals.
    sign_in(page, app_url, COUNSELLOR)
    main_nav(page).get_by_role("link", name="Orientations").click()
    page.get_by_role("tab", name="Envoyées").click()
    expect(page).to_have_url(re.compile(r"/orientations/envoyees$"))
    row = page.locator("tbody tr").filter(has_text=f"{FIRST_NAME} {LAST_NAME}")
    expect(row).to_contain_text(re.compile("acceptée", re.IGNORECASE))
    expect(row).to_contain_text("Accompagnement en cours")
    page.get_by_label("Suivi").select_option("in_progress")
    expect(page).to_have_url(re.compile(r"suivi=in_progress"))
    expect(page.locator("tbody tr").filter(has_text=f"{FIRST_NAME} {LAST_NAME}")).to_be_visible()

    # The person's page lists the referral.
    page.locator("tbody tr").filter(has_text=f"{FIRST_NAME} {LAST_NAME}").get_by_role("link").click()
    # The list's row links to the referral under the same name: wait for the referral page first.
    expect(page).to_have_url(re.compile(r"/orientations/\d+$"))
    page.get_by_role("link", name=f"{FIRST_NAME} {LAST_NAME}").click()
    expect(page).to_have_url(re.compile(r"/personnes/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{FIRST_NAME} {LAST_NAME}")
    expect(page.get_by_role("region", name="Orientations")).to_contain_text(service_name)
    with page.expect_download() as download:
        page.get_by_role("button", name="Exporter ses données (JSON)").click()
    assert download.value.suggested_filename.endswith(".json")
    page.screenshot(path=str(screenshot_dir / "personne-bureau.png"), full_page=True)
    assert not critical_violations(page, axe_script)

    # Orienting the same person again: typing her again shows the probable duplicate, which can be picked.
    page.goto(f"{app_url}/orienter/{service_id}")
    page.get_by_label(re.compile("Rechercher une personne")).fill(LAST_NAME)
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page.get_by_role("button", name=f"Choisir {FIRST_NAME} {LAST_NAME}")).to_be_visible()
    page.get_by_role("button", name="Créer une nouvelle personne").click()
    page.get_by_label("Prénom").fill(FIRST_NAME)
    page.get_by_role("textbox", name="Nom", exact=True).fill(LAST_NAME)
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    tick(page, page.get_by_label(re.compile(r"^\s*J'ai informé la personne")))
    page.get_by_role("button", name="Enregistrer la personne").click()
    duplicate = page.get_by_role("alert").filter(has=page.get_by_role("button", name="C'est cette personne"))
    expect(duplicate).to_be_visible()
    expect(page.get_by_label("Prénom")).to_have_value(FIRST_NAME)
    duplicate.get_by_role("button", name="C'est cette personne").first.click()
    expect(page.get_by_text("Personne orientée :")).to_contain_text(f"{FIRST_NAME} {LAST_NAME[0]}.")


def test_animator_sees_the_stalled_referrals_and_people_without_solution(
    offline_page: Page, app_url: str, screenshot_dir, axe_script
) -> None:
    page = offline_page
    page.set_viewport_size(DESKTOP)
    sign_in(page, app_url, "Claire Dubois")
    page.goto(f"{app_url}/reseau/pantin")
    page.get_by_role("tab", name="Orientations en souffrance").click()
    expect(page).to_have_url(re.compile(r"onglet=souffrance"))
    panel = page.get_by_role("tabpanel")
    expect(panel.get_by_text(re.compile(r"^(Aucune orientation en souffrance|\d+ orientations? en souffrance)$"))).to_be_visible()
    expect(panel.get_by_label("Règle")).to_contain_text("Jamais contactée")
    panel.get_by_label("Règle").select_option("never_contacted")
    expect(page).to_have_url(re.compile(r"regle=never_contacted"))
    expect(panel.get_by_label("Structure (émettrice ou destinataire)")).to_contain_text(TABLE_OURCQ)
    page.screenshot(path=str(screenshot_dir / "reseau-souffrance-bureau.png"), full_page=True)
    assert not critical_violations(page, axe_script)

    page.get_by_role("tab", name="Personnes sans solution").click()
    expect(page).to_have_url(re.compile(r"onglet=sans-solution$"))
    expect(
        page.get_by_role("tabpanel").get_by_text(re.compile(r"^(Aucune personne sans solution|\d+ personnes? sans solution)$"))
    ).to_be_visible()
