/**
 * The decision itself: lib/access `explainAccess` for the tested hostname's context, as the gateway decides the same
 * request (the OCSP answer from the same cache), then shaped by ./result.
 */
import { explainAccess, normalizeTarget, serviceTokenRequest } from "../../access";
import type { ValidationResult } from "../../pki";
import { resolveOcsp } from "../ocsp";
import { decidedResult, misdirectedResult, type TestedRequest } from "./result";
import type { EvaluateOptions, HostnameContext, TestMtlsResult } from "./types";

const derOf = (pem: string) => new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64"));

/** The validated leaf's OCSP answer, as the gateway gets it (lib/domain/ocsp: same cache). */
async function ocspOf(v: ValidationResult, at: Date) {
  const [leaf, issuer] = v.path;
  return leaf && issuer ? resolveOcsp(derOf(leaf.pem), derOf(issuer.pem), { at }) : null;
}

/**
 * Validates the client certificate (PEM/DER, optionally followed by its intermediates) and decides the request
 * through lib/access, as the gateway would for the same hostname, path and client IP.
 */
export async function evaluateClientCertificate(ctx: HostnameContext, certificate: string | Uint8Array | null, opts: EvaluateOptions = {}): Promise<TestMtlsResult> {
  const at = opts.at ?? new Date();
  const target = normalizeTarget(opts.path ?? "/", ctx.hostname);
  if (!target.ok) throw new Error(`The path was refused: ${target.error}`);
  const sni = opts.sni ? { sni: opts.sni.ctx?.snapshot ?? null } : {};
  const st = opts.serviceToken;
  const token = st ? serviceTokenRequest(st) : {};
  const { decision: d, validation } = await explainAccess({ host: ctx.snapshot, chain: certificate, at, key: target.key, path: target.path, ip: opts.ip, email: opts.email, ...token, ...sni, ocsp: (v) => ocspOf(v, at) });
  const base: TestedRequest = {
    hostname: ctx.hostname,
    url: opts.url ?? `https://${ctx.hostname}${target.target}`,
    path: target.path,
    at: at.toISOString(),
    ip: opts.ip ?? null,
    ...(opts.sni ? { sni: opts.sni.name } : {}),
    ...(st?.token ? { service_token: { id: st.token.id, name: st.token.name, client_id: st.token.clientId, valid: st.ok } } : {}),
    ...(opts.email ? { email: opts.email } : {}),
  };
  if (d.outcome === "misdirected") return misdirectedResult(base, d.reason, opts.sni?.name ?? "");
  return decidedResult(ctx, base, d, validation, opts, target.key);
}
