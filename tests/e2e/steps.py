"""Steps shared by the browser tests (sign in with a demo persona, DSFR checkboxes, checks)."""

import re

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
    page.add_script_tag(path=str(axe_script))
    results = page.evaluate("axe.run(document, { resultTypes: ['violations'] })")
    return [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])} élément(s))"
        for violation in results["violations"]
        if violation["impact"] == "critical"
    ]


def sign_out(page: Page) -> None:
    page.locator("header").get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion\?deconnecte=1$"))
