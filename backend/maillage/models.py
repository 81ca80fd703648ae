"""Import every domain's models so that the metadata is complete (Alembic, tests)."""


def load_all() -> None:
    from maillage.accounts import models as _accounts  # noqa: F401
    from maillage.appointments import models as _appointments  # noqa: F401
    from maillage.audit import models as _audit  # noqa: F401
    from maillage.directory import models as _directory  # noqa: F401
    from maillage.notifications import models as _notifications  # noqa: F401
    from maillage.ops import models as _ops  # noqa: F401
    from maillage.people import models as _people  # noqa: F401
    from maillage.referrals import models as _referrals  # noqa: F401
    from maillage.stats import models as _stats  # noqa: F401
