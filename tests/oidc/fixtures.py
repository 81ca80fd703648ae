"""The test OpenID Connect provider: ``node tests/oidc/provider.mjs`` on a free loopback
port, started once per test session. Import the fixture in a test module::

    from tests.oidc.fixtures import oidc_provider  # noqa: F401

Without ``node`` or ``tests/oidc/node_modules`` (``make test`` installs them) the tests
that use it are skipped, except when ``MAILLAGE_REQUIRE_E2E=1`` (CI), where they fail.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "provider.mjs"
STARTUP_TIMEOUT_S = 30
#: The redirect URI the provider's clients accept: the app under test answers at this address.
PUBLIC_URL = "http://test"
CLIENT_SECRET = "secret-de-test"
#: Seconds an authorization code of the client ``maillage-court`` lives.
SHORT_CODE_TTL_S = 1


@dataclass(frozen=True)
class OidcProvider:
    issuer: str
    client_secret: str = CLIENT_SECRET
    #: JSON userinfo; userinfo as a signed JWT (like ProConnect); codes that expire quickly.
    client_id: str = "maillage"
    jwt_client_id: str = "maillage-jwt"
    short_code_client_id: str = "maillage-court"
    short_code_ttl: int = SHORT_CODE_TTL_S


def unavailable(reason: str) -> None:
    """Skip, except in CI (MAILLAGE_REQUIRE_E2E=1) where a skipped test would hide a broken build."""
    if os.environ.get("MAILLAGE_REQUIRE_E2E") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OidcProvider]:
    node = shutil.which("node")
    if node is None:
        unavailable("Node.js introuvable : il faut « node » pour lancer le fournisseur OpenID de test.")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        unavailable("Dépendances du fournisseur OpenID de test absentes : lancez « make test » "
                    "ou « cd tests/oidc && npm ci ».")
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "OIDC_REDIRECT_URIS": f"{PUBLIC_URL}/api/v1/auth/oidc/callback",
        "OIDC_SHORT_CODE_TTL": str(SHORT_CODE_TTL_S),
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_EXIT_WITH_STDIN": "1",
    }
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [node, str(SCRIPT), str(port)], cwd=HERE, env=env, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"Le fournisseur OpenID de test s'est arrêté au démarrage :\n"
                            f"{log.read().decode(errors='replace')}", pytrace=False)
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"Le fournisseur OpenID de test ne répond pas après {STARTUP_TIMEOUT_S} s.", pytrace=False)
            time.sleep(0.1)
        yield OidcProvider(issuer=issuer)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdin:
            process.stdin.close()
        log.close()
