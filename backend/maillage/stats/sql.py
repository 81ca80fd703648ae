"""The few SQL pieces that differ between PostgreSQL and SQLite, for the snapshot's
aggregate queries (``refresh``). Everything else is standard SQL.

SQLite gets ``paris_month`` and ``age_years`` as Python functions (``maillage.db``), so
months are cut at midnight Paris time on both databases."""

from dataclasses import dataclass

DELAY_CAP = 61   # delays are counted day by day up to 60 days; "61" stands for "more than 60 days"


@dataclass(frozen=True)
class Dialect:
    name: str

    @property
    def postgres(self) -> bool:
        return self.name == "postgresql"

    def month(self, column: str) -> str:
        if self.postgres:
            return f"to_char({column} AT TIME ZONE 'Europe/Paris', 'YYYY-MM')"
        return f"paris_month({column})"

    def days(self, later: str, earlier: str) -> str:
        """Whole days from ``earlier`` to ``later`` (both timestamps)."""
        if self.postgres:
            return f"CAST(floor(extract(epoch FROM ({later} - {earlier})) / 86400) AS integer)"
        return f"CAST(julianday({later}) - julianday({earlier}) AS integer)"

    def delay_bucket(self, later: str, earlier: str) -> str:
        """The histogram bucket of a delay, as text: ``"0"`` … ``"60"``, ``"61"`` beyond."""
        days = self.days(later, earlier)
        return f"CAST(CASE WHEN {days} > {DELAY_CAP - 1} THEN {DELAY_CAP} ELSE {days} END AS {self.text_type})"

    def plus_days(self, column: str, days: int) -> str:
        if self.postgres:
            return f"({column} + interval '{int(days)} days')"
        return f"datetime({column}, '+{int(days)} days')"

    def age(self, birth: str, at: str) -> str:
        if self.postgres:
            return f"CAST(extract(year FROM age(CAST(({at} AT TIME ZONE 'Europe/Paris') AS date), {birth})) AS integer)"
        return f"age_years({birth}, {at})"

    @property
    def text_type(self) -> str:
        return "varchar" if self.postgres else "TEXT"

    def need_categories(self) -> str:
        """A subquery of (referral id, category of need) pairs, each category once per
        referral; the category is the part of the thematique's code before ``--``."""
        if self.postgres:
            return ("SELECT DISTINCT r.id AS referral_id, split_part(x.value, '--', 1) AS category "
                    "FROM referral r CROSS JOIN LATERAL json_array_elements_text(r.needs) AS x(value) "
                    "WHERE r.network_id = :network_id")
        return ("SELECT DISTINCT r.id AS referral_id, CASE WHEN instr(j.value, '--') > 0 "
                "THEN substr(j.value, 1, instr(j.value, '--') - 1) ELSE j.value END AS category "
                "FROM referral r, json_each(r.needs) AS j WHERE r.network_id = :network_id")
