/**
 * The zone-scoped client-certificate API with the official `cloudflare` SDK, unchanged
 * (client.clientCertificates.*, client.certificateAuthorities.hostnameAssociations.*), over real HTTP to the real
 * route modules, with CSRs made by the OpenSSL CLI: issue (the certificate carries the CSR's key and subject and
 * verifies against the managed CA for TLS client use), list by status with `for await`, get, revoke (DELETE),
 * reactivate (PATCH), each audited as the token's owner; the managed CA's and an uploaded CA's hostname
 * associations; the Cloudflare-shaped 400s (not a CSR, bad CSR signature, disallowed key, validity out of range,
 * unknown ids), 403 for a read token and the zone checks.
 */
import Cloudflare, { BadRequestError, NotFoundError, PermissionDeniedError } from "cloudflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateRoot } from "../../e2e/helpers/certs";
import { eq } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { bootstrap } from "@/lib/db/bootstrap";
import { settings } from "@/lib/db/schema";
import { getSetting, setSetting } from "@/lib/db/settings";
import { recentAuditEvents } from "@/lib/domain/audit";
import { createCertificate } from "@/lib/domain/certificates";
import type { Actor } from "@/lib/domain/core/actor";
import { listManagedCas } from "@/lib/domain/managed-ca";
import { adminWithTokens } from "../api/admin-tokens";
import { startApiServer, type TestApiServer } from "../api/server";
import { certificatePublicKey, keyFilePublicKey, makeCsr, openssl, tamperSignature, verifyWith } from "../../e2e/helpers/csr";

// PostgreSQL requires the key the managed CA's private key is sealed with; PGlite would generate one.
process.env.PORTCULLIS_SECRET_KEY ??= Buffer.alloc(32, 7).toString("base64");

let api: TestApiServer;
let zoneId: string;
let editToken: string;
let readToken: string;
let actor: Actor;
let cf: Cloudflare;

const client = (apiToken: string) => new Cloudflare({ apiToken, baseURL: api.baseURL, maxRetries: 0 });
const rejection = (p: Promise<unknown>) => p.then(() => new Error("expected a rejection"), (e: unknown) => e);

beforeAll(async () => {
  api = await startApiServer();
  ({ actor, editToken, readToken } = await adminWithTokens());
  zoneId = (await getSetting<string>(await getDb(), "zone_id"))!;
  cf = client(editToken);
});

afterAll(async () => {
  await api?.close();
});

describe("the Zone ID", () => {
  it("is 32 hex, distinct from the account id, and stays the same", async () => {
    expect(zoneId).toMatch(/^[0-9a-f]{32}$/);
    expect(zoneId).not.toBe(await getSetting<string>(await getDb(), "account_id"));
  });

  it("an installation made before zones gets one on its next open", async () => {
    const db = await getDb();
    await db.delete(settings).where(eq(settings.key, "zone_id"));
    await bootstrap(db);
    const fresh = await getSetting<string>(db, "zone_id");
    expect(fresh).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh).not.toBe(zoneId);
    await setSetting(db, "zone_id", zoneId); // the API has this process's zone cached
  });

  it("another zone is a 404 and a malformed one a 400, in Cloudflare's envelope", async () => {
    const other = "0123456789abcdef0123456789abcdef";
    const e404 = await rejection(cf.clientCertificates.list({ zone_id: other }));
    expect(e404).toBeInstanceOf(NotFoundError);
    expect((e404 as NotFoundError).errors[0]).toMatchObject({ code: 7003, message: expect.stringMatching(/^Could not route to \/client\/v4\/zones\/0123/) });
    const e400 = await rejection(cf.certificateAuthorities.hostnameAssociations.get({ zone_id: "not-a-zone" }));
    expect(e400).toBeInstanceOf(BadRequestError);
    expect((e400 as BadRequestError).errors[0]).toMatchObject({ code: 7003 });
  });
});

describe("cloudflare SDK: clientCertificates", () => {
  it("issues from an OpenSSL CSR, lists, gets, revokes and reactivates, audited as the token's owner", async () => {
    const { csr, keyPath } = makeCsr("/C=US/ST=California/L=San Francisco/O=Acme/OU=IoT/CN=sensor-17");
    const created = await cf.clientCertificates.create({ zone_id: zoneId, csr, validity_days: 3650 });
    expect(created).toMatchObject({
      common_name: "sensor-17",
      country: "US",
      state: "California",
      location: "San Francisco",
      organization: "Acme",
      organizational_unit: "IoT",
      status: "active",
      validity_days: 3650,
    });
    expect(created.csr!.trim()).toBe(csr.trim());
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    const opensslFingerprint = openssl(["x509", "-noout", "-fingerprint", "-sha256"], created.certificate!).split("=")[1].replace(/:/g, "").trim().toLowerCase();
    expect(created.fingerprint_sha256).toBe(opensslFingerprint);
    expect(created.ski).toMatch(/^[0-9a-f]{40}$/);
    const days = (Date.parse(created.expires_on!) - Date.parse(created.issued_on!)) / 86_400_000;
    expect(Math.round(days)).toBe(3650);
    // The certificate holds the CSR's key (the private key never left this process) and chains to the managed CA.
    expect(certificatePublicKey(created.certificate!)).toBe(keyFilePublicKey(keyPath));
    const [ca] = (await listManagedCas(await getDb())).filter((c) => c.current);
    expect(created.certificate_authority).toEqual({ id: ca.id, name: ca.name });
    expect(verifyWith(ca.certificatePem, created.certificate!)).toMatch(/: OK$/);
    expect(JSON.stringify(created)).not.toMatch(/PRIVATE KEY/);

    const second = await cf.clientCertificates.create({ zone_id: zoneId, csr: makeCsr("/CN=sensor-18", "rsa:2048").csr, validity_days: 365 });
    const all = [];
    for await (const c of cf.clientCertificates.list({ zone_id: zoneId, per_page: 1 })) all.push(c.id);
    expect(all.sort()).toEqual([created.id, second.id].sort());

    const got = await cf.clientCertificates.get(created.id!, { zone_id: zoneId });
    expect(got).toMatchObject({ id: created.id, certificate: created.certificate, serial_number: created.serial_number });

    const revoked = await cf.clientCertificates.delete(created.id!, { zone_id: zoneId });
    expect(revoked.id).toBe(created.id);
    expect(["revoked", "pending_revocation"]).toContain(revoked.status);
    const page = await cf.clientCertificates.list({ zone_id: zoneId, status: "active" });
    expect(page.result.map((c) => c.id)).toEqual([second.id]);
    expect(page.result_info).toMatchObject({ page: 1, count: 1, total_count: 1 });
    const revokedList = await cf.clientCertificates.list({ zone_id: zoneId, status: revoked.status! });
    expect(revokedList.result.map((c) => c.id)).toEqual([created.id]);
    expect((await cf.clientCertificates.list({ zone_id: zoneId, status: "pending_reactivation" })).result).toEqual([]);

    const reactivated = await cf.clientCertificates.edit(created.id!, { zone_id: zoneId, reactivate: true });
    expect(reactivated).toMatchObject({ id: created.id, status: "active" });
    const noBody = await cf.clientCertificates.delete(created.id!, { zone_id: zoneId });
    expect(["revoked", "pending_revocation"]).toContain(noBody.status);
    expect((await cf.clientCertificates.edit(created.id!, { zone_id: zoneId })).status).toBe("active");

    const audited = (await recentAuditEvents(50)).filter((e) => e.resourceId === created.id);
    expect(audited.length).toBeGreaterThanOrEqual(5);
    expect(new Set(audited.map((e) => e.actor))).toEqual(new Set(["token:edit (admin@example.com)"]));
    expect(audited.map((e) => e.action)).toContain("client_certificate.revoke");
    expect(JSON.stringify(audited)).not.toMatch(/PRIVATE KEY/);
  });

  it("answers bad input with Cloudflare-shaped 400s that point at the field", async () => {
    const bad = async (body: Record<string, unknown>) => {
      const e = await rejection(cf.clientCertificates.create({ zone_id: zoneId, ...(body as { csr: string; validity_days: number }) }));
      expect(e, JSON.stringify(body).slice(0, 80)).toBeInstanceOf(BadRequestError);
      return (e as BadRequestError).errors as { code: number; message: string; source?: { pointer: string } }[];
    };
    const good = makeCsr("/CN=bad-input").csr;
    const notCsr = await bad({ csr: generateRoot("/CN=Not a CSR").pem, validity_days: 365 });
    expect(notCsr[0]).toMatchObject({ code: 12130, source: { pointer: "/csr" } });
    expect(notCsr[0].message).toMatch(/CSR|certificate signing request/i);
    expect((await bad({ csr: "hello", validity_days: 365 }))[0]).toMatchObject({ source: { pointer: "/csr" } });
    const tampered = await bad({ csr: tamperSignature(good), validity_days: 365 });
    expect(tampered[0]).toMatchObject({ source: { pointer: "/csr" }, message: expect.stringMatching(/signature/i) });
    const weak = await bad({ csr: makeCsr("/CN=weak", "rsa:1024").csr, validity_days: 365 });
    expect(weak[0]).toMatchObject({ source: { pointer: "/csr" }, message: expect.stringMatching(/1024|key/i) });
    for (const validity_days of [0, -1, 100_000]) {
      expect((await bad({ csr: good, validity_days }))[0], String(validity_days)).toMatchObject({ code: 12130, source: { pointer: "/validity_days" } });
    }
    expect((await bad({ csr: good, validity_days: "ten years" }))[0]).toMatchObject({ source: { pointer: "/validity_days" } });
    expect((await bad({ validity_days: 365 }))[0]).toMatchObject({ source: { pointer: "/csr" } });
  });

  it("unknown ids: 404 for a well-formed one, 400 for one that cannot be an id; a read token gets 403", async () => {
    const unknown = "00000000-0000-4000-8000-000000000000";
    expect(await rejection(cf.clientCertificates.get(unknown, { zone_id: zoneId }))).toBeInstanceOf(NotFoundError);
    expect(await rejection(cf.clientCertificates.delete(unknown, { zone_id: zoneId }))).toBeInstanceOf(NotFoundError);
    expect(await rejection(cf.clientCertificates.edit(unknown, { zone_id: zoneId }))).toBeInstanceOf(NotFoundError);
    const malformed = await rejection(cf.clientCertificates.get("nope", { zone_id: zoneId }));
    expect(malformed).toBeInstanceOf(BadRequestError);
    expect((malformed as BadRequestError).errors[0].code).toBe(7003);
    const reader = client(readToken);
    expect(await rejection(reader.clientCertificates.create({ zone_id: zoneId, csr: makeCsr("/CN=r").csr, validity_days: 365 }))).toBeInstanceOf(PermissionDeniedError);
    const [first] = (await reader.clientCertificates.list({ zone_id: zoneId })).result;
    expect(await rejection(reader.clientCertificates.delete(first.id!, { zone_id: zoneId }))).toBeInstanceOf(PermissionDeniedError);
    expect((await reader.clientCertificates.get(first.id!, { zone_id: zoneId })).status).toBe("active");
  });

  it("raw HTTP: a status that does not exist, reactivate: false, a revocation reason, bodies that are not JSON, 405", async () => {
    const base = `${api.baseURL}/zones/${zoneId}/client_certificates`;
    const auth = { authorization: `Bearer ${editToken}`, "content-type": "application/json" };
    const status = await fetch(`${base}?status=expired`, { headers: auth });
    expect(status.status).toBe(400);
    expect((await status.json()).errors[0]).toMatchObject({ code: 12130, message: expect.stringMatching(/status must be one of/) });
    const id = (await cf.clientCertificates.create({ zone_id: zoneId, csr: makeCsr("/CN=raw").csr, validity_days: 30 })).id;
    const no = await fetch(`${base}/${id}`, { method: "PATCH", headers: auth, body: JSON.stringify({ reactivate: false }) });
    expect(no.status).toBe(400);
    expect((await no.json()).errors[0].source).toEqual({ pointer: "/reactivate" });
    const junk = await fetch(`${base}/${id}`, { method: "DELETE", headers: auth, body: "{nope" });
    expect(junk.status).toBe(400);
    expect((await junk.json()).errors[0].code).toBe(6007);
    const withReason = await fetch(`${base}/${id}`, { method: "DELETE", headers: auth, body: JSON.stringify({ reason: "Laptop stolen" }) });
    expect(withReason.status).toBe(200);
    expect((await withReason.json()).result.status).toMatch(/revoked|pending_revocation/);
    const put = await fetch(base, { method: "PUT", headers: auth, body: "{}" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, POST");
  });
});

describe("cloudflare SDK: certificateAuthorities.hostnameAssociations", () => {
  it("without mtls_certificate_id: the managed CA's hostnames; with one: that CA's", async () => {
    const ha = cf.certificateAuthorities.hostnameAssociations;
    const put = await ha.update({ zone_id: zoneId, hostnames: ["devices.example.com", "api.example.com"] });
    expect(put.hostnames!.slice().sort()).toEqual(["api.example.com", "devices.example.com"]);
    expect((await ha.get({ zone_id: zoneId })).hostnames!.slice().sort()).toEqual(["api.example.com", "devices.example.com"]);
    const [ca] = (await listManagedCas(await getDb())).filter((c) => c.current);
    expect(ca.associatedHostnames.slice().sort()).toEqual(["api.example.com", "devices.example.com"]);

    const uploaded = await createCertificate(actor, { name: "Uploaded CA", certificate: generateRoot("/CN=Uploaded CA").pem, associated_hostnames: ["legacy.example.com"] });
    if (!uploaded.ok) throw new Error(uploaded.error.message);
    const mtls_certificate_id = uploaded.value.id;
    expect(await ha.get({ zone_id: zoneId, mtls_certificate_id })).toEqual({ hostnames: ["legacy.example.com"] });
    expect(await ha.update({ zone_id: zoneId, mtls_certificate_id, hostnames: ["legacy.example.com", "old.example.com"] })).toEqual({ hostnames: ["legacy.example.com", "old.example.com"] });
    expect((await ha.get({ zone_id: zoneId })).hostnames).toHaveLength(2);
    expect(await ha.update({ zone_id: zoneId, hostnames: [] })).toEqual({ hostnames: [] });
    expect(await ha.get({ zone_id: zoneId })).toEqual({ hostnames: [] });
  });

  it("an unknown mtls_certificate_id, a bad hostname or no list: 400; a read token cannot PUT", async () => {
    const ha = cf.certificateAuthorities.hostnameAssociations;
    for (const mtls_certificate_id of ["00000000-0000-4000-8000-000000000000", "x"]) {
      const e = await rejection(ha.get({ zone_id: zoneId, mtls_certificate_id }));
      expect(e).toBeInstanceOf(BadRequestError);
      expect((e as BadRequestError).errors[0]).toMatchObject({ code: 12130, source: { pointer: "/mtls_certificate_id" } });
      expect(await rejection(ha.update({ zone_id: zoneId, mtls_certificate_id, hostnames: [] }))).toBeInstanceOf(BadRequestError);
    }
    const host = await rejection(ha.update({ zone_id: zoneId, hostnames: ["not a hostname!"] }));
    expect(host).toBeInstanceOf(BadRequestError);
    expect((host as BadRequestError).errors[0]).toMatchObject({ source: { pointer: "/hostnames" } });
    const none = await rejection(ha.update({ zone_id: zoneId }));
    expect((none as BadRequestError).errors[0]).toMatchObject({ source: { pointer: "/hostnames" } });
    expect(await rejection(client(readToken).certificateAuthorities.hostnameAssociations.update({ zone_id: zoneId, hostnames: [] }))).toBeInstanceOf(PermissionDeniedError);
  });
});
