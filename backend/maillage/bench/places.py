"""Where the synthetic directory lives: one network per département, its structures
clustered around real town centres (approximate coordinates of the préfecture and of
a few other large towns; the weight is the département's population in tens of
thousands, so that Nord or Paris get many more structures than Lozère)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Town:
    name: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Departement:
    code: str
    name: str
    weight: int
    towns: tuple[Town, ...]

    @property
    def slug(self) -> str:
        return f"reseau-{self.code.lower()}"


def _d(code: str, name: str, weight: int, *towns: tuple[str, float, float]) -> Departement:
    return Departement(code, name, weight, tuple(Town(*t) for t in towns))


DEPARTEMENTS: tuple[Departement, ...] = (
    _d("01", "Ain", 66, ("Bourg-en-Bresse", 46.205, 5.225), ("Oyonnax", 46.257, 5.655)),
    _d("02", "Aisne", 53, ("Laon", 49.564, 3.620), ("Saint-Quentin", 49.848, 3.287)),
    _d("03", "Allier", 33, ("Moulins", 46.566, 3.333), ("Montluçon", 46.340, 2.603), ("Vichy", 46.128, 3.426)),
    _d("04", "Alpes-de-Haute-Provence", 17, ("Digne-les-Bains", 44.092, 6.236), ("Manosque", 43.834, 5.786)),
    _d("05", "Hautes-Alpes", 14, ("Gap", 44.559, 6.079), ("Briançon", 44.899, 6.643)),
    _d("06", "Alpes-Maritimes", 110, ("Nice", 43.710, 7.262), ("Cannes", 43.552, 7.017), ("Antibes", 43.580, 7.125)),
    _d("07", "Ardèche", 33, ("Privas", 44.735, 4.599), ("Annonay", 45.240, 4.671), ("Aubenas", 44.620, 4.390)),
    _d("08", "Ardennes", 27, ("Charleville-Mézières", 49.773, 4.721), ("Sedan", 49.702, 4.940)),
    _d("09", "Ariège", 15, ("Foix", 42.965, 1.607), ("Pamiers", 43.116, 1.611)),
    _d("10", "Aube", 31, ("Troyes", 48.297, 4.074)),
    _d("11", "Aude", 38, ("Carcassonne", 43.213, 2.349), ("Narbonne", 43.184, 3.004)),
    _d("12", "Aveyron", 28, ("Rodez", 44.350, 2.575), ("Millau", 44.098, 3.078)),
    _d("13", "Bouches-du-Rhône", 205, ("Marseille", 43.296, 5.370), ("Aix-en-Provence", 43.529, 5.447),
       ("Arles", 43.677, 4.630), ("Martigues", 43.405, 5.048)),
    _d("14", "Calvados", 70, ("Caen", 49.183, -0.370), ("Lisieux", 49.146, 0.226)),
    _d("15", "Cantal", 14, ("Aurillac", 44.926, 2.440)),
    _d("16", "Charente", 35, ("Angoulême", 45.648, 0.156), ("Cognac", 45.696, -0.329)),
    _d("17", "Charente-Maritime", 66, ("La Rochelle", 46.160, -1.151), ("Saintes", 45.746, -0.633),
       ("Rochefort", 45.942, -0.963)),
    _d("18", "Cher", 30, ("Bourges", 47.081, 2.399), ("Vierzon", 47.222, 2.069)),
    _d("19", "Corrèze", 24, ("Tulle", 45.267, 1.771), ("Brive-la-Gaillarde", 45.159, 1.533)),
    _d("2A", "Corse-du-Sud", 16, ("Ajaccio", 41.919, 8.739)),
    _d("2B", "Haute-Corse", 18, ("Bastia", 42.697, 9.450)),
    _d("21", "Côte-d'Or", 54, ("Dijon", 47.322, 5.041), ("Beaune", 47.025, 4.840)),
    _d("22", "Côtes-d'Armor", 60, ("Saint-Brieuc", 48.514, -2.765), ("Lannion", 48.732, -3.456)),
    _d("23", "Creuse", 12, ("Guéret", 46.171, 1.872)),
    _d("24", "Dordogne", 41, ("Périgueux", 45.184, 0.721), ("Bergerac", 44.853, 0.483)),
    _d("25", "Doubs", 54, ("Besançon", 47.238, 6.024), ("Montbéliard", 47.510, 6.798)),
    _d("26", "Drôme", 52, ("Valence", 44.933, 4.892), ("Montélimar", 44.558, 4.751), ("Romans-sur-Isère", 45.043, 5.051)),
    _d("27", "Eure", 60, ("Évreux", 49.027, 1.151), ("Vernon", 49.093, 1.485)),
    _d("28", "Eure-et-Loir", 43, ("Chartres", 48.444, 1.489), ("Dreux", 48.737, 1.366)),
    _d("29", "Finistère", 92, ("Quimper", 47.996, -4.102), ("Brest", 48.390, -4.486), ("Morlaix", 48.577, -3.828)),
    _d("30", "Gard", 75, ("Nîmes", 43.837, 4.360), ("Alès", 44.125, 4.081)),
    _d("31", "Haute-Garonne", 142, ("Toulouse", 43.605, 1.444), ("Colomiers", 43.611, 1.335),
       ("Muret", 43.461, 1.326)),
    _d("32", "Gers", 19, ("Auch", 43.646, 0.586)),
    _d("33", "Gironde", 165, ("Bordeaux", 44.838, -0.579), ("Mérignac", 44.843, -0.646),
       ("Libourne", 44.915, -0.244), ("Pessac", 44.806, -0.631)),
    _d("34", "Hérault", 120, ("Montpellier", 43.611, 3.877), ("Béziers", 43.344, 3.216), ("Sète", 43.403, 3.693)),
    _d("35", "Ille-et-Vilaine", 110, ("Rennes", 48.117, -1.678), ("Saint-Malo", 48.649, -2.026),
       ("Fougères", 48.352, -1.199)),
    _d("36", "Indre", 22, ("Châteauroux", 46.810, 1.691)),
    _d("37", "Indre-et-Loire", 61, ("Tours", 47.394, 0.685), ("Joué-lès-Tours", 47.352, 0.663)),
    _d("38", "Isère", 127, ("Grenoble", 45.188, 5.724), ("Vienne", 45.525, 4.874),
       ("Bourgoin-Jallieu", 45.586, 5.274)),
    _d("39", "Jura", 26, ("Lons-le-Saunier", 46.675, 5.555), ("Dole", 47.092, 5.490)),
    _d("40", "Landes", 42, ("Mont-de-Marsan", 43.890, -0.500), ("Dax", 43.710, -1.053)),
    _d("41", "Loir-et-Cher", 33, ("Blois", 47.586, 1.335), ("Vendôme", 47.793, 1.066)),
    _d("42", "Loire", 77, ("Saint-Étienne", 45.440, 4.387), ("Roanne", 46.036, 4.068)),
    _d("43", "Haute-Loire", 23, ("Le Puy-en-Velay", 45.043, 3.885)),
    _d("44", "Loire-Atlantique", 145, ("Nantes", 47.218, -1.554), ("Saint-Nazaire", 47.274, -2.214),
       ("Rezé", 47.184, -1.550)),
    _d("45", "Loiret", 69, ("Orléans", 47.903, 1.909), ("Montargis", 47.998, 2.733)),
    _d("46", "Lot", 17, ("Cahors", 44.448, 1.441), ("Figeac", 44.608, 2.032)),
    _d("47", "Lot-et-Garonne", 33, ("Agen", 44.203, 0.616), ("Villeneuve-sur-Lot", 44.408, 0.705)),
    _d("48", "Lozère", 8, ("Mende", 44.518, 3.500)),
    _d("49", "Maine-et-Loire", 82, ("Angers", 47.478, -0.563), ("Cholet", 47.060, -0.879), ("Saumur", 47.260, -0.077)),
    _d("50", "Manche", 49, ("Saint-Lô", 49.116, -1.091), ("Cherbourg-en-Cotentin", 49.640, -1.616)),
    _d("51", "Marne", 56, ("Châlons-en-Champagne", 48.957, 4.363), ("Reims", 49.258, 4.032),
       ("Épernay", 49.040, 3.959)),
    _d("52", "Haute-Marne", 17, ("Chaumont", 48.111, 5.139), ("Saint-Dizier", 48.638, 4.950)),
    _d("53", "Mayenne", 31, ("Laval", 48.073, -0.770)),
    _d("54", "Meurthe-et-Moselle", 73, ("Nancy", 48.692, 6.184), ("Lunéville", 48.589, 6.496)),
    _d("55", "Meuse", 18, ("Bar-le-Duc", 48.773, 5.160), ("Verdun", 49.160, 5.384)),
    _d("56", "Morbihan", 76, ("Vannes", 47.658, -2.760), ("Lorient", 47.748, -3.370), ("Pontivy", 48.068, -2.963)),
    _d("57", "Moselle", 104, ("Metz", 49.119, 6.176), ("Thionville", 49.358, 6.168), ("Forbach", 49.188, 6.896)),
    _d("58", "Nièvre", 20, ("Nevers", 46.990, 3.159)),
    _d("59", "Nord", 261, ("Lille", 50.629, 3.057), ("Roubaix", 50.690, 3.181), ("Tourcoing", 50.724, 3.161),
       ("Dunkerque", 51.034, 2.377), ("Valenciennes", 50.358, 3.523), ("Maubeuge", 50.278, 3.973)),
    _d("60", "Oise", 83, ("Beauvais", 49.430, 2.081), ("Compiègne", 49.418, 2.826), ("Creil", 49.260, 2.475)),
    _d("61", "Orne", 28, ("Alençon", 48.432, 0.091), ("Flers", 48.749, -0.569)),
    _d("62", "Pas-de-Calais", 146, ("Arras", 50.291, 2.778), ("Calais", 50.951, 1.858), ("Lens", 50.432, 2.833),
       ("Boulogne-sur-Mer", 50.726, 1.614), ("Béthune", 50.530, 2.640)),
    _d("63", "Puy-de-Dôme", 66, ("Clermont-Ferrand", 45.778, 3.087), ("Riom", 45.894, 3.113)),
    _d("64", "Pyrénées-Atlantiques", 69, ("Pau", 43.296, -0.370), ("Bayonne", 43.493, -1.475)),
    _d("65", "Hautes-Pyrénées", 23, ("Tarbes", 43.233, 0.078), ("Lourdes", 43.095, -0.046)),
    _d("66", "Pyrénées-Orientales", 48, ("Perpignan", 42.699, 2.895)),
    _d("67", "Bas-Rhin", 115, ("Strasbourg", 48.573, 7.752), ("Haguenau", 48.816, 7.790),
       ("Sélestat", 48.259, 7.454)),
    _d("68", "Haut-Rhin", 77, ("Colmar", 48.079, 7.358), ("Mulhouse", 47.750, 7.336)),
    _d("69", "Rhône", 190, ("Lyon", 45.764, 4.836), ("Villeurbanne", 45.771, 4.880), ("Vénissieux", 45.697, 4.886),
       ("Vaulx-en-Velin", 45.779, 4.920), ("Villefranche-sur-Saône", 45.990, 4.719)),
    _d("70", "Haute-Saône", 23, ("Vesoul", 47.622, 6.156)),
    _d("71", "Saône-et-Loire", 55, ("Mâcon", 46.307, 4.828), ("Chalon-sur-Saône", 46.781, 4.854),
       ("Le Creusot", 46.807, 4.417)),
    _d("72", "Sarthe", 56, ("Le Mans", 48.006, 0.199), ("La Flèche", 47.699, -0.076)),
    _d("73", "Savoie", 44, ("Chambéry", 45.564, 5.918), ("Aix-les-Bains", 45.689, 5.915)),
    _d("74", "Haute-Savoie", 84, ("Annecy", 45.899, 6.129), ("Annemasse", 46.193, 6.234),
       ("Thonon-les-Bains", 46.371, 6.479)),
    _d("75", "Paris", 210, ("Paris", 48.857, 2.352)),
    _d("76", "Seine-Maritime", 125, ("Rouen", 49.443, 1.100), ("Le Havre", 49.494, 0.108), ("Dieppe", 49.922, 1.078)),
    _d("77", "Seine-et-Marne", 142, ("Melun", 48.540, 2.660), ("Meaux", 48.960, 2.879),
       ("Chelles", 48.879, 2.590), ("Torcy", 48.850, 2.651)),
    _d("78", "Yvelines", 145, ("Versailles", 48.805, 2.120), ("Mantes-la-Jolie", 48.991, 1.717),
       ("Trappes", 48.775, 2.002), ("Les Mureaux", 48.991, 1.917)),
    _d("79", "Deux-Sèvres", 37, ("Niort", 46.323, -0.465), ("Bressuire", 46.841, -0.488)),
    _d("80", "Somme", 57, ("Amiens", 49.894, 2.296), ("Abbeville", 50.106, 1.834)),
    _d("81", "Tarn", 39, ("Albi", 43.929, 2.148), ("Castres", 43.606, 2.241)),
    _d("82", "Tarn-et-Garonne", 26, ("Montauban", 44.018, 1.355)),
    _d("83", "Var", 108, ("Toulon", 43.124, 5.928), ("Fréjus", 43.433, 6.737), ("Draguignan", 43.537, 6.464),
       ("Hyères", 43.120, 6.130)),
    _d("84", "Vaucluse", 56, ("Avignon", 43.949, 4.806), ("Carpentras", 44.055, 5.048), ("Cavaillon", 43.837, 5.038)),
    _d("85", "Vendée", 69, ("La Roche-sur-Yon", 46.671, -1.426), ("Les Sables-d'Olonne", 46.497, -1.783)),
    _d("86", "Vienne", 44, ("Poitiers", 46.580, 0.340), ("Châtellerault", 46.817, 0.546)),
    _d("87", "Haute-Vienne", 37, ("Limoges", 45.834, 1.261)),
    _d("88", "Vosges", 36, ("Épinal", 48.172, 6.449), ("Saint-Dié-des-Vosges", 48.285, 6.949)),
    _d("89", "Yonne", 34, ("Auxerre", 47.798, 3.567), ("Sens", 48.197, 3.283)),
    _d("90", "Territoire de Belfort", 14, ("Belfort", 47.638, 6.863)),
    _d("91", "Essonne", 130, ("Évry-Courcouronnes", 48.629, 2.441), ("Corbeil-Essonnes", 48.611, 2.482),
       ("Massy", 48.730, 2.276), ("Grigny", 48.654, 2.393)),
    _d("92", "Hauts-de-Seine", 162, ("Nanterre", 48.892, 2.207), ("Gennevilliers", 48.933, 2.293),
       ("Boulogne-Billancourt", 48.835, 2.240), ("Colombes", 48.923, 2.252)),
    _d("93", "Seine-Saint-Denis", 166, ("Bobigny", 48.908, 2.439), ("Saint-Denis", 48.936, 2.357),
       ("Pantin", 48.894, 2.409), ("Montreuil", 48.861, 2.443), ("Aubervilliers", 48.914, 2.382),
       ("Aulnay-sous-Bois", 48.938, 2.497)),
    _d("94", "Val-de-Marne", 141, ("Créteil", 48.790, 2.455), ("Vitry-sur-Seine", 48.787, 2.392),
       ("Champigny-sur-Marne", 48.817, 2.515), ("Ivry-sur-Seine", 48.813, 2.385)),
    _d("95", "Val-d'Oise", 125, ("Cergy", 49.036, 2.063), ("Argenteuil", 48.947, 2.248), ("Sarcelles", 48.996, 2.380),
       ("Garges-lès-Gonesse", 48.972, 2.400)),
    _d("971", "Guadeloupe", 38, ("Basse-Terre", 15.998, -61.726), ("Pointe-à-Pitre", 16.241, -61.533)),
    _d("972", "Martinique", 35, ("Fort-de-France", 14.616, -61.059), ("Le Lamentin", 14.613, -60.999)),
    _d("973", "Guyane", 29, ("Cayenne", 4.922, -52.313), ("Saint-Laurent-du-Maroni", 5.498, -54.033)),
    _d("974", "La Réunion", 87, ("Saint-Denis", -20.882, 55.450), ("Saint-Pierre", -21.339, 55.478),
       ("Saint-Paul", -21.010, 55.270)),
    _d("976", "Mayotte", 31, ("Mamoudzou", -12.780, 45.228)),
)
