import { computed, ref } from "vue";

import { api, unwrap } from "@/api/client";
import type { ReferentialItem, Referentials } from "@/api/types";

const referentials = ref<Referentials | null>(null);
let loading: Promise<void> | null = null;

function load(): Promise<void> {
  loading ??= unwrap(api.GET("/api/v1/referentials"))
    .then((data) => {
      referentials.value = data;
    })
    .catch(() => {
      loading = null;
    });
  return loading;
}

/** The data·inclusion referentials (labels of thématiques, publics, frais…), fetched once. */
export function useReferentials() {
  void load();
  const list = (key: keyof Referentials) => computed<ReferentialItem[]>(() => referentials.value?.[key] ?? []);
  return {
    referentials,
    categories: list("categories"),
    thematiques: list("thematiques"),
    publics: list("publics"),
    frais: list("frais"),
    modesAccueil: list("modes_accueil"),
    types: list("types"),
    modesMobilisation: list("modes_mobilisation"),
    mobilisablePar: list("mobilisable_par"),
    reseauxPorteurs: list("reseaux_porteurs"),
  };
}
