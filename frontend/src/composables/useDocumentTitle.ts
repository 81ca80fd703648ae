import { toValue, watchEffect, type MaybeRefOrGetter } from "vue";

import { useAppConfig } from "./useAppConfig";

/** Keep document.title as "<page> — <operator>" while the calling component is mounted. */
export function useDocumentTitle(title: MaybeRefOrGetter<string | null | undefined>): void {
  const { operatorName } = useAppConfig();
  watchEffect(() => {
    const page = toValue(title);
    document.title = page ? `${page} — ${operatorName.value}` : operatorName.value;
  });
}
