import { ref } from "vue";

const MESSAGES: Record<number, string> = {
  1: "Vous avez refusé l'accès à votre position : la distance est calculée depuis le centre du réseau.",
  2: "Votre position n'a pas pu être déterminée.",
  3: "La recherche de votre position a pris trop de temps.",
};

/** Ask the browser for the person's position once, with a French message on failure. */
export function useGeolocation() {
  const locating = ref(false);
  const error = ref<string | null>(null);

  function locate(): Promise<{ lat: number; lon: number } | null> {
    error.value = null;
    if (!("geolocation" in navigator)) {
      error.value = "Votre navigateur ne permet pas de partager votre position.";
      return Promise.resolve(null);
    }
    locating.value = true;
    return new Promise((resolve) => {
      navigator.geolocation.getCurrentPosition(
        (position) => {
          locating.value = false;
          resolve({
            lat: Math.round(position.coords.latitude * 1e5) / 1e5,
            lon: Math.round(position.coords.longitude * 1e5) / 1e5,
          });
        },
        (failure) => {
          locating.value = false;
          error.value = MESSAGES[failure.code] ?? "Votre position n'a pas pu être déterminée.";
          resolve(null);
        },
        { timeout: 10000, maximumAge: 300000 },
      );
    });
  }

  return { locating, error, locate };
}
