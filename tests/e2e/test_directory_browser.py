"""The directory as a counsellor uses it: search, filter, open a service, then its structure."""

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.steps import critical_violations

pytestmark = pytest.mark.e2e

COUNT = re.compile(r"^\s*(\d+) services? trouvés?")
STATE_BRAND = "République Française"


def result_count(page: Page) -> int:
    text = page.get_by_text(COUNT).first.inner_text()
    match = COUNT.match(text)
    assert match, text
    return int(match.group(1))


@contextmanager
def new_results(page: Page) -> Iterator[None]:
    """Wait for the search request that the enclosed action starts, then for its results on screen."""
    with page.expect_response(lambda response: "/api/v1/services/search" in response.url):
        yield
    expect(page.locator("[aria-busy='false']")).to_have_count(1)


def search(page: Page, words: str) -> None:
    page.get_by_label("Rechercher un service").fill(words)
    with new_results(page):
        page.get_by_role("button", name="Rechercher", exact=True).click()


def test_search_filter_and_open_a_service(offline_page: Page, app_url: str, screenshot_dir) -> None:
    page = offline_page
    page.set_viewport_size({"width": 1280, "height": 900})
    with new_results(page):
        page.goto(f"{app_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trouver un service")
    expect(page).to_have_title(re.compile(r"^Recherche — "))

    search(page, "logements")
    expect(page).to_have_url(re.compile(r"[?&]q=logements"))
    cards = page.locator(".fr-card")
    expect(cards.first).to_be_visible()
    expect(cards.filter(has_text="ogement").first).to_be_visible()
    expect(page.get_by_text(COUNT)).to_be_visible()
    before = result_count(page)
    assert before > 1

    with new_results(page):
        page.get_by_label("Catégorie", exact=True).select_option(label="Logement et hébergement")
    expect(page).to_have_url(re.compile(r"thematique=logement-hebergement"))
    after = result_count(page)
    assert 0 < after < before
    for index in range(cards.count()):
        expect(cards.nth(index)).to_contain_text("Logement et hébergement")
    page.screenshot(path=str(screenshot_dir / "recherche-bureau.png"))

    with new_results(page):
        page.go_back()
    expect(page).not_to_have_url(re.compile(r"thematique="))
    expect(page.get_by_text(COUNT)).to_have_text(re.compile(rf"^\s*{before} "))
    with new_results(page):
        page.go_forward()
    expect(page.get_by_text(COUNT)).to_have_text(re.compile(rf"^\s*{after} "))

    first = cards.first
    name = first.get_by_role("heading").inner_text().strip()
    first.get_by_role("link", name=name).click()
    expect(page).to_have_url(re.compile(r"/services/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page).to_have_title(re.compile(re.escape(name)))
    structure_link = page.get_by_role("main").locator("a[href^='/structures/']").first
    expect(structure_link).to_be_visible()
    structure_name = structure_link.inner_text().strip()
    assert STATE_BRAND not in page.content()
    page.screenshot(path=str(screenshot_dir / "service-bureau.png"), full_page=True)

    structure_link.click()
    expect(page).to_have_url(re.compile(r"/structures/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(structure_name)
    expect(page.get_by_role("link", name=name).first).to_be_visible()


def test_home_has_no_state_brand_and_shows_demo_notice(offline_page: Page, app_url: str) -> None:
    page = offline_page
    page.goto(f"{app_url}/")
    expect(page.locator(".fr-card").first).to_be_visible()
    expect(page.get_by_text("Mode démonstration")).to_be_visible()
    expect(page.locator("header")).to_contain_text("Maillage")
    assert STATE_BRAND not in page.content()
    assert page.locator("html").get_attribute("lang") == "fr"


def test_phone_layout(offline_page: Page, app_url: str, screenshot_dir) -> None:
    page = offline_page
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{app_url}/?q=logements")
    expect(page.locator(".fr-card").first).to_be_visible()
    filters = page.get_by_role("button", name=re.compile("Afficher les filtres"))
    expect(filters).to_be_visible()
    expect(page.get_by_label("Catégorie", exact=True)).to_be_hidden()
    filters.click()
    expect(page.get_by_label("Catégorie", exact=True)).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"la page déborde horizontalement ({width} px)"
    page.screenshot(path=str(screenshot_dir / "recherche-telephone.png"))

    page.get_by_role("button", name="Menu").click()
    annuaire = page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Annuaire")
    expect(annuaire).to_be_visible()
    page.keyboard.press("Escape")
    expect(annuaire).to_be_hidden()


def test_unknown_pages_and_services_show_the_404_page(offline_page: Page, app_url: str) -> None:
    page = offline_page
    page.goto(f"{app_url}/nulle-part")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    page.goto(f"{app_url}/services/999999")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    expect(page).to_have_title(re.compile(r"^Page introuvable — "))


@pytest.mark.parametrize("path", ["/?q=logements", "/services/first", "/structures/first"])
def test_no_critical_accessibility_violation(offline_page: Page, app_url: str, axe_script, path: str) -> None:
    page = offline_page
    page.goto(f"{app_url}/?q=logements")
    expect(page.locator(".fr-card").first).to_be_visible()
    if path == "/services/first":
        page.locator(".fr-card a").first.click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.get_by_text("Fiche mise à jour le")).to_be_visible()
    elif path == "/structures/first":
        page.locator(".fr-card a").first.click()
        page.get_by_role("main").locator("a[href^='/structures/']").first.click()
        expect(page.get_by_text(re.compile(r"services? proposés?"))).to_be_visible()
    critical = critical_violations(page, axe_script)
    assert not critical, critical
