// HTTP and WebSocket access to the ferrogym server. The token (needed when the
// server binds a non-loopback address) comes from ?token= in the page URL once
// and is kept for the tab in sessionStorage.

const TOKEN_KEY = "ferrogym-token";

export function readToken(search: string, storage: Pick<Storage, "getItem" | "setItem">): string | null {
  const fromUrl = new URLSearchParams(search).get("token");
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl);
    return fromUrl;
  }
  return storage.getItem(TOKEN_KEY);
}

let token: string | null = typeof window === "undefined" ? null : readToken(window.location.search, sessionStorage);

export function setToken(value: string | null): void {
  token = value;
}

export class ApiError extends Error {
  constructor(
    public status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The message of a FastAPI error body: {"detail": "..."} or a validation list. */
export function errorMessage(body: unknown, status: number): string {
  if (body && typeof body === "object" && "detail" in body) {
    const detail = (body as { detail: unknown }).detail;
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail))
      return detail
        .map((d: { loc?: unknown[]; msg?: string }) => `${(d.loc ?? []).slice(1).join(".")}: ${d.msg ?? ""}`)
        .join("; ");
  }
  return `HTTP ${status}`;
}

async function send<T>(method: string, path: string, body: BodyInit | undefined, contentType: string | null): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (contentType) headers["Content-Type"] = contentType;
  const res = await fetch(path, { method, headers, body });
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, errorMessage(data, res.status));
  return data as T;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  return send<T>(method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? null : "application/json");
}

/** POSTs a file's bytes as the request body (the server streams it to disk against its upload cap). */
export async function upload<T>(path: string, file: Blob): Promise<T> {
  return send<T>("POST", path, file, "application/octet-stream");
}

/** A server URL a browser loads by itself (an <img>, a link): the token goes in the query. */
export function withToken(path: string): string {
  if (!token) return path;
  return `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
}

export function wsUrl(path: string, loc: Pick<Location, "protocol" | "host"> = window.location): string {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  const query = token ? `?token=${encodeURIComponent(token)}` : "";
  return `${scheme}//${loc.host}${path}${query}`;
}
