import { afterEach, describe, expect, it, vi } from "vitest";
import { api, ApiError, errorMessage, readToken, setToken, wsUrl } from "./api";

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

afterEach(() => {
  setToken(null);
  vi.unstubAllGlobals();
});

describe("token", () => {
  it("takes the token from the URL once and keeps it for the tab", () => {
    const storage = memoryStorage();
    expect(readToken("?token=abc", storage)).toBe("abc");
    expect(readToken("", storage)).toBe("abc");
  });

  it("sends the token as a bearer header and in WebSocket URLs", async () => {
    setToken("s3cret");
    const fetchMock = vi.fn().mockResolvedValue(new Response(JSON.stringify({ ok: 1 }), { status: 200 }));
    vi.stubGlobal("fetch", fetchMock);
    await api("GET", "/api/overview");
    expect(fetchMock.mock.calls[0][1].headers.Authorization).toBe("Bearer s3cret");
    expect(wsUrl("/api/jobs/x/ws", { protocol: "http:", host: "127.0.0.1:1" })).toBe("ws://127.0.0.1:1/api/jobs/x/ws?token=s3cret");
  });
});

describe("errors", () => {
  it("surfaces the server's detail message", async () => {
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue(new Response(JSON.stringify({ detail: "too many envs" }), { status: 429 })));
    await expect(api("POST", "/api/envs", {})).rejects.toEqual(new ApiError(429, "too many envs"));
  });

  it("joins pydantic validation errors into one line", () => {
    const body = { detail: [{ loc: ["body", "seed"], msg: "must be >= 0" }] };
    expect(errorMessage(body, 422)).toBe("seed: must be >= 0");
  });
});
