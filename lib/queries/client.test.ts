import { afterEach, describe, expect, it, vi } from "vitest";
import { accessLogQuery, accessLogSearch, ACCESS_LOG_LIVE_MS } from "./access-log";
import { getJson, SESSION_ENDED } from "./client";

afterEach(() => vi.unstubAllGlobals());

const answer = (body: string, init: ResponseInit & { type?: ResponseType } = {}) => {
  const res = new Response(body, init);
  if (init.type) Object.defineProperty(res, "type", { value: init.type });
  vi.stubGlobal("fetch", vi.fn(async () => res));
};

describe("getJson", () => {
  it("returns the body of a 200", async () => {
    answer(JSON.stringify({ open: 2 }), { status: 200 });
    await expect(getJson("/api/console/alerts")).resolves.toEqual({ open: 2 });
  });
  it("turns a 401 (plain text from proxy.ts) and a redirect into the session-ended sentence", async () => {
    answer("Your session has ended. Sign in again.", { status: 401, headers: { "content-type": "text/plain" } });
    await expect(getJson("/api/console/alerts")).rejects.toThrow(SESSION_ENDED);
    answer("", { status: 200, type: "opaqueredirect" });
    await expect(getJson("/api/console/alerts")).rejects.toThrow(SESSION_ENDED);
  });
  it("shows the handler's own error, else the status", async () => {
    answer(JSON.stringify({ error: "Could not read the counts just now." }), { status: 503 });
    await expect(getJson("/api/console/overview")).rejects.toThrow("Could not read the counts just now.");
    answer("<html>", { status: 502 });
    await expect(getJson("/api/console/overview")).rejects.toThrow("The console answered with status 502.");
  });
});

describe("access log query", () => {
  it("writes the filter as the page's address does (empty values left out, fixed order, cursor replaced)", () => {
    const f = { date: "2026-03-10", hostname: "a.example.com", decision: undefined, before: "2026-03-10T00:00:00.000Z_5" };
    expect(accessLogSearch(f).toString()).toBe("hostname=a.example.com&date=2026-03-10&before=2026-03-10T00%3A00%3A00.000Z_5");
    expect(accessLogSearch(f, null).toString()).toBe("hostname=a.example.com&date=2026-03-10");
  });
  it("polls only when live, and never in a hidden tab; one key per filter", () => {
    const live = accessLogQuery({}, true);
    expect(live.refetchIntervalInBackground).toBe(false);
    const interval = live.refetchInterval as (q: { state: { error: Error | null } }) => number | false;
    expect(interval({ state: { error: null } })).toBe(ACCESS_LOG_LIVE_MS);
    expect(interval({ state: { error: new Error("Could not read the access log just now.") } })).toBe(ACCESS_LOG_LIVE_MS);
    // Asking again cannot help once the session has ended.
    expect(interval({ state: { error: new Error(SESSION_ENDED) } })).toBe(false);
    expect(accessLogQuery({}, false).refetchInterval).toBe(false);
    expect(accessLogQuery({ decision: "deny" }).queryKey).toEqual(["access-log", "decision=deny"]);
  });
});
