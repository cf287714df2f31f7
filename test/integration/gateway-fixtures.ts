/**
 * Shared by the gateway and nginx-parity tests: a recording HTTP origin, the seed's configuration through
 * lib/domain, and the gateway's listener in this process. Re-exported from here, so one import serves a test: the
 * test PKI generated with the openssl CLI (./gateway-fixtures-pki: the seed's chain and client certificate plus
 * revoked / expired / wrong-CA / wrong-CN / SHA-1 cases), the clients that send requests (./gateway-fixtures-clients:
 * Node HTTPS, raw TLS and the `curl` CLI) and the poll helpers (./gateway-fixtures-poll).
 */
import http, { type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { createApplication } from "../../lib/domain/applications";
import { createCertificate } from "../../lib/domain/certificates";
import { createPolicy } from "../../lib/domain/policies";
import { recordAccess, recordUnknownHost } from "../../lib/domain/access-log";
import type { Gateway } from "../../lib/gateway";
import { loadHostConfig, loadHostIndex, type ServerIdentity } from "../../lib/gateway/context";
import { loadSigner } from "../../lib/gateway/jwt";
import type { GatewayLimits } from "../../lib/gateway/limits";
import { createGateway, createListener } from "../../lib/gateway/server";
import { adminActor } from "../helpers/actors";
import type { GatewayPki } from "./gateway-fixtures-pki";

export { generateGatewayPki, pemDer, type ClientCert, type GatewayPki } from "./gateway-fixtures-pki";
export { curl, httpsGet, tlsRequest, type CurlResult } from "./gateway-fixtures-clients";
export { tookEffect, until } from "./gateway-fixtures-poll";

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** An HTTP origin that records every request and answers 200 "origin ok". */
export async function startOrigin(): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/plain", "set-cookie": "origin=1; Path=/" });
      res.end("origin ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/**
 * The seed's configuration for `host`: the chain (with its CRL) as an mTLS certificate, the Service Auth policy
 * "John Doe devices" (Common Name John Doe) and the application "Auth portal" proxying to `originUrl`.
 */
export async function configureSeedGateway(pki: GatewayPki, host: string, originUrl: string): Promise<{ policyId: string; aud: string }> {
  const cert = await createCertificate(adminActor, { name: "Seed chain", certificate: pki.chainPem, associated_hostnames: [host], crl: pki.crlPem });
  if (!cert.ok) throw new Error(JSON.stringify(cert));
  const pol = await createPolicy(adminActor, { name: "John Doe devices", decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }] });
  if (!pol.ok) throw new Error(JSON.stringify(pol));
  const app = await createApplication(adminActor, { name: "Auth portal", domain: host, session_duration: "1h", policies: [pol.value.id], origin_url: originUrl });
  if (!app.ok) throw new Error(JSON.stringify(app));
  return { policyId: pol.value.id, aud: app.value.aud };
}

/**
 * The gateway's listener in this process on 127.0.0.1 (a free port), on the test database, with `limits` over the
 * defaults; with GATEWAY_ENGINE=nginx (npm run test:nginx-engine) the nginx engine in front of the same request path.
 */
export async function startListener(identity: ServerIdentity, limits?: Partial<GatewayLimits>): Promise<Gateway> {
  if (process.env.GATEWAY_ENGINE === "nginx") return createGateway({ port: 0, host: "127.0.0.1", identity, engine: "nginx", ...(limits ? { limits } : {}) });
  return createListener({
    port: 0,
    host: "127.0.0.1",
    identity,
    signer: await loadSigner(),
    source: loadHostConfig,
    index: loadHostIndex,
    sink: recordAccess,
    unknownSink: recordUnknownHost,
    ...(limits ? { limits } : {}),
  });
}
