/**
 * Revocation over the REST API (real route modules over real HTTP): a certificate's CRL uploaded, read (summary),
 * removed, and a CRL URL set and downloaded from a local server; per-hostname revocation settings listed and updated.
 * Each change takes effect in the one decision (Test mTLS of the revoked client certificate), read tokens may read
 * but not write (403), and bad input is a 400 naming the problem with nothing changed.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { getSetting } from "@/lib/db/settings";
import { createApplication } from "@/lib/domain/applications";
import { auditFilterSchema, listAuditEvents } from "@/lib/domain/audit";
import { createCertificate } from "@/lib/domain/certificates";
import { createPolicy } from "@/lib/domain/policies";
import { testClientCertificate } from "@/lib/domain/test-mtls";
import { adminActor } from "../helpers/actors";
import { adminWithTokens } from "../api/admin-tokens";
import { startApiServer, type TestApiServer } from "../api/server";
import { generateGatewayPki, type GatewayPki } from "./gateway-fixtures";

const HOST = "rev-api.example.com";
let api: TestApiServer;
let base: string;
let editToken: string;
let readToken: string;
let pki: GatewayPki;
let certId: string;
let crlServer: http.Server;
let crlUrl: string;

type Json = { success: boolean; result: Record<string, unknown> & Record<string, unknown>[]; errors: { message: string }[]; messages: { message: string }[] };
const call = async (token: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Json };
};

/** What Test mTLS decides for the revoked client certificate on HOST. */
const revokedDecision = async () => {
  const r = await testClientCertificate({ url: `https://${HOST}/`, certificate: readFileSync(pki.revoked.cert, "utf8") });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value.access_decision;
};

beforeAll(async () => {
  api = await startApiServer();
  ({ editToken, readToken } = await adminWithTokens());
  base = `${api.baseURL}/accounts/${(await getSetting<string>(await getDb(), "account_id"))!}/access/certificates`;
  pki = generateGatewayPki();
  const c = await createCertificate(adminActor, { name: "Revocation API chain", certificate: pki.chainPem, associated_hostnames: [HOST] });
  if (!c.ok) throw new Error(JSON.stringify(c));
  certId = c.value.id;
  const pol = await createPolicy(adminActor, { name: "Revocation API John", decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }] });
  if (!pol.ok) throw new Error(JSON.stringify(pol));
  const app = await createApplication(adminActor, { name: "Revocation API app", domain: HOST, policies: [pol.value.id] });
  if (!app.ok) throw new Error(JSON.stringify(app));
  crlServer = http.createServer((_req, res) => res.writeHead(200, { "content-type": "application/pkix-crl" }).end(pki.crlPem));
  await new Promise<void>((r) => crlServer.listen(0, "127.0.0.1", r));
  crlUrl = `http://127.0.0.1:${(crlServer.address() as AddressInfo).port}/intermediate.crl`;
});

afterAll(async () => {
  await api?.close();
  await new Promise((r) => crlServer?.close(r));
});

describe("REST API: revocation", () => {
  it("uploads, reads and removes a certificate's CRL, and the decision follows it", async () => {
    const empty = await call(readToken, "GET", `/${certId}/crl`);
    expect(empty.status).toBe(200);
    expect(empty.json.result).toMatchObject({ certificate_id: certId, crl: null, crl_url: null, refresh: null });
    expect(await revokedDecision()).toBe("service_auth");

    expect((await call(readToken, "PUT", `/${certId}/crl`, { crl: pki.crlPem })).status).toBe(403);
    const up = await call(editToken, "PUT", `/${certId}/crl`, { crl: pki.crlPem });
    expect(up.status).toBe(200);
    expect(up.json.result.crl).toMatchObject({ issuer: "CN=Gateway Test Intermediate CA,O=Access Testing", revoked_count: 1, stale: false });
    expect(up.json.result).not.toHaveProperty("crl.revoked");
    expect(await revokedDecision()).toBe("block");

    const stale = await call(editToken, "PUT", `/${certId}/crl`, { crl: pki.crlPem, version: 1 });
    expect(stale.status).toBe(409);

    const del = await call(editToken, "DELETE", `/${certId}/crl`);
    expect(del.status).toBe(200);
    expect(del.json.result.crl).toBeNull();
    expect(await revokedDecision()).toBe("service_auth");
    expect((await call(editToken, "DELETE", `/${certId}/crl`)).status).toBe(404);
  });

  it("sets a CRL URL, downloads it at once, and removes it with an empty string", async () => {
    const set = await call(editToken, "PUT", `/${certId}/crl`, { crl_url: crlUrl });
    expect(set.status).toBe(200);
    expect(set.json.result).toMatchObject({ crl_url: crlUrl, crl: { revoked_count: 1 }, refresh: { last_error: null } });
    expect(await revokedDecision()).toBe("block");
    const off = await call(editToken, "PUT", `/${certId}/crl`, { crl_url: "" });
    expect(off.json.result).toMatchObject({ crl_url: null });
    const audit = await listAuditEvents(auditFilterSchema.parse({ resourceType: "mtls_certificate" }));
    expect(audit.events.filter((e) => e.actor === "token:edit (admin@example.com)").map((e) => e.action)).toEqual(expect.arrayContaining(["mtls_certificate.crl_upload", "mtls_certificate.crl_remove", "mtls_certificate.crl_url"]));
  });

  it("refuses bad CRL input with a 400 that names it, and an unknown certificate with a 404", async () => {
    const before = await call(editToken, "GET", `/${certId}/crl`);
    const both = await call(editToken, "PUT", `/${certId}/crl`, { crl: pki.crlPem, crl_url: crlUrl });
    expect(both.status).toBe(400);
    expect(both.json.errors[0].message).toContain("Send exactly one of crl");
    const junk = await call(editToken, "PUT", `/${certId}/crl`, { crl: "not a crl" });
    expect(junk.status).toBe(400);
    const ftp = await call(editToken, "PUT", `/${certId}/crl`, { crl_url: "ftp://pki.example.com/x.crl" });
    expect(ftp.status).toBe(400);
    expect(ftp.json.errors[0].message).toContain("Enter an http or https URL");
    const extra = await call(editToken, "PUT", `/${certId}/crl`, { crl: pki.crlPem, foo: 1 });
    expect(extra.status).toBe(400);
    const unknown = "00000000-0000-4000-8000-000000000000";
    expect((await call(editToken, "GET", `/${unknown}/crl`)).status).toBe(404);
    for (const method of ["GET", "DELETE"]) expect((await call(editToken, method, "/not-a-uuid/crl")).status).toBe(404);
    expect((await call(editToken, "PUT", "/not-a-uuid/crl", { crl_url: "" })).status).toBe(404);
    expect((await call(editToken, "PUT", `/${unknown}/crl`, { crl: pki.crlPem })).status).toBe(404);
    // nothing was changed by the refused requests
    expect((await call(editToken, "GET", `/${certId}/crl`)).json.result).toEqual(before.json.result);
  });

  it("lists and updates per-hostname revocation settings; a bad entry changes nothing", async () => {
    const listed = await call(readToken, "GET", "/revocation_settings");
    expect(listed.status).toBe(200);
    expect(listed.json.result).toContainEqual({ hostname: HOST, crl_stale_mode: "block", ocsp: false });

    expect((await call(readToken, "PUT", "/revocation_settings", { settings: [{ hostname: HOST, crl_stale_mode: "allow", ocsp: true }] })).status).toBe(403);
    const bad = await call(editToken, "PUT", "/revocation_settings", { settings: [{ hostname: HOST, crl_stale_mode: "allow", ocsp: true }, { hostname: "nowhere.example.com", crl_stale_mode: "allow", ocsp: false }] });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].message).toContain("settings[1]: nowhere.example.com is not an associated hostname");
    const badMode = await call(editToken, "PUT", "/revocation_settings", { settings: [{ hostname: HOST, crl_stale_mode: "sometimes", ocsp: true }] });
    expect(badMode.status).toBe(400);
    expect(badMode.json.errors[0].message).toContain('settings[0]: crl_stale_mode must be "block" or "allow"');
    expect((await call(readToken, "GET", "/revocation_settings")).json.result).toContainEqual({ hostname: HOST, crl_stale_mode: "block", ocsp: false });

    const ok = await call(editToken, "PUT", "/revocation_settings", { settings: [{ hostname: HOST, crl_stale_mode: "allow", ocsp: true }] });
    expect(ok.status).toBe(202);
    expect(ok.json.result).toEqual([{ hostname: HOST, crl_stale_mode: "allow", ocsp: true }]);
    expect((await call(readToken, "GET", "/revocation_settings")).json.result).toContainEqual({ hostname: HOST, crl_stale_mode: "allow", ocsp: true });
  });
});
