/**
 * List filters and paging over HTTP (the real /client/v4 route modules): a NUL or other control
 * character in a filter, and page numbers past any real list, are a 400 envelope that names the
 * parameter, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { getSetting } from "@/lib/db/settings";
import { createApiToken } from "@/lib/domain/api-tokens";
import { createFirstAdmin } from "@/lib/domain/users";
import { startApiServer, type TestApiServer } from "../api/server";

let api: TestApiServer;
let secret: string;
let base: string;

const get = (path: string) => fetch(`${api.baseURL}${base}${path}`, { headers: { authorization: `Bearer ${secret}` } });

beforeAll(async () => {
  api = await startApiServer();
  const u = await createFirstAdmin({ email: "lists@example.com", name: "Lists", password: "a-long-password-1" }, null);
  if (!u.ok) throw new Error(u.error.message);
  const t = await createApiToken({ type: "user", id: u.value.id, label: u.value.email, role: "admin", permission: "edit" }, { name: "lists", permission: "read" });
  if (!t.ok) throw new Error(t.error.message);
  secret = t.value.secret;
  base = `/accounts/${(await getSetting<string>(await getDb(), "account_id"))!}/access`;
});
afterAll(() => api?.close());

const LISTS = ["apps", "policies", "certificates", "certificates/settings"];

async function expect400(path: string, mentions: string) {
  const r = await get(path);
  const body = await r.json();
  expect(r.status, `${path}: ${JSON.stringify(body)}`).toBe(400);
  expect(body.success).toBe(false);
  expect(body.errors.length).toBeGreaterThan(0);
  expect(body.errors[0].code).toBe(12130);
  expect(body.errors.map((e: { message: string }) => e.message).join(" ")).toContain(mentions);
}

describe("list filters", () => {
  it("refuses a NUL or another control character in any filter of any list with a 400 naming it", async () => {
    for (const list of LISTS) {
      for (const [param, value] of [["name", "%00"], ["domain", "a%00b"], ["aud", "%01"], ["name", "x%0Ay"], ["search", "%7F"]]) {
        await expect400(`/${list}?${param}=${value}`, `${param} must not contain control characters`);
      }
    }
  });

  it("still filters with ordinary values (the check refuses only control characters)", async () => {
    for (const list of LISTS) {
      const r = await get(`/${list}?name=caf%C3%A9%20%E2%9C%93&domain=a.example.com`);
      expect(r.status, list).toBe(200);
    }
  });

  it("refuses page numbers past any list, however long, with a 400 (not a 500)", async () => {
    for (const list of LISTS) {
      await expect400(`/${list}?page=99999999999999999999`, "page must be at most");
      await expect400(`/${list}?page=1e3`, "page must be a positive whole number");
      await expect400(`/${list}?per_page=99999999999999999999999`, "per_page must be at most");
      const ok = await get(`/${list}?page=10000000&per_page=1000`);
      expect(ok.status, list).toBe(200);
      expect((await ok.json()).result).toEqual([]);
    }
  });
});
