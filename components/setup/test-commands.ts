/**
 * The "Test mTLS" commands of the Cloudflare docs (curl without and with a client certificate), adapted to this
 * instance: when the enforcement gateway runs on GATEWAY_PORT, curl is pointed at it with --resolve (the hostname
 * need not be in DNS) and -k (the gateway's server certificate may be self-signed). Pure.
 */
import { parseAppDomain } from "@/lib/hostname";

export interface TestCommands {
  host: string;
  /** https URL the client would request (with the gateway port when there is one) */
  url: string;
  gatewayPort: number | null;
  withoutCertificate: string;
  withCertificate: string;
  portcullisTest: string;
  /** openssl commands (from the docs' "Generate a client certificate") that issue client.pem/client.key */
  issueClient: string;
}

/** Quotes a shell argument when it needs it. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function buildTestCommands(opts: {
  domain: string;
  fallbackHost: string;
  gatewayPort?: string | undefined;
  consoleOrigin: string;
  commonName?: string | null;
}): TestCommands {
  const parsed = parseAppDomain(opts.domain);
  const rawHost = parsed.ok ? parsed.host : opts.fallbackHost;
  // A wildcard application domain: test one concrete name under it.
  const host = rawHost.startsWith("*.") ? `www.${rawHost.slice(2)}` : rawHost;
  const path = parsed.ok && parsed.path !== "/" ? parsed.path : "";
  const port = opts.gatewayPort && /^\d+$/.test(opts.gatewayPort) && Number(opts.gatewayPort) > 0 ? Number(opts.gatewayPort) : null;
  const authority = port && port !== 443 ? `${host}:${port}` : host;
  const url = `https://${authority}${path}`;
  const extra = port ? ` --resolve ${host}:${port}:127.0.0.1 -k` : "";
  const cn = opts.commonName?.trim() || "John Doe";
  return {
    host,
    url,
    gatewayPort: port,
    withoutCertificate: `curl -sv ${shellQuote(url)}${extra}`,
    withCertificate: `curl -sv ${shellQuote(url)}${extra} --cert client.pem --key client.key`,
    portcullisTest: `PORTCULLIS_TOKEN=<API token> npx portcullis test --url ${shellQuote(opts.consoleOrigin)} --hostname ${host} client.pem`,
    issueClient: [
      "openssl genrsa -out client.key 2048",
      `openssl req -new -key client.key -out client.csr -subj ${shellQuote(`/CN=${cn}`)}`,
      "openssl x509 -req -in client.csr -CA intermediate.pem -CAkey intermediate.key -CAcreateserial -out client.pem -days 365 -sha256",
    ].join("\n"),
  };
}
