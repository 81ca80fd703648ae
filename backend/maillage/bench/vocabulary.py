"""Phrase pools for the synthetic directory: names and sentences of the insertion
sector as counsellors write them, per data·inclusion catégorie. The generator
samples and recombines them, so that no two descriptions read exactly alike while
the words people search for (logement, permis de conduire, numérique, crèche…)
occur about as often as in a real territory's directory."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Archetype:
    """A kind of service within one catégorie."""

    names: tuple[str, ...]
    sentences: tuple[str, ...]
    types: tuple[str, ...]


# Per catégorie: service names and the sentences their descriptions are drawn from.
CATEGORY_TEXT: dict[str, Archetype] = {
    "logement-hebergement": Archetype(
        names=(
            "Accompagnement à l'accès au logement", "Logement d'urgence", "Hébergement temporaire",
            "Permanence logement", "Aide à la recherche de logement", "Prévention des expulsions locatives",
            "Logement accompagné pour les jeunes", "Atelier « Être locataire »", "Demande de logement social",
            "Maintien dans le logement", "Résidence sociale", "Accompagnement social lié au logement",
        ),
        sentences=(
            "Nous accompagnons les personnes dans leurs démarches d'accès à un logement autonome.",
            "Aide à la constitution du dossier de demande de logement social et suivi auprès des bailleurs.",
            "Hébergement d'urgence sur orientation du SIAO (appeler le 115).",
            "Prévention des impayés de loyer et accompagnement en cas de procédure d'expulsion.",
            "Information sur les aides au logement : APL, FSL, garantie Visale, avance Loca-Pass.",
            "Chambres meublées en résidence sociale pour les jeunes de 18 à 30 ans en emploi ou en formation.",
            "Visite du logement, état des lieux et ouverture des compteurs avec la personne.",
            "Accompagnement social lié au logement (ASLL) sur six mois renouvelables.",
            "Recherche d'une solution d'hébergement temporaire en lien avec les centres d'hébergement.",
            "Médiation avec le propriétaire pour trouver un accord sur la dette locative.",
            "Ateliers collectifs sur les droits et devoirs du locataire et les économies d'énergie.",
        ),
        types=("accompagnement", "information", "aide-materielle", "atelier"),
    ),
    "mobilite": Archetype(
        names=(
            "Aide au permis de conduire", "Auto-école sociale", "Location de scooters", "Garage solidaire",
            "Conseil en mobilité", "Atelier vélo", "Financement du permis B", "Code de la route accompagné",
            "Prêt de véhicule pour l'emploi", "Plateforme mobilité",
        ),
        sentences=(
            "Préparation au code de la route et leçons de conduite à tarif solidaire pour obtenir le permis B.",
            "Le permis de conduire est souvent la première condition pour accéder à l'emploi : nous aidons à le financer.",
            "Prêt ou location de véhicules (voitures, scooters, vélos électriques) pour se rendre au travail ou en formation.",
            "Diagnostic mobilité individuel et plan d'action pour lever les freins aux déplacements.",
            "Réparation de véhicules à prix coûtant dans notre garage solidaire.",
            "Apprendre à utiliser les transports en commun et à préparer un trajet.",
            "Aide financière au permis de conduire pour les demandeurs d'emploi et les jeunes.",
            "Atelier d'auto-réparation de vélos et remise en selle en toute sécurité.",
            "Location de voitures à 5 € par jour pendant les trois premiers mois d'un emploi.",
            "Cours de conduite adaptés aux personnes qui maîtrisent mal le français.",
        ),
        types=("accompagnement", "aide-financiere", "aide-materielle", "formation"),
    ),
    "numerique": Archetype(
        names=(
            "Atelier numérique", "Initiation à l'informatique", "Aide aux démarches en ligne", "Conseiller numérique",
            "Accès libre à des ordinateurs", "Ordinateurs reconditionnés à petit prix", "Pass numérique",
            "Permanence numérique", "Café numérique",
        ),
        sentences=(
            "Apprendre à utiliser un ordinateur, un smartphone et une messagerie électronique.",
            "Accompagnement aux démarches administratives en ligne : CAF, impôts, Ameli, France Travail.",
            "Un conseiller numérique vous aide à créer votre adresse mail et votre espace personnel.",
            "Accès libre et gratuit à des postes informatiques, une imprimante et au wifi.",
            "Vente d'ordinateurs reconditionnés et de forfaits internet à tarif solidaire.",
            "Ateliers collectifs pour gagner en autonomie avec les outils numériques.",
            "Sécuriser ses données, repérer les arnaques en ligne et protéger ses mots de passe.",
            "Scanner ses documents et les envoyer depuis son téléphone.",
        ),
        types=("atelier", "accompagnement", "aide-materielle", "formation"),
    ),
    "famille": Archetype(
        names=(
            "Crèche à vocation d'insertion professionnelle", "Garde d'enfants en horaires atypiques",
            "Lieu d'accueil enfants-parents", "Soutien à la parentalité", "Médiation familiale",
            "Accueil des femmes victimes de violences", "Relais petite enfance", "Soutien aux aidants",
        ),
        sentences=(
            "Places en crèche réservées aux parents en recherche d'emploi ou en formation.",
            "Solution de garde d'enfants pour les horaires décalés, tôt le matin ou le soir.",
            "Un lieu pour échanger entre parents et partager des moments avec son enfant.",
            "Écoute, information et orientation des femmes victimes de violences conjugales.",
            "Médiation familiale pour apaiser les conflits liés à une séparation.",
            "Accompagnement des aidants familiaux d'une personne âgée ou handicapée.",
            "Information sur les modes de garde et mise en relation avec les assistantes maternelles.",
        ),
        types=("accompagnement", "information", "aide-materielle"),
    ),
    "trouver-un-emploi": Archetype(
        names=(
            "Accompagnement vers l'emploi", "Job dating", "Parrainage vers l'emploi",
            "Contrat à durée déterminée d'insertion", "Mission de travail temporaire d'insertion",
            "Club de recherche d'emploi", "Café Contact Emploi", "Simulation d'entretien",
            "Accompagnement renforcé des allocataires du RSA", "Recrutement sans CV",
        ),
        sentences=(
            "Un accompagnement individuel et renforcé vers l'emploi durable.",
            "Rencontres avec des employeurs qui recrutent sur le territoire.",
            "Contrats de travail en insertion (CDDI) dans les métiers des espaces verts, du bâtiment et du nettoyage.",
            "Missions d'intérim d'insertion avec un suivi socio-professionnel.",
            "Un parrain ou une marraine du monde de l'entreprise vous accompagne pendant six mois.",
            "Préparation aux entretiens d'embauche et mise en relation avec des offres d'emploi.",
            "Maintien dans l'emploi des salariés en situation de handicap.",
            "Le Café Contact Emploi réunit chaque mois des demandeurs d'emploi et des recruteurs autour d'un café.",
            "Candidatures spontanées accompagnées auprès des entreprises partenaires.",
            "Un référent unique suit votre parcours jusqu'à six mois après la reprise d'emploi.",
        ),
        types=("accompagnement", "atelier", "information"),
    ),
    "preparer-sa-candidature": Archetype(
        names=(
            "Atelier CV", "Atelier CV et lettre de motivation", "Valoriser ses compétences",
            "Atelier réseaux professionnels", "Tenue pour l'entretien d'embauche", "Photo professionnelle",
            "Organiser sa recherche d'emploi",
        ),
        sentences=(
            "Rédiger ou mettre à jour son CV et sa lettre de motivation avec un conseiller.",
            "Identifier et valoriser ses compétences, y compris celles acquises hors emploi.",
            "Créer son profil sur les sites d'emploi et sur les réseaux professionnels.",
            "Prêt d'une tenue professionnelle et coaching avant l'entretien d'embauche.",
            "Organiser sa recherche d'emploi et suivre ses candidatures avec un tableau de bord.",
            "Séance photo gratuite pour un CV soigné.",
        ),
        types=("atelier", "accompagnement"),
    ),
    "se-former": Archetype(
        names=(
            "Formation qualifiante", "Cours de français langue étrangère (FLE)", "Remise à niveau",
            "Préparation aux concours", "Formation aux métiers du numérique",
            "Validation des acquis de l'expérience (VAE)", "Prépa Compétences", "École de la deuxième chance",
            "Formation pré-qualifiante", "Titre professionnel en alternance",
        ),
        sentences=(
            "Formation qualifiante avec stage en entreprise, rémunérée pour les demandeurs d'emploi.",
            "Cours de FLE pour les personnes allophones, du niveau A1 au niveau B1.",
            "Remise à niveau en français et en mathématiques avant une entrée en formation.",
            "Aide au montage du dossier de financement de formation (CPF, AIF, Région).",
            "Parcours de formation en alternance vers un titre professionnel.",
            "Accompagnement à la validation des acquis de l'expérience.",
            "Formation aux métiers en tension : aide à domicile, logistique, restauration, bâtiment.",
            "Entrées en formation tout au long de l'année, après un entretien de positionnement.",
        ),
        types=("formation", "accompagnement", "information"),
    ),
    "lecture-ecriture-calcul": Archetype(
        names=(
            "Ateliers sociolinguistiques", "Lutte contre l'illettrisme", "Atelier d'écriture",
            "Savoirs de base", "Français à visée professionnelle",
        ),
        sentences=(
            "Ateliers sociolinguistiques (ASL) pour apprendre le français de la vie quotidienne.",
            "Réapprendre à lire, écrire et compter à son rythme, en petits groupes.",
            "Maîtriser le calcul utile au quotidien : budget, mesures, pourcentages.",
            "Repérage des situations d'illettrisme et orientation vers les bons ateliers.",
            "Le français utile au travail : consignes, sécurité, échanges avec les collègues.",
        ),
        types=("atelier", "formation"),
    ),
    "sante": Archetype(
        names=(
            "Accès aux soins", "Permanence d'accès aux soins de santé", "Bilan de santé",
            "Consultation en addictologie", "Écoute psychologique", "Aide à la complémentaire santé solidaire",
            "Constituer son dossier MDPH",
        ),
        sentences=(
            "Ouverture des droits à l'assurance maladie et à la complémentaire santé solidaire.",
            "Bilan de santé gratuit proposé par la CPAM.",
            "Consultations gratuites et anonymes en addictologie (alcool, tabac, cannabis).",
            "Écoute et soutien psychologique pour les personnes en difficulté.",
            "Aide à la constitution du dossier MDPH et de la reconnaissance de la qualité de travailleur handicapé (RQTH).",
            "Accompagnement vers un médecin traitant et les soins dentaires.",
            "Dépistage et information en santé sexuelle, sans rendez-vous.",
        ),
        types=("accompagnement", "information"),
    ),
    "difficultes-financieres": Archetype(
        names=(
            "Point Conseil Budget", "Microcrédit personnel", "Aide au surendettement",
            "Aide financière d'urgence", "Atelier budget",
        ),
        sentences=(
            "Un conseiller vous aide à faire le point sur votre budget, en toute confidentialité.",
            "Accompagnement au dépôt d'un dossier de surendettement auprès de la Banque de France.",
            "Microcrédit pour financer un projet d'insertion : permis, véhicule, formation.",
            "Aide financière ponctuelle pour les factures d'énergie ou de loyer.",
            "Ateliers collectifs pour apprendre à gérer son budget et éviter les frais bancaires.",
        ),
        types=("accompagnement", "aide-financiere", "atelier"),
    ),
    "equipement-et-alimentation": Archetype(
        names=(
            "Aide alimentaire", "Épicerie solidaire", "Distribution de colis alimentaires", "Vestiaire solidaire",
            "Ressourcerie : meubles et électroménager", "Restaurant solidaire",
        ),
        sentences=(
            "Distribution de colis alimentaires chaque semaine, sur orientation d'un travailleur social.",
            "Épicerie solidaire : des produits à 10 % à 30 % du prix du marché.",
            "Vêtements, chaussures et linge de maison à petits prix.",
            "Meubles et électroménager de seconde main pour équiper un premier logement.",
            "Repas chauds servis le midi pour les personnes en situation de précarité.",
            "Aide alimentaire d'urgence pour les familles et les personnes isolées.",
        ),
        types=("aide-materielle",),
    ),
    "difficultes-administratives-ou-juridiques": Archetype(
        names=(
            "Accès aux droits", "Permanence juridique", "Aide aux démarches administratives", "Point Justice",
            "Accompagnement des personnes exilées", "Écrivain public", "Domiciliation administrative",
        ),
        sentences=(
            "Aide pour remplir les dossiers administratifs : CAF, retraite, titre de séjour, RSA.",
            "Permanence gratuite d'un juriste sur rendez-vous.",
            "Information sur les droits des étrangers et accompagnement des demandes de titre de séjour.",
            "Un écrivain public vous aide à rédiger vos courriers.",
            "Domiciliation administrative pour les personnes sans domicile stable.",
            "Accompagnement pour l'accès aux droits sociaux et la lutte contre le non-recours.",
        ),
        types=("accompagnement", "information"),
    ),
    "remobilisation": Archetype(
        names=(
            "Atelier confiance en soi", "Activités sportives et culturelles", "Chantier de remobilisation",
            "Bénévolat", "Groupe de parole", "Jardin partagé", "Socio-esthétique",
        ),
        sentences=(
            "Reprendre confiance en soi et retrouver un rythme grâce à des activités collectives.",
            "Sorties culturelles et activités sportives pour rompre l'isolement.",
            "Jardin partagé et ateliers cuisine pour recréer du lien social.",
            "Missions de bénévolat pour retrouver une utilité sociale et valoriser son expérience.",
            "Ateliers d'estime de soi, socio-esthétique et gestion du stress.",
        ),
        types=("atelier", "accompagnement"),
    ),
    "choisir-un-metier": Archetype(
        names=(
            "Découverte des métiers", "Immersion en entreprise (PMSMP)", "Bilan de compétences",
            "Orientation professionnelle", "Forum des métiers",
        ),
        sentences=(
            "Découvrir un métier en entreprise lors d'une période de mise en situation en milieu professionnel (PMSMP).",
            "Bilan d'orientation pour construire un projet professionnel réaliste.",
            "Visites d'entreprises et rencontres avec des professionnels de différents secteurs.",
            "Tests d'intérêts professionnels et ateliers de découverte des métiers.",
        ),
        types=("accompagnement", "atelier", "information"),
    ),
    "creer-une-entreprise": Archetype(
        names=(
            "Accompagnement à la création d'entreprise", "Couveuse d'entreprises", "Microcrédit professionnel",
            "Réunion d'information création",
        ),
        sentences=(
            "Accompagnement des porteurs de projet de la création jusqu'à trois ans après le démarrage.",
            "Tester son activité dans un cadre sécurisé avant de s'immatriculer.",
            "Microcrédit professionnel et prêt d'honneur pour démarrer son activité.",
            "Étude de marché, prévisionnel financier et choix du statut juridique.",
        ),
        types=("accompagnement", "aide-financiere", "information"),
    ),
    "souvrir-a-linternational": Archetype(
        names=("Mobilité internationale des jeunes", "Volontariat européen", "Retour en France"),
        sentences=(
            "Information sur les programmes de mobilité européenne (Erasmus+, Corps européen de solidarité).",
            "Préparer un séjour professionnel à l'étranger et trouver des financements.",
            "Accompagnement des Français de retour de l'étranger dans leurs démarches.",
        ),
        types=("information", "accompagnement"),
    ),
}

# How a service is reached, who it is for: appended to descriptions.
PRACTICAL = (
    "Sur rendez-vous du lundi au vendredi.",
    "Accueil sans rendez-vous le mardi matin.",
    "Permanence tous les jeudis après-midi.",
    "Orientation par un professionnel (Mission Locale, France Travail, travailleur social) obligatoire.",
    "Entrées et sorties permanentes.",
    "Locaux accessibles aux personnes à mobilité réduite.",
    "Entretiens possibles en visioconférence.",
    "Interprétariat possible en anglais, arabe et ukrainien.",
    "Sessions collectives de 8 à 12 personnes.",
    "Un premier entretien permet de faire le point sur votre situation.",
    "Réponse sous 48 heures après réception de l'orientation.",
    "Permanences délocalisées dans les quartiers et les communes rurales.",
)

AUDIENCE = {
    "jeunes": "Pour les jeunes de 16 à 25 ans sortis du système scolaire.",
    "beneficiaires-des-minimas-sociaux": "Réservé aux allocataires du RSA soumis aux droits et devoirs.",
    "tous-publics": "Ouvert à toutes et à tous, sans condition.",
    "residents-qpv-frr": "Pour les habitants des quartiers prioritaires de la politique de la ville.",
    "femmes": "Pour les femmes en parcours d'insertion, y compris les mères isolées.",
    "personnes-en-situation-de-handicap": "Pour les personnes reconnues travailleurs handicapés.",
    "personnes-exilees": "Pour les personnes exilées, quel que soit leur statut administratif.",
    "seniors": "Pour les plus de 50 ans en recherche d'emploi.",
    "demandeurs-emploi": "Pour les demandeurs d'emploi inscrits ou non à France Travail.",
    "familles": "Pour les familles avec enfants à charge.",
    "personnes-en-situation-durgence": "Pour les personnes sans solution le soir même.",
}


@dataclass(frozen=True)
class StructureKind:
    weight: int
    names: tuple[str, ...]  # "{ville}" and "{nom}" are filled in
    reseaux: tuple[str, ...]
    categories: tuple[str, ...]  # catégories of its services, repeated to weigh them
    publics: tuple[str, ...]
    description: str


STRUCTURE_KINDS: tuple[StructureKind, ...] = (
    StructureKind(6, ("Mission Locale de {ville}", "Mission Locale {nom}"), ("mission-locale",),
                  ("trouver-un-emploi", "trouver-un-emploi", "preparer-sa-candidature", "se-former", "mobilite",
                   "logement-hebergement", "sante", "choisir-un-metier"), ("jeunes",),
                  "Accueil, information et accompagnement des jeunes de 16 à 25 ans vers l'emploi et l'autonomie."),
    StructureKind(5, ("France Travail {ville}", "Agence France Travail de {ville}"), ("france-travail",),
                  ("trouver-un-emploi", "preparer-sa-candidature", "se-former", "creer-une-entreprise",
                   "choisir-un-metier"), ("demandeurs-emploi", "tous-publics"),
                  "Agence de France Travail : inscription, indemnisation et accompagnement des demandeurs d'emploi."),
    StructureKind(6, ("CCAS de {ville}", "Centre communal d'action sociale de {ville}"), ("ccas-cias", "communes"),
                  ("difficultes-financieres", "equipement-et-alimentation", "logement-hebergement",
                   "difficultes-administratives-ou-juridiques", "famille"),
                  ("tous-publics", "beneficiaires-des-minimas-sociaux", "seniors"),
                  "Action sociale de la commune : aides facultatives, domiciliation, accompagnement des plus fragiles."),
    StructureKind(4, ("Maison de l'Emploi de {ville}", "PLIE de {ville}"), ("maisons-de-l-emploi", "plie"),
                  ("trouver-un-emploi", "preparer-sa-candidature", "choisir-un-metier", "mobilite"),
                  ("demandeurs-emploi", "beneficiaires-des-minimas-sociaux"),
                  "Accompagnement renforcé vers l'emploi et relations avec les entreprises du territoire."),
    StructureKind(8, ("Centre social {nom}", "Maison de quartier {nom}"), ("fcsf",),
                  ("famille", "numerique", "lecture-ecriture-calcul", "remobilisation", "difficultes-administratives-ou-juridiques"),
                  ("tous-publics", "familles", "residents-qpv-frr"),
                  "Lieu d'animation de la vie sociale ouvert aux habitants du quartier."),
    StructureKind(10, ("Association {nom}", "{nom}", "Association {nom} — {ville}"), (),
                  ("remobilisation", "lecture-ecriture-calcul", "difficultes-administratives-ou-juridiques",
                   "equipement-et-alimentation", "famille", "sante", "numerique"),
                  ("tous-publics", "personnes-exilees", "femmes"),
                  "Association d'accompagnement social et d'insertion."),
    StructureKind(5, ("Atelier chantier d'insertion {nom}", "ACI {nom}", "Entreprise d'insertion {nom}"),
                  ("aci", "ei", "coorace"), ("trouver-un-emploi", "trouver-un-emploi", "remobilisation", "mobilite"),
                  ("beneficiaires-des-minimas-sociaux", "demandeurs-emploi"),
                  "Structure de l'insertion par l'activité économique : des contrats de travail et un accompagnement."),
    StructureKind(3, ("Auto-école sociale {nom}", "Plateforme mobilité {ville}", "Garage solidaire {nom}"),
                  ("wimoov", "mobin"), ("mobilite", "mobilite", "mobilite"),
                  ("demandeurs-emploi", "jeunes", "beneficiaires-des-minimas-sociaux"),
                  "Solutions de mobilité pour l'insertion : permis, location, conseil."),
    StructureKind(4, ("Restos du Cœur — {ville}", "Secours populaire — {ville}", "Épicerie solidaire {nom}",
                      "Banque alimentaire de {ville}"),
                  ("restos-du-coeur", "secours-populaire", "banques-alimentaires"),
                  ("equipement-et-alimentation", "equipement-et-alimentation", "remobilisation"),
                  ("tous-publics", "personnes-en-situation-durgence", "familles"),
                  "Aide alimentaire et accompagnement des personnes en situation de précarité."),
    StructureKind(3, ("Espace France Services de {ville}", "Espace public numérique de {ville}"),
                  ("france-service", "espaces-publics-numeriques", "conseillers-numeriques"),
                  ("numerique", "numerique", "difficultes-administratives-ou-juridiques"), ("tous-publics", "seniors"),
                  "Un lieu unique pour être aidé dans ses démarches administratives et numériques."),
    StructureKind(2, ("Crèche AVIP {nom}", "Multi-accueil {nom}"), ("creches-avip",),
                  ("famille", "famille"), ("familles", "femmes"),
                  "Crèche à vocation d'insertion professionnelle."),
    StructureKind(3, ("CHRS {nom}", "Résidence Habitat Jeunes {nom}", "Foyer de jeunes travailleurs {nom}"),
                  ("chrs", "residences-fjt", "siao"),
                  ("logement-hebergement", "logement-hebergement", "sante"),
                  ("personnes-en-situation-durgence", "jeunes"),
                  "Hébergement et accompagnement vers le logement."),
    StructureKind(3, ("GRETA de {ville}", "Centre de formation {nom}", "École de la 2e Chance de {ville}"),
                  ("ecoles-de-la-deuxieme-chance", "afpa", "reseau-app"),
                  ("se-former", "se-former", "lecture-ecriture-calcul", "choisir-un-metier"),
                  ("demandeurs-emploi", "jeunes", "personnes-exilees"),
                  "Organisme de formation professionnelle et de remise à niveau."),
    StructureKind(2, ("CIDFF de {ville}", "Point Justice de {ville}", "Point Conseil Budget {nom}"),
                  ("cidff", "points-justice", "points-conseil-budget"),
                  ("difficultes-administratives-ou-juridiques", "difficultes-financieres", "famille"),
                  ("femmes", "tous-publics"),
                  "Information juridique et accompagnement dans l'accès aux droits."),
    StructureKind(2, ("CSAPA {nom}", "Centre médico-social de {ville}", "CPAM — accueil de {ville}"),
                  ("csapa", "cms", "cpam"), ("sante", "sante"), ("tous-publics",),
                  "Prévention, soins et accès aux droits de santé."),
    StructureKind(2, ("BGE {ville}", "Initiative {ville}", "ADIE {ville}"),
                  ("reseau-bge", "initiative-france", "adie"), ("creer-une-entreprise", "creer-une-entreprise"),
                  ("demandeurs-emploi", "tous-publics"),
                  "Accompagnement et financement des créateurs d'entreprise."),
    StructureKind(1, ("Cap emploi {ville}",), ("cap-emploi-reseau-cheops",),
                  ("trouver-un-emploi", "sante", "se-former"), ("personnes-en-situation-de-handicap",),
                  "Accompagnement vers l'emploi des personnes en situation de handicap."),
    StructureKind(1, ("Information Jeunesse {ville}",), ("reseau-information-jeunesse",),
                  ("souvrir-a-linternational", "choisir-un-metier", "logement-hebergement"), ("jeunes", "etudiants"),
                  "Information des jeunes sur l'orientation, le logement, la mobilité internationale."),
)

ASSOCIATION_NAMES = (
    "Les Tilleuls", "Le Relais", "L'Escale", "Horizons", "Passerelle", "Le Tremplin", "Trait d'Union", "La Clé",
    "Pas à Pas", "Accueil et Partage", "Élan Solidaire", "Ensemble", "La Boussole", "Cap Avenir", "Rebond",
    "Le Phare", "L'Étape", "Les Jardins du Cœur", "Solidarité Emploi", "Agir Ensemble", "La Main Tendue",
    "Le Pont", "Les Compagnons du Quartier", "Nouvel Élan", "Terre d'Accueil", "La Ruche", "Le Fil d'Ariane",
    "Au Bon Accueil", "Les Amis du Quartier", "Envol", "Récup' et Partage", "Les Ateliers du Bocage",
    "La Fabrique", "Racines", "Le Chemin", "Tisser des Liens", "L'Oasis", "Grandir", "Les Petits Pas",
    "Vivre Ensemble", "Sésame", "L'Arbre à Palabres", "Coup de Pouce", "Entraide et Avenir", "Les Colibris",
)

QUARTIERS = (
    "Centre", "Gare", "Les Courtillières", "Nord", "Sud", "Bel-Air", "Les Quatre-Chemins", "Le Haut-du-Lièvre",
    "La Duchère", "Le Mirail", "Les Minguettes", "Hautepierre", "Bellevue", "Les Aubiers", "Villejean",
)

STREETS = (
    "rue de la République", "avenue Jean-Jaurès", "rue Victor-Hugo", "place de la Mairie", "rue Pasteur",
    "boulevard Gambetta", "rue du Général-Leclerc", "avenue de la Gare", "rue Jules-Ferry", "rue des Écoles",
    "allée des Tilleuls", "rue Émile-Zola", "avenue Pablo-Picasso", "rue Aristide-Briand", "rue de la Paix",
)

FIRST_NAMES = ("Sarah", "Mohamed", "Julie", "Karim", "Nadia", "Thomas", "Fatou", "Lucas", "Aïcha", "Pierre",
               "Inès", "Mamadou", "Camille", "Yasmine", "Nicolas", "Léa", "Samir", "Chloé")
LAST_NAMES = ("Martin", "Benali", "Diallo", "Bernard", "Nguyen", "Petit", "Haddad", "Moreau", "Traoré", "Lefèvre",
              "Garcia", "Roux", "Mendy", "Fontaine", "Kaci", "Girard")
