"""Appointments in a real browser.

The Mission Locale counsellor orients a demo person to the service of La Table de l'Ourcq that publishes weekly
slots (demo data: "Entretien d'accueil" on Tuesdays and Thursdays at 09:30, one place; "Réunion d'information
collective" on Mondays at 14:00) with « Orienter et prendre RDV »: the slot she chose is taken meanwhile by another
booking (made through the API), so the page says it is full, keeps the form and offers the slots again; she picks
the next one, sends, reads the appointment on the confirmation, in « Mes RDV » and on the referral. The receiving
admin then accepts the referral and sees the appointment on its page ("RDV à venir"). Last, the admin says that the
person of an appointment left unmarked (demo data: Léa Bonnet, four days ago) came.

Slots are chosen by their id, read from the API with the counsellor's session: other browser tests may publish slots
at the same hours (with other titles)."""

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.steps import (
    DESKTOP,
    PHONE,
    TABLE_OURCQ,
    api_call,
    assert_no_horizontal_scroll,
    choose_slot,
    critical_violations,
    main_nav,
    paris_date_time,
    sign_in,
    sign_out,
)

pytestmark = pytest.mark.e2e

COUNSELLOR = "Amina Benali"
RECEIVER = "Sophie Lambert"
# Demo people the Mission Locale oriented before (backend/maillage/demo/referrals.py), in no other browser test.
PERSON = ("Djibril", "Kanté")
OTHER_PERSON = ("Ibrahima", "Camara")
TO_CONFIRM = ("Léa", "Bonnet")
INTERVIEW = "Entretien d'accueil"
PLACE = "Accueil du restaurant"
INSTRUCTIONS = "Sonnez à la porte de service"
PICKER = "orientation-creneau"
FULL = "Ce créneau vient d'être complet : choisissez-en un autre."


def full_name(person: tuple[str, str]) -> str:
    return f"{person[0]} {person[1]}"


def free_interviews(page: Page, app_url: str, service_id: int) -> list[dict]:
    """The free demo interview slots of a service in the next four weeks, soonest first."""
    answer = api_call(page, app_url, "GET", f"/api/v1/services/{service_id}/slots?page_size=100")
    assert answer.ok, answer.text()
    return [slot for slot in answer.json()["items"] if slot["title"] == INTERVIEW and slot["remaining"] > 0]


def booking_service(page: Page, app_url: str) -> tuple[int, str]:
    """The service of La Table de l'Ourcq with the demo's interview slots (from the public search, then the slots)."""
    answer = httpx.get(
        f"{app_url}/api/v1/services/search",
        params={"network": "pantin", "accepts_referrals": "true", "page_size": 100},
        timeout=10,
    )
    answer.raise_for_status()
    for card in answer.json()["items"]:
        if card["structure_nom"] == TABLE_OURCQ and free_interviews(page, app_url, card["id"]):
            return card["id"], card["nom"]
    pytest.fail("Aucun service de La Table de l'Ourcq ne publie de créneau « Entretien d'accueil » libre.")


def person_id(page: Page, app_url: str, person: tuple[str, str]) -> int:
    answer = api_call(page, app_url, "GET", f"/api/v1/people?q={person[1]}")
    assert answer.ok, answer.text()
    for item in answer.json()["items"]:
        if (item["first_name"], item["last_name"]) == person:
            return item["id"]
    pytest.fail(f"{full_name(person)} n'est pas parmi les personnes que la conseillère peut voir.")


def referrals_to(page: Page, app_url: str, direction: str, person: tuple[str, str], service_id: int | None = None):
    """The referrals of the current structure (sent or received) of a person (to a service)."""
    answer = api_call(page, app_url, "GET", f"/api/v1/referrals?direction={direction}&page_size=100")
    assert answer.ok, answer.text()
    return [
        row for row in answer.json()["items"]
        if (row["person_first_name"], row["person_last_name"]) == person
        and (service_id is None or row["service"]["id"] == service_id)
    ]


def follow_up(page: Page, label: str):
    """The referral page's follow-up badge reading `label`."""
    return page.locator("main .fr-badge").filter(has_text=re.compile(rf"^\s*Suivi : {re.escape(label)}\s*$"))


def test_counsellor_orients_and_books_then_the_structure_accepts(
    offline_page: Page, app_url: str, screenshot_dir, axe_script
) -> None:
    page = offline_page
    page.set_viewport_size(DESKTOP)
    sign_in(page, app_url, COUNSELLOR)
    service_id, service_name = booking_service(page, app_url)
    pid = person_id(page, app_url, PERSON)
    other_pid = person_id(page, app_url, OTHER_PERSON)
    sent_before = len(referrals_to(page, app_url, "sent", PERSON, service_id))

    # The form, started from the person; the last step offers the service's free slots (optional).
    page.goto(f"{app_url}/orienter/{service_id}?personne={pid}")
    expect(page.get_by_text(f"Personne orientée : {full_name(PERSON)}")).to_be_visible()
    motive = "Souhaite se former au service en salle (essai des rendez-vous)."
    page.get_by_label("Motif de l'orientation").fill(motive)
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_role("heading", name="Prendre rendez-vous (facultatif)")).to_be_visible()
    expect(page.get_by_role("button", name="Envoyer l'orientation")).to_be_visible()

    wanted = free_interviews(page, app_url, service_id)[0]
    choose_slot(page, PICKER, wanted["id"])
    send = page.get_by_role("button", name="Orienter et prendre RDV")
    expect(send).to_be_visible()
    expect(page.get_by_text(f"Créneau choisi : {paris_date_time(wanted['starts_at'])}")).to_be_visible()
    # The demo people gave no email: no confirmation can be sent to them.
    expect(page.get_by_label("Envoyer la confirmation du RDV à la personne par courriel")).to_be_disabled()
    page.screenshot(path=str(screenshot_dir / "orienter-prendre-rdv-bureau.png"), full_page=True)
    assert not critical_violations(page, axe_script)
    page.set_viewport_size(PHONE)
    assert_no_horizontal_scroll(page, "Le choix d'un créneau")
    page.screenshot(path=str(screenshot_dir / "orienter-prendre-rdv-mobile.png"), full_page=True)
    page.set_viewport_size(DESKTOP)

    # Meanwhile the only place of that slot goes to another person.
    taken = api_call(page, app_url, "POST", "/api/v1/referrals", {
        "person_id": other_pid, "service_id": service_id, "motive": "Découverte des métiers de la restauration.",
        "slot_id": wanted["id"],
    })
    assert taken.status == 201, taken.text()

    # Full: the page says so, keeps what was typed and offers the slots again; no referral was sent.
    send.click()
    expect(page.get_by_role("alert").filter(has_text=FULL)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(service_name)
    expect(page.locator("main")).to_contain_text(motive)
    expect(page.locator(f"#{PICKER}-{wanted['id']}")).to_have_count(0)
    expect(page.get_by_role("button", name="Envoyer l'orientation")).to_be_visible()
    assert len(referrals_to(page, app_url, "sent", PERSON, service_id)) == sent_before
    page.screenshot(path=str(screenshot_dir / "orienter-prendre-rdv-complet-bureau.png"), full_page=True)

    # Another slot, and it goes through: the confirmation gives the appointment.
    second = free_interviews(page, app_url, service_id)[0]
    assert second["id"] != wanted["id"]
    when = paris_date_time(second["starts_at"])
    choose_slot(page, PICKER, second["id"])
    page.get_by_role("button", name="Orienter et prendre RDV").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Orientation envoyée")
    appointment = page.get_by_role("region", name="Rendez-vous pris")
    expect(appointment).to_contain_text(when)
    expect(appointment).to_contain_text(PLACE)
    expect(appointment).to_contain_text(INSTRUCTIONS)
    page.screenshot(path=str(screenshot_dir / "orienter-prendre-rdv-envoye-bureau.png"), full_page=True)

    # The referral shows it; no answer yet.
    page.get_by_role("link", name="Voir l'orientation").click()
    expect(page).to_have_url(re.compile(r"/orientations/\d+$"))
    referral_id = int(page.url.rsplit("/", 1)[1])
    expect(follow_up(page, "En attente de réponse")).to_be_visible()
    bookings = page.get_by_role("region", name="Rendez-vous", exact=True)
    expect(bookings).to_contain_text(when)
    expect(bookings).to_contain_text("RDV pris")
    expect(bookings).to_contain_text(f"Pris par {COUNSELLOR}")
    expect(bookings.get_by_role("button", name="Déplacer")).to_be_visible()
    expect(bookings.get_by_role("button", name="Prendre RDV")).to_have_count(0)
    expect(page.get_by_role("region", name="Historique")).to_contain_text("Rendez-vous pris pour le")

    # « Mes RDV » lists it, with its person, service, structure, place and referral.
    main_nav(page).get_by_role("link", name="Mes RDV").click()
    expect(page).to_have_url(re.compile(r"/rendez-vous$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes RDV")
    expect(page.get_by_role("tab", name="À venir")).to_have_attribute("aria-selected", "true")
    row = page.locator("tbody tr").filter(has=page.locator(f"a[href='/orientations/{referral_id}']"))
    expect(row).to_have_count(1)
    for text in (when.split(", ")[0], when.split(", ")[1], full_name(PERSON), service_name, TABLE_OURCQ, PLACE, "RDV pris"):
        expect(row).to_contain_text(text)
    page.screenshot(path=str(screenshot_dir / "mes-rdv-bureau.png"), full_page=True)
    assert not critical_violations(page, axe_script)
    page.get_by_role("tab", name="Passés").click()
    expect(page).to_have_url(re.compile(r"/rendez-vous\?onglet=passes$"))
    expect(page.get_by_role("tab", name="Passés")).to_have_attribute("aria-selected", "true")
    expect(page.locator("tbody")).to_contain_text("Karim Benhamou")  # demo data: booked by her structure, missed
    expect(page.locator(f"tbody a[href='/orientations/{referral_id}']")).to_have_count(0)
    page.set_viewport_size(PHONE)
    assert_no_horizontal_scroll(page, "« Mes RDV »")
    page.set_viewport_size(DESKTOP)

    # The receiving structure accepts the referral: the appointment is upcoming.
    sign_out(page)
    sign_in(page, app_url, RECEIVER)
    page.goto(f"{app_url}/orientations/{referral_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Orientation de {full_name(PERSON)}")
    expect(bookings).to_contain_text(when)
    expect(bookings).to_contain_text(PLACE)
    page.get_by_role("button", name="Accepter").click()
    expect(page.get_by_text("L'orientation est acceptée.")).to_be_visible()
    expect(follow_up(page, "RDV à venir")).to_be_visible()
    expect(bookings).to_contain_text(f"Pris par {COUNSELLOR}")
    # Not begun: no attendance yet.
    expect(bookings.get_by_role("button", name="Venue")).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "orientation-rdv-structure-bureau.png"), full_page=True)
    assert not critical_violations(page, axe_script)


def test_structure_says_the_person_came_to_a_past_appointment(offline_page: Page, app_url: str, screenshot_dir) -> None:
    page = offline_page
    page.set_viewport_size(DESKTOP)
    sign_in(page, app_url, RECEIVER)
    found = referrals_to(page, app_url, "received", TO_CONFIRM)
    assert found, f"{full_name(TO_CONFIRM)} n'est pas dans les orientations reçues par La Table de l'Ourcq."
    page.goto(f"{app_url}/orientations/{found[0]['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Orientation de {full_name(TO_CONFIRM)}")
    expect(follow_up(page, "RDV à préciser")).to_be_visible()

    bookings = page.get_by_role("region", name="Rendez-vous", exact=True)
    expect(bookings.get_by_text("À préciser", exact=True)).to_be_visible()
    expect(bookings).to_contain_text("indiquez si la personne est venue")
    attendance = bookings.get_by_role("group", name=re.compile(r"^Présence au rendez-vous du "))
    attendance.get_by_role("button", name="Venue").click()

    expect(bookings.get_by_role("status")).to_contain_text("Présence enregistrée")
    expect(follow_up(page, "Accompagnement en cours")).to_be_visible()
    expect(attendance.get_by_role("button", name="Venue")).to_have_attribute("aria-pressed", "true")
    expect(bookings.get_by_text("À préciser", exact=True)).to_have_count(0)
    expect(page.get_by_role("region", name="Historique")).to_contain_text("Rendez-vous : venue")
    page.screenshot(path=str(screenshot_dir / "orientation-rdv-presence-bureau.png"), full_page=True)
