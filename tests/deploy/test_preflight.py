"""The start-up checks of ``maillage serve`` (maillage/preflight.py), on Settings objects."""

import pytest
from maillage import preflight
from maillage.config import DEFAULT_DATABASE_URL

from .conftest import production_settings

pytestmark = pytest.mark.usefixtures("clean_environment")


def refused(verdict: preflight.Verdict) -> set[str]:
    return {f.setting for f in verdict.refusals}


def test_production_settings_pass():
    verdict = preflight.check(production_settings(), {"MAILLAGE_ENV": "production"})
    assert verdict.ok and verdict.findings == ()
    assert verdict.environment is preflight.Environment.PRODUCTION


def test_outside_demo_mode_production_is_the_default():
    verdict = preflight.check(production_settings(public_url="http://maillage.reseau-pantin.fr"), {})
    assert not verdict.ok and verdict.environment is preflight.Environment.PRODUCTION


def test_demo_mode_is_not_checked():
    """`make run` / `maillage serve --demo`: SQLite, http, no SMTP — all fine."""
    settings = production_settings(demo=True, database_url=DEFAULT_DATABASE_URL, public_url="http://127.0.0.1:8000",
                                   smtp_host=None, mail_from="Maillage <ne-pas-repondre@maillage.example.org>")
    for environ in ({}, {"MAILLAGE_ENV": "development"}):
        verdict = preflight.check(settings, environ)
        assert verdict.ok and verdict.findings == ()


def test_demo_mode_is_refused_in_production():
    verdict = preflight.check(production_settings(demo=True), {"MAILLAGE_ENV": "production"})
    assert refused(verdict) == {"MAILLAGE_DEMO"}
    assert "interdit" in verdict.refusals[0].message


def test_unknown_environment_is_refused():
    verdict = preflight.check(production_settings(), {"MAILLAGE_ENV": "prod"})
    assert refused(verdict) == {"MAILLAGE_ENV"}


def test_embedded_sqlite_default_is_refused():
    verdict = preflight.check(production_settings(database_url=DEFAULT_DATABASE_URL), {})
    assert refused(verdict) == {"DATABASE_URL"}
    assert "SQLite" in verdict.refusals[0].message


def test_another_sqlite_file_is_only_a_warning(tmp_path):
    verdict = preflight.check(production_settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/m.db"), {}, workers=2)
    assert verdict.ok
    assert {f.setting for f in verdict.warnings} == {"DATABASE_URL", "MAILLAGE_WORKERS"}


def test_weak_database_password_is_refused():
    verdict = preflight.check(production_settings(
        database_url="postgresql+asyncpg://maillage:changeme@127.0.0.1:5432/maillage"), {})
    assert refused(verdict) == {"DATABASE_URL"}


@pytest.mark.parametrize("url", ["http://maillage.reseau-pantin.fr", "http://127.0.0.1:8000", "maillage.fr", "https://"])
def test_public_url_must_be_https(url):
    verdict = preflight.check(production_settings(public_url=url), {})
    assert refused(verdict) == {"MAILLAGE_PUBLIC_URL"}


def test_cookies_must_be_secure():
    verdict = preflight.check(production_settings(cookie_secure=False), {})
    assert refused(verdict) == {"MAILLAGE_COOKIE_SECURE"}
    assert preflight.check(production_settings(cookie_secure=True), {}).ok


def test_smtp_is_required():
    verdict = preflight.check(production_settings(smtp_host=None), {})
    assert refused(verdict) == {"MAILLAGE_SMTP_HOST"}
    assert "lien de connexion" in verdict.refusals[0].message


def test_example_sender_is_refused():
    for sender in ("Maillage <ne-pas-repondre@maillage.example.org>", "contact@exemple.fr", "pas une adresse"):
        assert refused(preflight.check(production_settings(mail_from=sender), {})) == {"MAILLAGE_MAIL_FROM"}
    assert preflight.check(production_settings(mail_from="contact@monexemple.fr"), {}).ok


def test_smtp_password_in_clear_is_refused_except_to_a_local_relay():
    clear = production_settings(smtp_starttls=False, smtp_port=25)
    assert refused(preflight.check(clear, {})) == {"MAILLAGE_SMTP_STARTTLS"}
    assert preflight.check(production_settings(smtp_starttls=False, smtp_host="127.0.0.1", smtp_port=25), {}).ok
    assert preflight.check(production_settings(smtp_starttls=False, smtp_ssl=True, smtp_port=465), {}).ok
    both = production_settings(smtp_ssl=True)
    assert refused(preflight.check(both, {})) == {"MAILLAGE_SMTP_SSL"}


def test_oidc_must_be_complete_https_and_not_an_example_secret():
    oidc = {"oidc_issuer": "https://auth.fournisseur.fr/api/v2", "oidc_client_id": "maillage-pantin",
            "oidc_client_secret": "9d8c7b6a5f4e3d2c"}
    assert preflight.check(production_settings(**oidc), {}).ok
    assert refused(preflight.check(production_settings(**{**oidc, "oidc_client_secret": "changeme"}), {})) == {
        "MAILLAGE_OIDC_CLIENT_SECRET"}
    assert refused(preflight.check(production_settings(**{**oidc, "oidc_client_secret": None}), {})) == {
        "MAILLAGE_OIDC_CLIENT_SECRET"}
    assert refused(preflight.check(production_settings(**{**oidc, "oidc_issuer": "http://auth.fournisseur.fr"}), {})) \
        == {"MAILLAGE_OIDC_ISSUER"}


def test_weak_secret_of_any_secret_like_setting_is_refused():
    verdict = preflight.check(production_settings(smtp_password="password"), {})
    assert refused(verdict) == {"MAILLAGE_SMTP_PASSWORD"}


def test_placeholder_of_the_example_file_is_refused_anywhere():
    verdict = preflight.check(production_settings(operator_name="Réseau de CHANGEZ-MOI"), {
        "MAILLAGE_SOMETHING_NEW": "changez-moi", "POSTGRES_PASSWORD": "CHANGEZ-MOI", "OTHER": "CHANGEZ-MOI"})
    # POSTGRES_PASSWORD only serves compose, where it is part of DATABASE_URL.
    assert refused(verdict) == {"MAILLAGE_OPERATOR_NAME", "MAILLAGE_SOMETHING_NEW"}
    # Values of secrets are never printed.
    secret = production_settings(smtp_password="CHANGEZ-MOI-4f1d9c")
    assert all("4f1d9c" not in str(f) for f in preflight.check(secret, {}).findings)


def test_development_turns_refusals_into_warnings():
    settings = production_settings(database_url=DEFAULT_DATABASE_URL, public_url="http://127.0.0.1:8000",
                                   cookie_secure=False, smtp_host=None)
    verdict = preflight.check(settings, {"MAILLAGE_ENV": "development"})
    assert verdict.ok and verdict.refusals == []
    assert {f.setting for f in verdict.warnings} >= {
        "DATABASE_URL", "MAILLAGE_PUBLIC_URL", "MAILLAGE_COOKIE_SECURE", "MAILLAGE_SMTP_HOST"}


def test_jobs_in_every_worker_is_a_warning():
    verdict = preflight.check(production_settings(jobs_in_process=True), {}, workers=4)
    assert verdict.ok and [f.setting for f in verdict.warnings] == ["MAILLAGE_JOBS_IN_PROCESS"]
