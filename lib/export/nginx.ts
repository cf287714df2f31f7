/**
 * nginx export: an nginx.conf (plus one CA file, and CRL file where usable, per hostname) that enforces the same
 * allow/deny decisions as the Portcullis gateway for every associated hostname that has an application.
 * Limitations nginx cannot express are written into the generated file's header and next to each server.
 */
import { keyedApps, misdirected, reachableApps, revocationPlan, trustKeyOf, type RevocationCa } from "../access";
import { keySegments } from "../access/path";
import { checkOriginUrl } from "../domain/applications/schemas";
import { applicationsForHostname } from "../domain/applications";
import { associatedHostnames, certificatesForHostname, getHostnameSettings } from "../domain/hostnames";
import { revocationSettingsFor } from "../domain/hostnames/revocation";
import { ADDRESS_HEADERS, STRIPPED_HEADERS } from "../gateway/headers";
import { GATEWAY_CIPHERS } from "../gateway/context";
import { blockedCertificatesForDecision } from "../domain/blocked-certificates";
import { blockedMaps } from "./nginx-blocked";
import { BAD_REQUEST_BODY, BLOCKED_BODY, COOKIE_MAP, FORBIDDEN_BODY, FORWARDED_EXTRA, LIMITATIONS } from "./nginx-text";
import { applicationDecision, newWriter, regexLiteral, rfc2253Escape, type MapWriter } from "./nginx-policy";

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

/**
 * Characters allowed in option values written into the file (paths, listen address): nothing that ends a
 * directive, opens a block, starts a variable or a quoted string.
 */
const SAFE_OPTION = /^[A-Za-z0-9._\-/:[\]]+$/;
function safeOption(name: string, value: string): string {
  if (!SAFE_OPTION.test(value)) {
    throw new Error(`The nginx export's ${name} "${value}" may contain only letters, digits and . _ - / : [ ] (it is written into nginx.conf as it is)`);
  }
  return value;
}
const SAFE_HOSTNAME = /^(?:\*\.)?[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/;

/** A PCRE fragment matching the Latin-1 string `s` (decoded bytes) literally: letters and digits as they are, the rest as \x{HH}. */
const byteLiteral = (s: string) => [...s].map((c) => (/[A-Za-z0-9]/.test(c) ? c : `\\x{${c.charCodeAt(0).toString(16).padStart(2, "0")}}`)).join("");

/**
 * The location regex (case-insensitive, on nginx's normalised $uri) for an application path key: each segment with
 * optional ;parameters, ending on a segment boundary — lib/access/path `pathCovers` in nginx's terms.
 */
export function locationRegex(key: string): string {
  const segs = keySegments(key);
  return segs.length ? `^${segs.map((s) => `/${byteLiteral(s)}(?:;[^/]*)?`).join("")}(?:/|$)` : "^/";
}

const certBodies = (pem: string) => (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map((b) => b.replace(/-----[^-]+-----|\s/g, ""));
/** $ssl_client_serial form: upper-case hex, no colons, no DER sign padding. */
export const nginxSerial = (colonHex: string) => colonHex.replace(/:/g, "").toUpperCase().replace(/^(00)+(?=..)/, "");

interface HostPlan {
  hostname: string;
  caFile: string;
  crlFile: string | null;
  depth: number;
  validVar: string;
  fwdVar: string | null;
  locations: string[];
  notes: string[];
  /** the 421 body for a request without SNI (lib/access `misdirected`), or null */
  noSni: string | null;
}

/** The map line refusing the serials `ca` revoked on certificates it issued (its CN in $ssl_client_i_dn). */
function revokedLine(ca: RevocationCa, notes: string[]): string[] {
  if (!ca.checked || !ca.revokedSerials.length) return [];
  const serials = [...new Set(ca.revokedSerials.map(nginxSerial))].join("|");
  if (ca.subjectCN === null) {
    notes.push(`${ca.subject} has no Common Name: its revoked serials are refused whichever CA issued the certificate.`);
    return [`    "~^SUCCESS\\|(?:${serials})\\|" 0;\n`];
  }
  return [`    ${JSON.stringify(`~^SUCCESS\\|(?:${serials})\\|(?:.*[^\\\\],)?CN=${regexLiteral(rfc2253Escape(ca.subjectCN))}(?:[,+]|$)`)} 0;\n`];
}

async function planHost(hostname: string, w: MapWriter, o: Required<Pick<NginxExportOptions, "filesDir">>, files: NginxExport["files"], upstreams: Map<string, string>): Promise<HostPlan | null> {
  const apps = await applicationsForHostname(hostname);
  if (!apps.length) return null;
  const notes: string[] = [];
  const certs = await certificatesForHostname(hostname);
  const [settings] = await getHostnameSettings([hostname]);
  const rev = (await revocationSettingsFor([hostname])).get(hostname);
  if (rev?.ocsp) notes.push("Check OCSP is on for this hostname in Portcullis; nginx does not ask the OCSP responder here (see Limitations).");
  if (rev?.staleMode === "allow") notes.push("When a CRL is out of date is Allow and alert in Portcullis; nginx cannot express it (see Limitations).");
  const safe = hostname.replace(/[^a-z0-9.-]/g, "_");
  const caFile = `${safe}.ca.pem`;
  files.push({ name: caFile, content: certs.map((c) => c.pem.trim() + "\n").join("") });

  // Revocation comes from lib/access's plan (the gateway's rule: a CA without a stored CRL is not checked). nginx's
  // ssl_crl requires a CRL from every CA of the chain, so it is used only when every CA of the trust store has one;
  // otherwise the serials each checked CA revoked are matched, on certificates that CA issued ($ssl_client_i_dn).
  const cas = certs.map((c) => c.pem);
  const crlPems = certs.flatMap((c) => (c.crlPem ? [c.crlPem] : []));
  const revocation = await revocationPlan(cas, crlPems);
  let crlFile: string | null = null;
  if (revocation.everyCaHasCrl) {
    crlFile = `${safe}.crl.pem`;
    files.push({ name: crlFile, content: crlPems.map((c) => c.trim() + "\n").join("") });
  }
  const revokedLines = crlFile ? [] : revocation.cas.flatMap((ca) => revokedLine(ca, notes));
  if (revokedLines.length) notes.push("Revoked serials are matched with $ssl_client_serial on certificates each CA issued (the stored CRLs do not cover every CA, so ssl_crl cannot be used).");

  const validVar = w.name("valid");
  w.blocks.push(
    `# ${hostname}: client certificate verified${revokedLines.length ? " and not revoked" : ""}\nmap "$ssl_client_verify|$ssl_client_serial|$ssl_client_i_dn" ${validVar} {\n` +
      revokedLines.join("") +
      `    "~^SUCCESS\\|" 1;\n    default 0;\n}`,
  );
  // The gateway answers 421 when the Host needs a client certificate and the connection named no TLS server name, or
  // one with other CAs (lib/access \`misdirected\`). nginx answers 421 itself only for a name it has a server for;
  // without SNI, or with a name it has none for, it would evaluate the request without having asked for a certificate.
  const noSni = misdirected(null, { hostname, associated: cas.length > 0, trustKey: trustKeyOf(cas, crlPems) });
  let fwdVar: string | null = null;
  if (settings?.client_certificate_forwarding) {
    fwdVar = w.name("fwd");
    w.blocks.push(`# ${hostname}: forward the client certificate on the first request of a connection\nmap "\${${validVar.slice(1)}}:$connection_requests" ${fwdVar} {\n    "1:1" $ssl_client_escaped_cert;\n    default "";\n}`);
  }

  const locations: string[] = [];
  // lib/access's order and choice (most specific first; the first application per normalised path wins; nothing
  // after a whole-hostname application is reached), as the gateway and the tester decide.
  const reachable = reachableApps(keyedApps(apps));
  for (const { app, pathKey } of reachable) {
    const decision = applicationDecision(app.policies, validVar, w, JSON.stringify(app.name));
    const body: string[] = [`# application ${JSON.stringify(app.name)} (aud ${JSON.stringify(app.aud)})`];
    const checked = app.origin_url ? checkOriginUrl(app.origin_url) : null;
    if (decision === "0") body.push(`return 403 "${FORBIDDEN_BODY}";`);
    else {
      if (decision !== "1") body.push(`if (${decision} != 1) {\n    return 403 "${FORBIDDEN_BODY}";\n}`);
      if (!checked) body.push(`return 502 "The application has no origin URL configured.\\n";`);
      else if (!checked.ok) {
        // A row stored before origin URLs were validated: its URL is not written here (it could inject directives).
        body.push("# origin URL not exported: it is not an http(s) URL with a valid hostname or IP address and a plain path", `return 502 "The application's origin URL is not valid.\\n";`);
        notes.push(`Application ${JSON.stringify(app.name)}: its origin URL is not valid and was not exported (requests get 502).`);
      } else {
        const origin = checked.url;
        const hostPort = `${origin.hostname}:${origin.port || (origin.protocol === "https:" ? 443 : 80)}`;
        const key = `${origin.protocol}//${hostPort}`;
        if (!upstreams.has(key)) upstreams.set(key, `pc_origin_${upstreams.size + 1}`);
        const up = upstreams.get(key)!;
        const base = origin.pathname.replace(/\/$/, "");
        // The origin gets nginx's normalised path (the one the location matched), re-escaped, with the original query.
        body.push(`rewrite ^ "${base}$uri" break;`, `proxy_pass ${origin.protocol === "https:" ? "https" : "http"}://${up};`);
        if (origin.protocol === "https:") body.push("proxy_ssl_server_name on;", `proxy_ssl_name ${origin.hostname.replace(/^\[|\]$/g, "")};`);
        body.push(
          "proxy_http_version 1.1;",
          'proxy_set_header Connection "";',
          "proxy_set_header Host $http_host;",
          "proxy_set_header Cf-Connecting-Ip $remote_addr;",
          "proxy_set_header X-Forwarded-For $remote_addr;",
          "proxy_set_header X-Forwarded-Proto https;",
          "proxy_set_header X-Forwarded-Host $http_host;",
          ...FORWARDED_EXTRA.map((h) => `proxy_set_header ${h} "";`),
          ...ADDRESS_HEADERS.filter((h) => h !== "cf-connecting-ip").map((h) => `proxy_set_header ${h} "";`),
          "proxy_set_header Cookie $pc_cookie;",
          ...STRIPPED_HEADERS.map((h) => `proxy_set_header ${h} "";`),
          'proxy_set_header X-Client-Cert "";',
        );
        if (fwdVar) body[body.length - 1] = `proxy_set_header X-Client-Cert ${fwdVar};`;
      }
    }
    const inner = body.join("\n").replace(/^/gm, "        ");
    locations.push(`    location ~* "${locationRegex(pathKey)}" {\n${inner}\n    }`);
  }
  if (!reachable.some((a) => a.pathKey === "/")) locations.push(`    location / {\n        return 404 "No application is configured for this address.\\n";\n    }`);
  const depth = Math.max(1, ...certs.map((c) => certBodies(c.pem).length)) + 1;
  return { hostname, caFile: `${o.filesDir}/${caFile}`, crlFile: crlFile ? `${o.filesDir}/${crlFile}` : null, depth, validVar, fwdVar, locations, notes, noSni };
}

/**
 * 421 Misdirected, as the gateway answers, for a request whose TLS server name is not its Host: none (the message of
 * lib/access \`misdirected\`), or another name (nginx answers 421 itself for a name it has a server for, not for others).
 */
function misdirectedGuards(hostname: string, noSni: string): string[] {
  const text = (s: string) => `"Misdirected request: ${s.replace(/["\\$]/g, "")}\\n"`;
  const other = `The connection was made for another TLS server name than the Host, so no client certificate was checked for ${hostname}. Connect to ${hostname} directly (TLS server name ${hostname}).`;
  return [
    `    # TLS server name (SNI) none, or not this hostname: no client certificate was asked for here, so 421 like the gateway`,
    `    if ($ssl_server_name = "") {\n        return 421 ${text(noSni)};\n    }`,
    `    if ($ssl_server_name != $host) {\n        return 421 ${text(other)};\n    }`,
  ];
}

export async function buildNginxExport(opts: NginxExportOptions = {}): Promise<NginxExport> {
  const filesDir = safeOption("files directory", (opts.filesDir ?? DEFAULT_FILES_DIR).replace(/\/$/, ""));
  const listen = safeOption("listen address", opts.listen ?? "443");
  const cert = safeOption("server certificate path", opts.serverCertificate ?? `${filesDir}/server.crt`);
  const key = safeOption("server key path", opts.serverCertificateKey ?? `${filesDir}/server.key`);
  const w = newWriter();
  const files: NginxExport["files"] = [];
  const upstreams = new Map<string, string>();
  const plans: HostPlan[] = [];
  const blocked = blockedMaps(await blockedCertificatesForDecision());
  const skipped: string[] = [];
  const unsafe: string[] = [];
  for (const hostname of Object.keys(await associatedHostnames()).sort()) {
    // Stored hostnames are normalised on input; one that is not (an old or hand-edited row) is not written at all.
    if (!SAFE_HOSTNAME.test(hostname)) {
      unsafe.push(JSON.stringify(hostname));
      continue;
    }
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
      ...(p.noSni ? misdirectedGuards(p.hostname, p.noSni) : []),
      `    default_type text/html;`,
      `    # header names with "_" are ignored (CGI-style origins would read Cf_Access_Jwt_Assertion as the real one)`,
      `    underscores_in_headers off;`,
      `    ignore_invalid_headers on;`,
      `    # refused like the gateway refuses them: encoded "/", "\\" or NUL and a raw "\\" in the path; dot or empty`,
      `    # segments with ;parameters (/..;/admin is /../admin to Tomcat)`,
      `    if ($request_uri ~ "^[^?]*(?:%(?:2[fF]|5[cC]|00)|\\x{5c})") {\n        return 400 "${BAD_REQUEST_BODY}";\n    }`,
      `    if ($uri ~ "(?:^|/)(?:\\.\\.?)?;") {\n        return 400 "${BAD_REQUEST_BODY}";\n    }`,
      ...(blocked.variable ? [`    # blocked certificates are refused before any policy, Bypass included, as the gateway refuses them`, `    if (${blocked.variable}) {\n        return 403 "${BLOCKED_BODY}";\n    }`] : []),
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
    ...(unsafe.length ? [`# Associated hostnames that are not valid hostnames, not exported: ${unsafe.length}.`] : []),
    `# CA and CRL files are expected in ${filesDir}/ (portcullis export nginx --out DIR writes them).`,
    `# The proxy's own TLS certificate and key are not exported: place them at ${cert} and ${key}.`,
    "#",
    ...LIMITATIONS.map((l) => `# ${l}`),
    ...[...w.notes, ...blocked.notes].map((n) => `# - ${n}`),
  ];
  const http = [
    "server_names_hash_bucket_size 128;",
    "map_hash_bucket_size 128;",
    COOKIE_MAP,
    ...blocked.maps,
    ...w.blocks,
    ...upstreamBlocks,
    ...servers,
    // nginx settles the TLS version and ciphers with the default server of the address, before the server name picks
    // a block: without these lines every hostname would get nginx 1.22's defaults (TLS 1.0 to 1.2, never 1.3).
    `# Any other hostname: no application. Its TLS settings apply to every hostname's handshake.\nserver {\n    listen ${listen} ssl default_server;\n    ssl_certificate ${cert};\n    ssl_certificate_key ${key};\n    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_ciphers "${GATEWAY_CIPHERS}";\n    return 404 "No application is configured for this address.\\n";\n}`,
  ];
  const config = [...header, "", "worker_processes auto;", "events {\n    worker_connections 1024;\n}", "http {", http.join("\n\n").replace(/^(?=.)/gm, "    "), "}", ""].join("\n");
  return { config, files, hostnames: plans.map((p) => p.hostname), skipped };
}

