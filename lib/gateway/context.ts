/**
 * Per-hostname compiled configuration for the gateway: the TLS SecureContext (that hostname's CAs and CRLs, so
 * the handshake asks for the right client certificates), a cached lib/pki validator over the same CAs and CRLs,
 * the hostname settings, and the applications with their policies compiled by lib/policy. Built lazily on the
 * first connection for a hostname and dropped as a whole when the configuration changes.
 *
 * Hostnames nobody configured (a random Host header or SNI name) cost nothing per request: the set of configured
 * hostnames (certificate associations and application domains, wildcards included) is loaded once per configuration
 * generation, and a name outside it gets one shared "unknown" context (the default SecureContext, no applications)
 * without a database query or a TLS context of its own.
 */
import tls from "node:tls";
import { sql } from "drizzle-orm";
import { normalizePresets, type ForwardingPreset } from "../access/forwarding-presets";
import { appFor, compileHost, orderApps, type AccessApp, type BlockedCertificate, type HostSnapshot } from "../access";
import { getDb } from "../db/client";
import { applicationsForHostname, type ApplicationForGateway } from "../domain/applications";
import { blockedCertificatesForDecision } from "../domain/blocked-certificates";
import { checkOriginUrl } from "../domain/applications/schemas";
import { certificatesForHostname, getHostnameSettings } from "../domain/hostnames";
import { revocationSettingsFor } from "../domain/hostnames/revocation";
import type { RevocationSettings } from "../access/freshness";
import { parseGoDuration } from "../policy";

/** Accept SHA-1-signed chains and small keys at the TLS layer, as Cloudflare does; lib/pki decides validity. */
export const GATEWAY_CIPHERS = "DEFAULT:@SECLEVEL=0";
const MAX_CACHED_HOSTS = 10_000;

/** An application as lib/access compiles it, plus what the gateway needs to proxy. */
export interface CompiledApp extends AccessApp<ApplicationForGateway> {
  sessionSeconds: number;
  origin: URL | null;
}

/** A lib/access host snapshot plus its TLS context. */
export interface HostContext extends HostSnapshot<CompiledApp> {
  /** false for the shared context of hostnames no certificate or application knows */
  known: boolean;
  secureContext: tls.SecureContext;
  /** the hostname's forwarding presets (lib/gateway/forwarding), besides `forwarding` */
  forwardingPresets?: readonly ForwardingPreset[];
}

export interface ServerIdentity {
  cert: string;
  key: string;
}

/**
 * The TLS context for a trust store: its CAs only. They make the handshake ask for a certificate from these CAs (the
 * CertificateRequest names them, so a browser offers the right one); whether the chain is valid, revoked included, is
 * decided by lib/pki for every request, never by OpenSSL (the server does not reject at the handshake and never reads
 * its verdict). So the CRLs stay out: OpenSSL would check them in every handshake for a verdict nobody reads, and it
 * verifies a CRL's signature, hashing the whole CRL, each time (a 60,000-entry CRL, 3 MB, cost about 3 ms of CPU per
 * handshake and halved the handshake rate on this machine).
 */
function secureContextFor(identity: ServerIdentity, cas: string[]): tls.SecureContext {
  const base = { cert: identity.cert, key: identity.key, ciphers: GATEWAY_CIPHERS, minVersion: "TLSv1.2" as const };
  if (!cas.length) return tls.createSecureContext(base);
  try {
    return tls.createSecureContext({ ...base, ca: cas });
  } catch {
    // A CA OpenSSL cannot load must not take the hostname down: lib/pki still validates every request.
    return tls.createSecureContext(base);
  }
}

/** The origin of a stored application, or null (then the gateway answers 502): rows stored before origin URLs were validated are checked again. */
function parseOrigin(url: string | null): URL | null {
  if (!url) return null;
  const r = checkOriginUrl(url);
  return r.ok ? r.url : null;
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
  /** absent from a primary process of an older version: none */
  forwardingPresets?: ForwardingPreset[];
  apps: ApplicationForGateway[];
  /** every blocked certificate (lib/access/blocked: refused before any policy) */
  blocked?: BlockedCertificate[];
  /** out-of-date CRL choice and OCSP (lib/access/freshness); absent from an older primary: block, no OCSP */
  revocation?: RevocationSettings;
}

export type HostConfigSource = (hostname: string) => Promise<HostConfig>;

/** Every configured hostname: associated with a certificate, or an application domain (`*.example.com` included). */
export type HostIndexSource = () => Promise<string[]>;

/** The database index source (the process that owns the database). */
export async function loadHostIndex(): Promise<string[]> {
  const db = await getDb();
  const res = (await db.execute(sql`select hostname from certificate_hostnames union select hostname from applications`)) as unknown as { rows: { hostname: string }[] };
  return res.rows.map((r) => r.hostname);
}

/** Whether `host` (normalised) is in the index: exactly, or under a wildcard application domain. */
function indexed(index: Set<string>, host: string): boolean {
  if (index.has(host)) return true;
  // `*.example.com` covers a.example.com and a.b.example.com, never example.com itself (as applicationsForHostname).
  for (let i = host.indexOf("."); i >= 0; i = host.indexOf(".", i + 1)) {
    const parent = host.slice(i + 1);
    if (parent.indexOf(".") < 0) break;
    if (index.has(`*.${parent}`)) return true;
  }
  return false;
}

/** The database source (the process that owns the database). */
export async function loadHostConfig(hostname: string): Promise<HostConfig> {
  const [certs, apps, settings, blocked] = await Promise.all([
    certificatesForHostname(hostname),
    applicationsForHostname(hostname),
    getHostnameSettings([hostname]),
    blockedCertificatesForDecision(),
  ]);
  return {
    cas: certs.map((c) => c.pem),
    crls: certs.map((c) => c.crlPem).filter((c): c is string => !!c),
    forwarding: settings[0]?.client_certificate_forwarding ?? false,
    forwardingPresets: settings[0]?.forwarding_presets ?? [],
    apps,
    blocked,
    revocation: (await revocationSettingsFor([hostname])).get(hostname),
  };
}

/** The TLS context for a trust store (its trust key), built once and shared by every hostname with the same trust store. */
type SecureContextFor = (trustKey: string, cas: string[]) => tls.SecureContext;

async function build(hostname: string, source: HostConfigSource, shared: tls.SecureContext, contextFor: SecureContextFor): Promise<HostContext> {
  const cfg = await source(hostname);
  const snapshot = compileHost({ hostname, ...cfg }, (a): CompiledApp => {
    const d = parseGoDuration(a.app.session_duration);
    return { ...a, sessionSeconds: d.ok && d.ms > 0 ? d.ms / 1000 : 86_400, origin: parseOrigin(a.app.origin_url) };
  });
  return {
    ...snapshot,
    known: true,
    forwardingPresets: normalizePresets(cfg.forwardingPresets),
    // Without CAs there is nothing hostname-specific in the TLS context: share the default one.
    secureContext: cfg.cas.length ? contextFor(snapshot.trustKey, cfg.cas) : shared,
  };
}

/** lib/access's application order (kept exported here for existing callers). */
export { orderApps };

const normalizeHost = (hostname: string) => hostname.trim().toLowerCase().replace(/\.$/, "");

export class ContextCache {
  private hosts = new Map<string, Promise<HostContext>>();
  /** The built contexts of `hosts`, for callers that can answer synchronously (SNI, the request path). */
  private ready = new Map<string, HostContext>();
  private generation = 0;
  /** the configured hostnames of this generation (loading, loaded), or null before the first lookup */
  private index: Promise<Set<string>> | null = null;
  private indexReady: Set<string> | null = null;
  /**
   * TLS contexts by trust key, for this generation: many hostnames usually share one CA chain (1,000 hostnames over
   * 50 CAs), and an OpenSSL context with its CA store per hostname multiplied memory and build time per worker.
   */
  private secureContexts = new Map<string, tls.SecureContext>();
  private readonly contextFor: SecureContextFor = (key, cas) => {
    let ctx = this.secureContexts.get(key);
    if (!ctx) {
      ctx = secureContextFor(this.identity, cas);
      this.secureContexts.set(key, ctx);
    }
    return ctx;
  };
  readonly defaultContext: tls.SecureContext;
  /** The one context every unknown hostname shares. */
  readonly unknown: HostContext;

  constructor(
    private identity: ServerIdentity,
    private source: HostConfigSource = loadHostConfig,
    private indexSource: HostIndexSource = loadHostIndex,
  ) {
    this.defaultContext = secureContextFor(identity, []);
    this.unknown = Object.freeze({ hostname: "", known: false, associated: false, trustKey: "", forwarding: false, forwardingPresets: [], validator: null, apps: [], secureContext: this.defaultContext });
  }

  /**
   * The built context for `hostname`, or the shared unknown context for a hostname outside the loaded index (no
   * promise, no microtask); otherwise use `get`.
   */
  peek(hostname: string): HostContext | undefined {
    const hit = this.ready.get(hostname);
    if (hit) return hit;
    const host = normalizeHost(hostname);
    return this.ready.get(host) ?? (this.indexReady && !indexed(this.indexReady, host) ? this.unknown : undefined);
  }

  private loadIndex(): Promise<Set<string>> {
    if (this.index) return this.index;
    const gen = this.generation;
    const p = this.indexSource().then((names) => new Set(names.map(normalizeHost)));
    this.index = p;
    p.then(
      (set) => {
        if (gen === this.generation && this.index === p) this.indexReady = set;
      },
      () => {
        // Retry on the next lookup (the database may be back).
        if (this.index === p) this.index = null;
      },
    );
    return p;
  }

  async get(hostname: string): Promise<HostContext> {
    const host = normalizeHost(hostname);
    const hit = this.hosts.get(host);
    if (hit) return hit;
    const index = this.indexReady ?? (await this.loadIndex());
    if (!indexed(index, host)) return this.unknown;
    return this.buildHost(host);
  }

  private buildHost(host: string): Promise<HostContext> {
    const again = this.hosts.get(host);
    if (again) return again;
    const gen = this.generation;
    const p = build(host, this.source, this.defaultContext, this.contextFor);
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
    this.secureContexts = new Map();
    this.index = null;
    this.indexReady = null;
  }
}

/** The application protecting a request on this host (lib/access `appFor`: most specific path, segment boundaries). */
export function appForPath(ctx: HostContext, key: string): CompiledApp | null {
  return appFor(ctx.apps, key);
}
