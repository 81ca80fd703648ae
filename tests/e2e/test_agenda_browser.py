"""A structure's agenda in a real browser: the admin of La Table de l'Ourcq opens the agenda from her structure's
page, adds a place, publishes a weekly series (Tuesday and Thursday at 09:30, one place each) for one of her services,
sees its slots in next week's view with their remaining place, a booking made on one of them (through the API, on a
referral she received), the printable list of that day, then cancels the booking, takes a day off the series and
stops it; last, she creates a shared calendar address, reads it, and revokes it.

Everything the test creates carries its own names (place, title): the demo data may hold other slots."""

import re
from datetime import date

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.steps import (
    DESKTOP,
    PHONE,
    TABLE_OURCQ,
    api_call,
    assert_no_horizontal_scroll,
    critical_violations,
    main_nav,
    sign_in,
    tick,
)

pytestmark = pytest.mark.e2e

ADMIN = "Sophie Lambert"
PLACE = "Salle de l'essai navigateur"
TITLE = "Entretien d'accueil (essai navigateur)"
FEED = "Agenda de l'accueil (essai navigateur)"


def announced(scope, text):
    """The confirmation of an action (a status message, focused once shown)."""
    return scope.get_by_role("status").filter(has_text=text)


def book_on_a_received_referral(page: Page, app_url: str, structure_id: int, slot_id: int) -> tuple[int, str]:
    """Book the slot for the person of an open referral the structure received (the API refuses referrals that
    already have an upcoming appointment: the next one is tried). Returns the referral's id and the person's name."""
    answer = api_call(page, app_url, "GET",
                      f"/api/v1/referrals?structure_id={structure_id}&direction=received&page_size=100")
    assert answer.ok, answer.text()
    refusals = []
    for row in answer.json()["items"]:
        if row["status"] not in ("sent", "accepted"):
            continue
        booked = api_call(page, app_url, "POST", f"/api/v1/referrals/{row['id']}/bookings", {"slot_id": slot_id})
        if booked.status == 201:
            return row["id"], f"{row['person_first_name']} {row['person_last_name']}"
        refusals.append(booked.json().get("detail"))
    pytest.fail(f"Aucune orientation reçue ouverte où prendre rendez-vous : {refusals}")


def test_admin_publishes_a_weekly_series_and_follows_its_slots(
    offline_page: Page, app_url: str, screenshot_dir, axe_script
) -> None:
    page = offline_page
    page.set_viewport_size(DESKTOP)
    sign_in(page, app_url, ADMIN)

    # From the structure's page to its agenda; the main navigation has it too.
    main_nav(page).get_by_role("link", name="Ma structure").click()
    expect(page).to_have_url(re.compile(r"/gestion/structures/\d+$"))
    structure_id = int(page.url.rsplit("/", 1)[1])
    page.get_by_role("link", name="Agenda et rendez-vous").click()
    expect(page).to_have_url(re.compile(rf"/gestion/structures/{structure_id}/agenda$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Agenda de {TABLE_OURCQ}")
    expect(main_nav(page).get_by_role("link", name="Agenda")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^Semaine du lundi"))).to_be_visible()

    # A place of her own for these slots; without any place yet, the slot form leads to the place form.
    publish = page.get_by_role("region", name="Publier des créneaux")
    places = page.get_by_role("region", name="Lieux d'accueil")
    expect(places.get_by_role("button", name="Ajouter un lieu")).to_be_visible()
    no_place = publish.get_by_role("link", name="Ajouter un lieu d'accueil")
    if no_place.count():
        no_place.click()
    else:
        places.get_by_role("button", name="Ajouter un lieu").click()
    expect(places.get_by_label("Nom du lieu")).to_be_focused()
    places.get_by_label("Nom du lieu").fill(PLACE)
    places.get_by_role("button", name="Ajouter le lieu").click()
    expect(places.get_by_text("Indiquez l'adresse du lieu d'accueil.")).to_be_visible()
    places.get_by_role("textbox", name=re.compile(r"^Adresse")).fill("12 rue de l'Essai")
    places.get_by_label("Code postal").fill("93500")
    places.get_by_label("Commune").fill("Pantin")
    places.get_by_role("button", name="Ajouter le lieu").click()
    expect(announced(places, f"Le lieu « {PLACE} » est ajouté")).to_be_focused()

    # A weekly series: Tuesday and Thursday at 09:30, one person each time.
    service = publish.get_by_label("Service des créneaux")
    service_name = service.locator("option").nth(1).inner_text()
    service.select_option(label=service_name)
    publish.get_by_label("Lieu des créneaux").select_option(label=f"{PLACE} (sur place)")
    expect(publish.get_by_label("Chaque semaine")).to_be_checked()
    tick(page, publish.get_by_label("Mardi", exact=True))
    tick(page, publish.get_by_label("Jeudi", exact=True))
    publish.get_by_label("Heure de début").fill("09:30")
    publish.get_by_label("Nombre de places").fill("1")
    expect(publish.get_by_text("1 pour un entretien individuel, davantage pour une séance collective")).to_be_visible()
    publish.get_by_label("Titre (facultatif)").fill(TITLE)
    publish.get_by_role("button", name="Publier les créneaux").click()
    expect(announced(publish, re.compile(r"^\s*\d+ créneaux publiés : le mardi et le jeudi à 09 h 30, du "))).to_be_focused()

    # Next week shows both slots, each with its one place.
    page.get_by_role("button", name="Semaine suivante").click()
    expect(page).to_have_url(re.compile(r"date=\d{4}-\d{2}-\d{2}"))
    agenda = page.get_by_role("region", name=re.compile(r"^Semaine du"))
    slots = agenda.locator("article").filter(has_text=TITLE)
    expect(slots).to_have_count(2)
    for index in range(2):
        expect(slots.nth(index)).to_contain_text("09 h 30 – 10 h 15")
        expect(slots.nth(index)).to_contain_text(service_name)
        expect(slots.nth(index)).to_contain_text(PLACE)
        expect(slots.nth(index)).to_contain_text("1 place restante sur 1")
    tuesday, thursday = slots.nth(0), slots.nth(1)
    expect(agenda.get_by_role("heading", level=3, name=re.compile(r"^mardi ", re.IGNORECASE))).to_be_visible()

    # The place filter keeps the slots of that place only.
    agenda.get_by_label("Lieu", exact=True).select_option(label=PLACE)
    expect(page).to_have_url(re.compile(r"lieu=\d+"))
    expect(agenda.locator("article")).to_have_count(2)

    # A booking on Tuesday's slot (made through the API, as a counsellor would from the referral).
    slot_id = int(re.search(r"\d+", tuesday.get_attribute("aria-labelledby")).group(0))
    referral_id, person = book_on_a_received_referral(page, app_url, structure_id, slot_id)
    page.reload()
    expect(tuesday).to_contain_text("Complet")
    expect(tuesday).to_contain_text(person)
    expect(tuesday.get_by_text("RDV pris")).to_be_visible()
    expect(tuesday.get_by_role("link", name=f"Voir l'orientation de {person}")).to_have_attribute(
        "href", f"/orientations/{referral_id}"
    )
    # Attendance is marked once the appointment has begun: not yet.
    expect(tuesday.get_by_role("button", name=re.compile(r"^Venue"))).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "agenda-bureau.png"), full_page=True)
    assert not critical_violations(page, axe_script)
    page.set_viewport_size(PHONE)
    assert_no_horizontal_scroll(page, "L'agenda")
    page.screenshot(path=str(screenshot_dir / "agenda-telephone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)

    # The printable list of Tuesday.
    day_heading = tuesday.locator("xpath=ancestor::section[1]").get_by_role("heading", level=3)
    tuesday.locator("xpath=ancestor::section[1]").get_by_role("link", name=re.compile(r"^Liste du jour")).click()
    expect(page).to_have_url(re.compile(rf"/gestion/structures/{structure_id}/agenda/jour/\d{{4}}-\d{{2}}-\d{{2}}$"))
    day = date.fromisoformat(page.url.rsplit("/", 1)[1])
    assert day.weekday() == 1
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Rendez-vous du mardi "))
    row = page.locator("tbody tr").filter(has_text=person)
    expect(row).to_contain_text("09 h 30")
    expect(row).to_contain_text(service_name)
    expect(row).to_contain_text(PLACE)
    expect(row).to_contain_text("RDV pris")
    expect(page.get_by_role("button", name="Imprimer")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "agenda-liste-du-jour.png"), full_page=True)
    assert not critical_violations(page, axe_script)
    page.emulate_media(media="print")
    expect(page.locator("header.fr-header")).to_be_hidden()
    expect(page.locator("footer.fr-footer")).to_be_hidden()
    expect(page.get_by_role("button", name="Imprimer")).to_be_hidden()
    expect(row).to_be_visible()
    page.emulate_media(media="screen")
    page.get_by_role("link", name="Retour à l'agenda").click()
    expect(page).to_have_url(re.compile(r"vue=jour"))
    expect(page.get_by_role("region", name=re.compile(r"^mardi \d+ \S+ \d{4}$"))).to_be_visible()
    page.go_back()
    page.go_back()
    expect(day_heading).to_be_visible()

    # The booking is cancelled (reason required): the place is free again.
    tuesday.get_by_role("button", name=f"Annuler le RDV de {person}").click()
    tuesday.get_by_role("button", name="Confirmer l'annulation").click()
    expect(tuesday.get_by_text("Indiquez le motif de l'annulation")).to_be_visible()
    tuesday.get_by_label(re.compile("^Motif de l'annulation du RDV")).fill("Essai : la personne a retrouvé un emploi.")
    tuesday.get_by_role("button", name="Confirmer l'annulation").click()
    expect(announced(tuesday, f"Le rendez-vous de {person} est annulé")).to_be_focused()
    expect(tuesday).to_contain_text("1 place restante sur 1")

    # Thursday becomes a day without slot, then the series stops.
    thursday.get_by_role("button", name=re.compile(r"^Jours sans créneau")).click()
    thursday.get_by_role("button", name="Enregistrer les jours sans créneau").click()
    expect(announced(thursday, re.compile(r"^\s*Plus de créneau de cette série le jeudi "))).to_be_focused()
    expect(thursday).to_contain_text("Annulé")
    expect(thursday).to_contain_text("Jour sans créneau")

    tuesday.get_by_role("button", name=re.compile(r"^Arrêter la série")).click()
    tuesday.get_by_role("button", name="Confirmer l'arrêt de la série").click()
    expect(announced(tuesday, re.compile(r"^\s*La série est arrêtée : \d+ créneaux? libres? annulés?"))).to_be_focused()
    expect(tuesday).to_contain_text("Série arrêtée")

    # A shared calendar address: shown once, readable by a calendar program, then revoked.
    feeds = page.get_by_role("region", name="Agenda partagé (iCalendar)")
    feeds.get_by_label("Nom de l'agenda partagé").fill(FEED)
    feeds.get_by_role("button", name="Créer l'adresse").click()
    secret = feeds.get_by_role("alert").filter(has_text="Copiez cette adresse maintenant")
    expect(secret).to_be_focused()
    url = secret.locator("code").inner_text()
    assert url.startswith(f"{app_url}/api/v1/calendar/") and url.endswith(".ics")
    calendar = httpx.get(url, timeout=10)
    assert calendar.status_code == 200 and "BEGIN:VCALENDAR" in calendar.text
    feeds.get_by_role("button", name="J'ai copié l'adresse").click()
    expect(secret).to_have_count(0)
    feeds.get_by_role("button", name=f"Révoquer l'agenda partagé {FEED}").click()
    expect(announced(feeds, f"L'agenda partagé « {FEED} » est révoqué")).to_be_focused()
    expect(feeds.get_by_text("Révoqué", exact=True)).to_be_visible()
    assert httpx.get(url, timeout=10).status_code == 404
