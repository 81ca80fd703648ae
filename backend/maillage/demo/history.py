"""A year of finished referrals for the Pantin demo network, so that the indicators
(« Pilotage ») show figures instead of « < 5 »: about 500 people and 800 referrals
between all the network's structures, sent 40 days to a year ago (a few more in the
recent months), each one refused, expired, cancelled or closed with an outcome, with the
timeline, contacts, past appointments and animator reminders the figures count.

Nothing here is open, so the demo scenario of ``referrals.py`` and ``appointments.py``
(inboxes' first pages, the animators' queue, the people without solution) stays as it
is: a person whose referrals are refused, expired or cancelled has them older than seven
months, or a closed referral sent after them. Deterministic: a fixed random seed, every
date relative to the seeding time. Idempotent: nothing is added once the network has a
referral over six months old (a demo network's own referrals are never that old)."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from maillage.appointments.models import Booking, Place, PlaceKind, Slot, SlotSeries
from maillage.appointments.schedule import PARIS, local_instant
from maillage.db import utcnow
from maillage.demo.personas import PERSONAS
from maillage.demo.referrals import demo_context
from maillage.directory import referentials as ref
from maillage.directory.models import Network, Service, ServiceStatus, Structure
from maillage.people.models import HeardVia, Person
from maillage.people.service import email_key, name_key, phone_key
from maillage.referrals.followup import BookingState
from maillage.referrals.models import (
    Outcome,
    Referral,
    ReferralContact,
    ReferralEvent,
    RefusalReason,
)

SEED = 93500
PEOPLE = 490
MIN_DAYS, MAX_DAYS = 40, 365        # every referral was sent that long ago
QUIET_DAYS = 214                    # 7 months: older than the "without solution" window (183 days)
ANIMATOR_ON_UNANSWERED, ANIMATOR_ON_ACCEPTED = 8, 7
MIN_RECEIVED, MIN_SENT = 6, 5       # referrals received, and sent, by each structure over the year, at least

FEMMES = ["Aminata", "Amélie", "Anaïs", "Assia", "Aurélie", "Binta", "Camélia", "Chloé", "Coralie", "Dalila", "Delphine", "Djeneba", "Émilie", "Estelle", "Fanta", "Farida", "Gaëlle", "Hawa", "Hélène", "Houria", "Imane", "Jessica", "Justine", "Kadiatou", "Karima", "Khadija", "Laetitia", "Leïla", "Linda", "Lucie", "Ludivine", "Malika", "Manon", "Mariam", "Marine", "Mélanie", "Myriam", "Nabila", "Naïma", "Nathalie", "Noémie", "Ophélie", "Pauline", "Rachida", "Rokia", "Safiatou", "Salimata", "Samia", "Sandrine", "Sarah", "Sonia", "Stéphanie", "Sylvie", "Tatiana", "Valérie", "Virginie", "Wassila", "Yasmine", "Zineb"]
HOMMES = ["Abdel", "Adama", "Ahmed", "Alexandre", "Ali", "Amadou", "Anthony", "Arnaud", "Bakary", "Bilal", "Boubacar", "Cédric", "Cheikh", "Christophe", "Dylan", "Éric", "Fabrice", "Florian", "Franck", "Grégory", "Hamid", "Hugo", "Idriss", "Issa", "Jérémy", "Jonathan", "Kader", "Lamine", "Loïc", "Ludovic", "Mathieu", "Mehdi", "Mickaël", "Modibo", "Mohamed", "Nabil", "Nicolas", "Olivier", "Omar", "Ousmane", "Pascal", "Patrick", "Rachid", "Rayan", "Romain", "Sébastien", "Sékou", "Sofiane", "Souleymane", "Stéphane", "Thomas", "Tony", "Vincent", "Walid", "Yacine", "Youssef", "Zakaria"]
NOMS = ["Bernard", "Richard", "Leroy", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Bertrand", "Fournier", "Girard", "André", "Mercier", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Perrin", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez", "Boyer", "Lemaire", "Duval", "Joly", "Roche", "Meyer", "Meunier", "Perez", "Dufour", "Blanchard", "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin", "Fernandez", "Renard", "Caron", "Aubert", "Giraud", "Leclerc", "Vidal", "Bourgeois", "Renaud", "Lemoine", "Picard", "Gaillard", "Lacroix", "Fabre", "Dupuis", "Rodriguez", "Da Silva", "Hubert", "Rivière", "Le Gall", "Moulin", "Gonzalez", "Berger", "Lecomte", "Fleury", "Deschamps", "Maillard", "Aubry", "Vasseur", "Jacquet", "Prévost", "Poirier", "Charpentier", "Huet", "Dupuy", "Breton", "Schneider", "Guyot", "Marty", "Diop", "Ndiaye", "Cissé", "Coulibaly", "Konaté", "Doumbia", "Sissoko", "Touré", "Bamba", "Fofana", "Dembélé", "Kouyaté", "Sangaré", "Bensaïd", "Boudjema", "Chérif", "Hamidi", "Amrani", "Bouzid", "Mansouri", "Saïdi", "Slimani", "Brahimi", "Meziane", "Khelifi", "Aït Ali", "Bouaziz", "Toumi", "Pereira", "Dos Santos", "Rodrigues", "Lopes", "Gomes", "Oliveira", "Costa", "Tran", "Pham", "Wang", "Chen", "Yilmaz", "Kaya", "Demir", "Popescu", "Mendy", "Gueye", "Faye", "Sarr", "Kamara", "Bangoura", "Soumaré", "Tounkara", "Baldé", "Barry", "Diakité", "Ben Amor", "Zerrouki", "Lebrun", "Ouattara", "Haïdara", "Belhadj", "Kanouté", "Jourdan", "Tessier", "Royer", "Bellamy", "Marchetti"]
COMMUNES = (("Pantin", "93055", 82), ("Bobigny", "93008", 4), ("Les Lilas", "93045", 4),
            ("Le Pré-Saint-Gervais", "93061", 4), ("Aubervilliers", "93001", 3), ("Romainville", "93063", 3))
QUARTIERS = (("Quatre-Chemins", True), ("Courtillières", True), ("Les Limites – Sept-Arpents", True),
             ("Centre-ville", False), ("Hoche", False), ("Église – Ourcq", False), ("Petit-Pantin", False))
HEARD_VIA = {HeardVia.COUNSELLOR: 46, HeardVia.WORD_OF_MOUTH: 18, HeardVia.NEIGHBOURHOOD_EVENT: 11,
             HeardVia.JOB_CAFE: 8, HeardVia.TOWN_HALL: 6, HeardVia.SOCIAL_MEDIA: 4, HeardVia.PRESS: 2,
             HeardVia.OTHER: 2, None: 3}
# Who sends (structure keys of demo/data/pantin.json); every other structure sends a little.
SENDERS = {"mission-locale-lyr": 18, "pole-rsa": 16, "france-travail": 14, "plie": 10, "ccas": 6, "maison-emploi": 5,
           "cap-emploi": 4, "relais-ourcq": 4, "cidff": 3, "centre-social-courtillieres": 3, "accueil-exil-pantin": 3,
           "caf": 2, "france-services-pantin": 2, "maison-quartier-quatre-chemins": 2, "table-de-l-ourcq": 2}
RECEIVERS = {"table-de-l-ourcq": 2.5, "mission-locale-lyr": 2, "pole-rsa": 1.5, "france-travail": 1.5, "plie": 1.5,
             "maison-emploi": 1.5, "auto-ecole-cle-de-contact": 1.5, "ccas": 1.3, "ebe-quatre-chemins": 1.3}
OUTCOMES = {Outcome.DURABLE_JOB: 30, Outcome.TRANSITION_JOB: 15, Outcome.QUALIFYING_TRAINING: 12,
            Outcome.BARRIER_LIFTED: 16, Outcome.BUSINESS_CREATION: 3, Outcome.REORIENTED: 9, Outcome.DROPPED: 9,
            Outcome.MOVED: 3, Outcome.OTHER: 3}
# The kind of service an outcome comes from (any service for the others).
OUTCOME_KIND = {Outcome.DURABLE_JOB: "emploi", Outcome.TRANSITION_JOB: "emploi",
                Outcome.QUALIFYING_TRAINING: "formation", Outcome.BUSINESS_CREATION: "creation",
                Outcome.BARRIER_LIFTED: "social"}
# Days from the acceptance to the closing, by outcome.
CLOSE_AFTER = {Outcome.DURABLE_JOB: (30, 160), Outcome.TRANSITION_JOB: (20, 120),
               Outcome.QUALIFYING_TRAINING: (20, 120), Outcome.BUSINESS_CREATION: (60, 200),
               Outcome.BARRIER_LIFTED: (10, 90), Outcome.REORIENTED: (5, 45), Outcome.DROPPED: (25, 90),
               Outcome.MOVED: (15, 120), Outcome.OTHER: (10, 100)}
REFUSALS = {RefusalReason.UNREACHABLE: 16, RefusalReason.ABSENT: 10, RefusalReason.ALREADY_EMPLOYED: 8,
            RefusalReason.IN_TRAINING: 6, RefusalReason.NOT_ELIGIBLE: 16, RefusalReason.NOT_MOBILE: 4,
            RefusalReason.NOT_INTERESTED: 10, RefusalReason.OTHER_BARRIERS: 8, RefusalReason.NO_ROOM: 14,
            RefusalReason.DUPLICATE: 3, RefusalReason.OTHER: 5}
# Statuses of a person's earlier referrals, and of their last one.
EARLIER = {"closed": 40, "refused": 35, "expired": 14, "cancelled": 11}
LAST = {"closed": 64, "refused": 21, "expired": 8, "cancelled": 7}
ANSWER_DAYS = {1: 14, 2: 16, 3: 14, 4: 11, 5: 9, 6: 6, 7: 5, 8: 4, 9: 3, 10: 3, 12: 3, 14: 2, 17: 2, 20: 1}
CHANNELS = {"telephone": 65, "sms": 12, "sur-place": 12, "courriel": 8, "visio": 3}
EMPLOI = {"trouver-un-emploi", "choisir-un-metier", "preparer-sa-candidature", "souvrir-a-linternational"}
FORMATION = {"se-former", "lecture-ecriture-calcul"}
MOTIVES = {
    "emploi": ("Recherche un emploi stable, disponible immédiatement.",
               "Souhaite reprendre une activité après une longue période sans emploi.",
               "Expérience en manutention et en restauration, cherche un poste durable.",
               "A besoin d'un cadre pour construire son projet professionnel et préparer ses entretiens."),
    "formation": ("Souhaite se former pour obtenir une qualification reconnue.",
                  "Projet de formation dans l'aide à la personne, financement à trouver.",
                  "Doit consolider le français écrit avant d'entrer en formation."),
    "creation": ("Porte un projet de création d'activité à structurer.",
                 "Souhaite créer sa micro-entreprise et cherche un financement."),
    "social": ("Des difficultés de garde d'enfants freinent la reprise d'emploi.",
               "Besoin d'un accompagnement pour ouvrir ses droits et régulariser sa situation.",
               "Hébergée chez un tiers, cherche une solution de logement.",
               "Sans ordinateur ni accès à internet pour ses démarches.",
               "N'a pas de moyen de transport pour accéder aux offres d'emploi.",
               "Situation budgétaire difficile, impayés en cours."),
}
MESSAGES = ("Disponible en matinée.", "Préfère être contactée par SMS.", "Je reste disponible pour un point à trois.",
            "Parle peu le français : un interprète serait utile au premier rendez-vous.")
CLOSE_DETAILS = {
    Outcome.DURABLE_JOB: ("CDI d'agent d'entretien dans une entreprise de propreté.",
                          "CDD de 9 mois comme préparatrice de commandes.", "CDI de commis de cuisine à Pantin."),
    Outcome.TRANSITION_JOB: ("Contrat en chantier d'insertion de 4 mois.", "Missions d'intérim en logistique."),
    Outcome.QUALIFYING_TRAINING: ("Entrée en formation au titre professionnel d'agent de restauration.",
                                  "Entrée en formation d'aide-soignante."),
    Outcome.BUSINESS_CREATION: ("Micro-entreprise de couture immatriculée.",),
    Outcome.BARRIER_LIFTED: ("Place en crèche obtenue.", "Permis B obtenu.", "Droits ouverts, suivi par le CCAS.",
                             "Ordinateur reconditionné remis."),
    Outcome.REORIENTED: ("Réorientée vers un accompagnement plus adapté à sa situation.",),
    Outcome.DROPPED: ("Injoignable malgré plusieurs relances.", "Ne souhaite pas poursuivre l'accompagnement."),
    Outcome.MOVED: ("Déménagement hors du département.",),
    Outcome.OTHER: ("Entrée en service civique.", "Congé maternité : accompagnement suspendu.",
                    "Reprise d'études en formation initiale."),
}
REFUSAL_DETAILS = {RefusalReason.OTHER: ("Dossier incomplet : justificatif de domicile manquant.",
                                         "Public hors du territoire couvert par le service."),
                   RefusalReason.NO_ROOM: ("Session complète, à reproposer à la rentrée.",),
                   RefusalReason.NOT_ELIGIBLE: ("Ne remplit pas les critères d'âge du dispositif.",)}
CANCEL_DETAILS = ("A trouvé un emploi entre-temps.", "Orientation envoyée au mauvais service.",
                  "Ne souhaite plus être accompagnée.", "Doublon avec l'orientation d'un collègue.")
REACHED_NOTES = ("Premier échange téléphonique, rendez-vous fixé.", "Jointe : elle confirme son intérêt.",
                 "Venue à l'accueil, entretien de diagnostic réalisé.", None)
MISSED_NOTES = ("Messagerie, message laissé.", "Pas de réponse, nouvel essai prévu.", None)
UNANSWERED_REMINDERS = (
    "Bonjour, cette orientation attend votre réponse : pouvez-vous l'accepter ou nous dire ce qui bloque ?",
    "Relance de l'animation : merci de répondre à cette orientation, ou dites-nous s'il faut la réorienter.")
NOT_CONTACTED_REMINDERS = (
    "Bonjour, la personne n'a pas encore été contactée : pouvez-vous la rappeler cette semaine ?",
    "Bonjour, pouvez-vous indiquer où en est cette orientation ? La personne attend votre appel.")
INDIVIDUAL_TIMES = (time(10, 30), time(11, 15), time(14, 30), time(15, 15), time(16, 0))


@dataclass
class _Svc:
    id: int
    structure_id: int
    kinds: set[str]
    needs: list[str]
    weight: float
    slots: bool
    collective: bool = False
    title: str = "Premier rendez-vous"


@dataclass
class _Person:
    row: dict
    home: int                        # the structure that follows the person
    referrals: list["_Ref"] = field(default_factory=list)
    id: int | None = None


@dataclass
class _Ref:
    person: _Person
    sender: int
    svc: _Svc
    sent_at: datetime
    status: str
    outcome: str | None = None
    reason: str | None = None
    detail: str | None = None
    animator: str | None = None      # "unanswered" or "accepted": the animator reminded the structure
    answered_at: datetime | None = None
    closed_at: datetime | None = None
    contacts: list[dict] = field(default_factory=list)
    booking: dict | None = None
    events: list[tuple] = field(default_factory=list)   # (kind, at, user, structure, data)
    id: int | None = None


class _Id:
    """A row id known only after its insert (events point to contacts and bookings)."""

    def __init__(self, holder: dict):
        self.holder = holder


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _office(rng: random.Random, day: date, after: datetime | None = None) -> datetime:
    """An office-hours instant on ``day`` (a weekend moves to Monday), after ``after``."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    at = local_instant(day, time(9, 0)) + timedelta(minutes=5 * rng.randrange(0, 102))
    return at if after is None or at > after else after + timedelta(minutes=rng.randrange(20, 240))


def _later(rng: random.Random, moment: datetime, days: float) -> datetime:
    return _office(rng, (moment + timedelta(days=days)).astimezone(PARIS).date(), after=moment)


class _Planner:
    def __init__(self, rng: random.Random, now: datetime, services: list[_Svc], senders: dict[int, float],
                 users: dict[int, int], animator_id: int | None, taken: set[tuple[str, str]], youth: int | None):
        self.rng, self.now, self.services, self.senders = rng, now, services, senders
        self.users, self.animator_id, self.taken, self.youth = users, animator_id, taken, youth
        self.slots: dict[tuple[int, datetime], dict] = {}
        self.phones: set[str] = set()

    # ------------------------------------------------------------ people and skeletons

    def person(self) -> _Person:
        rng = self.rng
        home = _pick(rng, self.senders)
        gender = _pick(rng, {"femme": 52, "homme": 45, None: 3})
        while True:
            first = rng.choice(FEMMES if gender == "femme" or (gender is None and rng.random() < .5) else HOMMES)
            last = rng.choice(NOMS)
            if (name_key(first), name_key(last)) not in self.taken:
                self.taken.add((name_key(first), name_key(last)))
                break
        young = home == self.youth or rng.random() < .15
        # Ages today from 19 to 63 (and under a year more): 18 to 64 when oriented, up to a year ago.
        age = rng.randint(*((19, 25) if young else _pick(rng, {(26, 49): 72, (50, 63): 28})))
        birth = (self.now - timedelta(days=365.25 * age + rng.randrange(0, 360))).date() if rng.random() < .85 else None
        commune, insee, _ = rng.choices(COMMUNES, weights=[c[2] for c in COMMUNES])[0]
        quartier, qpv = rng.choice(QUARTIERS) if commune == "Pantin" and rng.random() < .7 else (None, False)
        phone = None
        if rng.random() < .88:
            while phone is None or phone in self.phones:
                # 06/07 then 20 to 89: never a number the tests type (06 12 34 56 78, 07 11 22 33 44…)
                pairs = " ".join(f"{rng.randrange(100):02d}" for _ in range(3))
                phone = f"0{rng.choice('67')} {rng.randint(20, 89)} {pairs}"
            self.phones.add(phone)
        email = None
        if rng.random() < .35:
            email = f"{name_key(first).replace(' ', '-')}.{name_key(last).replace(' ', '-')}@example.net"
        situation = [code for code, yes in (
            ("jeunes", age < 26), ("seniors", age >= 50), ("demandeurs-emploi", rng.random() < .6),
            ("beneficiaires-des-minimas-sociaux", rng.random() < .3), ("residents-qpv-frr", qpv),
            ("femmes", gender == "femme" and rng.random() < .15)) if yes and code in ref.PUBLICS]
        contact = _pick(rng, {"telephone": 60, "sms": 16, "courriel": 14 if email else 0, "par-le-prescripteur": 10})
        row = dict(first_name=first, last_name=last, birth_date=birth, gender=gender, phone=phone, email=email,
                   contact_preference=contact, commune=commune, code_insee=insee, quartier=quartier,
                   situation=situation, heard_via=_pick(rng, HEARD_VIA), notes=None, first_name_key=name_key(first),
                   last_name_key=name_key(last), phone_key=phone_key(phone), email_key=email_key(email))
        return _Person(row, home)

    def skeleton(self, person: _Person) -> None:
        """The person's referrals: dates, senders, statuses, services."""
        rng = self.rng
        count = _pick(rng, {1: 55, 2: 30, 3: 12, 4: 3})
        gaps = [_pick(rng, {0: 35, 1: 40, 2: 25}) for _ in range(count - 1)]
        gaps = [0 if g == 0 else rng.randint(1, 30) if g == 1 else rng.randint(31, 90) for g in gaps]
        while MIN_DAYS + sum(gaps) > MAX_DAYS - 10:
            gaps.pop()
        while True:   # a few more referrals in the recent months
            first = rng.uniform(MIN_DAYS + sum(gaps), MAX_DAYS)
            if rng.random() < (1 + 0.8 * (MAX_DAYS - first) / (MAX_DAYS - MIN_DAYS)) / 1.8:
                break
        sents = []
        for i in range(len(gaps) + 1):
            on = (self.now - timedelta(days=first - sum(gaps[:i]))).astimezone(PARIS).date()
            while on.weekday() >= 5 or (sent := _office(rng, on)) > self.now - timedelta(days=MIN_DAYS):
                on -= timedelta(days=1)
            sents.append(sent)
        sents.sort()
        statuses = [_pick(rng, EARLIER) for _ in sents[:-1]] + [_pick(rng, LAST)]
        last_closed = max((t for t, s in zip(sents, statuses) if s == "closed"), default=None)
        if any(s != "closed" and t > self.now - timedelta(days=QUIET_DAYS) and (last_closed is None or t > last_closed)
               for t, s in zip(sents, statuses)):
            statuses[-1] = "closed"   # otherwise the person would be "without solution"
        used: set[int] = set()
        for sent, status in zip(sents, statuses):
            sender = person.home if rng.random() < .8 else _pick(rng, self.senders)
            outcome = _pick(rng, OUTCOMES) if status == "closed" else None
            svc = self.service(OUTCOME_KIND.get(outcome), {sender}, used)
            used.add(svc.id)
            person.referrals.append(_Ref(person, sender, svc, sent, status, outcome=outcome))

    def service(self, kind: str | None, not_from: set[int], used: set[int]) -> _Svc:
        fits = [s for s in self.services if s.structure_id not in not_from and s.id not in used
                and (kind is None or kind in s.kinds)]
        return self.rng.choices(fits, weights=[s.weight for s in fits])[0]

    # ------------------------------------------------------------ timelines

    def timeline(self, r: _Ref) -> None:
        rng = self.rng
        sender_user = self.users.get(r.sender)
        receiver, receiver_user = r.svc.structure_id, self.users.get(r.svc.structure_id)
        r.events.append(("sent", r.sent_at, sender_user, r.sender, {}))
        answer_days = rng.randint(13, 20) if r.animator == "unanswered" else _pick(rng, ANSWER_DAYS)
        if r.status == "expired":
            answer_days = 30
        elif r.status == "cancelled":
            answer_days = rng.randint(1, 12)
        ends = (r.sent_at + timedelta(days=30, minutes=rng.randrange(5, 55)) if r.status == "expired"
                else _later(rng, r.sent_at, answer_days))   # the answer, the cancellation or the expiry
        for day in (10, 20):
            if answer_days > day:
                r.events.append(("relance", r.sent_at + timedelta(days=day, minutes=rng.randrange(5, 55)), None, None,
                                 {"automatique": True, "regle": "no_answer", "jour": day}))
        if r.animator == "unanswered":
            reminded = min(_later(rng, r.sent_at, rng.randint(11, answer_days - 1)),
                           ends - timedelta(hours=rng.uniform(3, 30)))
            r.events.append(("relance", reminded, self.animator_id, None,
                             {"animateur": True, "message": rng.choice(UNANSWERED_REMINDERS)}))
        if r.status in ("expired", "cancelled"):
            r.closed_at = ends
            r.detail = rng.choice(CANCEL_DETAILS) if r.status == "cancelled" else None
            r.events.append(("expire", ends, None, None, {}) if r.status == "expired" else
                            ("cancel", ends, sender_user, r.sender, {"detail": r.detail}))
            return
        r.answered_at = ends
        if r.status == "refused":
            r.reason = _pick(rng, REFUSALS)
            details = REFUSAL_DETAILS.get(r.reason)
            if details and (r.reason == RefusalReason.OTHER or rng.random() < .4):
                r.detail = rng.choice(details)
            if r.reason == RefusalReason.ABSENT and r.svc.slots and answer_days >= 5:
                start = self.slot(r.svc, r.sent_at + timedelta(days=2), limit=r.answered_at - timedelta(days=1))
                if start:
                    self.book(r, start, by_sender=True, state=BookingState.MISSED, before=r.answered_at)
            r.closed_at = r.answered_at
            r.events.append(("refuse", r.answered_at, receiver_user, receiver,
                             {k: v for k, v in {"reason": r.reason, "detail": r.detail}.items() if v}))
            return
        self.accepted(r, receiver, receiver_user)

    def accepted(self, r: _Ref, receiver: int, receiver_user: int | None) -> None:
        rng, outcome = self.rng, r.outcome
        r.events.append(("accept", r.answered_at, receiver_user, receiver, {}))
        limit = self.now - timedelta(days=rng.uniform(1, 6))
        r.closed_at = min(_later(rng, r.answered_at, rng.randint(*CLOSE_AFTER[outcome])), limit)
        mode = _pick(rng, {"quick": 70, "late": 30} if outcome in OUTCOME_KIND else
                     {"quick": 20, "late": 25, "never": 55} if outcome == Outcome.DROPPED else
                     {"quick": 50, "late": 25, "never": 25})
        if r.animator == "accepted":
            mode = "never" if outcome == Outcome.DROPPED else "late"
        honoured = None
        if r.svc.slots and r.animator is None and rng.random() < .7:
            by_sender = rng.random() < .4
            earliest = max(r.sent_at + timedelta(days=4), r.answered_at + timedelta(days=1)) if by_sender \
                else r.answered_at + timedelta(days=2)
            start = self.slot(r.svc, earliest, limit=limit - timedelta(days=2))
            if start:
                state = BookingState.HONOURED if rng.random() < (.35 if outcome == Outcome.DROPPED else .82) \
                    else BookingState.MISSED
                booking = self.book(r, start, by_sender=by_sender, state=state, before=limit)
                r.closed_at = max(r.closed_at, min(_later(rng, booking["ends_at"], rng.randint(2, 20)), limit))
                honoured = start if state == BookingState.HONOURED else None
        reached = None
        if mode == "late" and r.answered_at + timedelta(days=17) < r.closed_at:
            reached = r.answered_at + timedelta(days=rng.uniform(16, min(45, (r.closed_at - r.answered_at).days - 1)))
        elif mode != "never" or (outcome in OUTCOME_KIND and not honoured):
            reached = min(r.answered_at + timedelta(hours=rng.uniform(2, 24 * 14)), r.closed_at - timedelta(hours=3))
        if r.animator == "accepted":
            reminded = r.answered_at + timedelta(days=rng.uniform(16, 24))
            r.events.append(("relance", reminded, self.animator_id, None,
                             {"animateur": True, "message": rng.choice(NOT_CONTACTED_REMINDERS)}))
            if reached is not None:
                reached = reminded + timedelta(days=rng.uniform(1, 8))
            r.closed_at = max(r.closed_at, min(_later(rng, reached or reminded, rng.randint(5, 40)), limit))
        first_sign = min(filter(None, (reached, honoured)), default=None)
        if first_sign is None or first_sign > r.answered_at + timedelta(days=15):
            if not r.booking and r.closed_at > r.answered_at + timedelta(days=16):
                r.events.append(("relance", r.answered_at + timedelta(days=15, minutes=rng.randrange(5, 55)),
                                 None, None, {"automatique": True, "regle": "never_contacted"}))
        for _ in range(_pick(rng, {0: 60, 1: 30, 2: 10}) if reached else rng.randint(1, 3)):
            end = reached or r.closed_at
            self.contact(r, r.answered_at + (end - r.answered_at) * rng.uniform(.1, .9), False, receiver_user, receiver)
        if reached:
            by_animator = r.animator == "accepted" and rng.random() < .4
            self.contact(r, reached, True,
                         self.animator_id if by_animator else receiver_user, None if by_animator else receiver)
        r.detail = rng.choice(CLOSE_DETAILS[outcome]) if outcome == Outcome.OTHER or rng.random() < .4 else None
        r.events.append(("close", r.closed_at, receiver_user, receiver,
                         {k: v for k, v in {"outcome": outcome, "detail": r.detail}.items() if v}))

    def contact(self, r: _Ref, at: datetime, reached: bool, author: int | None, structure: int | None) -> None:
        rng = self.rng
        logged = min(at + timedelta(minutes=rng.randrange(2, 180)), r.closed_at - timedelta(minutes=30))
        channel = _pick(rng, CHANNELS)
        row = dict(contacted_at=at, channel=channel, reached=reached, author_id=author, created_at=logged,
                   note=rng.choice(REACHED_NOTES if reached else MISSED_NOTES))
        r.contacts.append(row)
        data = {"channel": channel, "reached": reached}
        data.update({"animateur": True} if structure is None else {"contact_id": _Id(row)})
        r.events.append(("contact", logged, author, structure, data))

    def slot(self, svc: _Svc, earliest: datetime, limit: datetime) -> datetime | None:
        """The start of a free (past) slot of ``svc`` from ``earliest`` on, before ``limit``."""
        day = earliest.astimezone(PARIS).date() + timedelta(days=1)
        while True:
            if day.weekday() < 5 and (not svc.collective or day.weekday() == svc.id % 5):
                for at in ((time(14, 0),) if svc.collective else self.rng.sample(INDIVIDUAL_TIMES, 2)):
                    start = local_instant(day, at)
                    if start >= limit:
                        return None
                    held = self.slots.get((svc.id, start))
                    if held is None or held["booked_count"] < held["capacity"]:
                        return start
            day += timedelta(days=1)

    def book(self, r: _Ref, start: datetime, *, by_sender: bool, state: BookingState, before: datetime) -> dict:
        """A past booking of ``r``'s person on the slot at ``start``, its attendance marked before ``before``."""
        rng = self.rng
        minutes = 120 if r.svc.collective else 45
        booked_at = (r.sent_at if by_sender else r.answered_at) + timedelta(minutes=rng.randrange(3, 30))
        slot = self.slots.setdefault((r.svc.id, start), dict(
            structure_id=r.svc.structure_id, service_id=r.svc.id, title=r.svc.title, starts_at=start,
            ends_at=start + timedelta(minutes=minutes), capacity=12 if r.svc.collective else 1, booked_count=0,
            created_at=start))
        slot["booked_count"] += 1
        slot["created_at"] = min(slot["created_at"], booked_at - timedelta(days=rng.uniform(2, 20)))
        marked = max(min(slot["ends_at"] + timedelta(hours=rng.uniform(.5, 26)), before - timedelta(hours=1)),
                     slot["ends_at"])
        by_user = self.users.get(r.sender if by_sender else r.svc.structure_id)
        by_structure = r.sender if by_sender else r.svc.structure_id
        r.booking = booking = dict(
            slot=slot, starts_at=start, ends_at=slot["ends_at"], status=state.value, booked_by_user_id=by_user,
            booked_by_structure_id=by_structure, created_at=booked_at, updated_at=marked,
            attendance_marked_at=marked, attendance_marked_by=self.users.get(r.svc.structure_id))
        r.events.append(("rdv-pris", booked_at, by_user, by_structure,
                         {"booking_id": _Id(booking), "starts_at": start.isoformat(), "slot_id": _Id(slot)}))
        label = {BookingState.HONOURED: "Venue", BookingState.MISSED: "Absente"}[state]
        r.events.append(("rdv-presence", marked, self.users.get(r.svc.structure_id), r.svc.structure_id,
                         {"booking_id": _Id(booking), "state": state.value, "label": label}))
        return booking


# ---------------------------------------------------------------- loading and inserting


def _kinds(thematiques: list[str]) -> set[str]:
    categories = {t.split("--")[0] for t in thematiques}
    kinds = {"emploi"} if categories & EMPLOI else set()
    kinds |= {"formation"} if categories & FORMATION else set()
    kinds |= {"creation"} if "creer-une-entreprise" in categories else set()
    return kinds | ({"social"} if categories - EMPLOI - FORMATION - {"creer-une-entreprise"} else set())


async def _services(session: AsyncSession, network: Network, keys: dict[int, str]) -> list[_Svc]:
    with_slots = set(await session.scalars(select(Slot.service_id).where(Slot.network_id == network.id).distinct()))
    titles = dict((await session.execute(
        select(SlotSeries.service_id, SlotSeries.title).where(SlotSeries.network_id == network.id))).all())
    rows = (await session.execute(
        select(Service.id, Service.structure_id, Service.nom, Service.thematiques, Service.publishes_slots)
        .where(Service.network_id == network.id, Service.status == ServiceStatus.PUBLISHED,
               Service.accepts_referrals.is_(True)).order_by(Service.id)
    )).all()
    per_structure: dict[int, int] = {}
    for row in rows:
        per_structure[row.structure_id] = per_structure.get(row.structure_id, 0) + 1
    services = []
    for row in rows:
        needs = [t for t in row.thematiques or [] if t in ref.THEMATIQUES]
        nom = row.nom.lower()
        collective = any(word in nom for word in ("réunion", "information collective", "café", "rencontre collective"))
        kinds = _kinds(needs)
        # Employment services also take the job and training outcomes: the others get a little more of the rest.
        weight = RECEIVERS.get(keys[row.structure_id], 1) / per_structure[row.structure_id] ** .5 * (
            1 if kinds & {"emploi", "formation"} else 1.6)
        title = titles.get(row.id) or ("Séance collective" if collective else "Premier rendez-vous")
        services.append(_Svc(row.id, row.structure_id, kinds, needs, weight, collective=collective, title=title,
                             slots=row.publishes_slots or row.id in with_slots))
    return services


def _spread(rng: random.Random, referrals: list[_Ref], services: list[_Svc], senders: dict[int, float]) -> None:
    """Every structure takes part: each receiving one gets at least ``MIN_RECEIVED``
    referrals (taken from the busiest, among those whose outcome fits any service), and
    each one sends at least ``MIN_SENT`` (taken from the busiest senders)."""
    received = {s.structure_id: 0 for s in services}
    for r in referrals:
        received[r.svc.structure_id] += 1
    for sid in sorted(received):
        own = [s for s in services if s.structure_id == sid]
        movable = [r for r in referrals if OUTCOME_KIND.get(r.outcome) is None and r.sender != sid
                   and received[r.svc.structure_id] > 2 * MIN_RECEIVED
                   and not any(x.svc.structure_id == sid for x in r.person.referrals)]
        for r in rng.sample(movable, max(0, MIN_RECEIVED - received[sid])):
            received[r.svc.structure_id] -= 1
            r.svc = rng.choice(own)
            received[sid] += 1
    sent = {sid: 0 for sid in senders}
    for r in referrals:
        sent[r.sender] += 1
    for sid in senders:
        busiest = [r for r in referrals if r.svc.structure_id != sid and sent[r.sender] > 8 * MIN_SENT]
        for r in rng.sample(busiest, max(0, MIN_SENT - sent[sid])):
            sent[r.sender] -= 1
            r.sender = sid
            sent[sid] += 1


async def _insert(session: AsyncSession, model, rows: list[dict]) -> list[int]:
    if not rows:
        return []
    table = model.__table__   # Core inserts: the ORM's bulk path is several times slower here
    result = await session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return list(result.scalars())


def _resolve(data: dict) -> dict:
    return {k: (v.holder["id"] if isinstance(v, _Id) else v) for k, v in data.items()}


async def seed_history(session: AsyncSession, network: Network) -> int:
    """Add the year of history to ``network`` (the Pantin demo). Returns the number of referrals."""
    now = utcnow()
    if await session.scalar(select(func.count()).select_from(Referral).where(
            Referral.network_id == network.id, Referral.sent_at < now - timedelta(days=183))):
        return 0
    rng = random.Random(SEED)
    ctx = await demo_context(session, network)
    keys = {structure_id: external.removeprefix(f"maillage--{network.slug}-")
            for external, structure_id in ctx.structures.items()}
    services = await _services(session, network, keys)
    senders = {sid: SENDERS.get(key, .4) for sid, key in sorted(keys.items())}
    users = {ctx.structure(p.structure_key): ctx.users[p.email] for p in PERSONAS
             if p.network == network.slug and p.structure_key and p.email in ctx.users}
    animator = next((ctx.users.get(p.email) for p in PERSONAS if p.network == network.slug and p.animator), None)
    taken = {(name_key(f), name_key(last)) for f, last in (await session.execute(
        select(Person.first_name, Person.last_name).where(Person.network_id == network.id))).all()}
    youth = ctx.structures.get(f"maillage--{network.slug}-mission-locale-lyr")
    planner = _Planner(rng, now, services, senders, users, animator, taken, youth)

    people = [planner.person() for _ in range(PEOPLE)]
    for person in people:
        planner.skeleton(person)
    referrals = sorted((r for p in people for r in p.referrals), key=lambda r: r.sent_at)
    _spread(rng, referrals, services, senders)
    old = [r for r in referrals if r.sent_at < now - timedelta(days=100)]
    for r in rng.sample([r for r in old if r.status in ("refused", "closed")], ANIMATOR_ON_UNANSWERED - 2) + \
            rng.sample([r for r in old if r.status == "expired"], 2):
        r.animator = "unanswered"
    for r in rng.sample([r for r in old if r.status == "closed" and r.animator is None], ANIMATOR_ON_ACCEPTED):
        r.animator = "accepted"
        r.outcome = Outcome.DROPPED if rng.random() < .3 else r.outcome
    for r in referrals:
        planner.timeline(r)

    for person in people:
        first = min(person.referrals, key=lambda r: r.sent_at)
        informed = first.sent_at - timedelta(minutes=rng.randrange(5, 40))
        person.row.update(network_id=network.id, informed_at=informed, informed_by_id=users.get(first.sender),
                          created_by_structure_id=first.sender, created_at=informed, updated_at=informed,
                          last_activity_at=max(e[1] for r in person.referrals for e in r.events),
                          needs=sorted({n for r in person.referrals for n in r.svc.needs[:1]})[:4])
    for person, pid in zip(people, await _insert(session, Person, [p.row for p in people])):
        person.id = pid

    rows = []
    for r in referrals:
        booking = r.booking
        reached = [c["contacted_at"] for c in r.contacts if c["reached"]]
        needs = rng.sample(r.svc.needs, min(len(r.svc.needs), rng.randint(1, 2)))
        kind = next((k for k in ("emploi", "formation", "creation", "social") if k in r.svc.kinds), "social")
        rows.append(dict(
            network_id=network.id, person_id=r.person.id, service_id=r.svc.id, receiver_structure_id=r.svc.structure_id,
            sender_structure_id=r.sender, sender_user_id=users.get(r.sender), reoriented_from_id=None,
            motive=rng.choice(MOTIVES[kind]), needs=sorted(needs),
            message=rng.choice(MESSAGES) if rng.random() < .3 else None,
            preferred_contact=r.person.row["contact_preference"], status=r.status, refusal_reason=r.reason,
            outcome=r.outcome, status_detail=r.detail, sent_at=r.sent_at, answered_at=r.answered_at,
            closed_at=r.closed_at, last_reached_at=max(reached, default=None),
            last_event_at=max(e[1] for e in r.events), snoozed_until=None,
            appointment_status=booking["status"] if booking else None,
            appointment_starts_at=booking["starts_at"] if booking else None,
            appointment_ends_at=booking["ends_at"] if booking else None,
            honoured_at=booking["starts_at"] if booking and booking["status"] == BookingState.HONOURED else None,
        ))
    for r, rid in zip(referrals, await _insert(session, Referral, rows)):
        r.id = rid

    places = dict((await session.execute(
        select(Place.structure_id, func.min(Place.id)).where(Place.network_id == network.id)
        .group_by(Place.structure_id))).all())
    slots = sorted(planner.slots.values(), key=lambda s: (s["starts_at"], s["service_id"]))
    missing = sorted({s["structure_id"] for s in slots} - set(places))
    addresses = (await session.execute(
        select(Structure.id, Structure.adresse, Structure.code_postal, Structure.commune)
        .where(Structure.id.in_(missing)).order_by(Structure.id))).all()
    places.update(zip(missing, await _insert(session, Place, [
        dict(network_id=network.id, structure_id=a.id, name="Accueil", kind=PlaceKind.ON_SITE, adresse=a.adresse,
             code_postal=a.code_postal, commune=a.commune, created_at=now - timedelta(days=MAX_DAYS + 30))
        for a in addresses])))
    for slot in slots:
        slot.update(network_id=network.id, place_id=places[slot["structure_id"]], bookable_by="network")
    for slot, sid in zip(slots, await _insert(session, Slot, [dict(s) for s in slots])):
        slot["id"] = sid

    booked = [r for r in referrals if r.booking]
    rows = [dict({k: v for k, v in r.booking.items() if k != "slot"}, network_id=network.id, person_id=r.person.id,
                 slot_id=r.booking["slot"]["id"], referral_id=r.id, structure_id=r.svc.structure_id,
                 service_id=r.svc.id) for r in booked]
    for r, bid in zip(booked, await _insert(session, Booking, rows)):
        r.booking["id"] = bid
    contacts = [(r, c) for r in referrals for c in r.contacts]
    for (r, c), cid in zip(contacts, await _insert(session, ReferralContact, [
            dict(c, referral_id=r.id) for r, c in contacts])):
        c["id"] = cid
    events = [dict(referral_id=r.id, kind=kind, actor_user_id=user, actor_structure_id=structure,
                   data=_resolve(data), created_at=at)
              for r in referrals for kind, at, user, structure, data in sorted(r.events, key=lambda e: e[1])]
    await session.execute(insert(ReferralEvent.__table__), events)
    return len(referrals)
