/**
 * The published CRL of a managed CA, for anyone (no sign-in): nginx, Caddy, OpenSSL or a device fetch it from the
 * CRL Distribution Point of the certificates it issued. Served by the web app (app/cdn-cgi/pki/crl) and by the
 * gateway on its port (lib/gateway/crl.ts), from the same two functions.
 */
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { mtlsCertificates } from "../../db/schema";
import { parseCrlFileName } from "./view";

/** What is stored: plain data, so the gateway primary can hand it to a worker over IPC. */
export interface StoredCrl {
  pem: string;
  /** Caches may keep it this long: at most a minute (a revocation re-signs it at once), never past nextUpdate. */
  maxAgeSeconds: number;
  lastModified: string;
}

export interface CrlResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** The current CRL of managed CA `id` (a UUID), or null when there is none. */
export async function storedCrl(db: DbOrTx, id: string, now = new Date()): Promise<StoredCrl | null> {
  const [row] = await db
    .select({ pem: mtlsCertificates.crlPem, crl: mtlsCertificates.crl, updatedAt: mtlsCertificates.updatedAt })
    .from(mtlsCertificates)
    .where(and(eq(mtlsCertificates.id, id), eq(mtlsCertificates.managed, true)));
  if (!row?.pem) return null;
  const info = (row.crl as { nextUpdate?: string | null; thisUpdate?: string } | null) ?? null;
  const untilNext = info?.nextUpdate ? Math.floor((new Date(info.nextUpdate).getTime() - now.getTime()) / 1000) : 0;
  return { pem: row.pem, maxAgeSeconds: Math.max(0, Math.min(60, untilNext)), lastModified: new Date(info?.thisUpdate ?? row.updatedAt).toUTCString() };
}

const NOT_FOUND: CrlResponse = { status: 404, headers: { "content-type": "text/plain; charset=utf-8" }, body: Buffer.from("No managed CA has this CRL.\n") };

/** The answer to GET `/cdn-cgi/pki/crl/<file>`: `<ca id>.crl` is DER (application/pkix-crl), `<ca id>.pem` is PEM. */
export async function crlResponse(file: string, load: (id: string) => Promise<StoredCrl | null>): Promise<CrlResponse> {
  const name = parseCrlFileName(file);
  const crl = name ? await load(name.id) : null;
  if (!name || !crl) return NOT_FOUND;
  const headers = { "cache-control": `public, max-age=${crl.maxAgeSeconds}`, "last-modified": crl.lastModified };
  if (name.format === "pem") return { status: 200, headers: { ...headers, "content-type": "application/x-pem-file" }, body: Buffer.from(crl.pem) };
  const der = Buffer.from(crl.pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
  return { status: 200, headers: { ...headers, "content-type": "application/pkix-crl" }, body: der };
}
