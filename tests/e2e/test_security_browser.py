"""The SPA works under its Content-Security-Policy, in Chromium.

The server of the browser tests runs in demo mode; here each page is given the policy of a
production instance instead (the document's header is swapped), and visited as a visitor,
a counsellor, a structure admin and the network animator: no violation, and the charts'
style bindings still apply (Vue sets ``element.style``, which CSP does not govern). The
demo outbox shows emails, whose styles are ``style`` attributes, in a ``srcdoc`` frame
that inherits the page's policy: under the production policy they are refused, under the
demo policy (``style-src-attr 'unsafe-inline'``, its only addition) nothing is. Every
other browser test also fails on any violation (``offline_page``)."""

import re

import pytest
from maillage.config import Settings
from maillage.security import content_security_policy
from playwright.sync_api import Page, expect

from tests.e2e.conftest import csp_violations
from tests.e2e.steps import DESKTOP, sign_in

pytestmark = pytest.mark.e2e

PRODUCTION = content_security_policy(Settings(demo=False))
PERSONAS = {
    "Amina Benali": ["/orientations/envoyees", "/rendez-vous", "/compte"],
    "Sophie Lambert": ["/orientations/recues"],
    "Claire Dubois": ["/reseau/pantin", "/reseau/pantin/pilotage"],
}
STRUCTURE_PAGES = ["", "/agenda", "/indicateurs", "/equipe"]


def with_policy(page: Page, app_url: str, policy: str) -> None:
    """Serve every document of the app with ``policy`` instead of the server's."""

    def swap(route):
        if route.request.resource_type != "document" or not route.request.url.startswith(app_url):
            route.fallback()
            return
        response = route.fetch()
        assert "content-security-policy" in response.headers
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": policy})

    page.route("**/*", swap)


def visit(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1).first).to_be_visible()


def test_the_spa_runs_under_the_production_policy(page: Page, app_url: str) -> None:
    assert "style-src-attr" not in PRODUCTION and "'unsafe-" not in PRODUCTION
    violations = csp_violations(page)
    with_policy(page, app_url, PRODUCTION)
    page.set_viewport_size(DESKTOP)

    visit(page, f"{app_url}/?q=logement")
    expect(page.locator(".fr-card").first).to_be_visible()
    page.locator(".fr-card a").first.click()
    expect(page.get_by_text("Fiche mise à jour le")).to_be_visible()
    page.get_by_role("main").locator("a[href^='/structures/']").first.click()
    expect(page.get_by_text(re.compile(r"services? proposés?"))).to_be_visible()
    visit(page, f"{app_url}/indicateurs/definitions")

    for name, paths in PERSONAS.items():
        page.context.clear_cookies()
        sign_in(page, app_url, name)
        for path in paths:
            visit(page, f"{app_url}{path}")
        structure = page.evaluate("fetch('/api/v1/auth/me').then(r => r.json())")["current_structure_id"]
        if structure:
            for path in STRUCTURE_PAGES:
                visit(page, f"{app_url}/gestion/structures/{structure}{path}")

    # The last page is the network's Pilotage: its bars are sized by style bindings.
    visit(page, f"{app_url}/reseau/pantin/pilotage")
    bar = page.locator(".maillage-chart__bar").first
    expect(bar).to_be_visible()
    assert page.evaluate("(el) => el.style.width", bar.element_handle()).endswith("%")
    assert bar.bounding_box()["width"] > 0

    assert not violations, "\n".join(violations)


def open_first_email(page: Page, app_url: str) -> None:
    visit(page, f"{app_url}/demo/boite")
    page.locator(".maillage-mails__subject").first.click()
    expect(page.locator("iframe.maillage-mail__frame")).to_be_visible()
    page.wait_for_timeout(300)  # the frame's document is parsed after it is shown


def test_the_demo_outbox_needs_style_attributes_and_nothing_else(page: Page, app_url: str) -> None:
    violations = csp_violations(page)
    page.set_viewport_size(DESKTOP)
    sign_in(page, app_url, "Claire Dubois")
    open_first_email(page, app_url)
    styled = page.frame_locator("iframe.maillage-mail__frame").locator("[style]").first
    expect(styled).to_be_attached()
    assert not violations, "\n".join(violations)

    with_policy(page, app_url, PRODUCTION)
    open_first_email(page, app_url)
    expect(page.frame_locator("iframe.maillage-mail__frame").locator("[style]").first).to_be_attached()
    assert violations, "sans style-src-attr, les styles des courriels sont refusés : l'exception du mode démo sert"
    assert all("Applying inline style violates" in v for v in violations), violations
