import { computed, readonly, ref } from "vue";

import { api, unwrap } from "@/api/client";
import type { AppConfig } from "@/api/types";

const DEFAULT_NAME = "Maillage";

const config = ref<AppConfig | null>(null);
const error = ref<string | null>(null);
let loading: Promise<AppConfig | null> | null = null;

/** Load the public settings of the instance once (operator name, demo mode, default network). */
export function loadAppConfig(): Promise<AppConfig | null> {
  loading ??= unwrap(api.GET("/api/v1/config"))
    .then((data) => {
      config.value = data;
      return data;
    })
    .catch((failure: Error) => {
      error.value = failure.message;
      loading = null;
      return null;
    });
  return loading;
}

export function useAppConfig() {
  void loadAppConfig();
  return {
    config: readonly(config),
    error: readonly(error),
    operatorName: computed(() => config.value?.operator_name || DEFAULT_NAME),
    operatorTagline: computed(() => config.value?.operator_tagline ?? ""),
    demo: computed(() => config.value?.demo ?? false),
  };
}
