import { onBeforeUnmount, ref, shallowRef, watch, type Ref } from "vue";

import { api, ApiError, isAbort, unwrap } from "@/api/client";
import type { SearchPage, SearchParams } from "@/api/types";

export const PAGE_SIZE = 20;

/** Run the directory search each time the parameters change (the previous request is aborted). */
export function useServiceSearch(params: Ref<SearchParams | null>) {
  const result = shallowRef<SearchPage | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  let controller: AbortController | null = null;
  let lastKey = "";

  async function run(query: SearchParams) {
    controller?.abort();
    const current = new AbortController();
    controller = current;
    loading.value = true;
    error.value = null;
    try {
      result.value = await unwrap(
        api.GET("/api/v1/services/search", { params: { query }, signal: current.signal }),
      );
    } catch (failure) {
      if (isAbort(failure)) return;
      result.value = null;
      error.value = failure instanceof ApiError ? failure.message : String(failure);
    } finally {
      if (controller === current) loading.value = false;
    }
  }

  watch(
    params,
    (query) => {
      const key = JSON.stringify(query);
      if (!query || key === lastKey) return;
      lastKey = key;
      void run(query);
    },
    { immediate: true },
  );
  onBeforeUnmount(() => controller?.abort());

  return {
    result,
    loading,
    error,
    retry: () => params.value && run(params.value),
  };
}
