import createClient, { type Middleware } from "openapi-fetch";

import type { paths } from "./schema";

export const api = createClient<paths>({
  baseUrl: "",
  fetch: (request) => globalThis.fetch(request),
});

const UNREACHABLE = "Le service est momentanément injoignable. Vérifiez votre connexion puis réessayez.";

// ---------------------------------------------------------------- CSRF (double submit)

const CSRF_COOKIE = "maillage_csrf";
const CSRF_HEADER = "X-CSRF-Token";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
let csrfToken: string | null = null;

/** Remember the token of the last GET /auth/me or sign-in answer (MeOut.csrf_token). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

function cookieToken(): string | null {
  for (const part of document.cookie.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === CSRF_COOKIE) return decodeURIComponent(value.join("="));
  }
  return null;
}

/** The token the server expects: its cookie (always the latest, even after another tab signed in), else the
 * one last given by the API, else a fresh one obtained from GET /auth/me. */
async function currentCsrfToken(): Promise<string | null> {
  const known = cookieToken() ?? csrfToken;
  if (known) return known;
  try {
    const response = await globalThis.fetch("/api/v1/auth/me", { credentials: "same-origin" });
    const body = (await response.json()) as { csrf_token?: string };
    csrfToken = body.csrf_token ?? null;
  } catch {
    return null;
  }
  return cookieToken() ?? csrfToken;
}

const csrf: Middleware = {
  async onRequest({ request }) {
    if (SAFE_METHODS.has(request.method.toUpperCase())) return undefined;
    const token = await currentCsrfToken();
    if (token) request.headers.set(CSRF_HEADER, token);
    return request;
  },
};
api.use(csrf);

// ---------------------------------------------------------------- errors

/** One field rejected by the API's validation (422): `champ` is a dotted path such as "referral_emails.0". */
export interface FieldError {
  champ: string;
  message: string;
}

/** An API failure carrying the French message sent by the backend ({"error", "detail", "fields"?}). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldError[];

  constructor(status: number, code: string, message: string, fields: FieldError[] = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.fields = fields;
  }

  get notFound(): boolean {
    return this.status === 404;
  }

  get forbidden(): boolean {
    return this.status === 403;
  }

  get unauthorized(): boolean {
    return this.status === 401;
  }

  /** The messages of the rejected fields, by top-level field name ("referral_emails.0" → "referral_emails"). */
  byField(): Record<string, string> {
    const result: Record<string, string> = {};
    for (const field of this.fields) {
      const name = field.champ.split(".")[0] ?? field.champ;
      result[name] = result[name] ? `${result[name]} ; ${field.message}` : field.message;
    }
    return result;
  }
}

function fieldErrors(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    const entry = (typeof item === "object" && item !== null ? item : {}) as Record<string, unknown>;
    return typeof entry.champ === "string" && typeof entry.message === "string"
      ? [{ champ: entry.champ, message: entry.message }]
      : [];
  });
}

function fromBody(status: number, body: unknown): ApiError {
  const fields = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const detail = typeof fields.detail === "string" ? fields.detail : `Erreur inattendue du serveur (${status}).`;
  const code = typeof fields.error === "string" ? fields.error : "erreur";
  return new ApiError(status, code, detail, fieldErrors(fields.fields));
}

type ApiResult<T> = { data?: T; error?: unknown; response: Response };

/** Await an openapi-fetch call and return its data, or throw an ApiError with a French message. */
export async function unwrap<T>(call: Promise<ApiResult<T>>): Promise<T> {
  let result: ApiResult<T>;
  try {
    result = await call;
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "injoignable", UNREACHABLE);
  }
  if (result.data === undefined || !result.response.ok) {
    throw fromBody(result.response.status, result.error);
  }
  return result.data;
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}

/** Any thrown value as an ApiError (unexpected failures keep their message). */
export function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, "erreur", String(error));
}
