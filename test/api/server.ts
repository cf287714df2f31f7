/**
 * A tiny Node http server that routes /client/v4/* and /api/v1/test-mtls to the real Next.js route modules (the same
 * exports Next serves), so the official `cloudflare` SDK and `portcullis test` can talk to them over real HTTP in a test.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";

type Handler = (request: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type RouteModule = Record<string, unknown>;

const A = "/client/v4/accounts/([^/]+)/access";
const Z = "/client/v4/zones/([^/]+)";
const routes: { re: RegExp; keys: string[]; load: () => Promise<RouteModule> }[] = [
  { re: new RegExp(`^${A}/certificates/settings$`), keys: ["account_id"], load: () => import("@/app/client/v4/accounts/[account_id]/access/certificates/settings/route") },
  { re: new RegExp(`^${A}/certificates/revocation_settings$`), keys: ["account_id"], load: () => import("@/app/client/v4/accounts/[account_id]/access/certificates/revocation_settings/route") },
  { re: new RegExp(`^${A}/certificates/([^/]+)/crl$`), keys: ["account_id", "certificate_id"], load: () => import("@/app/client/v4/accounts/[account_id]/access/certificates/[certificate_id]/crl/route") },
  { re: new RegExp(`^${A}/certificates/([^/]+)$`), keys: ["account_id", "certificate_id"], load: () => import("@/app/client/v4/accounts/[account_id]/access/certificates/[certificate_id]/route") },
  { re: new RegExp(`^${A}/certificates$`), keys: ["account_id"], load: () => import("@/app/client/v4/accounts/[account_id]/access/certificates/route") },
  { re: new RegExp(`^${A}/policies/([^/]+)$`), keys: ["account_id", "policy_id"], load: () => import("@/app/client/v4/accounts/[account_id]/access/policies/[policy_id]/route") },
  { re: new RegExp(`^${A}/policies$`), keys: ["account_id"], load: () => import("@/app/client/v4/accounts/[account_id]/access/policies/route") },
  { re: new RegExp(`^${A}/apps/([^/]+)$`), keys: ["account_id", "app_id"], load: () => import("@/app/client/v4/accounts/[account_id]/access/apps/[app_id]/route") },
  { re: new RegExp(`^${A}/apps$`), keys: ["account_id"], load: () => import("@/app/client/v4/accounts/[account_id]/access/apps/route") },
  { re: new RegExp(`^${A}/service_tokens/([^/]+)/refresh$`), keys: ["account_id", "service_token_id"], load: () => import("@/app/client/v4/accounts/[account_id]/access/service_tokens/[service_token_id]/refresh/route") },
  { re: new RegExp(`^${A}/service_tokens/([^/]+)/rotate$`), keys: ["account_id", "service_token_id"], load: () => import("@/app/client/v4/accounts/[account_id]/access/service_tokens/[service_token_id]/rotate/route") },
  { re: new RegExp(`^${A}/service_tokens/([^/]+)$`), keys: ["account_id", "service_token_id"], load: () => import("@/app/client/v4/accounts/[account_id]/access/service_tokens/[service_token_id]/route") },
  { re: new RegExp(`^${A}/blocked_certificates/([^/]+)$`), keys: ["account_id", "blocked_certificate_id"], load: () => import("@/app/client/v4/accounts/[account_id]/access/blocked_certificates/[blocked_certificate_id]/route") },
  { re: new RegExp(`^${A}/blocked_certificates$`), keys: ["account_id"], load: () => import("@/app/client/v4/accounts/[account_id]/access/blocked_certificates/route") },
  { re: new RegExp(`^${A}/service_tokens$`), keys: ["account_id"], load: () => import("@/app/client/v4/accounts/[account_id]/access/service_tokens/route") },
  { re: new RegExp(`^${Z}/client_certificates/([^/]+)$`), keys: ["zone_id", "client_certificate_id"], load: () => import("@/app/client/v4/zones/[zone_id]/client_certificates/[client_certificate_id]/route") },
  { re: new RegExp(`^${Z}/client_certificates$`), keys: ["zone_id"], load: () => import("@/app/client/v4/zones/[zone_id]/client_certificates/route") },
  { re: new RegExp(`^${Z}/certificate_authorities/hostname_associations$`), keys: ["zone_id"], load: () => import("@/app/client/v4/zones/[zone_id]/certificate_authorities/hostname_associations/route") },
  { re: /^\/client\/v4\/user\/tokens\/verify$/, keys: [], load: () => import("@/app/client/v4/user/tokens/verify/route") },
  { re: /^\/client\/v4\/openapi\.json$/, keys: [], load: () => import("@/app/client/v4/openapi.json/route") },
  { re: /^\/client\/v4(\/.*)?$/, keys: [], load: () => import("@/app/client/v4/[[...path]]/route") },
  { re: /^\/api\/v1\/test-mtls$/, keys: [], load: () => import("@/app/api/v1/test-mtls/route") },
];

function toRequest(req: IncomingMessage, base: string): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (Array.isArray(v)) v.forEach((x) => headers.append(k, x));
    else if (v !== undefined) headers.set(k, v);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(new URL(req.url ?? "/", base), {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
    // @ts-expect-error Node's fetch needs duplex for streamed bodies
    duplex: "half",
  });
}

export interface TestApiServer {
  server: Server;
  origin: string;
  baseURL: string;
  close(): Promise<void>;
}

export async function startApiServer(): Promise<TestApiServer> {
  const server = createServer(async (req, res) => {
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const pathname = new URL(req.url ?? "/", origin).pathname;
      const route = routes.find((r) => r.re.test(pathname));
      if (!route) {
        res.writeHead(404).end();
        return;
      }
      const m = route.re.exec(pathname)!;
      const params = Object.fromEntries(route.keys.map((k, i) => [k, decodeURIComponent(m[i + 1])]));
      const mod = await route.load();
      const handler = mod[req.method ?? "GET"] as Handler | undefined;
      if (!handler) {
        res.writeHead(405).end();
        return;
      }
      const response = await handler(toRequest(req, origin), { params: Promise.resolve(params) });
      const body = Buffer.from(await response.arrayBuffer());
      const headers = Object.fromEntries(response.headers.entries());
      // A body refused before it was read (413) leaves the socket unusable: close it, as Node's server does.
      if (!req.complete) headers.connection = "close";
      res.writeHead(response.status, headers);
      res.end(body);
    } catch (err) {
      res.writeHead(500, { "content-type": "text/plain" }).end(String(err));
    }
  });
  // Node closes idle keep-alive sockets after 5 s; on a loaded machine a test pausing that long (an openssl key
  // generation) could send its next request just as the socket closes (ECONNRESET). Tests close the server.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    origin,
    baseURL: `${origin}/client/v4`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
