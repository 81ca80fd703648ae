"""Every indicator's name and definition in French: the one text the Pilotage pages, the
definitions page and the CSV exports show."""

from dataclasses import dataclass

from maillage.stats.protect import THRESHOLD


@dataclass(frozen=True)
class Indicator:
    key: str
    section: str
    label: str
    definition: str


SECTIONS = {
    "orientations": "Orientations",
    "reponse": "Réponses des structures",
    "prise-en-charge": "Prise en charge",
    "souffrance": "Orientations en souffrance",
    "sorties": "Sorties",
    "personnes": "Personnes orientées",
}

_COHORT = "Parmi les orientations envoyées pendant la période"
_OPEN = "(hors orientations annulées par le prescripteur avant toute réponse)"

INDICATORS = [
    Indicator("sent", "orientations", "Orientations",
              "Nombre d'orientations envoyées pendant la période, quel que soit leur devenir. Dans la vue d'une "
              "structure : celles qu'elle a reçues, ou envoyées ; dans celle d'un service : celles qu'il a reçues."),
    Indicator("par-mois", "orientations", "Orientations par mois",
              "Nombre d'orientations envoyées chaque mois (mois civils, heure de Paris)."),
    Indicator("par-besoin", "orientations", "Orientations par catégorie de besoin",
              "Nombre d'orientations de la période qui portent au moins un besoin de la catégorie (référentiel "
              "des thématiques data·inclusion). Une orientation peut porter plusieurs besoins : les lignes ne "
              "s'additionnent pas."),
    Indicator("par-structure-emettrice", "orientations", "Orientations par structure émettrice",
              "Nombre d'orientations de la période, selon la structure qui les a envoyées."),
    Indicator("par-structure-destinataire", "orientations", "Orientations par structure destinataire",
              "Nombre d'orientations de la période, selon la structure qui les a reçues."),
    Indicator("answer-rate", "reponse", "Taux de réponse",
              f"{_COHORT} {_OPEN}, part de celles que la structure destinataire a acceptées ou refusées, "
              "à la date du calcul. Les orientations encore en attente comptent comme sans réponse."),
    Indicator("answer-delay", "reponse", "Délai médian de réponse",
              "Parmi les orientations de la période qui ont reçu une réponse, nombre de jours entre l'envoi et la "
              "réponse (acceptation ou refus) : la moitié ont été traitées en moins de ce délai."),
    Indicator("expired-share", "reponse", "Part expirée sans réponse",
              f"{_COHORT} {_OPEN}, part de celles qui ont expiré faute de réponse dans le délai du réseau "
              "(30 jours par défaut)."),
    Indicator("contacted-15", "prise-en-charge", "Acceptées et contactées sous 15 jours",
              f"{_COHORT} et acceptées depuis au moins 15 jours, part de celles où la personne a été jointe "
              "(contact abouti noté) ou est venue à un rendez-vous dans les 15 jours suivant l'acceptation."),
    Indicator("honoured-delay", "prise-en-charge", "Délai médian jusqu'au premier RDV honoré",
              "Parmi les orientations de la période dont la personne est venue à au moins un rendez-vous, nombre "
              "de jours entre l'envoi de l'orientation et le premier rendez-vous honoré (médiane)."),
    Indicator("honoured-30", "prise-en-charge", "RDV honoré sous 30 jours",
              f"{_COHORT} {_OPEN} depuis au moins 30 jours, part de celles dont la personne est venue à un "
              "rendez-vous dans les 30 jours suivant l'orientation (« accompagnées en moins de 30 jours », "
              "au sens de rdv-insertion)."),
    Indicator("honoured-45", "prise-en-charge", "RDV honoré sous 45 jours",
              f"{_COHORT} {_OPEN} depuis au moins 45 jours, part de celles dont la personne est venue à un "
              "rendez-vous dans les 45 jours suivant l'orientation (« orientées en moins de 45 jours », au sens "
              "de rdv-insertion)."),
    Indicator("no-show", "prise-en-charge", "Taux d'absence aux rendez-vous",
              "Parmi les rendez-vous de la période dont la présence a été notée, part de ceux où la personne "
              "n'est pas venue sans prévenir. Les absences excusées et les rendez-vous annulés ne comptent pas."),
    Indicator("stalled-now", "souffrance", "En souffrance aujourd'hui",
              "Nombre d'orientations qui relèvent aujourd'hui d'une règle de souffrance du réseau et ne sont pas "
              "mises de côté : ce que montre la file de l'animation. Ce chiffre ne dépend pas de la période."),
    Indicator("stalled-par-regle", "souffrance", "En souffrance aujourd'hui, par règle",
              "Orientations en souffrance aujourd'hui, selon la règle qui les signale (sans réponse, jamais "
              "contactée, RDV à préciser, RDV manqué non reprogrammé, sans nouvelles)."),
    Indicator("acted", "souffrance", "Orientations reprises en main par l'animation",
              "Orientations sur lesquelles un animateur est intervenu pour la première fois pendant la période "
              "(relance de la structure ou contact noté par l'animation)."),
    Indicator("reconnected", "souffrance", "Reprises après l'intervention",
              "Parmi les orientations où l'animation est intervenue pendant la période, part de celles où quelque "
              "chose s'est passé ensuite : une réponse de la structure, un contact abouti noté (y compris par "
              "l'animateur) ou un rendez-vous honoré."),
    Indicator("without-solution", "souffrance", "Personnes sans solution aujourd'hui",
              "Personnes orientées au cours des 6 derniers mois dont aucune orientation n'a été acceptée, la "
              "première datant de plus de 30 jours (définition des emplois de l'inclusion). Dans la vue d'une "
              "structure : celles qu'elle a orientées. Ne dépend pas de la période."),
    Indicator("closed", "sorties", "Sorties",
              "Nombre d'orientations clôturées pendant la période (date de clôture), avec leur motif de sortie."),
    Indicator("sorties", "sorties", "Sorties par motif",
              "Orientations clôturées pendant la période, selon le motif de sortie indiqué à la clôture."),
    Indicator("job-share", "sorties", "Sorties vers l'emploi",
              "Parmi les orientations clôturées pendant la période, part des sorties en emploi durable, emploi de "
              "transition ou création d'activité."),
    Indicator("durable-share", "sorties", "Emploi durable ou formation qualifiante",
              "Parmi les orientations clôturées pendant la période, part des sorties en emploi durable (CDI, "
              "CDD de 6 mois ou plus) ou en formation qualifiante."),
    Indicator("people", "personnes", "Personnes orientées pour la première fois",
              "Personnes dont la première orientation (dans le réseau, ou vers ou par la structure, ou vers le "
              "service) a été envoyée pendant la période. Chaque personne compte une fois."),
    Indicator("age", "personnes", "Âge",
              "Personnes orientées pour la première fois pendant la période, selon leur âge à cette première "
              "orientation (« non renseigné » sans date de naissance)."),
    Indicator("genre", "personnes", "Genre",
              "Personnes orientées pour la première fois pendant la période, selon le genre indiqué."),
    Indicator("canaux", "personnes", "Comment elles ont connu le réseau (3 premiers canaux)",
              "Les trois canaux les plus cités par les personnes orientées pour la première fois pendant la "
              "période, avec leur part parmi ces personnes."),
]
BY_KEY = {i.key: i for i in INDICATORS}

PRIVACY = (f"Tout chiffre qui porte sur moins de {THRESHOLD} personnes s'affiche « < {THRESHOLD} ». D'autres "
           "chiffres sont masqués avec lui quand on pourrait le retrouver par soustraction (un total moins les "
           "autres lignes, ou le réseau moins la structure). Zéro s'affiche : il ne décrit personne.")
