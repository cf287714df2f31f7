/**
 * One gateway decision: validate the client certificate presented on the TLS connection against the hostname's
 * CAs (lib/pki, cached per certificate) and evaluate the application's policies (lib/policy fast path).
 *
 * Per request, the certificate check costs a memo lookup plus the validity/CRL-freshness comparisons at `at`:
 * the chain's memo key is the SHA-256 fingerprints Node computed for the connection (read once per connection by
 * `peerInfo`), and the outcome derived from a memoised validation is reused while every time check passes.
 */
import { createHash, X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";
import type { CertificateContext, Decision } from "../policy";
import type { ValidationCheck } from "../pki/validator";
import type { CompiledApp, HostContext } from "./context";

export interface PeerInfo {
  /** leaf first, then whatever else the handshake exposed (client intermediates, completed issuers) */
  chain: Buffer[];
  requests: number;
}

const peers = new WeakMap<TLSSocket, PeerInfo>();

/** What the validator is given for a chain: views of the DER (no copies) and the chain's memo key. */
interface ChainInput {
  key: string;
  leaf: Uint8Array;
  untrusted: Uint8Array[];
}
/** Inputs of the chains built by `peerInfo` (their Buffers come from the TLS stack and are never written to). */
const peerChains = new WeakMap<Buffer[], ChainInput>();

const view = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const chainInput = (chain: Buffer[], fingerprints: string[]): ChainInput => ({
  key: fingerprints.join(","),
  leaf: view(chain[0]),
  untrusted: chain.slice(1).map(view),
});
/** A chain from elsewhere: its key is computed from the bytes on every call (the caller may reuse its Buffers). */
const hashedInput = (chain: Buffer[]) => chainInput(chain, chain.map((b) => createHash("sha256").update(b).digest("base64")));

/** Longest peer chain read from a handshake (a loop guard; real client chains have 1–4 certificates). */
const MAX_PEER_CHAIN = 16;

/**
 * The certificates of the TLS connection (read once per connection) and its request counter. The leaf and the
 * intermediates the client sent come from `getPeerX509Certificate()` (the DER and SHA-256 fingerprint of each, about
 * a fifth of the cost of `getPeerCertificate(true)`, which builds a full object per certificate); a socket without it
 * (or a stand-in shaped like `getPeerCertificate(true)`) is read the old way. Same fingerprints, same memo key.
 */
export function peerInfo(socket: TLSSocket): PeerInfo {
  let info = peers.get(socket);
  if (!info) {
    const chain: Buffer[] = [];
    const seen: string[] = [];
    if (typeof socket.getPeerX509Certificate === "function") {
      let x = socket.getPeerX509Certificate();
      while (x && chain.length < MAX_PEER_CHAIN) {
        const fp = x.fingerprint256;
        if (seen.includes(fp)) break;
        seen.push(fp);
        chain.push(x.raw);
        x = x.issuerCertificate;
      }
    } else {
      const peer = typeof socket.getPeerCertificate === "function" ? socket.getPeerCertificate(true) : null;
      let c = peer && peer.raw ? peer : null;
      while (c && c.raw && c.fingerprint256 && !seen.includes(c.fingerprint256) && chain.length < MAX_PEER_CHAIN) {
        seen.push(c.fingerprint256);
        chain.push(c.raw);
        c = c.issuerCertificate && c.issuerCertificate !== c ? c.issuerCertificate : null;
      }
    }
    if (chain.length) peerChains.set(chain, chainInput(chain, seen));
    info = { chain, requests: 0 };
    peers.set(socket, info);
  }
  return info;
}

export interface CertOutcome {
  context: CertificateContext;
  serial: string | null;
  sha256: string | null;
  /** validated path without the leaf (for Client-Cert-Chain) */
  issuers: Buffer[];
}

const pemToDer = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64");

function cnOf(der: Buffer): { cn: string | null; serial: string | null } {
  try {
    const x = new X509Certificate(der);
    const cn = x.subject.split("\n").find((l) => l.startsWith("CN="));
    return { cn: cn ? cn.slice(3) : null, serial: x.serialNumber };
  } catch {
    return { cn: null, serial: null };
  }
}

export async function checkCertificate(ctx: HostContext, chain: Buffer[], at = new Date()): Promise<CertOutcome> {
  if (!chain.length) return { context: { presented: false, valid: false }, serial: null, sha256: null, issuers: [] };
  if (!ctx.validator) {
    const { cn, serial } = cnOf(chain[0]);
    return {
      context: { presented: true, valid: false, commonName: cn, reason: `${ctx.hostname} is not an associated hostname of any mTLS certificate` },
      serial,
      sha256: null,
      issuers: [],
    };
  }
  const input = peerChains.get(chain) ?? hashedInput(chain);
  const r = await ctx.validator.check(input.leaf, { untrusted: input.untrusted, at, cacheKey: input.key });
  const hit = outcomes.get(r.core);
  if (hit && hit.errors === r.errors) return hit.outcome;
  const outcome = outcomeOf(r);
  outcomes.set(r.core, { errors: r.errors, outcome });
  return outcome;
}

/**
 * The outcome derived from a check, by the identity of its memoised core and of its errors array (the same array on
 * every call while all time checks pass; a fresh one otherwise). Shared between requests, hence frozen.
 */
const outcomes = new WeakMap<ValidationCheck["core"], { errors: ValidationCheck["errors"]; outcome: CertOutcome }>();

function outcomeOf(r: ValidationCheck): CertOutcome {
  // A CA without a CRL is not checked for revocation (CRLs apply where the issuer published one).
  const errors = r.errors.filter((e) => e.code !== "unable_to_get_crl");
  const valid = errors.length === 0;
  const leaf = r.core.leaf;
  const context: CertificateContext = { presented: true, valid, commonName: leaf?.subjectCN ?? null, ...(valid ? {} : { reason: errors[0].message }) };
  const issuers = valid ? r.core.path.slice(1).map((s) => pemToDer(s.pem)) : [];
  Object.freeze(context);
  Object.freeze(issuers);
  return Object.freeze({ context, serial: leaf?.serialNumber ?? null, sha256: leaf?.sha256Fingerprint ?? null, issuers });
}

export function evaluate(ctx: HostContext, app: CompiledApp, cert: CertOutcome, ip: string, path: string): Decision {
  return app.evaluator.evaluate(
    { hostname: ctx.hostname, path, ip, certificate: cert.context, hostnameAssociated: ctx.associated },
    { trace: false },
  );
}

/** The log/403 reason: the policy sentence plus, for a refusal, what was wrong with the certificate. */
export function reasonOf(decision: Decision, cert: CertOutcome): string {
  if (decision.decision === "allow") return decision.reason;
  const c = cert.context;
  const why = !c.presented ? "no client certificate presented" : !c.valid ? `client certificate invalid: ${c.reason}` : null;
  return why ? `${decision.reason} (${why})` : decision.reason;
}
