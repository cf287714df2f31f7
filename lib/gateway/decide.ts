/**
 * One gateway decision: validate the client certificate presented on the TLS connection against the hostname's
 * CAs (lib/pki, cached per certificate) and evaluate the application's policies (lib/policy fast path).
 */
import { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";
import type { CertificateContext, Decision } from "../policy";
import type { CompiledApp, HostContext } from "./context";

export interface PeerInfo {
  /** leaf first, then whatever else the handshake exposed (client intermediates, completed issuers) */
  chain: Buffer[];
  requests: number;
}

const peers = new WeakMap<TLSSocket, PeerInfo>();

/** The certificates of the TLS connection (read once per connection) and its request counter. */
export function peerInfo(socket: TLSSocket): PeerInfo {
  let info = peers.get(socket);
  if (!info) {
    const chain: Buffer[] = [];
    const peer = typeof socket.getPeerCertificate === "function" ? socket.getPeerCertificate(true) : null;
    let c = peer && peer.raw ? peer : null;
    const seen = new Set<string>();
    while (c && c.raw && !seen.has(c.fingerprint256)) {
      seen.add(c.fingerprint256);
      chain.push(c.raw);
      c = c.issuerCertificate && c.issuerCertificate !== c ? c.issuerCertificate : null;
    }
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
  const r = await ctx.validator.validate(new Uint8Array(chain[0]), { untrusted: chain.slice(1).map((b) => new Uint8Array(b)), at });
  // A CA without a CRL is not checked for revocation (CRLs apply where the issuer published one).
  const errors = r.errors.filter((e) => e.code !== "unable_to_get_crl");
  const valid = errors.length === 0;
  return {
    context: { presented: true, valid, commonName: r.leaf?.subjectCN ?? null, ...(valid ? {} : { reason: errors[0].message }) },
    serial: r.leaf?.serialNumber ?? null,
    sha256: r.leaf?.sha256Fingerprint ?? null,
    issuers: valid ? r.path.slice(1).map((s) => pemToDer(s.pem)) : [],
  };
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
