"""``maillage admin``: the platform's administrators (the first one is named here)."""


import click

from maillage.cli.common import console, fail, run_in_session


@click.group()
def admin() -> None:
    """Administrateurs de la plateforme (le premier se nomme ici)."""


def _email_argument(value: str) -> str:
    from pydantic import EmailStr, TypeAdapter, ValidationError

    try:
        return TypeAdapter(EmailStr).validate_python(value.strip())
    except ValidationError:
        raise click.BadParameter(f"« {value} » n'est pas une adresse électronique valide.") from None


@admin.command("grant")
@click.argument("email", callback=lambda _ctx, _param, value: _email_argument(value))
@click.option("--first-name", "--prenom", default=None, help="Prénom, si le compte est créé.")
@click.option("--last-name", "--nom", default=None, help="Nom, si le compte est créé.")
def admin_grant(email: str, first_name: str | None, last_name: str | None) -> None:
    """Nommer EMAIL administrateur de la plateforme (le compte est créé s'il n'existe pas)."""
    from maillage.accounts.network_admin import grant_platform_admin

    async def work(session):
        user, created = await grant_platform_admin(session, email, first_name, last_name)
        return user.email, created

    address, created = run_in_session(work)
    made = "compte créé" if created else "compte existant"
    console.print(f"{address} administre la plateforme ({made}). Connexion : lien par courriel sur /connexion.",
                  highlight=False)


@admin.command("revoke")
@click.argument("email", callback=lambda _ctx, _param, value: _email_argument(value))
def admin_revoke(email: str) -> None:
    """Retirer l'administration de la plateforme à EMAIL (jamais au dernier administrateur)."""
    from maillage.accounts.network_admin import revoke_platform_admin
    from maillage.errors import DomainError

    async def work(session):
        return (await revoke_platform_admin(session, email)).email

    try:
        address = run_in_session(work)
    except DomainError as exc:
        fail(exc, 2)
    console.print(f"{address} n'administre plus la plateforme.", highlight=False)


@admin.command("list")
def admin_list() -> None:
    """Lister les administrateurs de la plateforme."""
    from maillage.accounts.network_admin import list_platform_admins

    async def work(session):
        return [(user.email, user.display_name, user.is_active) for user in await list_platform_admins(session)]

    rows = run_in_session(work)
    if not rows:
        console.print("Aucun administrateur : « maillage admin grant ADRESSE » nomme le premier "
                      "(sur un serveur installé selon deploy/README.md : « maillage-admin admin grant ADRESSE »).")
    for address, name, active in rows:
        click.echo(f"{address}\t{name}\t{'actif' if active else 'désactivé'}")
