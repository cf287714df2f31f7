/**
 * The client connection as nginx describes it to the request path (GATEWAY_ENGINE=nginx). nginx terminated TLS and
 * sets these headers on every request it passes over the unix socket; proxy_set_header replaces any copy a client
 * sent, and only nginx can reach the socket (its directory is Portcullis's own, mode 0700). They are removed before
 * the request goes anywhere else.
 *
 * nginx exposes the client's leaf certificate only ($ssl_client_escaped_cert), not intermediates the client sent:
 * lib/access validates the leaf against the hostname's uploaded CAs (upload intermediate CAs with their root).
 */
import type { IncomingMessage } from "node:http";
import { clientConnection, type ClientConnection } from "../connection";
import type { PeerInfo } from "../decide";

export const CERT_HEADER = "x-portcullis-client-cert";
export const SNI_HEADER = "x-portcullis-sni";
export const IP_HEADER = "x-portcullis-client-ip";
export const REQUESTS_HEADER = "x-portcullis-requests";
/** set on nginx's auth_request subrequest: decide only (lib/gateway/nginx-engine/fast-path.ts) */
export const AUTH_HEADER = "x-portcullis-auth";
/** set on a request nginx refused with its own 421 (SNI ≠ Host): answer the 421 page only (./config) */
export const MISDIRECTED_HEADER = "x-portcullis-misdirected";

/** The DER of a URL-encoded PEM ($ssl_client_escaped_cert), cached: a client sends the same leaf on every request. */
const leaves = new Map<string, Buffer[]>();
const MAX_LEAVES = 10_000;

export function chainOf(escaped: string): Buffer[] {
  let chain = leaves.get(escaped);
  if (!chain) {
    const pem = decodeURIComponent(escaped);
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
    chain = der.length ? [der] : [];
    if (leaves.size >= MAX_LEAVES) leaves.delete(leaves.keys().next().value as string);
    leaves.set(escaped, chain);
  }
  return chain;
}

const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? "") : (v ?? ""));

/** The peer and client address of a request nginx passed on; the describing headers are taken off the request. */
export function nginxConnection(req: IncomingMessage): ClientConnection {
  const h = req.headers;
  const escaped = one(h[CERT_HEADER]);
  let chain: Buffer[] = [];
  try {
    chain = escaped ? chainOf(escaped) : [];
  } catch {
    chain = [];
  }
  const peer: PeerInfo = {
    chain,
    requests: Number(one(h[REQUESTS_HEADER])) || 1,
    sni: one(h[SNI_HEADER]).trim().toLowerCase().replace(/\.$/, ""),
  };
  const ip = one(h[IP_HEADER]);
  const auth = h[AUTH_HEADER] === "1";
  const misdirected = h[MISDIRECTED_HEADER] === "1";
  delete h[AUTH_HEADER];
  delete h[MISDIRECTED_HEADER];
  delete h[CERT_HEADER];
  delete h[SNI_HEADER];
  delete h[IP_HEADER];
  delete h[REQUESTS_HEADER];
  return clientConnection(peer, ip, auth, misdirected);
}
