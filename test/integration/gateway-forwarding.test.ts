/**
 * Forwarding presets (issue 18 §4) through the real gateway with a recording origin: every header of RFC 9440, the
 * TLS client auth set and X-Forwarded-Client-Cert compared with what `openssl x509` prints for the same certificate,
 * a presented certificate that did not validate (FAILED:<OpenSSL reason>, no fields), no certificate (NONE), the
 * size limits with the "too large" note in the access log, and client-sent copies of every name that never reach
 * the origin.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushAccessLog, listAccessLog } from "@/lib/domain/access-log";
import { createApplication } from "@/lib/domain/applications";
import { createCertificate } from "@/lib/domain/certificates";
import { updateHostnameSettings } from "@/lib/domain/hostnames";
import { createPolicy } from "@/lib/domain/policies";
import { testClientCertificate } from "@/lib/domain/test-mtls";
import type { Gateway } from "@/lib/gateway";
import { adminActor } from "../helpers/actors";
import { CLIENT_EXT, OPENSSL, Pki, type Ca } from "../pki/openssl";
import { curl, pemDer, startListener, startOrigin, type ClientCert } from "./gateway-fixtures";

const FW = "fw.example.com";
const BIG = "big.example.com";
const BY = "spiffe://portcullis.test/gateway";

let origin: Awaited<ReturnType<typeof startOrigin>>;
let gw: Gateway;
let cacert = "";
let p: Pki;
let int: Ca;
let leaf: Ca;
let self: Ca;
let revoked: Ca;
let bigLeaf: Ca;
let viaBigInt: Ca;

const x509 = (file: string, ...args: string[]) => execFileSync(OPENSSL, ["x509", "-in", file, "-noout", ...args], { encoding: "utf8" }).trim();
/** `key=value` output of `openssl x509` without its key. */
const value = (out: string) => out.slice(out.indexOf("=") + 1);
const hex = (out: string) => value(out).replace(/:/g, "");
const ski = (file: string) => x509(file, "-ext", "subjectKeyIdentifier").split("\n")[1].trim().replace(/:/g, "");
const cc = (c: Ca): ClientCert => ({ cert: c.cert, key: c.key });
const get = (host: string, o: Partial<Parameters<typeof curl>[0]> = {}) => curl({ host, port: gw.port, cacert, ...o });

/** A copy of every header a preset sets, in the client's own spelling, so the origin shows whether any got through. */
const SPOOFED = [
  "Client-Cert: :c3Bvb2ZlZA==:",
  "Client-Cert-Chain: :c3Bvb2ZlZA==:",
  "Cf-Cert-Presented: spoofed",
  "cf-cert-verified: SUCCESS-spoofed",
  "CF-CERT-SUBJECT-DN: CN=spoofed",
  "cf-cert-subject-dn-rfc2253: CN=spoofed",
  "cf-cert-fingerprint-sha256: spoofed",
  "cf-cert-revoked: spoofed",
  "cf_cert_subject_dn: CN=spoofed",
  "X-Forwarded-Client-Cert: By=spoofed;Hash=spoofed;Subject=\"CN=spoofed\"",
  "x_forwarded_client_cert: spoofed",
];
const spoofedIn = (h: IncomingHttpHeaders) => Object.entries(h).filter(([, v]) => /spoofed|c3Bvb2ZlZA/.test(String(v)));

async function lastSeen(host: string, o: Partial<Parameters<typeof curl>[0]>): Promise<IncomingHttpHeaders> {
  const before = origin.seen.length;
  const r = await get(host, { headers: SPOOFED, ...o });
  expect(r.status, r.body).toBe(200);
  expect(origin.seen.length).toBe(before + (o.paths?.length ?? 1));
  const h = origin.seen.at(-1)!.headers;
  expect(spoofedIn(h)).toEqual([]);
  return h;
}

async function ok<T>(p: Promise<{ ok: boolean; value?: T }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.value as T;
}

beforeAll(async () => {
  p = new Pki(mkdtempSync(path.join(os.tmpdir(), "portcullis-fwd-")));
  const root = p.root("root", { subj: "/C=US/O=Forwarding Tests/CN=Forwarding Root CA", alg: "ec" });
  const caExt = ["basicConstraints=critical,CA:true", "keyUsage=critical,keyCertSign,cRLSign", "subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid:always"];
  int = p.issue("int", root, { subj: "/C=US/O=Forwarding Tests/CN=Forwarding Intermediate CA", alg: "ec", ext: caExt });
  // Characters RFC 2253 escapes (", + \ < > ;), a leading #, a multi-valued RDN and non-ASCII text.
  leaf = p.issue("leaf", int, {
    subj: "/C=US/ST=Texas/O=Access Testing, Inc./OU=R&D \"Lab\" <1>;x/OU=#tag/CN=John Doe",
    alg: "ec",
    ext: [...CLIENT_EXT, "subjectAltName=URI:spiffe://example.org/device/42,DNS:device42.example.com,DNS:alt.example.com"],
  });
  revoked = p.issue("revoked", int, { subj: "/CN=John Doe", alg: "ec" });
  p.revoke(int, revoked.cert);
  const crl = readFileSync(p.crl(int, "int"), "utf8");
  self = p.root("self", { subj: "/CN=John Doe", alg: "ec" });
  // Certificates too large for RFC 9440's limits: an intermediate of ~13 KB (the chain over 16 KiB in base64), a
  // leaf of ~9 KB (over 10 KiB).
  const root2 = p.root("root2", { subj: "/CN=Big Root CA", alg: "ec" });
  const bigInt = p.issue("bigint", root2, { subj: "/CN=Big Intermediate CA", alg: "ec", ext: [...caExt, `nsComment=${"i".repeat(13_000)}`] });
  viaBigInt = p.issue("small", bigInt, { subj: "/CN=John Doe", alg: "ec" });
  bigLeaf = p.issue("bigleaf", bigInt, { subj: "/CN=John Doe", alg: "ec", ext: [...CLIENT_EXT, `nsComment=${"l".repeat(8_000)}`] });

  origin = await startOrigin();
  const chain = readFileSync(p.cat("chain.pem", [int.cert, root.cert]), "utf8");
  await ok(createCertificate(adminActor, { name: "Forwarding chain", certificate: chain, associated_hostnames: [FW], crl }));
  await ok(createCertificate(adminActor, { name: "Big chain", certificate: readFileSync(bigInt.cert, "utf8") + readFileSync(root2.cert, "utf8"), associated_hostnames: [BIG] }));
  const john = await ok<{ id: string }>(createPolicy(adminActor, { name: "John Doe devices", decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }] }));
  const everyone = await ok<{ id: string }>(createPolicy(adminActor, { name: "Everyone", decision: "allow", include: [{ everyone: {} }] }));
  await ok(createApplication(adminActor, { name: "FW", domain: FW, policies: [john.id], origin_url: origin.url }));
  await ok(createApplication(adminActor, { name: "FW open", domain: `${FW}/open`, policies: [everyone.id], origin_url: origin.url }));
  await ok(createApplication(adminActor, { name: "BIG", domain: BIG, policies: [john.id], origin_url: origin.url }));
  await ok(updateHostnameSettings(adminActor, { settings: [
    { hostname: FW, client_certificate_forwarding: false, china_network: false, forwarding_presets: ["xfcc", "tls_client_auth", "rfc9440"] },
    { hostname: BIG, client_certificate_forwarding: false, china_network: false, forwarding_presets: ["rfc9440"] },
  ] }));

  // The gateway's own certificate carries a URI SAN: Envoy's By.
  const dir = p.dir;
  execFileSync(OPENSSL, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "gw.key", "-out", "gw.pem", "-days", "2",
    "-subj", "/CN=gateway", "-addext", `subjectAltName=DNS:${FW},DNS:${BIG},URI:${BY}`], { cwd: dir, stdio: "ignore" });
  cacert = path.join(dir, "gw.pem");
  // The tester reads the gateway's certificate (Envoy's By) from the same variables as the gateway.
  process.env.GATEWAY_CERT = cacert;
  process.env.GATEWAY_KEY = path.join(dir, "gw.key");
  gw = await startListener({ cert: readFileSync(cacert, "utf8"), key: readFileSync(path.join(dir, "gw.key"), "utf8") });
});

afterAll(async () => {
  delete process.env.GATEWAY_CERT;
  delete process.env.GATEWAY_KEY;
  await gw?.close();
  // Rows still queued would be written after the database is closed (and dropped, on PostgreSQL).
  await flushAccessLog();
  await origin?.close();
});

describe("forwarding presets against openssl's view of the certificate", () => {
  it("TLS client auth headers: every field as `openssl x509` prints it", async () => {
    const h = await lastSeen(FW, { cert: cc(leaf) });
    const subject = value(x509(leaf.cert, "-subject", "-nameopt", "RFC2253"));
    const issuer = value(x509(leaf.cert, "-issuer", "-nameopt", "RFC2253"));
    expect(subject).toContain("\\,"); // the name really exercises the escaping
    expect(h).toMatchObject({
      "cf-cert-presented": "true",
      "cf-cert-verified": "SUCCESS",
      "cf-cert-revoked": "false",
      "cf-cert-subject-dn": subject,
      "cf-cert-subject-dn-rfc2253": subject,
      "cf-cert-issuer-dn": issuer,
      "cf-cert-issuer-dn-rfc2253": issuer,
      "cf-cert-subject-dn-legacy": value(x509(leaf.cert, "-subject", "-nameopt", "compat")),
      "cf-cert-issuer-dn-legacy": value(x509(leaf.cert, "-issuer", "-nameopt", "compat")),
      "cf-cert-serial": value(x509(leaf.cert, "-serial")),
      "cf-cert-issuer-serial": value(x509(int.cert, "-serial")),
      "cf-cert-fingerprint-sha256": hex(x509(leaf.cert, "-fingerprint", "-sha256")).toLowerCase(),
      "cf-cert-fingerprint-sha1": hex(x509(leaf.cert, "-fingerprint", "-sha1")).toLowerCase(),
      "cf-cert-not-before": value(x509(leaf.cert, "-startdate")),
      "cf-cert-not-after": value(x509(leaf.cert, "-enddate")),
      "cf-cert-ski": ski(leaf.cert),
      "cf-cert-issuer-ski": ski(int.cert),
    });
  });

  it("X-Forwarded-Client-Cert: By, Hash, Subject, URI and DNS of the verified certificate", async () => {
    const h = await lastSeen(FW, { cert: cc(leaf) });
    const subject = value(x509(leaf.cert, "-subject", "-nameopt", "RFC2253")).replace(/"/g, '\\"');
    const sha256 = hex(x509(leaf.cert, "-fingerprint", "-sha256")).toLowerCase();
    expect(h["x-forwarded-client-cert"]).toBe(`By=${BY};Hash=${sha256};Subject="${subject}";URI=spiffe://example.org/device/42;DNS=device42.example.com;DNS=alt.example.com`);
  });

  it("RFC 9440: Client-Cert and Client-Cert-Chain (TLS order, no root) on every request of a connection", async () => {
    const before = origin.seen.length;
    const r = await get(FW, { cert: cc(leaf), headers: SPOOFED, paths: ["/one", "/two"] });
    expect(r.status).toBe(200);
    const seen = origin.seen.slice(before);
    expect(seen.map((s) => s.url)).toEqual(["/one", "/two"]);
    for (const s of seen) {
      expect(s.headers["client-cert"]).toBe(`:${pemDer(readFileSync(leaf.cert, "utf8")).toString("base64")}:`);
      expect(s.headers["client-cert-chain"]).toBe(`:${pemDer(readFileSync(int.cert, "utf8")).toString("base64")}:`);
      expect(spoofedIn(s.headers)).toEqual([]);
      // Presets only: "Client certificate forwarding" is off for this hostname.
      expect(s.headers["cf-client-cert-der-base64"]).toBeUndefined();
    }
  });

  it("a certificate that did not validate: FAILED with OpenSSL's reason, no fields, no XFCC, no RFC 9440", async () => {
    for (const [c, revokedValue] of [[self, "false"], [revoked, "true"]] as const) {
      const h = await lastSeen(FW, { cert: cc(c), paths: ["/open"] });
      expect(h["cf-cert-presented"]).toBe("true");
      expect(h["cf-cert-verified"]).toBe(`FAILED:${opensslReason(c)}`);
      expect(h["cf-cert-revoked"]).toBe(revokedValue);
      for (const n of ["cf-cert-subject-dn", "cf-cert-issuer-dn-legacy", "cf-cert-serial", "cf-cert-fingerprint-sha256", "cf-cert-ski"]) expect(h[n]).toBe("");
      for (const n of ["x-forwarded-client-cert", "client-cert", "client-cert-chain"]) expect(h[n]).toBeUndefined();
    }
  });

  it("no certificate: presented false, verified NONE", async () => {
    const h = await lastSeen(FW, { paths: ["/open"] });
    expect(h).toMatchObject({ "cf-cert-presented": "false", "cf-cert-verified": "NONE", "cf-cert-revoked": "false", "cf-cert-subject-dn": "" });
    for (const n of ["x-forwarded-client-cert", "client-cert", "client-cert-chain"]) expect(h[n]).toBeUndefined();
  });

  it("leaves out Client-Cert-Chain over 16 KiB and Client-Cert over 10 KiB, and says so in the access log", async () => {
    const chainHeaders = await lastSeen(BIG, { cert: cc(viaBigInt), paths: ["/chain"] });
    expect(chainHeaders["client-cert"]).toBe(`:${pemDer(readFileSync(viaBigInt.cert, "utf8")).toString("base64")}:`);
    expect(chainHeaders["client-cert-chain"]).toBeUndefined();
    const leafHeaders = await lastSeen(BIG, { cert: cc(bigLeaf), paths: ["/leaf"] });
    expect(leafHeaders["client-cert"]).toBeUndefined();
    expect(leafHeaders["client-cert-chain"]).toBeUndefined();
    await flushAccessLog();
    const { items } = await listAccessLog({ hostname: BIG, decision: "allow" }, 50);
    const chainRow = items.find((i) => i.path === "/chain");
    const leafRow = items.find((i) => i.path === "/leaf");
    expect(chainRow?.reason).toMatch(/\[Client-Cert-Chain omitted: too large \([\d,]+ bytes, over 16 KiB\)\]$/);
    expect(leafRow?.reason).toMatch(/\[Client-Cert omitted: too large \([\d,]+ bytes, over 10 KiB\); Client-Cert-Chain omitted: too large/);
  });
});

describe("Test mTLS shows what the origin receives", () => {
  it.each([
    ["a verified certificate", () => leaf, "/"],
    ["a certificate that did not validate", () => self, "/open"],
  ])("%s: the result's origin headers are the ones the gateway sent", async (_what, c, target) => {
    const t = await testClientCertificate({ url: `https://${FW}:${gw.port}${target}`, certificate: readFileSync(c().cert, "utf8"), ip: "127.0.0.1" });
    expect(t.ok, JSON.stringify(t)).toBe(true);
    const shown = t.ok ? t.value.origin_headers : null;
    expect(shown).not.toBeNull();
    const seen = await lastSeen(FW, { cert: cc(c()), paths: [target] });
    const compared = shown!.filter((h) => h.name !== "cf-access-jwt-assertion");
    expect(compared.map((h) => h.name)).toEqual(expect.arrayContaining(["cf-cert-verified", "x-forwarded-for"]));
    for (const h of compared) expect([h.name, seen[h.name]]).toEqual([h.name, h.value]);
    // Every certificate header the origin got is listed (none is missing from the tester's view).
    const listed = new Set(shown!.map((h) => h.name));
    expect(Object.keys(seen).filter((n) => /^(cf-cert-|client-cert|x-forwarded-client-cert)/.test(n) && !listed.has(n))).toEqual([]);
  });
});

/** The reason `openssl verify` gives for the certificate against the forwarding chain and its CRL. */
function opensslReason(c: Ca): string {
  const r = spawnSync(OPENSSL, ["verify", "-crl_check", "-CRLfile", p.path("int.crl.pem"), "-CAfile", p.path("chain.pem"), c.cert], { encoding: "utf8" });
  const m = /error \d+ at \d+ depth lookup: (.+)/.exec(`${r.stdout}${r.stderr}`);
  if (!m) throw new Error(`openssl verify: ${r.stdout}${r.stderr}`);
  return m[1].trim();
}
