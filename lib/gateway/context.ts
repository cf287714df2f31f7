/**
 * Per-hostname compiled configuration for the gateway: the TLS SecureContext (that hostname's CAs and CRLs, so
 * the handshake asks for the right client certificates), a cached lib/pki validator over the same CAs and CRLs,
 * the hostname settings, and the applications with their policies compiled by lib/policy. Built lazily on the
 * first connection for a hostname and dropped as a whole when the configuration changes.
 */
import tls from "node:tls";
import { applicationsForHostname, type ApplicationForGateway } from "../domain/applications";
import { certificatesForHostname, getHostnameSettings } from "../domain/certificates";
import { createValidator, type Validator } from "../pki";
import { compilePolicies, parseGoDuration, type PolicyEvaluator } from "../policy";

/** Accept SHA-1-signed chains and small keys at the TLS layer, as Cloudflare does; lib/pki decides validity. */
export const GATEWAY_CIPHERS = "DEFAULT:@SECLEVEL=0";
const MAX_CACHED_HOSTS = 10_000;

export interface CompiledApp {
  app: ApplicationForGateway;
  evaluator: PolicyEvaluator;
  sessionSeconds: number;
  origin: URL | null;
}

export interface HostContext {
  hostname: string;
  /** associated with at least one mTLS certificate */
  associated: boolean;
  forwarding: boolean;
  validator: Validator | null;
  apps: CompiledApp[];
  secureContext: tls.SecureContext;
}

export interface ServerIdentity {
  cert: string;
  key: string;
}

function secureContextFor(identity: ServerIdentity, cas: string[], crls: string[]): tls.SecureContext {
  const base = { cert: identity.cert, key: identity.key, ciphers: GATEWAY_CIPHERS, minVersion: "TLSv1.2" as const };
  if (!cas.length) return tls.createSecureContext(base);
  try {
    return tls.createSecureContext({ ...base, ca: cas, ...(crls.length ? { crl: crls } : {}) });
  } catch {
    // A CA or CRL OpenSSL cannot load must not take the hostname down: lib/pki still validates every request.
    return tls.createSecureContext({ ...base, ca: cas });
  }
}

function parseOrigin(url: string | null): URL | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u : null;
  } catch {
    return null;
  }
}

/**
 * What the gateway reads from the database for one hostname. Plain data (structured-clone safe), so the process that
 * owns the database can ship it to gateway worker processes over IPC.
 */
export interface HostConfig {
  /** CA PEMs of the certificates associated with the hostname, with their CRLs */
  cas: string[];
  crls: string[];
  forwarding: boolean;
  apps: ApplicationForGateway[];
}

export type HostConfigSource = (hostname: string) => Promise<HostConfig>;

/** The database source (the process that owns the database). */
export async function loadHostConfig(hostname: string): Promise<HostConfig> {
  const [certs, apps, settings] = await Promise.all([
    certificatesForHostname(hostname),
    applicationsForHostname(hostname),
    getHostnameSettings([hostname]),
  ]);
  return {
    cas: certs.map((c) => c.pem),
    crls: certs.map((c) => c.crlPem).filter((c): c is string => !!c),
    forwarding: settings[0]?.client_certificate_forwarding ?? false,
    apps,
  };
}

async function build(hostname: string, identity: ServerIdentity, source: HostConfigSource): Promise<HostContext> {
  const { cas, crls, forwarding, apps } = await source(hostname);
  return {
    hostname,
    associated: cas.length > 0,
    forwarding,
    validator: cas.length ? createValidator({ trustAnchors: cas, crls }) : null,
    apps: apps.map((app) => {
      const d = parseGoDuration(app.session_duration);
      return {
        app,
        evaluator: compilePolicies(app.policies),
        sessionSeconds: d.ok && d.ms > 0 ? d.ms / 1000 : 86_400,
        origin: parseOrigin(app.origin_url),
      };
    }),
    secureContext: secureContextFor(identity, cas, crls),
  };
}

const normalizeHost = (hostname: string) => hostname.trim().toLowerCase().replace(/\.$/, "");

export class ContextCache {
  private hosts = new Map<string, Promise<HostContext>>();
  /** The built contexts of `hosts`, for callers that can answer synchronously (SNI, the request path). */
  private ready = new Map<string, HostContext>();
  private generation = 0;
  readonly defaultContext: tls.SecureContext;

  constructor(
    private identity: ServerIdentity,
    private source: HostConfigSource = loadHostConfig,
  ) {
    this.defaultContext = secureContextFor(identity, [], []);
  }

  /** The built context for `hostname` when there is one (no promise, no microtask); otherwise use `get`. */
  peek(hostname: string): HostContext | undefined {
    return this.ready.get(hostname) ?? this.ready.get(normalizeHost(hostname));
  }

  get(hostname: string): Promise<HostContext> {
    const host = normalizeHost(hostname);
    const hit = this.hosts.get(host);
    if (hit) return hit;
    const gen = this.generation;
    const p = build(host, this.identity, this.source);
    this.hosts.set(host, p);
    p.then(
      (ctx) => {
        // Built from a configuration that changed meanwhile: don't keep it.
        if (gen !== this.generation) {
          if (this.hosts.get(host) === p) this.hosts.delete(host);
        } else if (this.hosts.get(host) === p) this.ready.set(host, ctx);
      },
      () => {
        if (this.hosts.get(host) === p) this.hosts.delete(host);
      },
    );
    if (this.hosts.size > MAX_CACHED_HOSTS) {
      const oldest = this.hosts.keys().next().value as string;
      this.hosts.delete(oldest);
      this.ready.delete(oldest);
    }
    return p;
  }

  clear(): void {
    this.generation++;
    this.hosts.clear();
    this.ready.clear();
  }
}

/** The application protecting `path` on this host: the most specific path prefix (apps come sorted). */
export function appForPath(ctx: HostContext, path: string): CompiledApp | null {
  const p = path.split("?")[0] || "/";
  for (const a of ctx.apps) {
    const prefix = a.app.path;
    if (!prefix || p === prefix || p.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`)) return a;
  }
  return null;
}
