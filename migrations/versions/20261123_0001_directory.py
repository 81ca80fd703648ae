"""Directory: networks, structures, services, their tags and the full-text index.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


# The bit layout of ``service.tag_mask`` (frozen here; ``directory/search.py`` reads it
# with the same layout): one bit per data·inclusion catégorie, public and mode d'accueil,
# set when the service's JSON list holds that code (a catégorie also when one of its
# sous-thématiques ``categorie--…`` is listed), i.e. the same codes as its ``service_tag``
# rows. Search filters and facet counts on these codes then read one integer of the row
# instead of probing ``service_tag`` once per matching service.
MASK_CATEGORIES = (
    "choisir-un-metier", "creer-une-entreprise", "difficultes-administratives-ou-juridiques",
    "difficultes-financieres", "equipement-et-alimentation", "famille", "lecture-ecriture-calcul",
    "logement-hebergement", "mobilite", "numerique", "preparer-sa-candidature", "remobilisation", "sante",
    "se-former", "souvrir-a-linternational", "trouver-un-emploi",
)
MASK_PUBLICS = (
    "tous-publics", "actifs", "beneficiaires-des-minimas-sociaux", "demandeurs-emploi", "etudiants", "familles",
    "femmes", "jeunes", "personnes-en-situation-de-handicap", "personnes-en-situation-durgence",
    "personnes-en-situation-juridique-specifique", "personnes-exilees", "residents-qpv-frr", "seniors",
)
MASK_MODES = ("a-distance", "en-presentiel")


def _tag_mask_sql() -> str:
    """Portable SQL (PostgreSQL and SQLite) computing the mask from the JSON lists."""
    terms = []
    for bit, code in enumerate(MASK_CATEGORIES):
        terms.append(f"CASE WHEN CAST(thematiques AS TEXT) LIKE '%\"{code}\"%' "
                     f"OR CAST(thematiques AS TEXT) LIKE '%\"{code}--%' THEN {1 << bit} ELSE 0 END")
    for offset, (column, codes) in ((16, ("publics", MASK_PUBLICS)), (30, ("modes_accueil", MASK_MODES))):
        for bit, code in enumerate(codes, start=offset):
            terms.append(f"CASE WHEN CAST({column} AS TEXT) LIKE '%\"{code}\"%' THEN {1 << bit} ELSE 0 END")
    return " + ".join(f"({t})" for t in terms)


def _address() -> list[sa.Column]:
    return [
        sa.Column("commune", sa.String(150)),
        sa.Column("code_postal", sa.String(5)),
        sa.Column("code_insee", sa.String(5)),
        sa.Column("adresse", sa.String(300)),
        sa.Column("complement_adresse", sa.String(300)),
        sa.Column("latitude", sa.Float()),
        sa.Column("longitude", sa.Float()),
        sa.Column("telephone", sa.String(40)),
        sa.Column("courriel", sa.String(254)),
    ]


def upgrade() -> None:
    op.create_table(
        "network",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("territory", sa.String(200), nullable=False),
        sa.Column("description", sa.Text()),
        sa.Column("latitude", sa.Float()),
        sa.Column("longitude", sa.Float()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("slug", name=op.f("uq_network_slug")),
    )
    op.create_table(
        "structure",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("network_id", sa.Integer(), sa.ForeignKey("network.id", ondelete="CASCADE",
                  name=op.f("fk_structure_network_id_network")), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("nom", sa.String(150), nullable=False),
        sa.Column("description", sa.Text()),
        sa.Column("siret", sa.String(14)),
        sa.Column("site_web", sa.String(500)),
        sa.Column("lien_source", sa.String(500)),
        sa.Column("horaires_accueil", sa.String(500)),
        sa.Column("accessibilite_lieu", sa.String(500)),
        sa.Column("reseaux_porteurs", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        *_address(),
        sa.UniqueConstraint("network_id", "external_id", name=op.f("uq_structure_network_id_external_id")),
    )
    op.create_index("ix_structure_network_id_nom", "structure", ["network_id", "nom"])
    op.create_index("ix_structure_siret", "structure", ["siret"])

    op.create_table(
        "service",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("network_id", sa.Integer(), sa.ForeignKey("network.id", ondelete="CASCADE",
                  name=op.f("fk_service_network_id_network")), nullable=False),
        sa.Column("structure_id", sa.Integer(), sa.ForeignKey("structure.id", ondelete="CASCADE",
                  name=op.f("fk_service_structure_id_structure")), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("suspended_until", sa.Date()),
        sa.Column("nom", sa.String(150), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("type", sa.String(50)),
        sa.Column("thematiques", sa.JSON(), nullable=False),
        sa.Column("frais", sa.String(20)),
        sa.Column("frais_precisions", sa.Text()),
        sa.Column("publics", sa.JSON(), nullable=False),
        sa.Column("publics_precisions", sa.Text()),
        sa.Column("conditions_acces", sa.Text()),
        sa.Column("modes_accueil", sa.JSON(), nullable=False),
        sa.Column("zone_eligibilite", sa.JSON()),
        sa.Column("contact_nom_prenom", sa.String(200)),
        sa.Column("lien_mobilisation", sa.String(500)),
        sa.Column("modes_mobilisation", sa.JSON(), nullable=False),
        sa.Column("mobilisable_par", sa.JSON(), nullable=False),
        sa.Column("mobilisation_precisions", sa.Text()),
        sa.Column("volume_horaire_hebdomadaire", sa.Float()),
        sa.Column("nombre_semaines", sa.Integer()),
        sa.Column("horaires_accueil", sa.String(500)),
        sa.Column("lien_source", sa.String(500)),
        sa.Column("accepts_referrals", sa.Boolean(), nullable=False),
        sa.Column("referral_emails", sa.JSON(), nullable=False),
        sa.Column("update_frequency_months", sa.Integer(), nullable=False),
        sa.Column("publishes_slots", sa.Boolean(), nullable=False),
        sa.Column("search_name", sa.Text(), nullable=False),
        sa.Column("search_body", sa.Text(), nullable=False),
        sa.Column("tag_mask", sa.BigInteger(), sa.Computed(_tag_mask_sql(), persisted=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        *_address(),
        sa.UniqueConstraint("network_id", "external_id", name=op.f("uq_service_network_id_external_id")),
    )
    op.create_index("ix_service_network_id_status", "service", ["network_id", "status"])
    op.create_index("ix_service_structure_id", "service", ["structure_id"])
    op.create_index("ix_service_latitude_longitude", "service", ["latitude", "longitude"])
    op.create_index("ix_service_code_insee", "service", ["code_insee"])
    op.create_index("ix_service_updated_at", "service", ["updated_at"])

    op.create_table(
        "service_tag",
        sa.Column("service_id", sa.Integer(), sa.ForeignKey("service.id", ondelete="CASCADE",
                  name=op.f("fk_service_tag_service_id_service")), primary_key=True),
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("code", sa.String(120), primary_key=True),
    )
    op.create_index("ix_service_tag_kind_code_service_id", "service_tag", ["kind", "code", "service_id"])

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE service ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('simple', search_name), 'A') || "
            "setweight(to_tsvector('simple', search_body), 'B')) STORED"
        )
        # Keep the vector uncompressed in the row: when a row outgrows 2 kB, the
        # description and search texts are compressed or moved out first, so that
        # matching and ts_rank never decompress (or fetch from TOAST) the vector.
        op.execute("ALTER TABLE service ALTER COLUMN search_vector SET STORAGE MAIN")
        # Search only ever reads published services: partial indexes keep the other
        # statuses out, and the covering one lets filter-only searches (no text) count
        # and facet from the index alone (see docs/benchmarks.md).
        op.execute(
            "CREATE INDEX ix_service_search_vector ON service USING gin (search_vector) "
            "WHERE status = 'published'"
        )
        op.execute(
            "CREATE INDEX ix_service_published ON service (updated_at DESC, id) "
            "INCLUDE (tag_mask, network_id, frais, accepts_referrals) WHERE status = 'published'"
        )
    else:
        op.execute(
            "CREATE VIRTUAL TABLE service_fts USING fts5("
            "search_name, search_body, content='service', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER service_fts_insert AFTER INSERT ON service BEGIN "
            "INSERT INTO service_fts(rowid, search_name, search_body) "
            "VALUES (new.id, new.search_name, new.search_body); END"
        )
        op.execute(
            "CREATE TRIGGER service_fts_delete AFTER DELETE ON service BEGIN "
            "INSERT INTO service_fts(service_fts, rowid, search_name, search_body) "
            "VALUES ('delete', old.id, old.search_name, old.search_body); END"
        )
        op.execute(
            "CREATE TRIGGER service_fts_update AFTER UPDATE OF search_name, search_body ON service BEGIN "
            "INSERT INTO service_fts(service_fts, rowid, search_name, search_body) "
            "VALUES ('delete', old.id, old.search_name, old.search_body); "
            "INSERT INTO service_fts(rowid, search_name, search_body) "
            "VALUES (new.id, new.search_name, new.search_body); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("service_fts_insert", "service_fts_delete", "service_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS service_fts")
    op.drop_table("service_tag")
    op.drop_table("service")
    op.drop_table("structure")
    op.drop_table("network")
