import { computed, ref, type ComputedRef } from "vue";

import { api, unwrap } from "@/api/client";
import type { ReferralVocabulary } from "@/api/types";

/** One vocabulary of GET /api/v1/referrals/vocabulary: "refusal_reasons", "outcomes", "contact_channels"… */
export type VocabularyKey = keyof ReferralVocabulary;
export type VocabularyCode<K extends VocabularyKey> = ReferralVocabulary[K][number]["code"];
export interface VocabularyOption<K extends VocabularyKey> {
  value: VocabularyCode<K>;
  text: string;
}

const vocabulary = ref<ReferralVocabulary | null>(null);
const error = ref<string | null>(null);
let loading: Promise<void> | null = null;

/** Fetch the vocabularies once (again after a failure). */
export function loadReferralVocabulary(): Promise<void> {
  loading ??= unwrap(api.GET("/api/v1/referrals/vocabulary"))
    .then((data) => {
      error.value = null;
      vocabulary.value = data;
    })
    .catch((failure: Error) => {
      error.value = failure.message;
      loading = null;
    });
  return loading;
}

/** The French labels of the referrals' codes (statuses, refusal reasons, outcomes, contact channels and
 * preferences, "heard via" channels, stall rules), from the API — fetched once for the whole application. */
export function useReferralVocabulary() {
  void loadReferralVocabulary();

  /** The options of a SelectField or RadioGroup, in the API's order. */
  function options<K extends VocabularyKey>(key: K): ComputedRef<VocabularyOption<K>[]> {
    return computed(() =>
      (vocabulary.value?.[key] ?? []).map((item) => ({ value: item.code as VocabularyCode<K>, text: item.label })),
    );
  }

  /** The label of a code (the code itself if unknown or not loaded yet; "" for no code). */
  function label(key: VocabularyKey, code: string | null | undefined): string {
    if (!code) return "";
    return vocabulary.value?.[key].find((item) => item.code === code)?.label ?? code;
  }

  return {
    vocabulary,
    error,
    loaded: computed(() => vocabulary.value !== null),
    options,
    label,
  };
}
