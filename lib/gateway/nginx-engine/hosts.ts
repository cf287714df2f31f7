/**
 * What nginx needs to know per hostname (GATEWAY_ENGINE=nginx): which CAs to ask a client certificate of, and when
 * the earliest CRL goes out of date. One read of every certificate association (plus the application domains, so a
 * hostname with applications but no certificate still gets its own server block). Bundles are shared by content:
 * 1,000 hostnames across 50 CAs are 50 files.
 *
 * No CRLs go to nginx: revocation is decided by lib/pki on the request path for every request nginx passes on, and a
 * CRL in nginx's TLS context would only make OpenSSL check it in every handshake (re-verifying the CRL's signature over
 * the whole CRL) for a verdict the request path does not use: with a 60,000-entry CRL a plain nginx 1.22 made half
 * the handshakes.
 * Cached decisions (./decision-cache) never outlive a CRL: a new one is a configuration change, which empties the
 * cache, and so is the earliest nextUpdate passing.
 */
import { createHash } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { applications, certificateHostnames, mtlsCertificates } from "../../db/schema";
import { checkOriginUrl } from "../../domain/applications/schemas";
import { loadHostIndex } from "../context";
import { upstreamName } from "./fast-path";
import type { CrlSummary } from "../../domain/certificates/queries";

export interface NginxHost {
  /** a configured hostname (`*.example.com` for a wildcard application domain) */
  name: string;
  /** file name of the CA bundle (PEMs of the hostname's CAs), or null when none is associated */
  caFile: string | null;
}

export interface NginxHostFiles {
  hosts: NginxHost[];
  /** file name → content */
  files: Map<string, string>;
  /** the application origins nginx proxies to itself on the fast path: upstream name → host:port */
  origins: Map<string, string>;
  /** the earliest nextUpdate of the CRLs (ms), null without one: cached decisions are dropped then (./decision-cache) */
  nextUpdate: number | null;
}

/** Hostnames nginx can take as a server_name as they are (what the console stores; anything else gets no block of its own). */
const SERVER_NAME = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

const fileName = (prefix: string, content: string) => `${prefix}-${createHash("sha256").update(content).digest("hex").slice(0, 16)}.pem`;

export async function loadNginxHosts(): Promise<NginxHostFiles> {
  const db = await getDb();
  const [names, apps, rows] = await Promise.all([
    loadHostIndex(),
    db.select({ origin: applications.originUrl }).from(applications),
    db
      // The stored CRL's summary (written with every CRL) for its nextUpdate: the CRL itself is not nginx's.
      .select({ hostname: certificateHostnames.hostname, pem: mtlsCertificates.certificatePem, crl: mtlsCertificates.crl })
      .from(certificateHostnames)
      .innerJoin(mtlsCertificates, eq(certificateHostnames.certificateId, mtlsCertificates.id))
      .orderBy(asc(certificateHostnames.hostname), asc(mtlsCertificates.id)),
  ]);
  const byHost = new Map<string, string[]>();
  let nextUpdate: number | null = null;
  for (const r of rows) {
    const pems = byHost.get(r.hostname);
    if (pems) pems.push(r.pem.trim());
    else byHost.set(r.hostname, [r.pem.trim()]);
    const next = (r.crl as Pick<CrlSummary, "nextUpdate"> | null)?.nextUpdate;
    const t = next ? new Date(next).getTime() : null;
    if (t !== null && (nextUpdate === null || t < nextUpdate)) nextUpdate = t;
  }
  const files = new Map<string, string>();
  const hosts: NginxHost[] = [];
  for (const name of [...new Set(names.map((n) => n.trim().toLowerCase()))].sort()) {
    if (!SERVER_NAME.test(name)) continue;
    const pems = byHost.get(name);
    let caFile: string | null = null;
    if (pems) {
      const bundle = `${pems.join("\n")}\n`;
      caFile = fileName("ca", bundle);
      files.set(caFile, bundle);
    }
    hosts.push({ name, caFile });
  }
  const origins = new Map<string, string>();
  for (const a of apps) {
    const r = a.origin ? checkOriginUrl(a.origin) : null;
    const name = r?.ok ? upstreamName(r.url) : null;
    if (r?.ok && name) origins.set(name, r.url.host);
  }
  return { hosts, files, origins: new Map([...origins].sort()), nextUpdate };
}
