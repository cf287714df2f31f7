/**
 * The client connection as the gateway's request path sees it: read once per TLS socket by this process's listener
 * (behind the nginx engine, ./nginx-engine/peer reads it from nginx's headers per request), with the decision a
 * keep-alive connection may reuse.
 */
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import type { HostContext } from "./context";
import { peerInfo, type CertOutcome, type decideRequest, type PeerInfo } from "./decide";

const unmap = (ip: string) => (ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip);

export function hostOf(req: IncomingMessage, sni: string): string {
  const h = String(req.headers.host ?? "").trim().toLowerCase();
  const name = h.startsWith("[") ? h.slice(0, h.indexOf("]") + 1) : h.replace(/:\d+$/, "");
  return (name || sni).replace(/\.$/, "");
}

/** `hostOf` for a request of `conn`: a keep-alive connection's requests repeat their Host header, normalised once. */
export function connectionHost(conn: ClientConnection, req: IncomingMessage): string {
  const header = req.headers.host;
  if (header !== undefined && header === conn.hostHeader) return conn.host!;
  const host = hostOf(req, conn.peer.sni);
  if (header !== undefined) {
    conn.hostHeader = header;
    conn.host = host;
  }
  return host;
}

/** What the request path knows about the client connection: its chain, TLS server name and address. */
export interface ClientConnection {
  peer: PeerInfo;
  ip: string;
  /** nginx engine: nginx's auth_request asking for the decision only (./nginx-engine/fast-path) */
  auth?: boolean;
  /** nginx engine: nginx refused a Host other than the TLS server name while reading the headers (./nginx-engine/config) */
  misdirected?: boolean;
  /** the connection's last decision without credentials or a session (a keep-alive connection's next request reuses it) */
  decided?: Decided;
  /** the last Host header and its normalised hostname (`connectionHost`) */
  hostHeader?: string;
  host?: string;
}

/**
 * A decision and what it was made from. lib/access `decide` is a function of the hostname's context, the certificate
 * verdict (a new object whenever the certificate's standing changes), the path and the client address, so a request
 * with the same ones gets the same decision.
 */
export interface Decided {
  ctx: HostContext;
  verdict: CertOutcome["verdict"];
  key: string;
  path: string;
  ip: string;
  d: ReturnType<typeof decideRequest>;
}

/**
 * A connection with every field set from the start: the request path then sees one object shape on a connection's
 * first request and its later ones (fields added later give V8 a new hidden class each, and `handle` deoptimised on them).
 */
export function clientConnection(peer: PeerInfo, ip: string, auth = false, misdirected = false): ClientConnection {
  return { peer, ip, auth, misdirected, decided: undefined, hostHeader: undefined, host: undefined };
}

/** A TLS socket's connection, as a property of the socket (no weak-map entry per connection). */
const CONNECTION = Symbol("portcullis.connection");

/** The connection as this process's TLS listener sees it: read once per connection, its request counter per request. */
export function tlsConnection(req: IncomingMessage): ClientConnection {
  const socket = req.socket as TLSSocket & { [CONNECTION]?: ClientConnection };
  let conn = socket[CONNECTION];
  if (!conn) {
    conn = clientConnection(peerInfo(socket), unmap(socket.remoteAddress ?? ""));
    socket[CONNECTION] = conn;
  }
  conn.peer.requests++;
  return conn;
}
