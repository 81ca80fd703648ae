import { ref } from "vue";

import { api, unwrap } from "@/api/client";
import type { Network } from "@/api/types";

import { loadAppConfig } from "./useAppConfig";

const networks = ref<Network[]>([]);
const defaultSlug = ref<string | null>(null);
const error = ref<string | null>(null);
const loaded = ref(false);
let loading: Promise<void> | null = null;

function load(): Promise<void> {
  loading ??= Promise.all([unwrap(api.GET("/api/v1/networks")), loadAppConfig()])
    .then(([list, config]) => {
      networks.value = list.items;
      const preferred = config?.default_network;
      const known = list.items.some((network) => network.slug === preferred);
      defaultSlug.value = known ? (preferred ?? null) : (list.items[0]?.slug ?? null);
      loaded.value = true;
    })
    .catch((failure: Error) => {
      error.value = failure.message;
      loaded.value = true;
      loading = null;
    });
  return loading;
}

/** The networks of the instance and the one shown by default (setting, else the first). */
export function useNetworks() {
  void load();
  return {
    loaded,
    networks,
    error,
    defaultSlug,
    find: (slug: string | null | undefined) => networks.value.find((network) => network.slug === slug) ?? null,
  };
}
