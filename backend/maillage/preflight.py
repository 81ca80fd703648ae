"""Start-up checks of ``maillage serve``: outside demo mode, refuse to serve with settings
that are not fit for real people's data.

The rule (deploy/README.md, « Vérifications au démarrage »):

- ``MAILLAGE_ENV`` says where the process runs: ``production`` or ``development``.
  Unset, it means production as soon as demo mode is off.
- demo mode on: no check (``make run``, ``maillage serve --demo``), except that demo
  mode is refused when ``MAILLAGE_ENV=production`` says this is a real deployment;
- demo mode off: every check below applies and any failure stops the start-up, unless
  ``MAILLAGE_ENV=development`` (a developer's machine, a load test on loopback): then
  the failures are only printed as warnings.

What is checked: PostgreSQL rather than the embedded SQLite file, an ``https://``
public address, ``Secure`` cookies, an SMTP server (without one nobody receives a
sign-in link, a referral or a reminder — refused, not merely warned about), a real
sender address, complete and HTTPS OpenID Connect settings, and no value left as in
``deploy/.env.example`` (marked ``CHANGEZ-MOI``) or as a well-known weak secret.
Values of secrets are never printed.
"""

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url

from maillage.config import DEFAULT_DATABASE_URL, Settings

# sysexits.h EX_CONFIG: the systemd unit does not restart on it (RestartPreventExitStatus).
EXIT_CODE = 78
ENV_VARIABLE = "MAILLAGE_ENV"
PLACEHOLDER = "CHANGEZ-MOI"
WEAK_SECRETS = frozenset({
    "changeme", "change-me", "change_me", "changez-moi", "changezmoi", "secret", "password", "motdepasse",
    "mot-de-passe", "maillage", "postgres", "admin", "test", "example", "exemple", "1234", "12345678",
})
DEFAULT_SENDER_DOMAINS = ("example.org", "example.com", "example.net", "exemple.fr")


class Environment(StrEnum):
    PRODUCTION = "production"
    DEVELOPMENT = "development"


class Level(StrEnum):
    REFUSAL = "refus"
    WARNING = "avertissement"


@dataclass(frozen=True)
class Finding:
    level: Level
    setting: str
    message: str

    def __str__(self) -> str:
        return f"{self.setting} : {self.message}"


@dataclass(frozen=True)
class Verdict:
    environment: Environment | None
    findings: tuple[Finding, ...]

    @property
    def refusals(self) -> list[Finding]:
        return [f for f in self.findings if f.level is Level.REFUSAL]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level is Level.WARNING]

    @property
    def ok(self) -> bool:
        return not self.refusals


def _environment(environ: Mapping[str, str]) -> tuple[Environment | None, Finding | None]:
    raw = environ.get(ENV_VARIABLE, "").strip().lower()
    if not raw:
        return None, None
    try:
        return Environment(raw), None
    except ValueError:
        return None, Finding(Level.REFUSAL, ENV_VARIABLE,
                             f"valeur « {raw} » inconnue : « production » ou « development ».")


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _weak(value: str | None) -> bool:
    return value is not None and value.strip().lower() in WEAK_SECRETS


def _placeholders(settings: Settings, environ: Mapping[str, str]) -> list[Finding]:
    """Every setting (and every MAILLAGE_* variable, even one this module does not know)
    still holding the example file's marker. POSTGRES_PASSWORD is compose's only: there it
    ends up in DATABASE_URL, which is checked; on a server it is unused."""
    names: dict[str, None] = {}
    for field, value in settings.model_dump().items():
        if isinstance(value, str) and PLACEHOLDER.lower() in value.lower():
            names["DATABASE_URL" if field == "database_url" else f"MAILLAGE_{field.upper()}"] = None
    for name, value in environ.items():
        if (name.startswith("MAILLAGE_") or name == "DATABASE_URL") and PLACEHOLDER.lower() in value.lower():
            names[name] = None
    return [Finding(Level.REFUSAL, name, f"valeur d'exemple ({PLACEHOLDER}) à remplacer par la vraie valeur.")
            for name in sorted(names)]


def _database(settings: Settings, workers: int) -> list[Finding]:
    url = settings.database_url
    if url == DEFAULT_DATABASE_URL or not url.strip():
        return [Finding(Level.REFUSAL, "DATABASE_URL",
                        "non renseignée : la base SQLite embarquée (var/maillage.db) est réservée à l'essai ; "
                        "indiquez la base PostgreSQL (postgresql+asyncpg://…).")]
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - any parse error is a configuration error
        return [Finding(Level.REFUSAL, "DATABASE_URL", "adresse de base illisible.")]
    findings = []
    if parsed.get_backend_name() == "sqlite":
        findings.append(Finding(Level.WARNING, "DATABASE_URL",
                                "SQLite : un seul serveur, pas de sauvegarde à chaud par pg_dump ; "
                                "PostgreSQL est la base de production."))
        if workers > 1:
            findings.append(Finding(Level.WARNING, "MAILLAGE_WORKERS",
                                    "plusieurs processus sur un fichier SQLite : les écritures se bloquent entre elles."))
    elif _weak(parsed.password):
        findings.append(Finding(Level.REFUSAL, "DATABASE_URL", "le mot de passe de la base est un mot de passe connu."))
    return findings


def _public_url(settings: Settings) -> list[Finding]:
    parts = urlsplit(settings.public_url)
    if parts.scheme != "https" or not parts.hostname:
        return [Finding(Level.REFUSAL, "MAILLAGE_PUBLIC_URL",
                        f"« {settings.public_url} » n'est pas une adresse https:// : les liens des courriels et le "
                        "retour OpenID Connect doivent passer par HTTPS (renseignez l'adresse publique du proxy).")]
    return []


def _cookies(settings: Settings) -> list[Finding]:
    if not settings.secure_cookies:
        return [Finding(Level.REFUSAL, "MAILLAGE_COOKIE_SECURE",
                        "les cookies de session doivent être « Secure » hors mode démo (retirez le réglage ou "
                        "mettez true).")]
    return []


def _mail(settings: Settings) -> list[Finding]:
    findings = []
    if not (settings.smtp_host or "").strip():
        findings.append(Finding(Level.REFUSAL, "MAILLAGE_SMTP_HOST",
                                "aucun serveur SMTP : ni lien de connexion, ni orientation, ni relance ne partirait "
                                "(les courriels s'entasseraient dans la boîte d'envoi)."))
    else:
        if settings.smtp_ssl and settings.smtp_starttls:
            findings.append(Finding(Level.REFUSAL, "MAILLAGE_SMTP_SSL",
                                    "SMTP_SSL et SMTP_STARTTLS s'excluent : choisissez l'un des deux."))
        if settings.smtp_password and not (settings.smtp_ssl or settings.smtp_starttls) \
                and not _is_loopback(settings.smtp_host):
            findings.append(Finding(Level.REFUSAL, "MAILLAGE_SMTP_STARTTLS",
                                    "mot de passe SMTP envoyé en clair : activez STARTTLS (port 587) ou SSL (port 465)."))
    domain = settings.mail_from.rsplit("@", 1)[-1].strip(" >").lower()
    if "@" not in settings.mail_from or any(domain == d or domain.endswith(f".{d}") for d in DEFAULT_SENDER_DOMAINS):
        findings.append(Finding(Level.REFUSAL, "MAILLAGE_MAIL_FROM",
                                "adresse d'expéditeur d'exemple : indiquez une adresse du domaine de l'opérateur."))
    return findings


def _oidc(settings: Settings) -> list[Finding]:
    given = {"MAILLAGE_OIDC_ISSUER": settings.oidc_issuer, "MAILLAGE_OIDC_CLIENT_ID": settings.oidc_client_id,
             "MAILLAGE_OIDC_CLIENT_SECRET": settings.oidc_client_secret}
    if not any(given.values()):
        return []
    findings = [Finding(Level.REFUSAL, name, "manquant : les trois réglages OpenID Connect vont ensemble.")
                for name, value in given.items() if not value]
    if settings.oidc_issuer and urlsplit(settings.oidc_issuer).scheme != "https":
        findings.append(Finding(Level.REFUSAL, "MAILLAGE_OIDC_ISSUER", "le fournisseur d'identité doit être en https://."))
    return findings


def _secrets(settings: Settings) -> list[Finding]:
    """Every secret-like setting (…_secret, …_password, …_token, whatever module added
    it) left at a well-known value such as « changeme »."""
    return [
        Finding(Level.REFUSAL, f"MAILLAGE_{field.upper()}",
                "valeur d'exemple ou trop connue (« changeme »…) : mettez le vrai secret.")
        for field, value in settings.model_dump().items()
        if any(word in field for word in ("secret", "password", "token")) and isinstance(value, str) and _weak(value)
    ]


def _jobs(settings: Settings, workers: int) -> list[Finding]:
    if settings.run_jobs_in_process and workers > 1:
        return [Finding(Level.WARNING, "MAILLAGE_JOBS_IN_PROCESS",
                        f"les tâches de fond tournent dans chacun des {workers} processus (sans risque de double "
                        "envoi, mais inutile) : préférez le timer maillage-jobs et mettez false.")]
    return []


def check(settings: Settings, environ: Mapping[str, str] | None = None, workers: int = 1) -> Verdict:
    """The start-up verdict for these settings (``environ`` defaults to the process's)."""
    environ = os.environ if environ is None else environ
    environment, bad_environment = _environment(environ)
    if bad_environment is not None:
        return Verdict(None, (bad_environment,))
    if settings.demo:
        if environment is Environment.PRODUCTION:
            return Verdict(environment, (Finding(
                Level.REFUSAL, "MAILLAGE_DEMO",
                "le mode démo (connexion sans mot de passe par persona, données fictives) est interdit quand "
                "MAILLAGE_ENV=production."),))
        return Verdict(environment, ())
    findings = [
        *_placeholders(settings, environ), *_database(settings, workers), *_public_url(settings),
        *_cookies(settings), *_mail(settings), *_oidc(settings), *_secrets(settings), *_jobs(settings, workers),
    ]
    if environment is Environment.DEVELOPMENT:
        findings = [Finding(Level.WARNING, f.setting, f.message) for f in findings]
    return Verdict(environment or Environment.PRODUCTION, tuple(findings))
