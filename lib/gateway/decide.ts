/**
 * The gateway's side of the one decision (lib/access): read the client chain of the TLS connection once, have
 * lib/access validate it against the TLS server name's trust store (cached per chain) and decide the request.
 *
 * Per request, the certificate check costs a memo lookup plus the validity/CRL-freshness comparisons at `at`:
 * the chain's memo key is the SHA-256 fingerprints Node computed for the connection (read once per connection by
 * `peerInfo`), and the outcome derived from a memoised validation is reused while every time check passes.
 */
import { createHash, X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";
import { applyOcsp, decide, reasonOf as accessReason, unassociatedVerdict, verdictOfCheck, type AccessDecision, type AccessRequest, type CertVerdict, type OcspAnswer } from "../access";
import { resolveOcsp } from "../domain/ocsp";
import { NO_CERTIFICATE } from "../access/certificate";
import type { CertificateContext, Decision } from "../policy";
import type { ValidationCheck } from "../pki/validator";
import type { CompiledApp, HostContext } from "./context";

export interface PeerInfo {
  /** leaf first, then whatever else the handshake exposed (client intermediates, completed issuers) */
  chain: Buffer[];
  requests: number;
  /** the TLS server name (SNI), normalised like a Host; "" when the client sent none */
  sni: string;
}

/** A socket's PeerInfo, as a property of the socket (every TLS socket gets it at the same point, so one shape). */
const PEER = Symbol("portcullis.peer");
type WithPeer = TLSSocket & { [PEER]?: PeerInfo };

/** What the validator is given for a chain: views of the DER (no copies) and the chain's memo key. */
interface ChainInput {
  key: string;
  leaf: Uint8Array;
  untrusted: Uint8Array[];
  /** the fingerprints as lowercase hex (the access log's chain_sha256), when first asked for */
  hex?: string[];
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

/**
 * The SHA-256 (lowercase hex, leaf first) of a chain `peerInfo` read from a TLS connection, from the fingerprints Node
 * computed for it (no hashing; once per connection); undefined for any other chain.
 */
export function chainSha256(chain: readonly Uint8Array[]): readonly string[] | undefined {
  const input = peerChains.get(chain as Buffer[]);
  if (!input) return undefined;
  return (input.hex ??= input.key.replace(/:/g, "").toLowerCase().split(","));
}

/** Longest peer chain read from a handshake (a loop guard; real client chains have 1–4 certificates). */
const MAX_PEER_CHAIN = 16;

/**
 * The chains read from handshakes, by their memo key: a client presents the same chain on every connection, so its
 * connections share one chain array (read-only) and what is keyed by it (the validation input here, the access log's
 * chain literal, the forwarding fields of its leaf) instead of copying the DER and adding weak-map entries per
 * connection. Bounded; the oldest chain goes first.
 */
const knownChains = new Map<string, Buffer[]>();
const MAX_KNOWN_CHAINS = 10_000;

function sharedChain(fingerprints: string[], raw: () => Buffer[]): Buffer[] {
  const key = fingerprints.join(",");
  let chain = knownChains.get(key);
  if (!chain) {
    chain = Object.freeze(raw()) as Buffer[];
    peerChains.set(chain, chainInput(chain, fingerprints));
    if (knownChains.size >= MAX_KNOWN_CHAINS) knownChains.delete(knownChains.keys().next().value as string);
    knownChains.set(key, chain);
  }
  return chain;
}

/**
 * The certificates of the TLS connection (read once per connection) and its request counter. The leaf and the
 * intermediates the client sent come from `getPeerX509Certificate()` (the SHA-256 fingerprint of each, and the DER
 * of a chain not seen before; about a fifth of the cost of `getPeerCertificate(true)`, which builds a full object per
 * certificate); a socket without it (or a stand-in shaped like `getPeerCertificate(true)`) is read the old way. Same
 * fingerprints, same memo key, same shared chain.
 */
export function peerInfo(socket: TLSSocket): PeerInfo {
  const s = socket as WithPeer;
  let info = s[PEER];
  if (!info) {
    let chain: Buffer[] = [];
    const seen: string[] = [];
    if (typeof socket.getPeerX509Certificate === "function") {
      const certs: X509Certificate[] = [];
      let x = socket.getPeerX509Certificate();
      while (x && certs.length < MAX_PEER_CHAIN) {
        const fp = x.fingerprint256;
        if (seen.includes(fp)) break;
        seen.push(fp);
        certs.push(x);
        x = x.issuerCertificate;
      }
      if (certs.length) chain = sharedChain(seen, () => certs.map((c) => c.raw));
    } else {
      const peer = typeof socket.getPeerCertificate === "function" ? socket.getPeerCertificate(true) : null;
      const raws: Buffer[] = [];
      let c = peer && peer.raw ? peer : null;
      while (c && c.raw && c.fingerprint256 && !seen.includes(c.fingerprint256) && raws.length < MAX_PEER_CHAIN) {
        seen.push(c.fingerprint256);
        raws.push(c.raw);
        c = c.issuerCertificate && c.issuerCertificate !== c ? c.issuerCertificate : null;
      }
      if (raws.length) chain = sharedChain(seen, () => raws);
    }
    const sn = (socket as { servername?: unknown }).servername;
    info = { chain, requests: 0, sni: typeof sn === "string" ? sn.trim().toLowerCase().replace(/\.$/, "") : "" };
    s[PEER] = info;
  }
  return info;
}

export interface CertOutcome {
  /** what the policies see (presented, valid, commonName, reason) */
  context: CertificateContext;
  /** the lib/access verdict this outcome is of */
  verdict: CertVerdict;
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

/**
 * The gateway's view of a lib/access verdict (DER issuers for the forwarding headers), built once per verdict:
 * verdicts of the cached path are shared, so this is one WeakMap lookup per request. Frozen, hence shareable.
 */
const outcomes = new WeakMap<CertVerdict, CertOutcome>();

function outcomeOf(verdict: CertVerdict): CertOutcome {
  const hit = outcomes.get(verdict);
  if (hit) return hit;
  const context: CertificateContext = { presented: verdict.presented, valid: verdict.valid, commonName: verdict.commonName, ...(verdict.reason !== undefined && !verdict.valid ? { reason: verdict.reason } : {}) };
  if (!verdict.presented) delete context.commonName;
  const outcome: CertOutcome = Object.freeze({
    context: Object.freeze(context),
    verdict,
    serial: verdict.serial,
    sha256: verdict.sha256,
    issuers: Object.freeze(verdict.issuersPem.map(pemToDer)) as Buffer[],
  });
  if (Object.isFrozen(verdict)) outcomes.set(verdict, outcome);
  return outcome;
}

/**
 * The chain of the connection validated for `ctx` (the TLS server name's hostname) at `at`, through lib/access. The
 * outcome itself, without a promise, when nothing has to be waited for (the chain's validation is memoised and the
 * hostname asks no OCSP): a keep-alive connection's requests; a promise otherwise.
 */
export function checkCertificate(ctx: HostContext, chain: Buffer[], at = new Date()): CertOutcome | Promise<CertOutcome> {
  if (!chain.length) return outcomeOf(NO_CERTIFICATE);
  const validator = ctx.validator;
  if (!validator) {
    const { cn, serial } = cnOf(chain[0]);
    return outcomeOf(unassociatedVerdict(ctx.hostname, cn, serial));
  }
  const input = peerChains.get(chain) ?? hashedInput(chain);
  const opts = { untrusted: input.untrusted, at, cacheKey: input.key };
  const ocsp = ctx.revocation?.ocsp;
  const now = ocsp ? undefined : validator.checkNow(input.leaf, opts);
  if (now) return outcomeOfCheck(ctx, now);
  return validator.check(input.leaf, opts).then((r) => {
    const outcome = outcomeOfCheck(ctx, r);
    return ocsp ? withOcsp(outcome, chain[0], at, ctx.revocation?.staleMode ?? "block") : outcome;
  });
}

/** The outcome of a validator check, one lookup on the cached path: by the memoised core and its errors array (the
 * same array while every time check passes), as lib/access memoises its verdicts. */
function outcomeOfCheck(ctx: HostContext, r: ValidationCheck): CertOutcome {
  const hit = byCore.get(r.core);
  const mode = ctx.revocation?.staleMode ?? "block";
  if (hit && hit.errors === r.errors && hit.mode === mode) return hit.outcome;
  const outcome = outcomeOf(verdictOfCheck(r, mode));
  byCore.set(r.core, { errors: r.errors, outcome, mode });
  return outcome;
}

const byCore = new WeakMap<ValidationCheck["core"], { errors: ValidationCheck["errors"]; outcome: CertOutcome; mode: string }>();

/** Per verdict, the outcome after each OCSP answer object (answers are cached objects: one lookup per request). */
const afterOcsp = new WeakMap<CertOutcome, WeakMap<OcspAnswer, CertOutcome>>();

/**
 * A hostname that asks OCSP: a valid chain's leaf is asked about (lib/domain/ocsp: cached until nextUpdate, at most
 * an hour), and lib/access decides what the answer does (revoked refuses; unknown or none follows the hostname's
 * block / allow choice). A leaf without an OCSP responder in its AIA is not asked.
 */
async function withOcsp(outcome: CertOutcome, leaf: Buffer, at: Date, mode: "block" | "allow"): Promise<CertOutcome> {
  if (!outcome.verdict.valid || !outcome.issuers.length) return outcome;
  const answer = await resolveOcsp(leaf, outcome.issuers[0], { at });
  if (!answer) return outcome;
  let byAnswer = afterOcsp.get(outcome);
  if (!byAnswer) afterOcsp.set(outcome, (byAnswer = new WeakMap()));
  let out = byAnswer.get(answer);
  if (!out) byAnswer.set(answer, (out = outcomeOf(Object.freeze(applyOcsp(outcome.verdict, answer, mode)))));
  return out;
}


/** One request decided by lib/access (fast path: no trace). */
export function decideRequest(ctx: HostContext, cert: CertOutcome, req: AccessRequest): AccessDecision<CompiledApp> {
  return decide(ctx, req, cert.verdict);
}

/** The policy decision alone for an application (the policy bench's per-request step). */
export function evaluate(ctx: HostContext, app: CompiledApp, cert: CertOutcome, ip: string, path: string): Decision {
  return app.evaluator.evaluate({ hostname: ctx.hostname, path, ip, certificate: cert.verdict, hostnameAssociated: ctx.associated }, { trace: false });
}

/** The log/403 reason: the policy sentence plus, for a refusal, what was wrong with the certificate (lib/access). */
export function reasonOf(decision: Decision, cert: CertOutcome): string {
  return accessReason(decision, cert.verdict);
}
