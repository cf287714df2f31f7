/**
 * The nginx configuration of GATEWAY_ENGINE=nginx: nginx terminates TLS (the gateway's server certificate and
 * ciphers), asks each hostname's clients for a certificate of that hostname's CAs (verification result informative:
 * `optional_no_ca`, so a refusal stays a readable, logged 403 from lib/access rather than nginx's 400), and passes
 * every request over a keep-alive unix socket to the Portcullis request path with the client's certificate, the TLS
 * server name, the client address and the connection's request count. Decisions, sign-in, JWTs, forwarding headers,
 * the access log and the error pages all stay in lib/gateway, so both engines behave the same.
 */
import { GATEWAY_CIPHERS } from "../context";
import type { GatewayLimits } from "../limits";
import type { NginxHost } from "./hosts";
import { FAST_COOKIE, FAST_JWT, FAST_ORIGIN, FAST_TARGET } from "./fast-path";
import { AUTH_HEADER, CERT_HEADER, IP_HEADER, MISDIRECTED_HEADER, REQUESTS_HEADER, SNI_HEADER } from "./peer";
import { cacheAuthConfig, cacheFastConfig, cacheHttpConfig } from "./decision-cache";

export interface NginxConfigInput {
  /** the engine's own directory (certificates, bundles, socket) */
  dir: string;
  /** where nginx keeps the decision cache and writes its hit log (./decision-cache): tmpfs when there is one */
  cacheDir: string;
  host: string;
  port: number;
  /** unix socket of the request path */
  socket: string;
  workers: number;
  limits: GatewayLimits;
  hosts: NginxHost[];
  /** upstream name → host:port of the origins nginx proxies to on the fast path (./fast-path upstreamName) */
  origins: Map<string, string>;
  /** configuration generation: part of the decision cache's key (./decision-cache), bumped on every change */
  generation: number;
}

const listenAddress = (host: string, port: number) => (host.includes(":") ? `[${host.replace(/^\[|\]$/g, "")}]:${port}` : `${host}:${port}`);

/** Header name as nginx's proxy_set_header writes it (case does not matter to HTTP; this reads better in the file). */
const title = (h: string) => h.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
const variable = (h: string) => `$upstream_http_${h.replace(/-/g, "_")}`;

/** What the request path is told on every request; a client's own copy of these headers is never passed. */
const DESCRIBE = [
  `proxy_set_header ${title(CERT_HEADER)} $ssl_client_escaped_cert;`,
  `proxy_set_header ${title(SNI_HEADER)} $ssl_server_name;`,
  `proxy_set_header ${title(IP_HEADER)} $remote_addr;`,
  `proxy_set_header ${title(REQUESTS_HEADER)} $connection_requests;`,
  `proxy_set_header ${title(MISDIRECTED_HEADER)} "";`,
];
const TO_REQUEST_PATH = [
  `proxy_set_header Host $http_host;`,
  `proxy_set_header Connection $portcullis_connection;`,
  `proxy_set_header Upgrade $http_upgrade;`,
  `proxy_set_header ${title(AUTH_HEADER)} "";`,
  ...DESCRIBE,
];

/**
 * The fast path (./fast-path): nginx asks the request path for the decision (auth_request, no body) and proxies an
 * allowed request itself with the headers it was given; any other answer hands the request to the request path.
 */
const fastLocations = (cacheDir: string, generation: number) => [
  "    location / {",
  "      auth_request /.portcullis-auth;",
  `      auth_request_set $portcullis_origin ${variable(FAST_ORIGIN)};`,
  `      auth_request_set $portcullis_target ${variable(FAST_TARGET)};`,
  `      auth_request_set $portcullis_jwt ${variable(FAST_JWT)};`,
  `      auth_request_set $portcullis_cookie ${variable(FAST_COOKIE)};`,
  // 401/403: not the fast path; 500: the request path could not answer; 502: the origin could not be reached (the
  // request path answers with its own page, as the node engine does).
  "      error_page 401 403 500 502 = @portcullis;",
  "      add_header Set-Cookie $portcullis_cookie always;",
  ...cacheFastConfig(cacheDir, generation).map((l) => `      ${l}`),
  "      proxy_pass $portcullis_origin$portcullis_target;",
  "      proxy_set_header Host $http_host;",
  `      proxy_set_header Connection "";`,
  "      proxy_set_header Cf-Connecting-Ip $remote_addr;",
  "      proxy_set_header X-Forwarded-For $remote_addr;",
  "      proxy_set_header X-Forwarded-Proto https;",
  "      proxy_set_header X-Forwarded-Host $http_host;",
  "      proxy_set_header Cf-Access-Jwt-Assertion $portcullis_jwt;",
  ...[CERT_HEADER, SNI_HEADER, IP_HEADER, REQUESTS_HEADER, AUTH_HEADER].map((h) => `      proxy_set_header ${title(h)} "";`),
  "    }",
  "    location = /.portcullis-auth {",
  "      internal;",
  "      proxy_pass http://portcullis$request_uri;",
  "      proxy_method GET;",
  "      proxy_pass_request_body off;",
  `      proxy_set_header Content-Length "";`,
  "      proxy_set_header Host $http_host;",
  `      proxy_set_header Connection "";`,
  `      proxy_set_header ${title(AUTH_HEADER)} 1;`,
  ...DESCRIBE.map((l) => `      ${l}`),
  ...cacheAuthConfig().map((l) => `      ${l}`),
  "    }",
];

export function renderNginxConfig(c: NginxConfigInput): string {
  const listen = listenAddress(c.host, c.port);
  // Hostnames with the same CA file share one server block (one TLS context for 1,000 hostnames of one CA).
  const groups = new Map<string, NginxHost[]>();
  for (const h of c.hosts) {
    const key = h.caFile ?? "";
    const g = groups.get(key);
    if (g) g.push(h);
    else groups.set(key, [h]);
  }
  const server = (hs: NginxHost[] | null) => {
    const h = hs?.[0] ?? null;
    return [
      "  server {",
      // reuseport (once per address, on the default block): one listening socket per worker, so the kernel spreads
      // new connections evenly instead of waking every worker for each one (nginx's accept_mutex is off).
      h ? `    listen ${listen} ssl;` : `    listen ${listen} ssl default_server reuseport;`,
      hs ? `    server_name ${hs.map((x) => x.name).join(" ")};` : `    server_name "";`,
      "    ssl_verify_client optional_no_ca;",
      ...(h?.caFile ? [`    ssl_client_certificate ${c.dir}/${h.caFile};`] : []),
      ...fastLocations(c.cacheDir, c.generation),
      // nginx answers some verification failures (an expired certificate, an unknown issuer...) with its own 400
      // even under optional_no_ca: those requests go to the request path too, where lib/access decides and logs.
      "    error_page 495 = @portcullis;",
      // nginx 1.22 answers 421 itself to a Host other than the TLS server name, as soon as it reads the Host header:
      // the request path answers its own 421 page and log row instead (never the origin: the request is incomplete).
      "    error_page 421 = @portcullis_misdirected;",
      "    location @portcullis {",
      "      proxy_pass http://portcullis;",
      "    }",
      "    location @portcullis_misdirected {",
      "      proxy_pass http://portcullis;",
      "      proxy_pass_request_body off;",
      `      proxy_set_header Content-Length "";`,
      ...TO_REQUEST_PATH.map((l) => `      ${l}`),
      `      proxy_set_header ${title(MISDIRECTED_HEADER)} 1;`,
      "    }",
      "  }",
    ].join("\n");
  };
  return [
    `# Written by Portcullis (GATEWAY_ENGINE=nginx); rewritten and reloaded on every configuration change.`,
    `worker_processes ${c.workers};`,
    `error_log stderr error;`,
    `events {`,
    `  worker_connections 16384;`,
    `}`,
    `http {`,
    `  access_log off;`,
    `  server_tokens off;`,
    // Bodies, odd header names and slashes go to the request path as the client sent them: it decides, as in the
    // node engine (whose limits are Node's: 16 KiB of headers).
    `  client_max_body_size 0;`,
    `  client_header_timeout ${c.limits.headersTimeoutMs}ms;`,
    `  large_client_header_buffers 4 16k;`,
    `  underscores_in_headers on;`,
    `  ignore_invalid_headers off;`,
    `  merge_slashes off;`,
    `  keepalive_timeout 75s;`,
    `  keepalive_requests 100000;`,
    `  ssl_certificate ${c.dir}/server.crt;`,
    `  ssl_certificate_key ${c.dir}/server.key;`,
    `  ssl_protocols TLSv1.2 TLSv1.3;`,
    `  ssl_ciphers "${GATEWAY_CIPHERS}";`,
    // No server-side session cache (nginx's default, as in the exported configuration): resumption goes through
    // session tickets (on by default), which carry their own state. With a shared cache, nginx 1.22 serialises and
    // stores every TLS 1.3 session it issues a ticket for, which no TLS 1.3 client ever resumes from; only TLS 1.2
    // clients without ticket support would use it.
    `  ssl_session_cache none;`,
    // One TLS 1.3 ticket per handshake instead of OpenSSL's two: each ticket is the whole session (client certificate
    // included, ~1 KB) serialised and encrypted by the server and parsed by the client, and one is enough to resume.
    // Resumption stays on (`ssl_session_tickets off` or NumTickets 0 would make every connection a full handshake
    // with a client certificate chain to verify again). The export keeps nginx's defaults.
    `  ssl_conf_command NumTickets 1;`,
    `  ssl_verify_depth 10;`,
    `  upstream portcullis {`,
    `    server unix:${c.socket};`,
    `    keepalive 512;`,
    // Shorter than the request path's own idle timeout (10 s), so nginx never reuses a connection being closed.
    `    keepalive_timeout 4s;`,
    `    keepalive_requests 100000;`,
    `  }`,
    `  map $http_upgrade $portcullis_connection {`,
    `    default "";`,
    `    "~." upgrade;`,
    `  }`,
    ...cacheHttpConfig(c.cacheDir).map((l) => `  ${l}`),
    `  proxy_headers_hash_max_size 1024;`,
    `  proxy_headers_hash_bucket_size 128;`,
    `  proxy_http_version 1.1;`,
    `  proxy_buffering off;`,
    `  proxy_request_buffering off;`,
    `  proxy_read_timeout 1h;`,
    `  proxy_send_timeout 1h;`,
    `  proxy_pass_header Server;`,
    `  proxy_pass_header Date;`,
    ...TO_REQUEST_PATH.map((l) => `  ${l}`),
    ...[...c.origins].flatMap(([name, hostPort]) => [`  upstream ${name} {`, `    server ${hostPort};`, "    keepalive 256;", "    keepalive_timeout 4s;", "  }"]),
    server(null),
    ...[...groups.values()].map(server),
    `}`,
    ``,
  ].join("\n");
}
