"""Steps shared by the browser tests (sign in with a demo persona, DSFR checkboxes, checks)."""

import re
from pathlib import Path

from playwright.sync_api import Page, expect

TABLE_OURCQ = "La Table de l'Ourcq — restaurant d'insertion"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def sign_in(page: Page, app_url: str, name: str, path: str = "/connexion") -> None:
    """Sign in from the sign-in page (or the page a guard sent us to) with a demo persona's card."""
    if path:
        page.goto(f"{app_url}{path}")
    page.get_by_role("button", name=f"Se connecter comme {name}").click()
    expect(page.locator("header")).to_contain_text(name)


def tick(page: Page, checkbox) -> None:
    """Check a DSFR checkbox by clicking its label: drawn over the input, it is what a person clicks."""
    expect(checkbox).not_to_be_checked()
    page.locator(f"label[for='{checkbox.get_attribute('id')}']").click()
    expect(checkbox).to_be_checked()


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Menu principal")


def assert_no_horizontal_scroll(page: Page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{what} déborde horizontalement ({width} px)"


def critical_violations(page: Page, axe_script) -> list[str]:
    # Evaluated through the browser's debugging protocol: the app's Content-Security-Policy
    # refuses inline scripts, which is what add_script_tag would insert.
    page.evaluate(Path(axe_script).read_text())
    results = page.evaluate("axe.run(document, { resultTypes: ['violations'] })")
    return [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])} élément(s))"
        for violation in results["violations"]
        if violation["impact"] == "critical"
    ]


def sign_out(page: Page) -> None:
    page.locator("header").get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion\?deconnecte=1$"))


def stalled_queue(page: Page, app_url: str, network: str):
    """Open a network's queue of stalled referrals (the network page's tab); returns its tab panel once loaded."""
    page.goto(f"{app_url}/reseau/{network}")
    page.get_by_role("tab", name="Orientations en souffrance").click()
    expect(page).to_have_url(re.compile(r"onglet=souffrance"))
    panel = page.get_by_role("tabpanel")
    expect(panel.get_by_text(re.compile(r"orientations? en souffrance$"))).to_be_visible()
    return panel


def queue_count_text(count: int) -> str:
    """The queue's count line as the page writes it."""
    if count == 0:
        return "Aucune orientation en souffrance"
    return f"{count} orientation en souffrance" if count == 1 else f"{count} orientations en souffrance"


def queue_count(panel) -> int:
    """The number of stalled referrals the queue shows (with its current filters)."""
    line = panel.get_by_text(re.compile(r"^(Aucune orientation en souffrance|\d+ orientations? en souffrance)$"))
    expect(line).to_be_visible()
    found = re.match(r"\d+", line.inner_text())
    return int(found.group(0)) if found else 0


def queue_row(panel, referral_id: int):
    """The queue's row of one referral (found by the link to the referral's page)."""
    return panel.locator("tbody tr").filter(has=panel.page.locator(f"a[href='/orientations/{referral_id}']"))


def api_call(page: Page, app_url: str, method: str, path: str, body: dict | None = None):
    """Call the API as the page's signed-in user: its cookies, and for a change the CSRF token of its cookie."""
    from urllib.parse import unquote

    headers = {}
    if method.upper() not in ("GET", "HEAD"):
        token = next((c["value"] for c in page.context.cookies(app_url) if c["name"] == "maillage_csrf"), None)
        if token:
            headers["X-CSRF-Token"] = unquote(token)
    return page.request.fetch(f"{app_url}{path}", method=method.upper(), data=body, headers=headers)


# ---------------------------------------------------------------- appointments (slot picker, Paris time)

PARIS_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
PARIS_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                "novembre", "décembre")


def paris_date_time(iso: str) -> str:
    """An instant as the pages write it in Paris time (utils/format.ts formatParisDateTime): "mardi 3 mars, 09 h 30"."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(ZoneInfo("Europe/Paris"))
    return (f"{PARIS_WEEKDAYS[moment.weekday()]} {moment.day} {PARIS_MONTHS[moment.month - 1]}, "
            f"{moment:%H} h {moment:%M}")


def choose_slot(page: Page, picker_id: str, slot_id: int, weeks: int = 6) -> None:
    """Choose a slot in a slot picker (components/booking/SlotPicker.vue, ids prefixed by `picker_id`), moving on
    week by week until it is shown; its radio button is checked by clicking its label."""
    week = page.locator(f"#{picker_id}-semaine")
    expect(week).to_be_visible()
    radio = page.locator(f"#{picker_id}-{slot_id}")
    for _ in range(weeks):
        if radio.count():
            break
        shown = week.inner_text()
        week.locator("xpath=..").get_by_role("button", name="Semaine suivante").click()
        expect(week).not_to_have_text(shown)
        expect(page.locator(f"fieldset#{picker_id}")).to_have_attribute("aria-busy", "false")
    expect(radio).to_have_count(1)
    page.locator(f"label[for='{picker_id}-{slot_id}']").click()
    expect(radio).to_be_checked()
