/** The HTTP edges of /client/v4 (raw fetch): JSON everywhere, body limits, token lifecycle, audit. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { apiTokens, auditEvents } from "@/lib/db/schema";
import { getSetting } from "@/lib/db/settings";
import type { Actor } from "@/lib/domain/core/actor";
import { createApiToken, listApiTokens, revokeApiToken } from "@/lib/domain/api-tokens";
import { READ_ONLY_MESSAGE } from "@/lib/domain/core/result";
import { createFirstAdmin } from "@/lib/domain/users";
import { errorToResponse } from "@/lib/api/handler";
import { startApiServer, type TestApiServer } from "../api/server";
import { readTokenActor, viewerActor } from "../helpers/actors";

let api: TestApiServer;
let admin: Actor;
let secret: string;
let tokenId: string;
let accountId: string;

const call = (path: string, init: RequestInit & { token?: string } = {}) =>
  fetch(`${api.baseURL}${path}`, {
    ...init,
    headers: { ...(init.token === "" ? {} : { authorization: `Bearer ${init.token ?? secret}` }), "content-type": "application/json", ...(init.headers as object) },
  });

beforeAll(async () => {
  api = await startApiServer();
  const u = await createFirstAdmin({ email: "root@example.com", name: "Root", password: "a-long-password-1" }, null);
  if (!u.ok) throw new Error(u.error.message);
  admin = { type: "user", id: u.value.id, label: u.value.email, role: "admin", permission: "edit" };
  const t = await createApiToken(admin, { name: "deploy", permission: "edit" });
  if (!t.ok) throw new Error(t.error.message);
  secret = t.value.secret;
  tokenId = t.value.token.id;
  accountId = (await getSetting<string>(await getDb(), "account_id"))!;
});
afterAll(() => api?.close());

describe("API tokens (domain)", () => {
  it("stores only the SHA-256 hash and never audits the secret", async () => {
    const db = await getDb();
    const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, tokenId));
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(JSON.stringify(await db.select().from(auditEvents))).not.toContain(secret.slice(3));
  });
  it("validates input and refuses viewers and tokens", async () => {
    const bad = await createApiToken(admin, { name: "", permission: "owner", expires_at: "2001-01-01" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(Object.keys(bad.error.fieldErrors ?? {}).sort()).toEqual(["expires_at", "name", "permission"]);
    const v = await createApiToken({ ...viewerActor, id: admin.id }, { name: "x", permission: "read" });
    expect(!v.ok && v.error.message).toBe(READ_ONLY_MESSAGE);
    expect((await createApiToken(readTokenActor, { name: "x", permission: "read" })).ok).toBe(false);
  });
});

describe("/client/v4 over HTTP", () => {
  it("answers unknown paths and methods with JSON envelopes", async () => {
    const nf = await call("/nope/at/all", { token: "" });
    expect(nf.status).toBe(404);
    expect(nf.headers.get("content-type")).toMatch(/application\/json/);
    expect((await nf.json()).errors[0].code).toBe(7000);
    const na = await call(`/accounts/${accountId}/access/policies`, { method: "PATCH", body: "{}" });
    expect(na.status).toBe(405);
    expect(na.headers.get("allow")).toBe("GET, POST");
    expect((await na.json()).success).toBe(false);
  });

  it("401 without a token, with a malformed header, with an unknown token", async () => {
    for (const headers of [{}, { authorization: "Token abc" }, { authorization: `Bearer pc_${"x".repeat(40)}` }] as Record<string, string>[]) {
      const res = await fetch(`${api.baseURL}/accounts/${accountId}/access/policies`, { headers });
      expect(res.status).toBe(401);
      expect((await res.json()).errors[0].code).toBe(10000);
    }
  });

  it("400 for bad JSON, 413 for bodies over 1 MiB", async () => {
    const bad = await call(`/accounts/${accountId}/access/policies`, { method: "POST", body: '{"name": ' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].message).toMatch(/^access\.api\.error\.invalid_request: Malformed JSON/);
    const big = await call(`/accounts/${accountId}/access/certificates`, { method: "POST", body: JSON.stringify({ name: "x", certificate: "A".repeat(1_100_000) }) });
    expect(big.status).toBe(413);
    const page = await call(`/accounts/${accountId}/access/policies?page=0`);
    expect(page.status).toBe(400);
  });

  it("409 conflicts carry x-should-retry: false", async () => {
    const body = JSON.stringify({ name: "Dup", decision: "allow", include: [{ everyone: {} }] });
    const first = await call(`/accounts/${accountId}/access/policies`, { method: "POST", body });
    expect(first.status).toBe(201);
    const { result } = await first.json();
    await call(`/accounts/${accountId}/access/apps`, { method: "POST", body: JSON.stringify({ type: "self_hosted", domain: "dup.example.com", policies: [result.id] }) });
    const del = await call(`/accounts/${accountId}/access/policies/${result.id}`, { method: "DELETE" });
    expect(del.status).toBe(409);
    expect(del.headers.get("x-should-retry")).toBe("false");
    expect((await del.json()).errors[0].message).toMatch(/still used by 1 application/);
  });

  it("records last use at most once a minute", async () => {
    const db = await getDb();
    const at = async () => (await db.select().from(apiTokens).where(eq(apiTokens.id, tokenId)))[0].lastUsedAt;
    expect(await at()).not.toBeNull();
    const first = await at();
    await call("/user/tokens/verify");
    expect((await at())?.getTime()).toBe(first?.getTime());
    const listed = (await listApiTokens()).find((t) => t.id === tokenId);
    expect(listed?.lastUsedAt).toBe(first?.toISOString());
  });

  it("expired and revoked tokens get 401", async () => {
    const db = await getDb();
    const t = await createApiToken(admin, { name: "short", permission: "read" });
    if (!t.ok) throw new Error(t.error.message);
    await db.update(apiTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiTokens.id, t.value.token.id));
    const expired = await call("/user/tokens/verify", { token: t.value.secret });
    expect(expired.status).toBe(401);
    expect((await expired.json()).errors[0].message).toMatch(/expired/);
    expect((await call("/user/tokens/verify")).status).toBe(200);
    expect((await revokeApiToken(admin, { id: tokenId })).ok).toBe(true);
    const revoked = await call("/user/tokens/verify");
    expect(revoked.status).toBe(401);
    expect((await revoked.json()).errors[0].message).toMatch(/revoked/);
    const events = await db.select().from(auditEvents).where(eq(auditEvents.resourceType, "api_token"));
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(["api_token.create", "api_token.revoke"]));
  });

  it("turns database outages into 503 with Retry-After, never a stack", async () => {
    const res = errorToResponse(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    const body = await res.json();
    expect(body.success).toBe(false);
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|at /);
  });
});
