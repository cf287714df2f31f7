/**
 * The tester's context for one hostname: its trust store compiled and every application on it, loaded from the
 * database (`buildHostnameContext`) or built from configuration the caller already holds (`contextFromConfig`).
 */
import { compileHost } from "../../access";
import { parseCertificates } from "../../pki/path";
import { fingerprints } from "../../pki/links";
import { getHostnameSettings } from "../hostnames";
import { revocationSettingsFor } from "../hostnames/revocation";
import { blockedCertificatesForDecision } from "../blocked-certificates";
import { applicationsForHostname } from "../applications";
import { trustSourcesForHostname } from "../crls";
import type { EvaluateOptions, HostnameConfig, HostnameContext } from "./types";

/** Builds the evaluation context from already-loaded configuration (the gateway's cached snapshot). */
export async function contextFromConfig(cfg: HostnameConfig): Promise<HostnameContext> {
  const pems = cfg.certificates.map((c) => c.pem);
  const crls = cfg.certificates.flatMap((c) => (c.crlPem ? [c.crlPem] : []));
  const anchors = parseCertificates(pems).certs;
  const fps = await Promise.all(anchors.map(async (a) => (await fingerprints(a)).sha256));
  return {
    hostname: cfg.hostname,
    associated: cfg.certificates.length > 0,
    trustSources: cfg.certificates.map((c) => ({ id: c.id, name: c.name, hasCrl: !!c.crlPem })),
    snapshot: compileHost({ hostname: cfg.hostname, cas: pems, crls, forwarding: cfg.forwarding ?? false, apps: cfg.applications, blocked: cfg.blocked, revocation: cfg.revocation }),
    anchorFingerprints: new Set(fps),
    builtAt: new Date(),
    forwarding: { legacy: cfg.forwarding ?? false, presets: cfg.forwardingPresets ?? [] },
  };
}

/** Loads `hostname`'s trust store and every application on it. */
export async function buildHostnameContext(hostname: string): Promise<HostnameContext> {
  const host = hostname.trim().toLowerCase().replace(/\.$/, "");
  const [certificates, applications, blocked, revocation] = await Promise.all([trustSourcesForHostname(host), applicationsForHostname(host), blockedCertificatesForDecision(), revocationSettingsFor([host])]);
  const [setting] = await getHostnameSettings([host]);
  return contextFromConfig({ hostname: host, forwarding: setting?.client_certificate_forwarding ?? false, forwardingPresets: setting?.forwarding_presets ?? [], certificates, applications, blocked, revocation: revocation.get(host) });
}

/**
 * The TLS server name's context as the gateway resolves it: the tested hostname's own for its name; null for no SNI
 * or a name nothing is configured for (the gateway's shared "unknown" context).
 */
export async function sniContext(name: string | undefined, host: HostnameContext): Promise<EvaluateOptions["sni"]> {
  if (name === undefined) return undefined;
  if (name === host.hostname) return { name, ctx: host };
  if (!name) return { name, ctx: null };
  const ctx = await buildHostnameContext(name);
  return { name, ctx: ctx.associated || ctx.snapshot.apps.length ? ctx : null };
}
