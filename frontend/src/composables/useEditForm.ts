import { computed, reactive, ref } from "vue";

import type { ApiError } from "@/api/client";

/** How a field is edited in the form and sent to the API:
 * - text: a string, sent trimmed, null when empty;
 * - required: a string, always sent (the API says when it is too short);
 * - list: a list of codes (checkboxes);
 * - csv: a list typed as "a, b c" (e-mail addresses, geographic codes);
 * - bool, int, number: as they are (a number may be null). */
export type FieldKind = "text" | "required" | "list" | "csv" | "bool" | "int" | "number";

export type FormValues = Record<string, any>;

function listOf(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function toForm(kind: FieldKind, value: unknown): unknown {
  switch (kind) {
    case "list":
      return listOf(value);
    case "csv":
      return listOf(value).join(", ");
    case "bool":
      return Boolean(value);
    case "int":
    case "number":
      return typeof value === "number" ? value : null;
    default:
      return value === null || value === undefined ? "" : String(value);
  }
}

function toApi(kind: FieldKind, value: unknown): unknown {
  switch (kind) {
    case "list":
      return [...listOf(value)].sort();
    case "csv":
      return String(value ?? "")
        .split(/[\s,;]+/)
        .map((item) => item.trim())
        .filter(Boolean);
    case "bool":
      return Boolean(value);
    case "int":
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? value : null;
    case "required":
      return String(value ?? "").trim();
    default: {
      const text = String(value ?? "").trim();
      return text === "" ? null : text;
    }
  }
}

/** A listing form: what is typed stays in `values` whatever the API answers; `changes()` is what differs from
 * the last saved state; `errors` holds the API's messages by field after a 422. */
export function useEditForm(kinds: Record<string, FieldKind>) {
  const values = reactive<FormValues>({});
  const baseline = ref<Record<string, string>>({});
  const errors = ref<Record<string, string>>({});
  const formError = ref<string | null>(null);

  /** Take the saved state from the API (after loading or saving): the form shows it and is no longer dirty. */
  function load(fields: Record<string, unknown>) {
    const saved: Record<string, string> = {};
    for (const [name, kind] of Object.entries(kinds)) {
      values[name] = toForm(kind, fields[name]);
      saved[name] = JSON.stringify(toApi(kind, values[name]));
    }
    baseline.value = saved;
  }

  function changes(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const [name, kind] of Object.entries(kinds)) {
      const value = toApi(kind, values[name]);
      if (JSON.stringify(value) !== baseline.value[name]) result[name] = value;
    }
    return result;
  }

  function showError(error: ApiError) {
    errors.value = error.byField();
    formError.value = error.message;
  }

  function clearErrors() {
    errors.value = {};
    formError.value = null;
  }

  load({});

  return {
    values,
    errors,
    formError,
    load,
    changes,
    showError,
    clearErrors,
    dirty: computed(() => Object.keys(changes()).length > 0),
  };
}
