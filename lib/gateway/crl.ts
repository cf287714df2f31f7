/**
 * The managed CA's CRL on the gateway's port (`/cdn-cgi/pki/crl/<ca id>.crl` or `.pem`, for any hostname, no client
 * certificate needed), so devices and verifiers that only reach the gateway can fetch it. The primary reads it from
 * the database; a worker asks the primary over IPC (`need-crl`).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { getDb } from "../db/client";
import { crlResponse, storedCrl, type StoredCrl } from "../domain/managed-ca/publish";
import { CRL_PATH } from "../domain/managed-ca/view";

export type CrlSource = (id: string) => Promise<StoredCrl | null>;

export const databaseCrlSource: CrlSource = async (id) => storedCrl(await getDb(), id);

const PREFIX = `${CRL_PATH}/`;

/** True (and answered) when the request is for a published CRL. */
export async function serveCrl(req: IncomingMessage, res: ServerResponse, url: string, source: CrlSource): Promise<boolean> {
  if (!url.startsWith(PREFIX)) return false;
  const file = url.slice(PREFIX.length).split("?")[0];
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
    res.end("Only GET and HEAD are allowed here.\n");
    return true;
  }
  const r = await crlResponse(file, source).catch(() => ({ status: 503, headers: { "content-type": "text/plain; charset=utf-8" }, body: Buffer.from("The CRL cannot be read right now; try again.\n") }));
  res.writeHead(r.status, { ...r.headers, "content-length": r.body.length });
  res.end(req.method === "HEAD" ? undefined : r.body);
  return true;
}
