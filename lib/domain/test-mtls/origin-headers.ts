/**
 * The headers the gateway would set on the request it sends to the origin, for the Test mTLS result (page, API and
 * CLI): the address and host headers, the Access JWT, and the certificate headers of the hostname's forwarding
 * settings, computed by the gateway's own function (lib/gateway/forwarding) from the same validation, so what the
 * tester shows is what the origin receives on the first request of a connection. Headers the client sends itself
 * (User-Agent, Accept, cookies other than CF_Authorization…) are passed on as sent and not listed.
 */
import { readFileSync } from "node:fs";
import type { ForwardingPreset } from "../../access/forwarding-presets";
import { env } from "../../env.mjs";
import type { ValidationResult } from "../../pki";
import { forwardedCertificate } from "../../gateway/forwarding/headers";
import { serverUriOf } from "../../gateway/forwarding/fields";

export interface OriginHeader {
  name: string;
  value: string;
}

/** Shown instead of the token, which the gateway signs per request (its claims are in the result's `identity`). */
export const JWT_PLACEHOLDER = "(a JWT the gateway signs for the request: aud, iss, sub, common_name)";

export interface OriginHeadersInput {
  /** the Host header (hostname and port) */
  host: string;
  ip: string | null;
  /** allowed and not Bypass: the origin gets the JWT and the certificate headers */
  identified: boolean;
  /** the validation of the tested chain (null: no certificate was given) */
  validation: ValidationResult | null;
  /** the decision carries the certificate's identity (a chain that validated, not Bypass) */
  certificateIdentity: boolean;
  forwarding: { legacy: boolean; presets: readonly ForwardingPreset[] };
}

const der = (pem: string) => new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64"));

let byCache: { file: string; by: string | null } | undefined;
/** The URI SAN of the gateway's configured certificate (Envoy's By), read once per GATEWAY_CERT value. */
function gatewayBy(): string | null {
  const file = env().GATEWAY_CERT ?? "";
  if (byCache?.file !== file) {
    let by: string | null = null;
    try {
      if (file) by = serverUriOf(readFileSync(file, "utf8"));
    } catch {
      by = null;
    }
    byCache = { file, by };
  }
  return byCache.by;
}

/** The gateway-set headers of an allowed request (lower-case names, in the order the gateway sets them). */
export function originHeadersFor(o: OriginHeadersInput): OriginHeader[] {
  const out: OriginHeader[] = [];
  if (o.ip) out.push({ name: "cf-connecting-ip", value: o.ip }, { name: "x-forwarded-for", value: o.ip });
  out.push({ name: "x-forwarded-proto", value: "https" }, { name: "x-forwarded-host", value: o.host });
  if (!o.identified) return out;
  out.push({ name: "cf-access-jwt-assertion", value: JWT_PLACEHOLDER });
  const path = o.validation?.path ?? [];
  const presented = path.length > 0;
  const leaf = presented && o.certificateIdentity ? der(path[0].pem) : null;
  const failure = presented && !o.validation?.ok ? (o.validation?.errors[0]?.message ?? null) : null;
  const cert = forwardedCertificate(
    { presented, leaf, issuers: leaf ? path.slice(1).map((c) => der(c.pem)) : [], failure },
    { legacy: o.forwarding.legacy, presets: o.forwarding.presets, firstRequest: true, by: gatewayBy() },
  );
  for (const [name, value] of cert.headers) out.push({ name, value });
  return out;
}
