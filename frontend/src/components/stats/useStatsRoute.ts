import { computed } from "vue";
import { useRoute, useRouter } from "vue-router";

import { isMonth } from "./period";
import type { ScopeKind } from "./types";

/** The scope names in the page's URL (?perimetre=…), French like the rest of the URLs. */
export const SCOPE_PARAMS: Record<ScopeKind, string> = { network: "reseau", received: "recues", sent: "envoyees", service: "service" };
const PARAM_SCOPES = Object.fromEntries(Object.entries(SCOPE_PARAMS).map(([kind, param]) => [param, kind])) as Record<string, ScopeKind>;

/** The state of an indicators page kept in its URL (so that back, forward and a shared link work): the period
 * (?du=2025-01&au=2025-12, both or none) and the scope (?perimetre=recues&id=12). */
export function useStatsRoute() {
  const route = useRoute();
  const router = useRouter();

  const text = (name: string) => {
    const value = route.query[name];
    return (Array.isArray(value) ? value[0] : value) ?? "";
  };

  const period = computed(() => {
    const start = text("du");
    const end = text("au");
    return isMonth(start) && isMonth(end) && start <= end ? { start, end } : { start: null, end: null };
  });

  const scope = computed<ScopeKind | null>(() => PARAM_SCOPES[text("perimetre")] ?? null);
  const scopeId = computed(() => {
    const value = text("id");
    return /^[1-9]\d{0,14}$/.test(value) ? Number(value) : null;
  });

  function update(patch: Record<string, string | null | undefined>) {
    const query = { ...route.query };
    for (const [name, value] of Object.entries(patch)) {
      if (value) query[name] = value;
      else delete query[name];
    }
    void router.push({ query });
  }

  function setPeriod(next: { start: string | null; end: string | null }) {
    update({ du: next.start, au: next.end });
  }

  function setScope(next: { scope: ScopeKind; scopeId: number | null }) {
    update({ perimetre: SCOPE_PARAMS[next.scope], id: next.scope === "network" || next.scopeId === null ? null : String(next.scopeId) });
  }

  return { period, scope, scopeId, setPeriod, setScope };
}
