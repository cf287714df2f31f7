/**
 * Explain a logged gateway decision: load one access-log row, rebuild the request it recorded (URL from hostname and
 * normalised path, the client's chain from client_certificates_seen as PEM, leaf first, its IP) as the Test mTLS
 * prefill, with the email of a signed-in person or the service token the request presented when the gateway logged one), and decide that request again with today's configuration, so the console can show the logged decision next
 * to today's. Read-only: viewers may explain; nothing is stored or audited.
 */
import { eq, inArray } from "drizzle-orm";
import { getDb } from "../../db/client";
import { accessLog, clientCertificatesSeen } from "../../db/schema";
import type { AccessLogDto } from ".";
import { fail, ok, type Result } from "../core/result";
import { testClientCertificate } from "../test-mtls";

export interface ExplainPrefill {
  url: string;
  hostname: string;
  /** PEM: the leaf, then the other certificates the client presented; absent when it presented none. */
  certificate?: string;
  ip?: string;
  /** the signed-in person's email, when the gateway logged the request as "[signed in as EMAIL]" */
  email?: string;
  /** the Client ID of the service token the request presented, when the gateway logged one */
  serviceToken?: string;
}

/** The email the gateway appends to the reason of a signed-in person's request (lib/gateway/server.ts). */
export function signedInEmail(reason: string | null): string | undefined {
  return /\[signed in as ([^\s\]]+@[^\s\]]+)\]$/.exec(reason ?? "")?.[1];
}

/** The Client ID the gateway appends to the reason of a request that presented a service token (lib/gateway/server.ts). */
export function presentedServiceToken(reason: string | null): string | undefined {
  return /\[service token "(?:[^"\\]|\\.)*", ([0-9a-f]{32}\.access)\]$/.exec(reason ?? "")?.[1];
}

export interface DecisionSummary {
  decision: "allow" | "deny";
  policyName: string | null;
  applicationName: string | null;
  reason: string | null;
}

export interface ExplainView {
  entry: AccessLogDto;
  prefill: ExplainPrefill;
  logged: DecisionSummary & { at: string };
  /**
   * Today's decision for the same request, or why it cannot be made: no certificate was presented (the tester needs
   * one), or some of the certificates are no longer stored.
   */
  today: ({ ok: true } & DecisionSummary) | { ok: false; message: string };
}

/** DER → PEM, 64 characters a line (RFC 7468). */
export function derToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("base64");
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/.{64}/g, "$&\n").replace(/\n$/, "")}\n-----END CERTIFICATE-----\n`;
}

/** The URL a logged request was made to (path "/" for rows logged before paths were kept). */
export function requestUrl(hostname: string, path: string | null): string {
  return `https://${hostname}${path && path.startsWith("/") ? path : "/"}`;
}

/** `id` as it comes from a query string: a positive whole number. */
export async function explainAccessLogEntry(id: string | undefined): Promise<Result<ExplainView>> {
  const raw = (id ?? "").trim();
  if (!/^[1-9]\d{0,17}$/.test(raw)) return fail("validation", "That access-log entry ID is not valid: use the Explain button on the Access log page.");
  const db = await getDb();
  const [row] = await db.select().from(accessLog).where(eq(accessLog.id, Number(raw))).limit(1);
  if (!row) return fail("not_found", "That access-log entry no longer exists (log retention may have removed it).");
  const entry: AccessLogDto = {
    id: row.id,
    at: row.at.toISOString(),
    hostname: row.hostname,
    application_id: row.applicationId,
    application_name: row.applicationName,
    client_cn: row.clientCn,
    serial_number: row.serialNumber,
    decision: row.decision,
    policy_id: row.policyId,
    policy_name: row.policyName,
    reason: row.reason,
    ip: row.ip,
    path: row.path,
    chain_sha256: row.chainSha256 ?? [],
    requests: row.requests,
  };
  const hashes = entry.chain_sha256;
  const stored = hashes.length
    ? await db.select().from(clientCertificatesSeen).where(inArray(clientCertificatesSeen.sha256, [...new Set(hashes)]))
    : [];
  const bySha = new Map(stored.map((c) => [c.sha256, c.der]));
  const ders = hashes.map((h) => bySha.get(h)).filter((d): d is Buffer => !!d);
  const url = requestUrl(entry.hostname, entry.path);
  const email = signedInEmail(entry.reason);
  const serviceToken = presentedServiceToken(entry.reason);
  const prefill: ExplainPrefill = {
    url,
    hostname: entry.hostname,
    ...(ders.length ? { certificate: ders.map(derToPem).join("") } : {}),
    ...(entry.ip ? { ip: entry.ip } : {}),
    ...(email ? { email } : {}),
    ...(serviceToken ? { serviceToken } : {}),
  };
  const logged = { at: entry.at, decision: entry.decision, policyName: entry.policy_name, applicationName: entry.application_name, reason: entry.reason };
  let today: ExplainView["today"];
  if (!hashes.length && !email && !serviceToken) today = { ok: false, message: "The client presented no certificate, so there is nothing to test again." };
  else if (ders.length < hashes.length)
    today = { ok: false, message: "The certificates of this request are no longer stored, so it cannot be tested again." };
  else {
    // Without a certificate, a signed-in person's or a service token's request is tested as it was made: without one.
    const r = await testClientCertificate({ url, hostname: entry.hostname, ...(prefill.certificate ? { certificate: prefill.certificate } : {}), ...(entry.ip ? { ip: entry.ip } : {}), ...(email ? { email } : {}), ...(serviceToken ? { service_token_id: serviceToken } : {}) });
    today = r.ok
      ? { ok: true, decision: r.value.decision, policyName: r.value.policy?.name ?? null, applicationName: r.value.application?.name ?? null, reason: r.value.reason }
      : { ok: false, message: r.error.message };
  }
  return ok({ entry, prefill, logged, today });
}
