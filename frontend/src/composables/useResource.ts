import { computed, onBeforeUnmount, ref, shallowRef, watch, type WatchSource } from "vue";

import { ApiError, isAbort } from "@/api/client";

/** Load one API resource whenever `source` changes; exposes loading, error and not-found states. */
export function useResource<T, K>(source: WatchSource<K>, loader: (key: K, signal: AbortSignal) => Promise<T>) {
  const data = shallowRef<T | null>(null);
  const loading = ref(true);
  const error = shallowRef<ApiError | null>(null);
  let controller: AbortController | null = null;
  let lastKey: K | undefined;

  async function run(key: K) {
    lastKey = key;
    controller?.abort();
    const current = new AbortController();
    controller = current;
    loading.value = true;
    error.value = null;
    try {
      data.value = await loader(key, current.signal);
    } catch (failure) {
      if (isAbort(failure)) return;
      data.value = null;
      error.value = failure instanceof ApiError ? failure : new ApiError(0, "erreur", String(failure));
    } finally {
      if (controller === current) loading.value = false;
    }
  }

  watch(source, (key) => run(key), { immediate: true });
  onBeforeUnmount(() => controller?.abort());

  return {
    data,
    loading,
    error,
    notFound: computed(() => error.value?.notFound ?? false),
    reload: () => run(lastKey as K),
  };
}
