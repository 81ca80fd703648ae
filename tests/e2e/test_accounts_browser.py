"""Signed-in use of the application in a real browser: the demo personas sign in, a structure admin
creates and publishes a service, the animator reviews the network, the demo mailbox shows sign-in links."""

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
    tick,
)

pytestmark = pytest.mark.e2e

PERSONAS = {
    "conseillere-mission-locale": "Amina Benali",
    "referent-rsa": "Julien Moreau",
    "admin-structure-accueil": "Sophie Lambert",
    "animatrice-reseau": "Claire Dubois",
}
ADMIN_EMAIL = "sophie.lambert@table-ourcq.example.org"
NEW_SERVICE = "Atelier pâtisserie du canal"







@pytest.mark.parametrize("persona", list(PERSONAS))
def test_each_demo_persona_signs_in_from_the_sign_in_page(offline_page: Page, app_url: str, persona: str) -> None:
    page = offline_page
    page.set_viewport_size(DESKTOP)
    page.goto(f"{app_url}/connexion")
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    expect(page.locator("header")).not_to_contain_text(PERSONAS[persona])
    sign_in(page, app_url, PERSONAS[persona], path="")
    expect(page).to_have_url(f"{app_url}/")
    header = page.locator("header")
    expect(header.get_by_role("link", name=re.compile(PERSONAS[persona]))).to_be_visible()
    expect(header.get_by_role("button", name="Se déconnecter")).to_be_visible()
    expect(main_nav(page).get_by_role("link", name="Mon compte")).to_be_visible()

    page.reload()
    expect(page.locator("header")).to_contain_text(PERSONAS[persona])
    header.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion\?deconnecte=1$"))
    expect(page.locator("header").get_by_role("link", name="Se connecter")).to_be_visible()
    expect(page.locator("header")).not_to_contain_text(PERSONAS[persona])


def test_sign_in_page_screenshots_and_accessibility(offline_page: Page, app_url: str, screenshot_dir, axe_script) -> None:
    page = offline_page
    page.set_viewport_size(DESKTOP)
    page.goto(f"{app_url}/connexion")
    expect(page.get_by_role("button", name="Se connecter comme Claire Dubois")).to_be_visible()
    expect(page.get_by_role("heading", name="Recevoir un lien de connexion")).to_be_visible()
    for name in PERSONAS.values():
        expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.get_by_text(TABLE_OURCQ)).to_be_visible()
    assert "République Française" not in page.content()
    page.screenshot(path=str(screenshot_dir / "connexion-bureau.png"), full_page=True)
    assert not critical_violations(page, axe_script)

    page.set_viewport_size(PHONE)
    expect(page.get_by_role("button", name="Menu")).to_be_visible()
    assert_no_horizontal_scroll(page, "La page de connexion")
    page.screenshot(path=str(screenshot_dir / "connexion-telephone.png"), full_page=True)

    page.goto(f"{app_url}/connexion?erreur=fournisseur-injoignable")
    expect(page.get_by_role("alert")).to_contain_text("Le service de connexion est injoignable")


def test_pages_needing_sign_in_redirect_then_come_back(offline_page: Page, app_url: str) -> None:
    page = offline_page
    page.set_viewport_size(DESKTOP)
    page.goto(f"{app_url}/compte")
    expect(page).to_have_url(re.compile(r"/connexion\?suivant=(%2F|/)compte$"))
    sign_in(page, app_url, "Amina Benali", path="")
    expect(page).to_have_url(f"{app_url}/compte")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    expect(page.get_by_role("main")).to_contain_text("amina.benali@mission-locale-lyr.example.org")

    # A member of another structure gets a French "no access" page, not a blank one.
    found = httpx.get(f"{app_url}/api/v1/structures", params={"q": "Table de l'Ourcq", "network": "pantin"}).json()
    table_id = next(item["id"] for item in found["items"] if item["nom"] == TABLE_OURCQ)
    page.goto(f"{app_url}/gestion/structures/{table_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vous n'avez pas accès à cette page")

    # Her own structure, where she is a plain member: read only.
    main_nav(page).get_by_role("link", name="Ma structure").click()
    expect(page).to_have_url(re.compile(r"/gestion/structures/\d+$"))
    expect(page.get_by_text(re.compile("^Lecture seule"))).to_be_visible()
    expect(page.get_by_role("button", name="Nouveau service")).to_have_count(0)


def test_structure_admin_creates_and_publishes_a_service(
    offline_page: Page, app_url: str, screenshot_dir, axe_script
) -> None:
    page = offline_page
    page.set_viewport_size(DESKTOP)
    sign_in(page, app_url, "Sophie Lambert")
    main_nav(page).get_by_role("link", name="Ma structure").click()
    expect(page).to_have_url(re.compile(r"/gestion/structures/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TABLE_OURCQ)
    expect(page.get_by_role("heading", name="Services")).to_be_visible()
    expect(page.get_by_text("Publié", exact=True).first).to_be_visible()
    expect(page.get_by_role("textbox", name="Nom", exact=True)).to_have_value(TABLE_OURCQ)
    page.screenshot(path=str(screenshot_dir / "gestion-structure-bureau.png"), full_page=True)
    assert not critical_violations(page, axe_script)
    structure_url = page.url

    page.get_by_role("button", name="Nouveau service").click()
    page.get_by_label("Nom du nouveau service").fill(NEW_SERVICE)
    page.get_by_role("button", name="Créer le brouillon").click()
    expect(page).to_have_url(re.compile(r"/gestion/services/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(NEW_SERVICE)
    checklist = page.get_by_role("list", name="Ce qui manque pour publier")
    expect(checklist).to_contain_text("au moins une thématique")
    expect(checklist).to_contain_text("au moins un public")

    page.get_by_label("Description").fill(
        "Six semaines pour apprendre les bases de la pâtisserie en conditions réelles, au bord du canal."
    )
    page.get_by_role("button", name="Choisir un métier").click()
    tick(page, page.locator("#service-thematiques-choisir-un-metier input[type=checkbox]").first)
    tick(page, page.get_by_label(re.compile(r"^\s*Demandeurs d.emploi")))
    tick(page, page.get_by_label("En présentiel"))
    page.get_by_role("button", name="Reprendre l'adresse de la structure").click()
    expect(page.get_by_label("Adresse", exact=True)).to_have_value(re.compile(r"\S"))
    expect(page.get_by_label("Commune", exact=True)).to_have_value(re.compile(r"\S"))
    tick(page, page.get_by_label("Le service accepte les orientations"))

    # A refused save keeps everything typed and says what is wrong, next to the field.
    emails = page.get_by_label("Adresses qui reçoivent les orientations")
    emails.fill("pas-une-adresse")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_role("alert").filter(has_text="Les modifications n'ont pas été enregistrées")).to_be_visible()
    expect(page.locator(".fr-input-group--error")).to_contain_text("Adresses qui reçoivent les orientations")
    expect(page.get_by_label("Description")).to_have_value(re.compile("pâtisserie"))
    expect(page.get_by_label("En présentiel")).to_be_checked()

    emails.fill(ADMIN_EMAIL)
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_text("Les modifications sont enregistrées.")).to_be_visible()
    expect(page.get_by_text("Tout ce qu'il faut pour publier est renseigné.")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "gestion-service-bureau.png"), full_page=True)
    assert not critical_violations(page, axe_script)

    page.set_viewport_size(PHONE)
    assert_no_horizontal_scroll(page, "Le formulaire du service")
    page.screenshot(path=str(screenshot_dir / "gestion-service-telephone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)

    page.get_by_role("button", name=re.compile(r"^Publier")).click()
    expect(page.get_by_text("est publié : il apparaît dans l'annuaire")).to_be_visible()
    publication = page.get_by_role("complementary", name="Publication du service")
    expect(publication.get_by_text("Publié", exact=True)).to_be_visible()

    page.goto(structure_url)
    expect(page.get_by_role("link", name=NEW_SERVICE)).to_be_visible()
    page.set_viewport_size(PHONE)
    expect(page.get_by_role("heading", name="Services")).to_be_visible()
    assert_no_horizontal_scroll(page, "La page de gestion de la structure")
    page.screenshot(path=str(screenshot_dir / "gestion-structure-telephone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)

    page.goto(f"{app_url}/")
    page.get_by_label("Rechercher un service").fill(NEW_SERVICE)
    with page.expect_response(lambda response: "/api/v1/services/search" in response.url):
        page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page.locator(".fr-card").filter(has_text=NEW_SERVICE).first).to_be_visible()


def test_animator_sees_the_outdated_listings_of_the_network(offline_page: Page, app_url: str, screenshot_dir) -> None:
    page = offline_page
    page.set_viewport_size(DESKTOP)
    sign_in(page, app_url, "Claire Dubois")
    main_nav(page).get_by_role("link", name="Réseau").click()
    expect(page).to_have_url(re.compile(r"/reseau/pantin$"))
    tab = page.get_by_role("tab", name=re.compile("Fiches à mettre à jour"))
    expect(tab).to_have_attribute("aria-selected", "true")
    rows = page.get_by_role("tabpanel").locator("tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 1
    expect(rows.first.get_by_role("link", name=re.compile("^Modifier"))).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "reseau-bureau.png"), full_page=True)

    page.get_by_role("tab", name="Journal").click()
    expect(page).to_have_url(re.compile(r"onglet=journal"))
    expect(page.get_by_role("tabpanel").get_by_text(re.compile(r"^(Aucun évènement|\d+ évènements?)$"))).to_be_visible()
    page.get_by_role("tab", name="Membres du réseau").click()
    page.get_by_label(re.compile("Rechercher une personne")).fill("Lambert")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page.get_by_role("tabpanel")).to_contain_text(ADMIN_EMAIL)


def test_demo_mailbox_shows_the_sign_in_link_and_it_signs_in(offline_page: Page, app_url: str) -> None:
    page = offline_page
    page.set_viewport_size(DESKTOP)
    page.goto(f"{app_url}/connexion")
    page.get_by_label("Adresse électronique").fill(ADMIN_EMAIL)
    page.get_by_role("button", name="Recevoir un lien de connexion").click()
    expect(page.get_by_role("status").filter(has_text="lien de connexion")).to_be_visible()

    page.locator("header").get_by_role("link", name="Boîte d'envoi (démo)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Boîte d'envoi (démo)")
    page.get_by_label(re.compile("^Destinataire")).fill(ADMIN_EMAIL)
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text(re.compile(r"^\d+ courriels?$"))).to_be_visible()
    subjects = page.get_by_role("button", name=re.compile("lien de connexion"))
    expect(subjects.first).to_be_visible()
    subjects.first.click()
    frame = page.frame_locator("iframe[title^='Contenu du courriel']").first
    expect(frame.get_by_text("Me connecter")).to_be_visible()

    page.get_by_role("link", name=re.compile(r"^\/connexion\/lien\?jeton=")).first.click()
    expect(page.locator("header")).to_contain_text("Sophie Lambert")
    expect(page).to_have_url(f"{app_url}/")


def test_join_request_approved_by_the_admin_then_structure_switcher(offline_page: Page, app_url: str) -> None:
    page = offline_page
    page.set_viewport_size(DESKTOP)
    found = httpx.get(f"{app_url}/api/v1/structures", params={"q": "Table de l'Ourcq", "network": "pantin"}).json()
    table_id = next(item["id"] for item in found["items"] if item["nom"] == TABLE_OURCQ)

    # After an OpenID sign-in matched to a structure, the account page proposes to join it.
    sign_in(page, app_url, "Julien Moreau")
    page.goto(f"{app_url}/compte?rejoindre={table_id}")
    proposal = page.locator(".fr-callout").filter(has_text=f"Rejoindre {TABLE_OURCQ} ?")
    expect(proposal).to_be_visible()
    proposal.get_by_label("Message pour les administrateurs").fill("Référent RSA, je leur oriente des personnes.")
    proposal.get_by_role("button", name=f"Demander à rejoindre {TABLE_OURCQ}").click()
    expect(page.get_by_role("status").filter(has_text="Votre demande a été envoyée")).to_be_visible()
    page.context.clear_cookies()

    sign_in(page, app_url, "Sophie Lambert")
    page.goto(f"{app_url}/gestion/structures/{table_id}/equipe")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Équipe de {TABLE_OURCQ}")
    expect(page.get_by_text("« Référent RSA, je leur oriente des personnes. »")).to_be_visible()
    page.get_by_role("button", name="Accepter Julien Moreau").click()
    expect(page.get_by_text("Julien Moreau fait maintenant partie de l'équipe.")).to_be_visible()
    expect(page.get_by_label("Rôle de Julien Moreau")).to_have_value("member")
    # The last admin cannot step down: the API's refusal is shown and the role stays.
    page.get_by_label("Rôle de Sophie Lambert").select_option("member")
    expect(page.get_by_role("alert").filter(has_text="administrateur")).to_be_visible()
    expect(page.get_by_label("Rôle de Sophie Lambert")).to_have_value("admin")
    page.context.clear_cookies()

    # Two structures now: the header offers to switch.
    sign_in(page, app_url, "Julien Moreau")
    main_nav(page).get_by_role("button", name="Ma structure").click()
    main_nav(page).get_by_role("link", name=TABLE_OURCQ).click()
    expect(page).to_have_url(f"{app_url}/gestion/structures/{table_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(TABLE_OURCQ)
    expect(page.get_by_text(re.compile("^Lecture seule"))).to_be_visible()


def test_account_page_changes_the_name_shown_in_the_header(offline_page: Page, app_url: str) -> None:
    page = offline_page
    page.set_viewport_size(DESKTOP)
    sign_in(page, app_url, "Amina Benali")
    main_nav(page).get_by_role("link", name="Mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    first_name = page.get_by_role("textbox", name="Prénom")
    last_name = page.get_by_role("textbox", name="Nom", exact=True)
    expect(first_name).to_have_value("Amina")
    expect(last_name).to_have_value("Benali")

    # Refused: the API's French message next to the field, what was typed is kept.
    first_name.fill("")
    last_name.fill("Benali-Rahmani")
    page.get_by_role("button", name="Enregistrer mon nom").click()
    expect(page.get_by_role("alert").filter(has_text="Les modifications n'ont pas été enregistrées")).to_be_visible()
    expect(page.locator(".fr-input-group--error")).to_contain_text("Prénom")
    expect(last_name).to_have_value("Benali-Rahmani")
    expect(page.locator("header")).to_contain_text("Amina Benali")

    first_name.fill("Amina")
    page.get_by_role("button", name="Enregistrer mon nom").click()
    expect(page.get_by_role("status").filter(has_text="Votre nom est enregistré")).to_be_visible()
    expect(page.locator("header").get_by_role("link", name=re.compile("Amina Benali-Rahmani"))).to_be_visible()
    page.reload()
    expect(page.locator("header")).to_contain_text("Amina Benali-Rahmani")

    # Back to the demo name, which the other tests sign in with.
    page.get_by_role("textbox", name="Nom", exact=True).fill("Benali")
    page.get_by_role("button", name="Enregistrer mon nom").click()
    expect(page.locator("header").get_by_role("link", name=re.compile(r"Amina Benali\b(?!-)"))).to_be_visible()
