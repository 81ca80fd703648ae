"""Security headers on every response (API, SPA, errors), HSTS only in production over
HTTPS, and the API documentation page with a policy of its own. The SPA really working
under the policy is checked in Chromium (tests/e2e/test_security_browser.py)."""

import base64
import hashlib
import re

from maillage.security import SWAGGER_BASE


def policy(response) -> dict[str, str]:
    header = response.headers["content-security-policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in header.split("; ")}


def assert_protected(response) -> None:
    headers = response.headers
    csp = policy(response)
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert "unsafe-eval" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert "camera=()" in headers["permissions-policy"] and "geolocation=(self)" in headers["permissions-policy"]


async def test_api_spa_and_error_responses_carry_the_headers(app_client, settings, tmp_path):
    static = tmp_path / "static"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text("<html>appli</html>")
    (static / "assets" / "app.js").write_text("console.log(1)")
    production = settings.model_copy(update={"demo": False, "static_dir": static})
    async with app_client(production) as client:
        responses = [
            await client.get("/api/v1/config"),
            await client.get("/"),
            await client.get("/services/12"),
            await client.get("/assets/app.js"),
            await client.get("/api/v1/nothing-here"),
            await client.post("/api/v1/auth/logout", headers={"x-csrf-token": "autre"}),  # CSRF 403
            await client.get("/healthz"),
        ]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 404, 403, 200]
    for response in responses:
        assert_protected(response)
        assert "style-src-attr" not in policy(response), "production: no inline style at all"
        assert "strict-transport-security" not in response.headers  # public_url is http here


async def test_demo_mode_allows_style_attributes_only(client):
    csp = policy(await client.get("/api/v1/config"))
    assert csp["style-src-attr"] == "'unsafe-inline'"
    assert "unsafe-inline" not in csp["style-src"] and "unsafe-inline" not in csp["script-src"]


async def test_hsts_only_in_production_over_https(app_client, settings):
    https = settings.model_copy(update={"demo": False, "public_url": "https://maillage.example.org"})
    async with app_client(https) as client:
        assert (await client.get("/healthz")).headers["strict-transport-security"].startswith("max-age=31536000")
    demo_https = https.model_copy(update={"demo": True})
    async with app_client(demo_https) as client:
        assert "strict-transport-security" not in (await client.get("/healthz")).headers


async def test_api_docs_have_their_own_policy_with_pinned_assets(client):
    response = await client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.text
    csp = policy(response)
    # Only the pinned CDN directory and the inline start-up script, by hash.
    inline = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    assert len(inline) == 1 and "/api/v1/openapi.json" in inline[0]
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert csp["script-src"].split() == [SWAGGER_BASE, f"'sha256-{digest}'"]
    assert csp["style-src"] == SWAGGER_BASE and csp["default-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'" and csp["connect-src"] == "'self'"
    assert "unsafe" not in response.headers["content-security-policy"]
    for url in re.findall(r'(?:src|href)="(https://[^"]+)"', html):
        assert url.startswith(SWAGGER_BASE), url
    assert html.count('integrity="sha384-') == 2 and html.count('crossorigin="anonymous"') == 2
    assert "fastapi.tiangolo.com" not in html and "@5/" not in html
    # The other pages keep the app's policy.
    assert policy(await client.get("/api/v1/openapi.json"))["script-src"] == "'self'"
