import { computed } from "vue";
import { useRoute, useRouter, type LocationQuery, type LocationQueryRaw, type LocationQueryValue } from "vue-router";

export const RADIUS_CHOICES = [1, 2, 5, 10, 20] as const;

/** What the directory search shows; it lives in the URL query so that results can be shared. */
export interface SearchState {
  network: string;
  q: string;
  thematique: string;
  public: string;
  frais: string;
  mode_accueil: string;
  commune: string;
  lat: number | null;
  lon: number | null;
  radius_km: number | null;
  accepts_referrals: boolean;
  page: number;
  /** The person being oriented ("?personne=ID", from the person page): the cards lead to /orienter/:id?personne=ID. */
  personne: number | null;
}

type Filter = Exclude<keyof SearchState, "network" | "page" | "personne">;

const EMPTY: SearchState = {
  network: "",
  q: "",
  thematique: "",
  public: "",
  frais: "",
  mode_accueil: "",
  commune: "",
  lat: null,
  lon: null,
  radius_km: null,
  accepts_referrals: false,
  page: 1,
  personne: null,
};

function text(value: LocationQueryValue | LocationQueryValue[] | undefined): string {
  const first = Array.isArray(value) ? value[0] : value;
  return (first ?? "").trim();
}

function decimal(value: LocationQueryValue | LocationQueryValue[] | undefined): number | null {
  const raw = text(value);
  const parsed = raw ? Number(raw) : Number.NaN;
  return Number.isFinite(parsed) ? parsed : null;
}

function identifier(value: LocationQueryValue | LocationQueryValue[] | undefined): number | null {
  const raw = text(value);
  return /^[1-9]\d{0,14}$/.test(raw) ? Number(raw) : null;
}

export function parseSearchQuery(query: LocationQuery): SearchState {
  const page = Math.trunc(decimal(query.page) ?? 1);
  return {
    network: text(query.network),
    q: text(query.q),
    thematique: text(query.thematique),
    public: text(query.public),
    frais: text(query.frais),
    mode_accueil: text(query.mode_accueil),
    commune: text(query.commune),
    lat: decimal(query.lat),
    lon: decimal(query.lon),
    radius_km: decimal(query.radius_km),
    accepts_referrals: text(query.accepts_referrals) === "true",
    page: page >= 1 ? page : 1,
    personne: identifier(query.personne),
  };
}

/** The URL query for a state, without the values left at their default. */
export function toLocationQuery(state: SearchState): LocationQueryRaw {
  const query: LocationQueryRaw = {};
  for (const [key, value] of Object.entries(state) as [keyof SearchState, SearchState[keyof SearchState]][]) {
    if (value === EMPTY[key] || value === null || value === "") continue;
    query[key] = String(value);
  }
  return query;
}

const FILTERS: Filter[] = ["thematique", "public", "frais", "mode_accueil", "commune", "radius_km", "lat", "accepts_referrals"];

export function useSearchState() {
  const route = useRoute();
  const router = useRouter();
  const state = computed(() => parseSearchQuery(route.query));

  function update(changes: Partial<SearchState>) {
    const next = { ...state.value, page: 1, ...changes };
    return router.push({ query: toLocationQuery(next) });
  }

  /** Clear the criteria; keep the network, and the person being oriented with the "accepts referrals" filter. */
  function reset() {
    const { network, personne } = state.value;
    return router.push({ query: toLocationQuery({ ...EMPTY, network, personne, accepts_referrals: personne !== null }) });
  }

  const activeFilters = computed(() => FILTERS.filter((key) => state.value[key] !== EMPTY[key]).length);

  function pageHref(page: number) {
    return router.resolve({ query: toLocationQuery({ ...state.value, page }) }).href;
  }

  return { state, update, reset, activeFilters, pageHref };
}
