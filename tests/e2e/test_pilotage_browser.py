"""The network's indicators in a real browser: the animator of Pantin opens « Pilotage » from the menu, reads a key
figure and the referrals by month (chart and table), unfolds a long table, recomputes the figures, narrows them to
one structure, downloads a table as CSV, changes the period, and follows a figure's definition to the definitions
page and back.

Figures are read from the page, never hard-coded: the test holds whatever the demo data and the other browser
tests left in the database."""

import re

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
)

pytestmark = pytest.mark.e2e

ANIMATOR = "Claire Dubois"
NETWORK = "pantin"
# A figure as the API writes it: « 742 », « 1 204 », « 93 % », « 4 j », « < 5 », « < 5 personnes », « — ».
FIGURE = re.compile(r"^(\d[\d\u202f\u00a0 ]*(\u00a0?%|\u00a0?j)?|< 5( personnes)?|—|plus de 60\u00a0j)$")


def figure_value(page: Page, key: str) -> str:
    """The value of a key figure as shown (without the words only screen readers get)."""
    value = page.locator(f"[data-figure='{key}'] .maillage-figure__value")
    expect(value).to_be_visible()
    return value.inner_text().replace("(chiffre masqué)", "").strip()


def lead(page: Page):
    """The line that says what the figures are about: scope and period."""
    return page.get_by_test_id("perimetre-affiche")


def test_animator_reads_the_network_indicators(offline_page: Page, app_url: str, screenshot_dir, axe_script) -> None:
    page = offline_page
    page.set_viewport_size(DESKTOP)

    # 1. From the main menu: the Pilotage page of the network, every figure of the whole network by default.
    sign_in(page, app_url, ANIMATOR)
    main_nav(page).get_by_role("link", name="Pilotage", exact=True).click()
    expect(page).to_have_url(f"{app_url}/reseau/{NETWORK}/pilotage")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pilotage")
    expect(lead(page)).to_contain_text(re.compile(r"^\s*Tout le réseau, de \S+ \d{4} à \S+ \d{4}\s*$"))
    expect(page.get_by_text(re.compile(r"^\s*Chiffres calculés le \d{1,2} \S+ \d{4} à \d{2}:\d{2}"))).to_be_visible()
    expect(page.get_by_role("button", name="12 derniers mois")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_text("chiffre masqué pour protéger les personnes")).to_be_visible()

    # A key figure: the number of referrals, with its definition behind « Définition ».
    sent = figure_value(page, "sent")
    assert FIGURE.match(sent), f"Chiffre inattendu : {sent!r}"
    assert re.match(r"^\d", sent), f"Le réseau de démonstration devrait avoir des orientations : {sent!r}"
    figure = page.locator("[data-figure='sent']")
    definition = figure.get_by_text(re.compile("^Nombre d'orientations envoyées pendant la période"))
    expect(definition).to_be_hidden()
    figure.locator("summary").click()
    expect(definition).to_be_visible()
    # Every rate says what it is computed over.
    basis = re.compile(r"sur (\d[\d\u202f ]*|< 5) orientations")
    expect(page.locator("[data-figure='answer-rate']")).to_contain_text(basis)

    # A table and its chart: the referrals month by month, their total equal to the key figure.
    by_month = page.get_by_role("region", name="Orientations par mois")
    expect(by_month.get_by_role("columnheader")).to_have_text(["Orientations par mois", "Orientations"])
    months = by_month.locator("tbody tr")
    assert months.count() == 12, f"{months.count()} mois au lieu de 12"
    expect(by_month.locator("tfoot tr")).to_contain_text(sent)
    expect(by_month.locator(".maillage-chart")).to_have_attribute("aria-hidden", "true")
    expect(by_month.get_by_role("link", name=re.compile("^Télécharger en CSV"))).to_have_attribute(
        "href", re.compile(rf"/api/v1/stats/networks/{NETWORK}/export/par-mois\.csv\?scope=network$"))

    # A long table shows its first 10 rows until « Voir tout ».
    senders = page.get_by_role("region", name="Orientations par structure émettrice")
    toggle = senders.get_by_role("button", name=re.compile(r"^Voir tout \((\d+) lignes\)"))
    expect(toggle).to_be_visible()
    lines = int(re.search(r"\((\d+) lignes\)", toggle.inner_text()).group(1))
    expect(senders.locator("tbody tr")).to_have_count(10)
    toggle.click()
    expect(senders.locator("tbody tr")).to_have_count(lines)
    expect(senders.get_by_role("button", name=re.compile("^Voir moins"))).to_have_attribute("aria-expanded", "true")

    page.screenshot(path=str(screenshot_dir / "pilotage-bureau.png"), full_page=True)
    assert not critical_violations(page, axe_script)
    page.set_viewport_size(PHONE)
    assert_no_horizontal_scroll(page, "La page Pilotage")
    page.set_viewport_size(DESKTOP)

    # 2. The animator recomputes the figures now.
    page.get_by_role("button", name="Recalculer maintenant").click()
    expect(page.get_by_role("status").filter(has_text="Les chiffres ont été recalculés.")).to_be_visible()

    # 3. One structure's referrals received, then sent: each figure beside the network's.
    page.get_by_label("Chiffres de").select_option(label="Une structure")
    expect(page).to_have_url(re.compile(r"perimetre=recues&id=\d+"))
    page.get_by_label("Structure", exact=True).select_option(label=TABLE_OURCQ)
    expect(lead(page)).to_contain_text(f"Orientations reçues — {TABLE_OURCQ}")
    structure_id = re.search(r"id=(\d+)", page.url).group(1)
    expect(page.locator("[data-figure='sent']")).to_contain_text(re.compile(r"Réseau : \S"))
    expect(page.get_by_role("region", name="Orientations par structure destinataire")).to_have_count(0)
    page.locator("label[for='perimetre-envoyees']").click()
    expect(page).to_have_url(re.compile(rf"perimetre=envoyees&id={structure_id}"))
    expect(lead(page)).to_contain_text(f"Orientations envoyées — {TABLE_OURCQ}")
    expect(page.locator("[data-figure='sent'] .maillage-figure__label")).to_have_text("Orientations envoyées")

    # 4. The CSV export of a table: the same scope, a header line naming the table and its columns.
    page.locator("label[for='perimetre-recues']").click()
    expect(lead(page)).to_contain_text(f"Orientations reçues — {TABLE_OURCQ}")
    by_month = page.get_by_role("region", name="Orientations par mois")
    with page.expect_download() as download:
        by_month.get_by_role("link", name=re.compile("^Télécharger en CSV")).click()
    assert re.fullmatch(rf"maillage-{NETWORK}-received-{structure_id}-par-mois-\d{{4}}-\d{{2}}-\d{{4}}-\d{{2}}\.csv",
                        download.value.suggested_filename), download.value.suggested_filename
    lines = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    network_name = "Réseau local des acteurs de l'insertion de Pantin"
    assert lines[0].startswith(f"{network_name} — Orientations reçues — {TABLE_OURCQ};"), lines[0]
    assert lines[1] == "Orientations par mois;Orientations", lines[1]
    assert len(lines) == 2 + 12 + 1, f"{len(lines)} lignes : 12 mois et le total attendus"
    assert lines[-1].startswith("Total;")

    # 5. Last year: the period goes into the URL and the figures follow.
    page.get_by_role("button", name=re.compile(r"^Année \d{4}$")).last.click()
    expect(page).to_have_url(re.compile(r"du=\d{4}-01&au=\d{4}-12"))
    year = re.search(r"du=(\d{4})", page.url).group(1)
    expect(lead(page)).to_contain_text(f"de janvier {year} à décembre {year}")
    expect(page.get_by_label(re.compile(r"^Du\b"))).to_have_value(f"{year}-01")
    expect(page.get_by_role("button", name=f"Année {year}")).to_have_attribute("aria-pressed", "true")

    # 6. Back to the whole network; a figure's definition opens the definitions page at its anchor, and back.
    page.get_by_label("Chiffres de").select_option(label="Tout le réseau")
    expect(lead(page)).to_contain_text("Tout le réseau")
    figure = page.locator("[data-figure='answer-rate']")
    figure.locator("summary").click()
    figure.get_by_role("link", name=re.compile("^Toutes les définitions")).click()
    expect(page).to_have_url(f"{app_url}/indicateurs/definitions#answer-rate")
    expect(page.get_by_role("heading", level=1)).to_have_text("Définitions des indicateurs")
    anchor = page.locator("[id='answer-rate']")
    expect(anchor).to_be_focused()
    expect(anchor).to_be_in_viewport()
    expect(anchor).to_contain_text("Taux de réponse")
    expect(page.get_by_role("heading", level=2, name="Prise en charge")).to_be_visible()
    assert not critical_violations(page, axe_script)
    page.get_by_role("link", name="Retour aux indicateurs").click()
    expect(page).to_have_url(re.compile(rf"/reseau/{NETWORK}/pilotage\?"))
    expect(lead(page)).to_contain_text("Tout le réseau")
