"""Settings, read from the environment (prefix ``MAILLAGE_``; ``DATABASE_URL`` as is)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{REPO_ROOT / 'var' / 'maillage.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MAILLAGE_", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("DATABASE_URL", "MAILLAGE_DATABASE_URL"),
    )
    demo: bool = False
    operator_name: str = "Maillage"
    operator_tagline: str = "Réseau local des acteurs de l'insertion"
    default_network: str | None = Field(
        default=None,
        description="Slug of the network the directory shows first (the only one if unset).",
    )
    static_dir: Path = Path(__file__).resolve().parent / "static"
    sql_echo: bool = False

    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Address users reach the app at (links in emails, OpenID redirect).",
    )
    cookie_secure: bool | None = Field(
        default=None, description="Secure cookies; by default everywhere except in demo mode."
    )
    session_hours: int = 12
    stats_refresh_minutes: int = Field(
        default=60, ge=1, description="The indicators (Pilotage) are recomputed by the jobs at this interval."
    )

    smtp_host: str | None = Field(default=None, description="No SMTP server: emails stay in the outbox.")
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_timeout_seconds: float = 30
    mail_from: str = "Maillage <ne-pas-repondre@maillage.example.org>"
    jobs_in_process: bool | None = Field(
        default=None, description="Run the job loop inside the web process (default: demo mode)."
    )

    oidc_issuer: str | None = Field(default=None, description="ProConnect (or any OpenID) issuer URL.")
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_scopes: str = "openid email given_name usual_name siret"
    oidc_label: str = "ProConnect"

    log_format: Literal["json", "text"] | None = Field(
        default=None, description="Logs on stderr: one JSON object per line, or text (default: text in demo mode)."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    metrics_token: str | None = Field(
        default=None, description="/metrics answers to `Authorization: Bearer <token>` (and to loopback clients)."
    )
    max_body_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="Largest request body (the document upload has its own limit)."
    )
    search_rate_limit: int = Field(
        default=120, ge=0, description="Directory searches per minute and client IP (0: no limit)."
    )
    sign_in_rate_limit: int = Field(
        default=30, ge=0, description="Demo and ProConnect sign-in starts per minute and client IP (0: no limit)."
    )
    api_token_failure_limit: int = Field(
        default=20, ge=0, description="Refused API tokens per 10 minutes and client IP before 429 (0: no limit)."
    )

    @property
    def secure_cookies(self) -> bool:
        return (not self.demo) if self.cookie_secure is None else self.cookie_secure

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)

    @property
    def json_logs(self) -> bool:
        return (not self.demo) if self.log_format is None else self.log_format == "json"

    @property
    def hsts(self) -> bool:
        """Strict-Transport-Security only where it is true for good: HTTPS, not a demo."""
        return self.public_url.lower().startswith("https://") and not self.demo

    @property
    def run_jobs_in_process(self) -> bool:
        return self.demo if self.jobs_in_process is None else self.jobs_in_process


@lru_cache
def get_settings() -> Settings:
    return Settings()
