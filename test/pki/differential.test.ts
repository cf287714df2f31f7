/**
 * Differential test: `portcullis verify --purpose client` (the CLI, as a subprocess) against
 * `openssl verify -purpose sslclient [-crl_check_all]` on ≥40 openssl-generated cases.
 * They must agree on OK/fail, and OpenSSL's (first) error must be among ours.
 * OpenSSL runs with `-auth_level 0` so SHA-1 chains are judged on structure, as Cloudflare allows SHA-1.
 * Deliberate disagreements are asserted explicitly and documented in DISAGREEMENTS.md.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { VERIFY_ERRORS } from "../../lib/pki/verify-errors";
import { fixtureDir, fx } from "./fixtures";
import { OPENSSL } from "./openssl";
import { RFC_CASES, type RfcCase } from "./rfc-cases";
import { rfcCorpus, rx } from "./rfc-corpus";

const run = promisify(execFile);
const BIN = join(fileURLToPath(new URL("../..", import.meta.url)), "bin", "portcullis.mjs");
// Number → our code; the first code listed for a number wins (several of ours have no OpenSSL number of their own).
const BY_NUMBER = new Map<number, string>(Object.entries(VERIFY_ERRORS).reverse().map(([code, [n]]) => [n, code]));

interface Case {
  name: string;
  leaf: string;
  ca: string[];
  untrusted?: string[];
  crls?: string[];
  at?: string;
  purpose?: "client" | "any";
  ok: boolean;
  /** Expected OpenSSL error (our code) when failing. */
  error?: string;
  /** Known, documented disagreement: what we report instead. */
  disagree?: { ours: boolean; openssl: boolean };
}

const c = (name: string, leaf: string, ca: string[], ok: boolean, error?: string, extra: Partial<Case> = {}): Case => ({ name, leaf, ca, ok, error, ...extra });
const CHAIN = ["int.pem", "root.pem"];
const CRLS = ["int.crl.pem", "root.crl.pem"];

const CASES: Case[] = [
  c("good RSA chain", "leaf.pem", CHAIN, true),
  c("seed walkthrough (John Doe)", "seed/client.pem", ["seed/ca-chain.pem"], true),
  c("ECDSA chain (P-256 root, P-384 intermediate, SHA-384)", "ec-leaf.pem", ["ec-int.pem", "ec-root.pem"], true),
  c("EC leaf under RSA intermediate", "leaf-ec.pem", CHAIN, true),
  c("client issued directly by the root", "leaf-root.pem", ["root.pem"], true),
  c("three-level chain", "leaf-int2.pem", ["int2.pem", ...CHAIN], true),
  c("client-supplied intermediate", "leaf.pem", ["root.pem"], true, undefined, { untrusted: ["int.pem"] }),
  c("client-supplied EC intermediate", "ec-leaf.pem", ["ec-root.pem"], true, undefined, { untrusted: ["ec-int.pem"] }),
  c("unknown CA", "leaf.pem", ["ec-root.pem"], false, "unable_to_get_local_issuer_certificate"),
  c("only the intermediate is trusted", "leaf.pem", ["int.pem"], false, "unable_to_get_issuer_certificate"),
  c("expired leaf", "leaf-expired.pem", CHAIN, false, "certificate_has_expired"),
  c("not-yet-valid leaf", "leaf-future.pem", CHAIN, false, "certificate_not_yet_valid"),
  c("expired intermediate", "leaf-under-expired.pem", ["int-expired.pem", "root.pem"], false, "certificate_has_expired"),
  c("not-yet-valid intermediate", "leaf-under-future.pem", ["int-future.pem", "root.pem"], false, "certificate_not_yet_valid"),
  c("expired leaf checked in 2020, before its CA existed", "leaf-expired.pem", CHAIN, false, "certificate_not_yet_valid", { at: "2020-06-01T00:00:00Z" }),
  c("good chain checked tomorrow", "leaf.pem", CHAIN, true, undefined, { at: new Date(Date.now() + 86_400_000).toISOString() }),
  c("checked before the chain existed", "leaf.pem", CHAIN, false, "certificate_not_yet_valid", { at: "2001-01-01T00:00:00Z" }),
  c("good chain with CRLs", "leaf.pem", CHAIN, true, undefined, { crls: CRLS }),
  c("good EC chain with CRLs", "ec-leaf.pem", ["ec-int.pem", "ec-root.pem"], true, undefined, { crls: ["ec-int.crl.pem", "ec-root.crl.pem"] }),
  c("revoked leaf", "leaf-revoked.pem", CHAIN, false, "certificate_revoked", { crls: CRLS }),
  c("revoked leaf, intermediate sent by the client", "leaf-revoked.pem", ["root.pem"], false, "certificate_revoked", { crls: CRLS, untrusted: ["int.pem"] }),
  c("revoked intermediate", "leaf-under-revoked.pem", ["int-revoked.pem", "root.pem"], false, "certificate_revoked", { crls: ["int-revoked.crl.pem", "root.crl.pem"] }),
  c("stale CRL", "leaf.pem", CHAIN, false, "crl_has_expired", { crls: ["int-stale.crl.pem", "root.crl.pem"] }),
  c("CRL missing for the intermediate", "leaf.pem", CHAIN, false, "unable_to_get_crl", { crls: ["int.crl.pem"] }),
  c("CRL missing for the leaf", "leaf.pem", CHAIN, false, "unable_to_get_crl", { crls: ["root.crl.pem"] }),
  c("DER CRL", "leaf-revoked.pem", CHAIN, false, "certificate_revoked", { crls: ["int.crl.der", "root.crl.pem"] }),
  c("forged leaf signature (same issuer name, no AKI)", "leaf-forged.pem", CHAIN, false, "certificate_signature_failure"),
  c("intermediate with CA:FALSE", "leaf-ca-false.pem", ["int-ca-false.pem", "root.pem"], false, "invalid_ca"),
  c("intermediate without basicConstraints", "leaf-no-bc.pem", ["int-no-bc.pem", "root.pem"], false, "invalid_ca"),
  c("path length exceeded", "leaf-pl.pem", ["int-pl.pem", "root-pl0.pem"], false, "path_length_exceeded"),
  c("intermediate KU without keyCertSign", "leaf-no-certsign.pem", ["int-no-certsign.pem", "root.pem"], false, "invalid_ca"),
  c("leaf EKU serverAuth only", "leaf-server-eku.pem", CHAIN, false, "invalid_purpose"),
  c("TLS server certificate", "server.pem", CHAIN, false, "invalid_purpose"),
  c("leaf without EKU", "leaf-no-eku.pem", CHAIN, true),
  c("leaf KU without digitalSignature", "leaf-ku-encipher.pem", CHAIN, false, "invalid_purpose"),
  c("CA with EKU serverAuth only", "leaf-server-eku-ca.pem", ["int-server-eku.pem", "root.pem"], false, "invalid_purpose"),
  c("CA certificate presented as a client certificate", "alg-rsa-sha256.pem", ["root.pem"], false, "invalid_purpose"),
  c("CA certificate with --purpose any", "alg-ec-sha1.pem", ["ec-root.pem"], true, undefined, { purpose: "any" }),
  c("name constraints satisfied", "leaf-nc-ok.pem", ["int-nc.pem", "root.pem"], true),
  c("name constraints: permitted subtree violation", "leaf-nc-permitted.pem", ["int-nc.pem", "root.pem"], false, "permitted_violation"),
  c("name constraints: excluded subtree violation", "leaf-nc-excluded.pem", ["int-nc.pem", "root.pem"], false, "excluded_violation"),
  c("directoryName constraint satisfied", "leaf-nc-dir-ok.pem", ["int-nc-dir.pem", "root.pem"], true),
  c("directoryName constraint violated", "leaf-nc-dir-bad.pem", ["int-nc-dir.pem", "root.pem"], false, "permitted_violation"),
  c("unknown critical extension", "leaf-critical-ext.pem", CHAIN, false, "unhandled_critical_extension"),
  c("SHA-1 signed leaf", "leaf-sha1.pem", CHAIN, true),
  c("untrusted self-signed certificate", "html-root.pem", ["root.pem"], false, "self_signed_certificate", { purpose: "any" }),
  c("trusted root verified as itself", "root.pem", ["root.pem"], true, undefined, { purpose: "any" }),
  c("anyExtendedKeyUsage leaf", "leaf-any-eku.pem", CHAIN, true, undefined, { disagree: { ours: true, openssl: false } }),
];

async function portcullis(k: Case) {
  const args = [BIN, "verify", "--json", "--purpose", k.purpose ?? "client", ...k.ca.flatMap((f) => ["--ca", fx(f)])];
  for (const u of k.untrusted ?? []) args.push("--untrusted", fx(u));
  for (const r of k.crls ?? []) args.push("--crl", fx(r));
  if (k.at) args.push("--at", k.at);
  args.push(fx(k.leaf));
  const out = await run(process.execPath, args).then((r) => ({ code: 0, stdout: r.stdout }), (e) => ({ code: e.code as number, stdout: e.stdout as string }));
  const json = JSON.parse(out.stdout) as { ok: boolean; errors: { code: string; depth: number }[] };
  expect(out.code).toBe(json.ok ? 0 : 2);
  return json;
}

async function openssl(k: Case) {
  const args = ["verify", "-auth_level", "0", "-purpose", k.purpose === "any" ? "any" : "sslclient", "-CAfile", fx(`.ca-${k.ca.join("+").replace(/\//g, "_")}`)];
  for (const u of k.untrusted ?? []) args.push("-untrusted", fx(u));
  if (k.crls?.length) {
    args.push("-crl_check_all");
    for (const r of k.crls) args.push("-CRLfile", fx(r));
  }
  if (k.at) args.push("-attime", String(Math.floor(new Date(k.at).getTime() / 1000)));
  args.push(fx(k.leaf));
  const out = await run(OPENSSL, args).then((r) => r.stdout, (e) => `${e.stdout}${e.stderr}`);
  const m = out.match(/error (\d+) at (\d+) depth lookup/);
  return { ok: /: OK\s*$/.test(out), code: m ? BY_NUMBER.get(Number(m[1])) ?? `openssl:${m[1]}` : null, depth: m ? Number(m[2]) : null, out };
}

beforeAll(async () => {
  const { readFileSync, writeFileSync, existsSync } = await import("node:fs");
  fixtureDir();
  for (const k of CASES) {
    const f = fx(`.ca-${k.ca.join("+").replace(/\//g, "_")}`);
    if (!existsSync(f)) writeFileSync(f, k.ca.map((x) => readFileSync(fx(x), "utf8")).join(""));
  }
});

describe("differential: portcullis verify vs openssl verify", () => {
  it("has at least 40 cases", () => expect(CASES.length).toBeGreaterThanOrEqual(40));

  it.each(CASES.map((k) => [k.name, k] as const))("%s", async (_, k) => {
    const [ours, theirs] = await Promise.all([portcullis(k), openssl(k)]);
    if (k.disagree) {
      expect(ours.ok).toBe(k.disagree.ours);
      expect(theirs.ok).toBe(k.disagree.openssl);
      return;
    }
    expect({ ok: theirs.ok, code: theirs.code }, theirs.out).toEqual({ ok: k.ok, code: k.error ?? null });
    expect(ours.ok).toBe(theirs.ok);
    if (!theirs.ok) {
      expect(ours.errors.map((e) => e.code)).toContain(theirs.code);
      expect(ours.errors.find((e) => e.code === theirs.code)!.depth).toBe(theirs.depth);
    }
  });
});

/** `portcullis verify` on an RFC corpus case: "OK" or its error codes as "code@depth". */
async function portcullisRfc(k: RfcCase): Promise<{ ok: boolean; errors: string[]; ms: number }> {
  const args = [BIN, "verify", "--json", ...k.ca.flatMap((f) => ["--ca", rx(`${f}.pem`)])];
  for (const u of k.untrusted ?? []) args.push("--untrusted", rx(`${u}.pem`));
  for (const r of k.crls ?? []) args.push("--crl", rx(`${r}.crl.pem`));
  if (k.strict) args.push("--strict");
  args.push(rx(`${k.leaf}.pem`));
  const started = performance.now();
  const out = await run(process.execPath, args, { maxBuffer: 64 << 20 }).then((r) => r.stdout, (e) => e.stdout as string);
  const json = JSON.parse(out) as { ok: boolean; errors: { code: string; depth: number }[] };
  return { ok: json.ok, errors: json.errors.map((e) => `${e.code}@${e.depth}`), ms: performance.now() - started };
}

/** `openssl verify -crl_check_all [-extended_crl] [-x509_strict]`: "OK" or its first error as "code@depth". */
async function opensslRfc(k: RfcCase, extended: boolean): Promise<string> {
  const caFile = rx(`.ca-${k.ca.join("+")}`);
  const args = ["verify", "-auth_level", "0", "-purpose", "sslclient", "-CAfile", caFile];
  for (const u of k.untrusted ?? []) args.push("-untrusted", rx(`${u}.pem`));
  if (k.crls?.length) args.push("-crl_check_all", ...k.crls.flatMap((r) => ["-CRLfile", rx(`${r}.crl.pem`)]));
  if (extended) args.push("-extended_crl");
  if (k.strict) args.push("-x509_strict");
  args.push(rx(`${k.leaf}.pem`));
  const out = await run(OPENSSL, args).then((r) => r.stdout, (e) => `${e.stdout}${e.stderr}`);
  const m = out.match(/error (\d+) at (\d+) depth lookup/);
  if (m) return `${BY_NUMBER.get(Number(m[1])) ?? `openssl:${m[1]}`}@${m[2]}`;
  return /: OK\s*$/.test(out) ? "OK" : `unparsed: ${out}`;
}

describe("differential: RFC 5280 corpus vs openssl verify, with and without -extended_crl", () => {
  beforeAll(async () => {
    const { readFileSync, writeFileSync } = await import("node:fs");
    rfcCorpus();
    for (const k of RFC_CASES) writeFileSync(rx(`.ca-${k.ca.join("+")}`), k.ca.map((f) => readFileSync(rx(`${f}.pem`), "utf8")).join(""));
  });

  it("covers every category of issue #17 §1", () => {
    const names = RFC_CASES.map((k) => k.name).join("\n");
    for (const word of ["rollover", "self-issued", "separate CRL key", "serial", "distribution point", "onlyContainsUserCerts", "onlyContainsCACerts", "onlySomeReasons", "indirect", "delta", "name constraints", "duplicate", "empty Extended Key Usage", "keyCertSign", "Authority Key Identifier", "otherName", "unknown critical CRL extension"])
      expect(names).toContain(word);
  });

  it.each(RFC_CASES.map((k) => [k.name, k] as const))("%s", async (_, k) => {
    const [ours, plain, extended] = await Promise.all([portcullisRfc(k), opensslRfc(k, false), k.crls?.length ? opensslRfc(k, true) : null]);
    expect(plain, "openssl verify").toBe(k.openssl);
    if (extended !== null) expect(extended, "openssl verify -extended_crl").toBe(k.extended ?? k.openssl);
    if (k.ours === "OK") expect(ours.errors).toEqual([]);
    else expect(ours.errors).toContain(k.ours);
    expect(ours.ok).toBe(k.ours === "OK");
    // The same answer as OpenSSL's (code and depth) whenever we agree on the verdict and OpenSSL names a problem.
    if (plain !== "OK" && k.ours !== "OK" && plain === k.ours) expect(ours.errors).toContain(plain);
  });
});
