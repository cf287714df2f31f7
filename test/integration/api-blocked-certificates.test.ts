/**
 * Blocked certificates over the REST API (`/client/v4/accounts/{account_id}/access/blocked_certificates`, real
 * route modules over real HTTP): block by fingerprint, by issuer + serial and by PEM, list, get, unblock; a read
 * token may list but not block (403), bad input is a 400 naming the problem, a second block of the same
 * certificate a 409, an unknown id a 404; every change is audited under the token.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { getSetting } from "@/lib/db/settings";
import { auditFilterSchema, listAuditEvents } from "@/lib/domain/audit";
import { adminWithTokens } from "../api/admin-tokens";
import { startApiServer, type TestApiServer } from "../api/server";
import { generateGatewayPki } from "./gateway-fixtures";

let api: TestApiServer;
let base: string;
let editToken: string;
let readToken: string;

const call = async (token: string, method: string, path = "", body?: unknown) => {
  const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as { success: boolean; result: Record<string, unknown> & Record<string, unknown>[]; errors: { message: string }[]; result_info?: Record<string, number> } };
};

beforeAll(async () => {
  api = await startApiServer();
  ({ editToken, readToken } = await adminWithTokens());
  base = `${api.baseURL}/accounts/${(await getSetting<string>(await getDb(), "account_id"))!}/access/blocked_certificates`;
});

afterAll(async () => {
  await api?.close();
});

describe("REST API: blocked certificates", () => {
  it("blocks, lists, gets and unblocks; read tokens list only; bad input, duplicates and unknown ids get 400, 409 and 404", async () => {
    const pki = generateGatewayPki();
    const fp = "AB:".repeat(31) + "AB";
    const a = await call(editToken, "POST", "", { sha256: fp, reason: "lost badge" });
    expect(a.status).toBe(201);
    expect(a.json.result).toMatchObject({ match: "sha256", sha256: "ab".repeat(32), reason: "lost badge", source: "api", created_by: "token:edit (admin@example.com)" });
    const b = await call(editToken, "POST", "", { issuer: "O = Access Testing, CN = Gateway Test Intermediate CA", serial_number: "0A:1b", reason: "contractor left" });
    expect(b.status).toBe(201);
    expect(b.json.result).toMatchObject({ match: "issuer_serial", serial_number: "0a1b", sha256: null });
    const c = await call(editToken, "POST", "", { certificate: readFileSync(pki.client.cert, "utf8"), reason: "test" });
    expect(c.status).toBe(201);
    expect(c.json.result).toMatchObject({ match: "sha256", subject: "CN=John Doe", issuer: "CN=Gateway Test Intermediate CA,O=Access Testing" });

    const listed = await call(readToken, "GET", "?per_page=2");
    expect(listed.status).toBe(200);
    expect(listed.json.result.map((r) => r.id)).toEqual([a.json.result.id, b.json.result.id]);
    expect(listed.json.result_info).toMatchObject({ page: 1, per_page: 2, count: 2, total_count: 3 });
    const got = await call(readToken, "GET", `/${b.json.result.id}`);
    expect(got.json.result).toEqual(b.json.result);

    expect((await call(readToken, "POST", "", { sha256: "cd".repeat(32), reason: "x" })).status).toBe(403);
    expect((await call(readToken, "DELETE", `/${a.json.result.id}`)).status).toBe(403);
    const bad = await call(editToken, "POST", "", { sha256: "12:34", reason: "x" });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].message).toContain("SHA-256 fingerprint must be 64 hexadecimal digits");
    expect((await call(editToken, "POST", "", { sha256: fp, reason: "again" })).status).toBe(409);
    expect((await call(editToken, "GET", "/00000000-0000-4000-8000-000000000000")).status).toBe(404);

    for (const r of [a, b, c]) expect((await call(editToken, "DELETE", `/${r.json.result.id}`)).status).toBe(200);
    expect((await call(editToken, "DELETE", `/${a.json.result.id}`)).status).toBe(404);
    expect((await call(readToken, "GET")).json.result).toEqual([]);
    const audit = await listAuditEvents(auditFilterSchema.parse({ resourceType: "blocked_certificate" }));
    expect(audit.events.filter((e) => e.actor === "token:edit (admin@example.com)").map((e) => e.action).sort()).toEqual([...Array(3).fill("blocked_certificate.block"), ...Array(3).fill("blocked_certificate.unblock")]);
  });
});
