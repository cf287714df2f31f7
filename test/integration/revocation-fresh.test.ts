/**
 * Issue #17 §2-3 through the real gateway (real TLS on loopback) and the tester: a CRL downloaded from a CRL URL
 * served by a local HTTP server (stored, refreshed, a failed download keeps the last good CRL and raises an alert, a
 * CRL signed by the wrong key is refused), an out-of-date CRL under Block and Allow and alert, and OCSP against
 * `openssl ocsp` run as a responder on a loopback port (good, revoked, unknown, responder down under both choices).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { alerts, auditEvents, mtlsCertificates } from "@/lib/db/schema";
import { flushAccessLog, listAccessLog } from "@/lib/domain/access-log";
import { createApplication } from "@/lib/domain/applications";
import { createCertificate } from "@/lib/domain/certificates";
import { refreshCrl, refreshDueCrls, setCrlUrl, suggestedCrlUrl, type CrlRefreshState, type CrlSource } from "@/lib/domain/crls/refresh";
import { updateRevocationSettings } from "@/lib/domain/hostnames/revocation";
import { clearOcspCache } from "@/lib/domain/ocsp";
import { createPolicy } from "@/lib/domain/policies";
import { testClientCertificate } from "@/lib/domain/test-mtls";
import { createGateway, loadServerCert, type Gateway } from "@/lib/gateway";
import { adminActor } from "../helpers/actors";
import { CLIENT_EXT, ossl, Pki, utc, type Ca } from "../pki/openssl";
import { startOrigin } from "./gateway-fixtures";

const CRL_H = "crl-url.example.com";
const STALE_H = "crl-stale.example.com";
const OCSP_H = "ocsp.example.com";

const must = <T>(r: { ok: boolean; value?: T; error?: unknown }) => {
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.value as T;
};

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

let dir: string;
let p: Pki;
let crlRoot: Ca, evil: Ca, staleRoot: Ca, ocspRoot: Ca;
let crlClient: Ca, crlLater: Ca, staleClient: Ca, good: Ca, revoked: Ca, unknown: Ca, down: Ca;
let served: { status: number; body: string };
let crlServer: http.Server;
let crlUrl = "";
let responder: ChildProcess;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let gw: Gateway;
let crlCertId = "";

function request(host: string, cert: Ca): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: "127.0.0.1", port: gw.port, servername: host, rejectUnauthorized: false, cert: readFileSync(cert.cert), key: readFileSync(cert.key) });
    let data = "";
    s.setEncoding("utf8");
    s.on("secureConnect", () => s.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nAccept: application/json\r\nConnection: close\r\n\r\n`));
    s.on("data", (c) => (data += c));
    s.on("error", reject);
    s.on("end", () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0), body: data.slice(data.indexOf("\r\n\r\n") + 4) }));
  });
}

/** Polls until the gateway answers `status` (its configuration poll reloads within a second). */
async function expectStatus(host: string, cert: Ca, status: number, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  let last = 0;
  while (Date.now() < end) {
    last = (await request(host, cert)).status;
    if (last === status) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(last).toBe(status);
}

const tester = (hostname: string, cert: Ca) => testClientCertificate({ hostname, certificate: readFileSync(cert.cert, "utf8") });

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-fresh-"));
  p = new Pki(dir);
  // CRL URL: a root whose CRL is served over HTTP; "evil" has the same name and another key.
  crlServer = http.createServer((_req, res) => {
    res.writeHead(served.status, { "content-type": "application/pkix-crl" });
    res.end(served.body);
  });
  await new Promise<void>((r) => crlServer.listen(0, "127.0.0.1", r));
  crlUrl = `http://127.0.0.1:${(crlServer.address() as AddressInfo).port}/root.crl`;
  crlRoot = p.root("crlroot", { subj: "/O=Fresh/CN=Fresh CRL Root", ext: ["basicConstraints=critical,CA:true", "keyUsage=critical,keyCertSign,cRLSign", "subjectKeyIdentifier=hash", `crlDistributionPoints=URI:${crlUrl}`] });
  evil = p.root("evil", { subj: "/O=Fresh/CN=Fresh CRL Root" });
  crlClient = p.issue("crlclient", crlRoot, { subj: "/CN=CRL Client" });
  crlLater = p.issue("crllater", crlRoot, { subj: "/CN=CRL Later" });
  served = { status: 200, body: readFileSync(p.crl(crlRoot, "crl1"), "utf8") };
  // An out-of-date CRL.
  staleRoot = p.root("staleroot", { subj: "/O=Fresh/CN=Fresh Stale Root" });
  staleClient = p.issue("staleclient", staleRoot, { subj: "/CN=Stale Client" });
  const staleCrl = readFileSync(p.crl(staleRoot, "stale", { last: utc(-10), next: utc(-1) }), "utf8");
  // OCSP: leaves name a responder on a loopback port; "down" names a port nobody listens on.
  const [ocspPort, deadPort] = [await freePort(), await freePort()];
  ocspRoot = p.root("ocsproot", { subj: "/O=Fresh/CN=Fresh OCSP Root" });
  const aia = (port: number) => [...CLIENT_EXT, `authorityInfoAccess=OCSP;URI:http://127.0.0.1:${port}`];
  good = p.issue("good", ocspRoot, { subj: "/CN=OCSP Good", ext: aia(ocspPort) });
  revoked = p.issue("revoked", ocspRoot, { subj: "/CN=OCSP Revoked", ext: aia(ocspPort) });
  unknown = p.issue("unknown", ocspRoot, { subj: "/CN=OCSP Unknown", ext: aia(ocspPort) });
  down = p.issue("down", ocspRoot, { subj: "/CN=OCSP Down", ext: aia(deadPort) });
  p.revoke(ocspRoot, revoked.cert);
  // The responder does not know "unknown": its line leaves the CA database.
  const index = path.join(dir, "ocsproot.ca", "index.txt");
  const serial = ossl(["x509", "-in", unknown.cert, "-noout", "-serial"], dir).trim().split("=")[1];
  writeFileSync(index, readFileSync(index, "utf8").split("\n").filter((l) => !l.includes(`\t${serial}\t`)).join("\n"));
  responder = spawn("openssl", ["ocsp", "-index", index, "-port", String(ocspPort), "-rsigner", ocspRoot.cert, "-rkey", ocspRoot.key, "-CA", ocspRoot.cert, "-nmin", "60", "-ignore_err", "-timeout", "5"], { stdio: ["ignore", "ignore", openSync(path.join(dir, "ocsp.log"), "w")] });
  // Ready when it says so (a probe connection would occupy the single-threaded responder).
  for (let i = 0; i < 100 && !readFileSync(path.join(dir, "ocsp.log"), "utf8").includes("waiting for OCSP client connections"); i++) await new Promise((r) => setTimeout(r, 100));

  origin = await startOrigin();
  crlCertId = must<{ id: string }>(await createCertificate(adminActor, { name: "Fresh CRL root", certificate: readFileSync(crlRoot.cert, "utf8"), associated_hostnames: [CRL_H] })).id;
  must(await createCertificate(adminActor, { name: "Fresh stale root", certificate: readFileSync(staleRoot.cert, "utf8"), associated_hostnames: [STALE_H], crl: staleCrl }));
  must(await createCertificate(adminActor, { name: "Fresh OCSP root", certificate: readFileSync(ocspRoot.cert, "utf8"), associated_hostnames: [OCSP_H] }));
  const valid = must<{ id: string }>(await createPolicy(adminActor, { name: "Fresh valid cert", decision: "non_identity", include: [{ certificate: {} }] }));
  for (const [name, domain] of [["Fresh CRL", CRL_H], ["Fresh stale", STALE_H], ["Fresh OCSP", OCSP_H]]) {
    must(await createApplication(adminActor, { name, domain, session_duration: "1h", policies: [valid.id], origin_url: origin.url }));
  }
  must(await updateRevocationSettings(adminActor, { hostname: OCSP_H, crl_stale_mode: "block", ocsp: true }));
  gw = await createGateway({ port: 0, host: "127.0.0.1", identity: loadServerCert({ dir: mkdtempSync(path.join(os.tmpdir(), "portcullis-fresh-gw-")), hostnames: [CRL_H, STALE_H, OCSP_H] }) });
}, 180_000);

afterAll(async () => {
  responder?.kill();
  await gw?.close();
  await origin?.close();
  await new Promise((r) => crlServer?.close(r));
});

async function certRow() {
  const [r] = await (await getDb()).select().from(mtlsCertificates).where(eq(mtlsCertificates.id, crlCertId));
  return r;
}

async function audited(action: string) {
  return (await getDb()).select().from(auditEvents).where(and(eq(auditEvents.action, action), eq(auditEvents.resourceId, crlCertId)));
}

describe("CRL URL", () => {
  it("suggests the CA certificate's http CRL Distribution Point", () => {
    expect(suggestedCrlUrl(readFileSync(crlRoot.cert, "utf8"))).toBe(crlUrl);
  });

  it("refuses a URL that is not http(s), with a field error", async () => {
    const r = await setCrlUrl(adminActor, crlCertId, { crl_url: "file:///etc/passwd" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.fieldErrors?.crl_url?.[0]).toMatch(/http or https URL/);
  });

  it("downloads, checks and stores the CRL; the gateway lets the client in", async () => {
    const r = must<CrlSource>(await setCrlUrl(adminActor, crlCertId, { crl_url: crlUrl }));
    expect(r.url).toBe(crlUrl);
    expect(r.refresh?.lastError).toBeNull();
    const row = await certRow();
    expect(row.crlPem).toContain("BEGIN X509 CRL");
    // the next download is due at half the time to nextUpdate (30 days), capped at one day
    expect(new Date(r.refresh!.nextAt).getTime() - Date.now()).toBeGreaterThan(23 * 3_600_000);
    await expectStatus(CRL_H, crlLater, 200);
  });

  it("refreshes when due: a CRL that now revokes a client reaches the gateway without a restart", async () => {
    p.revoke(crlRoot, crlLater.cert);
    served = { status: 200, body: readFileSync(p.crl(crlRoot, "crl2"), "utf8") };
    const before = (await certRow()).version;
    // not due yet: nothing fetched
    expect(await refreshDueCrls(new Date())).toEqual([]);
    const done = await refreshDueCrls(new Date(Date.now() + 25 * 3_600_000));
    expect(done).toEqual([{ id: crlCertId, outcome: { ok: true, changed: true } }]);
    expect((await certRow()).version).toBe(before + 1);
    expect((await audited("mtls_certificate.crl_fetch")).length).toBeGreaterThanOrEqual(1);
    await expectStatus(CRL_H, crlLater, 403);
    await expectStatus(CRL_H, crlClient, 200);
  });

  it("a failed download keeps the last good CRL, raises an alert and is audited; the next success resolves it", async () => {
    const kept = (await certRow()).crlPem;
    const good2 = served;
    served = { status: 500, body: "oops" };
    const r = await refreshCrl(crlCertId);
    expect(r).toEqual({ ok: false, error: expect.stringContaining("HTTP 500") });
    const row = await certRow();
    expect(row.crlPem).toBe(kept);
    expect((row.crlRefresh as CrlRefreshState).lastError).toMatch(/HTTP 500/);
    expect(new Date((row.crlRefresh as CrlRefreshState).nextAt).getTime() - Date.now()).toBeLessThanOrEqual(3_600_000 + 5000);
    const db = await getDb();
    const [alert] = await db.select().from(alerts).where(and(eq(alerts.kind, "crl_fetch_failed"), eq(alerts.resourceId, crlCertId)));
    expect(alert?.resolvedAt ?? null).toBeNull();
    expect(alert?.message).toMatch(/Downloading the CRL of certificate "Fresh CRL root" failed: HTTP 500/);
    expect((await audited("mtls_certificate.crl_fetch_failed")).at(-1)?.after).toMatchObject({ crl_url: crlUrl, error: expect.stringMatching(/HTTP 500/) });
    await expectStatus(CRL_H, crlLater, 403);
    served = good2;
    expect(await refreshCrl(crlCertId)).toEqual({ ok: true, changed: false });
    const [after] = await db.select().from(alerts).where(and(eq(alerts.kind, "crl_fetch_failed"), eq(alerts.resourceId, crlCertId)));
    expect(after.resolvedAt).not.toBeNull();
  });

  it("refuses a CRL signed by the wrong key (same issuer name) and keeps the last good one", async () => {
    const kept = (await certRow()).crlPem;
    served = { status: 200, body: readFileSync(p.crl(evil, "evil"), "utf8") };
    const r = await refreshCrl(crlCertId);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/was refused/);
    expect((await certRow()).crlPem).toBe(kept);
    expect((await audited("mtls_certificate.crl_fetch_failed")).at(-1)?.after).toMatchObject({ error: expect.stringMatching(/refused/) });
    await expectStatus(CRL_H, crlLater, 403);
  });
});

describe("When a CRL is out of date", () => {
  it("Block (default) refuses; Allow and alert lets the client in, says so in the trace; back to Block refuses", async () => {
    await expectStatus(STALE_H, staleClient, 403);
    const blocked = must<{ decision: string; steps: { id: string; status: string; detail: string }[] }>(await tester(STALE_H, staleClient));
    expect(blocked.decision).toBe("deny");
    must(await updateRevocationSettings(adminActor, { hostname: STALE_H, crl_stale_mode: "allow", ocsp: false }));
    await expectStatus(STALE_H, staleClient, 200);
    const allowed = must<{ decision: string; steps: { id: string; status: string; detail: string }[] }>(await tester(STALE_H, staleClient));
    expect(allowed.decision).toBe("allow");
    expect(allowed.steps.find((s) => s.id.startsWith("crl-time:"))).toMatchObject({ status: "pass", detail: expect.stringContaining("Out of date, allowed") });
    must(await updateRevocationSettings(adminActor, { hostname: STALE_H, crl_stale_mode: "block", ocsp: false }));
    await expectStatus(STALE_H, staleClient, 403);
  });

  it("refuses a bad setting with a field error", async () => {
    const r = await updateRevocationSettings(adminActor, { hostname: STALE_H, crl_stale_mode: "maybe", ocsp: false });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.fieldErrors?.crl_stale_mode?.[0]).toMatch(/"block" or "allow"/);
  });
});

describe("OCSP (openssl ocsp responder on loopback)", () => {
  const step = async (cert: Ca) => must<{ decision: string; steps: { id: string; status: string; detail: string }[] }>(await tester(OCSP_H, cert));

  it("good → allowed, with the verdict and its source in the trace", async () => {
    await expectStatus(OCSP_H, good, 200);
    const r = await step(good);
    expect(r.decision).toBe("allow");
    expect(r.steps.find((s) => s.id === "revocation:ocsp")).toMatchObject({ status: "pass", detail: expect.stringMatching(/^Good.*Source: http:\/\/127\.0\.0\.1:\d+/) });
  });

  it("revoked → refused at the gateway and in the tester", async () => {
    await expectStatus(OCSP_H, revoked, 403);
    const r = await step(revoked);
    expect(r.decision).toBe("deny");
    expect(r.steps.find((s) => s.id === "revocation:ocsp")).toMatchObject({ status: "fail", detail: expect.stringMatching(/^Revoked/) });
  });

  it("unknown and responder down → Block refuses, Allow and alert lets in with the alert in the log reason", async () => {
    await expectStatus(OCSP_H, unknown, 403);
    await expectStatus(OCSP_H, down, 403);
    expect((await step(down)).steps.find((s) => s.id === "revocation:ocsp")).toMatchObject({ status: "fail", detail: expect.stringMatching(/^No answer: Connection refused.*Blocked/) });
    must(await updateRevocationSettings(adminActor, { hostname: OCSP_H, crl_stale_mode: "allow", ocsp: true }));
    await expectStatus(OCSP_H, down, 200);
    await expectStatus(OCSP_H, unknown, 200);
    await flushAccessLog();
    const { items } = await listAccessLog({ hostname: OCSP_H, decision: "allow" }, 200);
    expect(items.some((i) => /Allowed without an OCSP answer: no OCSP answer from http:\/\/127\.0\.0\.1:\d+.*: Connection refused/.test(i.reason ?? ""))).toBe(true);
    expect((await step(unknown)).steps.find((s) => s.id === "revocation:ocsp")).toMatchObject({ status: "pass", detail: expect.stringMatching(/^Unknown.*Allowed/) });
    // revoked stays refused whatever the choice
    await expectStatus(OCSP_H, revoked, 403);
    must(await updateRevocationSettings(adminActor, { hostname: OCSP_H, crl_stale_mode: "block", ocsp: true }));
    await expectStatus(OCSP_H, down, 403);
  });

  it("answers are cached: with the responder stopped, a cached good answer still lets the client in", async () => {
    responder.kill();
    await new Promise((r) => setTimeout(r, 300));
    await expectStatus(OCSP_H, good, 200);
    clearOcspCache();
    expect((await step(good)).decision).toBe("deny");
  });
});
