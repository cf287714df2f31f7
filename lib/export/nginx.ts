/**
 * nginx export: an nginx.conf (plus one CA file, and CRL file where usable, per hostname) that enforces the same
 * allow/deny decisions as the Portcullis gateway for every associated hostname that has an application.
 * Limitations nginx cannot express are written into the generated file's header and next to each server.
 */
import { applicationsForHostname } from "../domain/applications";
import { associatedHostnames, certificatesForHostname, getHostnameSettings } from "../domain/certificates";
import { STRIPPED_HEADERS } from "../gateway/headers";
import { GATEWAY_CIPHERS } from "../gateway/context";
import { parseCrl } from "../pki";
import { applicationDecision, newWriter, type MapWriter } from "./nginx-policy";

export interface NginxExportOptions {
  /** Directory on the nginx host where the CA/CRL files are placed (absolute). */
  filesDir?: string;
  /** `listen` parameter, e.g. "443" or "127.0.0.1:8443". */
  listen?: string;
  /** Server certificate and key paths on the nginx host (default: server.crt / server.key in filesDir). */
  serverCertificate?: string;
  serverCertificateKey?: string;
  now?: Date;
}

export interface NginxExport {
  config: string;
  files: { name: string; content: string }[];
  /** hostnames with a server block */
  hostnames: string[];
  /** associated hostnames skipped because no application protects them */
  skipped: string[];
}

export const DEFAULT_FILES_DIR = "/etc/nginx/portcullis";

const LIMITATIONS = [
  "Limitations compared with the Portcullis gateway:",
  "- No Access JWT: nginx cannot sign tokens, so there is no CF_Authorization cookie and no Cf-Access-Jwt-Assertion header.",
  "- Email / Emails ending in rules need an identity-provider login and never match (the gateway has no IdP either).",
  "- Service Token / Any Access Service Token rules are not checked and never match.",
  "- Certificate forwarding: nginx cannot build Cf-Client-Cert-Der-Base64, Cf-Client-Cert-Sha256 or RFC 9440",
  "  Client-Cert / Client-Cert-Chain values; it sends X-Client-Cert (URL-encoded PEM, $ssl_client_escaped_cert) on the",
  "  first request of a connection instead. Client-sent copies of all those headers are always removed.",
  "- Revocation: ssl_crl makes nginx require a CRL from EVERY CA of the chain (CRL_CHECK_ALL). When the stored CRLs do",
  "  not cover every CA, the revoked serial numbers are matched with $ssl_client_serial instead (leaf certificates only,",
  "  without checking the CRL's next update).",
  "- Common Name rules match the CN in $ssl_client_s_dn (RFC 2253 form); a DN with an escaped comma before CN= may confuse it.",
  "- The 403 page is HTML only (the gateway answers JSON to Accept: application/json). WebSocket upgrades are not proxied.",
];

const certBodies = (pem: string) => (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map((b) => b.replace(/-----[^-]+-----|\s/g, ""));
/** $ssl_client_serial form: upper-case hex, no colons, no DER sign padding. */
export const nginxSerial = (colonHex: string) => colonHex.replace(/:/g, "").toUpperCase().replace(/^(00)+(?=..)/, "");

const FORBIDDEN_BODY =
  "<!doctype html><html lang=en><head><meta charset=utf-8><title>Forbidden</title></head><body><main><h1>Forbidden</h1>" +
  "<p>Access to this application requires a valid client certificate that one of its policies allows.</p></main></body></html>\\n";

interface HostPlan {
  hostname: string;
  caFile: string;
  crlFile: string | null;
  depth: number;
  validVar: string;
  fwdVar: string | null;
  locations: string[];
  notes: string[];
}

async function planHost(hostname: string, w: MapWriter, o: Required<Pick<NginxExportOptions, "filesDir">>, files: NginxExport["files"], upstreams: Map<string, string>): Promise<HostPlan | null> {
  const apps = await applicationsForHostname(hostname);
  if (!apps.length) return null;
  const certs = await certificatesForHostname(hostname);
  const [settings] = await getHostnameSettings([hostname]);
  const safe = hostname.replace(/[^a-z0-9.-]/g, "_");
  const caFile = `${safe}.ca.pem`;
  files.push({ name: caFile, content: certs.map((c) => c.pem.trim() + "\n").join("") });

  // Revocation: full ssl_crl only when every CA of the trust store has a stored CRL issued by it.
  const members = new Set(certs.flatMap((c) => certBodies(c.pem)));
  const covered = new Set<string>();
  const revoked: string[] = [];
  const notes: string[] = [];
  for (const c of certs) {
    if (!c.crlPem) continue;
    const info = await parseCrl(c.crlPem, c.pem).catch(() => null);
    if (!info || info.issuerIndex === null) continue;
    covered.add(certBodies(c.pem)[info.issuerIndex]);
    revoked.push(...info.revoked.map((r) => nginxSerial(r.serialNumber)));
  }
  const complete = covered.size > 0 && [...members].every((m) => covered.has(m));
  let crlFile: string | null = null;
  if (complete) {
    crlFile = `${safe}.crl.pem`;
    files.push({ name: crlFile, content: certs.flatMap((c) => (c.crlPem ? [c.crlPem.trim() + "\n"] : [])).join("") });
  } else if (revoked.length) notes.push("Revoked serials are matched with $ssl_client_serial (the stored CRLs do not cover every CA, so ssl_crl cannot be used).");

  const validVar = w.name("valid");
  const rev = [...new Set(revoked)];
  w.blocks.push(
    `# ${hostname}: client certificate verified${rev.length ? " and not revoked" : ""}\nmap "$ssl_client_verify|$ssl_client_serial" ${validVar} {\n` +
      (rev.length ? `    "~^SUCCESS\\|(?:${rev.join("|")})$" 0;\n` : "") +
      `    "~^SUCCESS\\|" 1;\n    default 0;\n}`,
  );
  let fwdVar: string | null = null;
  if (settings?.client_certificate_forwarding) {
    fwdVar = w.name("fwd");
    w.blocks.push(`# ${hostname}: forward the client certificate on the first request of a connection\nmap "\${${validVar.slice(1)}}:$connection_requests" ${fwdVar} {\n    "1:1" $ssl_client_escaped_cert;\n    default "";\n}`);
  }

  const locations: string[] = [];
  const byPath = new Map<string, (typeof apps)[number]>();
  for (const a of apps) if (!byPath.has(a.path)) byPath.set(a.path, a);
  for (const [path, app] of byPath) {
    const decision = applicationDecision(app.policies, validVar, w, JSON.stringify(app.name));
    const body: string[] = [`# application ${JSON.stringify(app.name)} (aud ${app.aud})`];
    if (decision === "0") body.push(`return 403 "${FORBIDDEN_BODY}";`);
    else {
      if (decision !== "1") body.push(`if (${decision} != 1) {\n    return 403 "${FORBIDDEN_BODY}";\n}`);
      let origin: URL | null = null;
      try {
        origin = app.origin_url ? new URL(app.origin_url) : null;
      } catch {
        origin = null;
      }
      if (!origin) body.push(`return 502 "The application has no origin URL configured.\\n";`);
      else {
        const hostPort = `${origin.hostname}:${origin.port || (origin.protocol === "https:" ? 443 : 80)}`;
        const key = `${origin.protocol}//${hostPort}`;
        if (!upstreams.has(key)) upstreams.set(key, `pc_origin_${upstreams.size + 1}`);
        const up = upstreams.get(key)!;
        const base = origin.pathname.replace(/\/$/, "");
        body.push(`proxy_pass ${origin.protocol === "https:" ? "https" : "http"}://${up}${base ? `${base}$request_uri` : ""};`);
        if (origin.protocol === "https:") body.push("proxy_ssl_server_name on;", `proxy_ssl_name ${origin.hostname};`);
        body.push(
          "proxy_http_version 1.1;",
          'proxy_set_header Connection "";',
          "proxy_set_header Host $http_host;",
          "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
          "proxy_set_header X-Forwarded-Proto https;",
          "proxy_set_header X-Forwarded-Host $http_host;",
          ...STRIPPED_HEADERS.map((h) => `proxy_set_header ${h} "";`),
          'proxy_set_header X-Client-Cert "";',
        );
        if (fwdVar) body[body.length - 1] = `proxy_set_header X-Client-Cert ${fwdVar};`;
      }
    }
    const inner = body.join("\n").replace(/^/gm, "        ");
    if (!path) locations.push(`    location / {\n${inner}\n    }`);
    else locations.push(`    location = ${path} {\n${inner}\n    }`, `    location ${path}/ {\n${inner}\n    }`);
  }
  if (!byPath.has("")) locations.push(`    location / {\n        return 404 "No application is configured for this address.\\n";\n    }`);
  const depth = Math.max(1, ...certs.map((c) => certBodies(c.pem).length)) + 1;
  return { hostname, caFile: `${o.filesDir}/${caFile}`, crlFile: crlFile ? `${o.filesDir}/${crlFile}` : null, depth, validVar, fwdVar, locations, notes };
}

export async function buildNginxExport(opts: NginxExportOptions = {}): Promise<NginxExport> {
  const filesDir = (opts.filesDir ?? DEFAULT_FILES_DIR).replace(/\/$/, "");
  const listen = opts.listen ?? "443";
  const cert = opts.serverCertificate ?? `${filesDir}/server.crt`;
  const key = opts.serverCertificateKey ?? `${filesDir}/server.key`;
  const w = newWriter();
  const files: NginxExport["files"] = [];
  const upstreams = new Map<string, string>();
  const plans: HostPlan[] = [];
  const skipped: string[] = [];
  for (const hostname of Object.keys(await associatedHostnames()).sort()) {
    const plan = await planHost(hostname, w, { filesDir }, files, upstreams);
    if (plan) plans.push(plan);
    else skipped.push(hostname);
  }
  const servers = plans.map((p) =>
    [
      `server {`,
      `    listen ${listen} ssl;`,
      `    server_name ${p.hostname};`,
      `    ssl_certificate ${cert};`,
      `    ssl_certificate_key ${key};`,
      `    ssl_protocols TLSv1.2 TLSv1.3;`,
      `    # security level 0: accept SHA-1-signed client chains, as the gateway does`,
      `    ssl_ciphers "${GATEWAY_CIPHERS}";`,
      `    # optional_no_ca: verify against the CAs below but let the policies decide (403 instead of 400)`,
      `    ssl_verify_client optional_no_ca;`,
      `    ssl_client_certificate ${p.caFile};`,
      `    ssl_verify_depth ${p.depth};`,
      ...(p.crlFile ? [`    ssl_crl ${p.crlFile};`] : []),
      ...p.notes.map((n) => `    # ${n}`),
      `    default_type text/html;`,
      `    # nginx refuses some invalid certificates (expired, revoked by ssl_crl...) itself with 495: answer 403 like the gateway`,
      `    error_page 495 496 =403 @pc_forbidden;`,
      `    location @pc_forbidden {\n        return 403 "${FORBIDDEN_BODY}";\n    }`,
      ...p.locations,
      `}`,
    ].join("\n"),
  );
  const upstreamBlocks = [...upstreams].map(([origin, name]) => `upstream ${name} {\n    server ${origin.replace(/^https?:\/\//, "")};\n    keepalive 16;\n}`);
  const header = [
    `# nginx configuration exported by Portcullis${opts.now ? ` at ${opts.now.toISOString()}` : ""}.`,
    `# It enforces the mTLS policies of ${plans.length} hostname(s): ${plans.map((p) => p.hostname).join(", ") || "none"}.`,
    ...(skipped.length ? [`# Associated hostnames without an application (no server block): ${skipped.join(", ")}.`] : []),
    `# CA and CRL files are expected in ${filesDir}/ (portcullis export nginx --out DIR writes them).`,
    `# The proxy's own TLS certificate and key are not exported: place them at ${cert} and ${key}.`,
    "#",
    ...LIMITATIONS.map((l) => `# ${l}`),
    ...[...w.notes].map((n) => `# - ${n}`),
  ];
  const http = [
    "server_names_hash_bucket_size 128;",
    "map_hash_bucket_size 128;",
    ...w.blocks,
    ...upstreamBlocks,
    ...servers,
    `# Any other hostname: no application.\nserver {\n    listen ${listen} ssl default_server;\n    ssl_certificate ${cert};\n    ssl_certificate_key ${key};\n    return 404 "No application is configured for this address.\\n";\n}`,
  ];
  const config = [...header, "", "worker_processes auto;", "events {\n    worker_connections 1024;\n}", "http {", http.join("\n\n").replace(/^(?=.)/gm, "    "), "}", ""].join("\n");
  return { config, files, hostnames: plans.map((p) => p.hostname), skipped };
}

