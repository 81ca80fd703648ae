"""The network animator's queue in a real browser: she reads the stalled referrals of the Pantin network, filters
them by rule, then acts on them — marks one reconnected, puts one aside, reminds a structure (the email is in the
demo mailbox), closes one, reorients another — and finds the people without solution.

The referrals are chosen by reading the page (rule, then the first row not used yet) and every count is read before
and after an action: the test holds whatever the demo data and the other browser tests left in the queue."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.steps import (
    DESKTOP,
    PHONE,
    assert_no_horizontal_scroll,
    critical_violations,
    queue_count,
    queue_count_text,
    queue_row,
    sign_in,
    stalled_queue,
)

pytestmark = pytest.mark.e2e

ANIMATOR = "Claire Dubois"
NETWORK = "pantin"
RULE_LABELS = {"never_contacted": "Jamais contactée", "no_answer": "Sans réponse", "dormant": "Dormante"}


def rule_tag(panel: Locator, rule: str) -> Locator:
    return panel.get_by_role("button", name=re.compile(rf"^{RULE_LABELS[rule]}\s\(\d+\)$"))


def every_rule_count(panel: Locator) -> dict[str, int]:
    """Every rule's count from the summary above the list, by label (the network may have more rules than these)."""
    tags = panel.get_by_role("button", name=re.compile(r"^[^()]+\s\(\d+\)$"))
    expect(tags.first).to_be_visible()
    found = {}
    for tag in tags.all():
        label, count = re.fullmatch(r"\s*(.+?)\s\((\d+)\)\s*", tag.inner_text()).groups()
        found[label] = int(count)
    return found


def rule_count(panel: Locator, rule: str) -> int:
    """The count shown next to a rule in the summary above the list ("Jamais contactée (3)")."""
    tag = rule_tag(panel, rule)
    expect(tag).to_be_visible()
    return int(re.search(r"\((\d+)\)", tag.inner_text()).group(1))


def filter_rule(page: Page, panel: Locator, rule: str) -> int:
    """Show one rule's referrals; returns how many there are (the list's count equals the rule's count)."""
    panel.get_by_label("Règle").select_option(rule)
    expect(page).to_have_url(re.compile(rf"regle={rule}"))
    expected = rule_count(panel, rule)
    expect(panel.get_by_text(queue_count_text(expected), exact=True)).to_be_visible()
    rows = panel.locator("tbody tr")
    if expected:
        expect(rows.first).to_be_visible()
        for index in range(rows.count()):
            expect(rows.nth(index)).to_contain_text(RULE_LABELS[rule])
    return expected


def pick(panel: Locator, rule: str, used: set[int]) -> tuple[int, str]:
    """The first referral of the (filtered) list not acted on yet: its id and the person's name."""
    for link in panel.locator("tbody tr td:first-child a").all():
        referral_id = int(link.get_attribute("href").rsplit("/", 1)[1])
        if referral_id not in used:
            used.add(referral_id)
            return referral_id, link.inner_text()
    pytest.fail(f"Plus d'orientation « {RULE_LABELS[rule]} » dans la file : les données de démonstration ont changé ?")


def success_message(panel: Locator, text: str) -> Locator:
    """The success message announced after an action (a status message)."""
    message = panel.get_by_role("status").filter(has_text=text)
    expect(message).to_be_visible()
    return message


def open_actions(panel: Locator, referral_id: int, name: str, action: str) -> Locator:
    """Open the action form under a row and choose the action; returns the form."""
    queue_row(panel, referral_id).get_by_role("button", name=f"Agir sur l'orientation de {name}").click()
    form = panel.get_by_role("form", name=f"Agir sur l'orientation de {name}")
    form.get_by_label("Action").select_option(label=action)
    return form


def test_animator_works_through_the_stalled_queue(offline_page: Page, app_url: str, screenshot_dir, axe_script) -> None:
    page = offline_page
    page.set_viewport_size(DESKTOP)
    used: set[int] = set()

    # 1. The animator opens the network's stalled queue: rule, age, sender and receiver of each referral, counts per rule.
    sign_in(page, app_url, ANIMATOR)
    panel = stalled_queue(page, app_url, NETWORK)
    expect(panel.get_by_role("columnheader")).to_have_text(["Personne et service", "Règle", "De → à", "Action"])
    total = queue_count(panel)
    assert total > 0, "La file des orientations en souffrance de Pantin est vide."
    counts = every_rule_count(panel)
    assert set(RULE_LABELS.values()) <= set(counts), f"Règles affichées : {list(counts)}"
    assert sum(counts.values()) == total, f"Les comptes par règle {counts} ne font pas le total {total}."
    first = panel.locator("tbody tr").first
    expect(first).to_contain_text(re.compile("|".join(re.escape(label) for label in counts)))
    expect(first).to_contain_text(re.compile(r"depuis \d+ jours?"))
    expect(first.locator("td").nth(2)).to_contain_text(re.compile(r"\S.* → \S"))
    page.screenshot(path=str(screenshot_dir / "file-souffrance-bureau.png"), full_page=True)
    assert not critical_violations(page, axe_script)
    page.set_viewport_size(PHONE)
    assert_no_horizontal_scroll(page, "La file des orientations en souffrance")
    page.set_viewport_size(DESKTOP)

    # Filtering by a rule narrows the list to it; the rule's tag is pressed.
    never = filter_rule(page, panel, "never_contacted")
    assert never == counts[RULE_LABELS["never_contacted"]]
    assert never > 0, "Aucune orientation « Jamais contactée » dans la file de Pantin."
    expect(panel.locator("tbody tr")).to_have_count(min(never, 20))
    expect(rule_tag(panel, "never_contacted")).to_have_attribute("aria-pressed", "true")

    # 2. Marked reconnected (a contact logged by the animator): a success message, the referral leaves the list.
    referral_id, name = pick(panel, "never_contacted", used)
    form = open_actions(panel, referral_id, name, "Marquer comme reprise (la personne a été jointe)")
    form.get_by_label("Canal").select_option("telephone")
    form.get_by_label("Note").fill("Jointe par l'animation : elle attend toujours un premier rendez-vous.")
    form.get_by_role("button", name="Enregistrer le contact").click()
    done = success_message(panel, "est reprise : le contact est noté")
    expect(done).to_contain_text(f"L'orientation de {name} (")
    expect(done).to_contain_text("Elle sort de la file.")
    expect(panel.get_by_text(queue_count_text(never - 1), exact=True)).to_be_visible()
    expect(queue_row(panel, referral_id)).to_have_count(0)
    expect(rule_tag(panel, "never_contacted")).to_have_text(re.compile(rf"\({never - 1}\)\s*$"))
    # The contact is on the referral's timeline.
    page.goto(f"{app_url}/orientations/{referral_id}")
    history = page.get_by_role("region", name="Historique")
    expect(history).to_contain_text("personne jointe")
    expect(history).to_contain_text("Jointe par l'animation")

    # 3. Put aside until a date in the future: it leaves the list.
    panel = stalled_queue(page, app_url, NETWORK)
    answerless = filter_rule(page, panel, "no_answer")
    referral_id, name = pick(panel, "no_answer", used)
    form = open_actions(panel, referral_id, name, "Mettre de côté jusqu'à une date")
    # Cancelling closes the form without doing anything, and gives the focus back to the row's button.
    form.get_by_role("button", name="Fermer sans agir").click()
    expect(form).to_have_count(0)
    expect(queue_row(panel, referral_id).get_by_role("button", name=f"Agir sur l'orientation de {name}")).to_be_focused()
    form = open_actions(panel, referral_id, name, "Mettre de côté jusqu'à une date")
    until = date.today() + timedelta(days=21)
    form.get_by_label("Mettre de côté jusqu'au").fill(until.isoformat())
    form.get_by_role("button", name="Mettre de côté").click()
    aside = success_message(panel, "est mise de côté jusqu'au")
    expect(aside).to_contain_text(f"L'orientation de {name} (")
    expect(aside).to_contain_text(str(until.year))
    expect(aside).to_contain_text("Elle sort de la file et y reviendra ce jour-là")
    expect(panel.get_by_text(queue_count_text(answerless - 1), exact=True)).to_be_visible()
    expect(queue_row(panel, referral_id)).to_have_count(0)

    # 4. Remind the receiving structure: a success message, the referral stays in the queue; the email is in the
    # demo mailbox.
    referral_id, name = pick(panel, "no_answer", used)
    row = queue_row(panel, referral_id)
    receiver = row.locator("td").nth(2).inner_text().split(" → ", 1)[1].strip()
    form = open_actions(panel, referral_id, name, "Relancer la structure destinataire")
    form.get_by_role("button", name="Envoyer la relance").click()
    expect(form.get_by_text("Écrivez le message de relance.")).to_be_visible()
    form.get_by_label(re.compile("^Message à la structure")).fill(
        "Bonjour, pouvez-vous répondre à cette orientation ? La personne attend votre appel."
    )
    form.get_by_role("button", name="Envoyer la relance").click()
    reminded = success_message(panel, "est relancée auprès de")
    expect(reminded).to_contain_text(f"L'orientation de {name} (")
    expect(reminded).to_contain_text(f"relancée auprès de {receiver}.")
    expect(reminded).to_contain_text("Elle reste dans la file jusqu'à ce que la structure agisse.")
    expect(reminded).to_be_focused()
    expect(panel.get_by_text(queue_count_text(answerless - 1), exact=True)).to_be_visible()
    expect(queue_row(panel, referral_id)).to_be_visible()
    page.goto(f"{app_url}/demo/boite")
    mail = page.get_by_role("button", name=f"Relance de l'animation du réseau : orientation de {name}").first
    expect(mail).to_be_visible()
    mail.click()
    item = page.locator("li").filter(has=mail)
    expect(item.frame_locator("iframe").locator("body")).to_contain_text("La personne attend votre appel.")
    expect(item.get_by_role("link", name=f"/orientations/{referral_id}")).to_be_visible()

    # 5a. Close an accepted referral with its outcome: it leaves the queue, its page says closed and why.
    panel = stalled_queue(page, app_url, NETWORK)
    never = filter_rule(page, panel, "never_contacted")
    referral_id, name = pick(panel, "never_contacted", used)
    form = open_actions(panel, referral_id, name, "Clôturer l'orientation")
    form.get_by_label("Issue").select_option("abandon")
    form.get_by_label("Précision").fill("Injoignable depuis l'acceptation, malgré trois appels de l'animation.")
    form.get_by_role("button", name="Clôturer l'orientation").click()
    closed = success_message(panel, "est clôturée.")
    expect(closed).to_contain_text(f"L'orientation de {name} (")
    expect(closed).to_contain_text("Elle sort de la file.")
    expect(panel.get_by_text(queue_count_text(never - 1), exact=True)).to_be_visible()
    expect(queue_row(panel, referral_id)).to_have_count(0)
    page.goto(f"{app_url}/orientations/{referral_id}")
    expect(page.locator(".fr-badges-group")).to_contain_text(re.compile("clôturée", re.IGNORECASE))
    expect(page.get_by_role("region", name="Résumé")).to_contain_text("Injoignable depuis l'acceptation")

    # 5b. Reorient another one to a service found by a search: it leaves the queue, the old referral is closed as
    # « réorientation », the new one is sent to the chosen service.
    panel = stalled_queue(page, app_url, NETWORK)
    rule = next((code for code in ("no_answer", "never_contacted", "dormant") if rule_count(panel, code) > 0), None)
    assert rule, "Plus aucune orientation dans la file à réorienter."
    before = filter_rule(page, panel, rule)
    referral_id, name = pick(panel, rule, used)
    form = open_actions(panel, referral_id, name, "Réorienter vers un autre service")
    form.get_by_role("button", name="Réorienter la personne").click()
    expect(form.get_by_text("Recherchez puis choisissez le service")).to_be_visible()
    search = form.get_by_label(re.compile(r"^\s*Rechercher un service du réseau"))
    search.fill("emploi")
    search.press("Enter")
    choices = form.get_by_role("group", name="Service vers lequel réorienter la personne")
    expect(choices).to_be_visible()
    target = choices.locator("label").first.inner_text().split("\n")[0].strip()
    target_service = target.split(" — ")[0]
    choices.locator("label").first.click()
    page.screenshot(path=str(screenshot_dir / "file-souffrance-reorienter-bureau.png"), full_page=True)
    assert not critical_violations(page, axe_script)
    form.get_by_label(re.compile("^Message à la structure qui reçoit")).fill("Réorientée par l'animation du réseau.")
    form.get_by_role("button", name="Réorienter la personne").click()
    reoriented = success_message(panel, "une nouvelle orientation est envoyée à")
    expect(reoriented).to_contain_text(f"L'orientation de {name} (")
    expect(reoriented).to_contain_text(f"envoyée à « {target_service} »")
    expect(reoriented).to_contain_text("Elle sort de la file.")
    expect(panel.get_by_text(queue_count_text(before - 1), exact=True)).to_be_visible()
    expect(queue_row(panel, referral_id)).to_have_count(0)
    reoriented.get_by_role("link", name="Voir la nouvelle orientation").click()
    expect(page).to_have_url(re.compile(r"/orientations/\d+$"))
    assert not page.url.endswith(f"/orientations/{referral_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Orientation de")
    expect(page.get_by_text(target_service).first).to_be_visible()
    page.goto(f"{app_url}/orientations/{referral_id}")
    expect(page.locator(".fr-badges-group")).to_contain_text(re.compile("clôturée", re.IGNORECASE))
    summary = page.get_by_role("region", name="Résumé")
    expect(summary).to_contain_text("Réorientation vers une autre structure")
    expect(summary).to_contain_text(f"« {target_service} »")

    # 6. The people without solution: at least one person of the demo data, with a link to the person's page.
    page.goto(f"{app_url}/reseau/{NETWORK}")
    page.get_by_role("tab", name="Personnes sans solution").click()
    expect(page).to_have_url(re.compile(r"onglet=sans-solution$"))
    panel = page.get_by_role("tabpanel")
    expect(panel.get_by_text(re.compile(r"^\d+ personnes? sans solution$"))).to_be_visible()
    person = panel.locator("tbody tr").first
    expect(person).to_contain_text(re.compile(r"il y a \d+ jours"))
    person_name = person.get_by_role("link").inner_text()
    page.screenshot(path=str(screenshot_dir / "sans-solution-bureau.png"), full_page=True)
    assert not critical_violations(page, axe_script)
    person.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/personnes/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(person_name.split(" ")[0])
