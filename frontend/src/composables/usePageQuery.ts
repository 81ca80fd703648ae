import { computed } from "vue";
import { useRoute } from "vue-router";

export const LIST_PAGE_SIZE = 20;

/** The page number of a list from the URL query (`?page=2`), 1 when absent or invalid. */
export function usePageQuery(param = "page") {
  const route = useRoute();
  return computed(() => {
    const value = route.query[param];
    const raw = Number(Array.isArray(value) ? value[0] : value);
    return Number.isInteger(raw) && raw >= 1 ? raw : 1;
  });
}
