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
}

type Filter = Exclude<keyof SearchState, "network" | "page">;

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

  function reset() {
    return router.push({ query: toLocationQuery({ ...EMPTY, network: state.value.network }) });
  }

  const activeFilters = computed(() => FILTERS.filter((key) => state.value[key] !== EMPTY[key]).length);

  function pageHref(page: number) {
    return router.resolve({ query: toLocationQuery({ ...state.value, page }) }).href;
  }

  return { state, update, reset, activeFilters, pageHref };
}
