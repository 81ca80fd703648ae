import { ref, shallowRef } from "vue";

import { ApiError, asApiError } from "@/api/client";

/** Run one user action at a time (a button's request) with its pending state, error and success message. */
export function useAction() {
  const pending = ref(false);
  const error = shallowRef<ApiError | null>(null);
  const message = ref<string | null>(null);

  async function run<T>(action: () => Promise<T>, success?: string | ((result: T) => string)): Promise<T | null> {
    if (pending.value) return null;
    pending.value = true;
    error.value = null;
    message.value = null;
    try {
      const result = await action();
      if (success) message.value = typeof success === "string" ? success : success(result);
      return result;
    } catch (failure) {
      error.value = asApiError(failure);
      return null;
    } finally {
      pending.value = false;
    }
  }

  function clear() {
    error.value = null;
    message.value = null;
  }

  return { pending, error, message, run, clear };
}
