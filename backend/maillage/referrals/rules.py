"""The network's rules: stall delays and retention (DESIGN.md defaults), overridable per
network through ``Network.settings``."""

from dataclasses import dataclass, fields, replace

from maillage.directory.models import Network


@dataclass(frozen=True)
class NetworkRules:
    reminder_days: tuple[int, ...] = (10, 20)      # no answer: remind the receiving structure
    expiry_days: int = 30                          # no answer: expired, sender told
    never_contacted_days: int = 15                 # accepted, nobody reached, no honoured appointment
    appointment_to_confirm_days: int = 2           # appointment ended, attendance unknown
    missed_not_rebooked_days: int = 15             # no-show and nothing new
    dormant_days: int = 90                         # accepted, no event
    without_solution_window_days: int = 183        # referrals in the last 6 months, none accepted…
    without_solution_first_days: int = 30          # …the first over 30 days old
    anonymise_after_months: int = 24               # people inactive that long are anonymised
    attachment_retention_months: int = 6           # attachments deleted after the referral closes


DEFAULT_RULES = NetworkRules()


def rules_for(network: Network) -> NetworkRules:
    """The defaults, with the network's own settings on top (unknown keys ignored)."""
    known = {f.name for f in fields(NetworkRules)}
    overrides = {k: v for k, v in (network.settings or {}).items() if k in known}
    if "reminder_days" in overrides:
        overrides["reminder_days"] = tuple(overrides["reminder_days"])
    return replace(DEFAULT_RULES, **overrides)
