/**
 * The differential matrix's generator: configurations and requests drawn from a seeded PRNG (mulberry32), so a
 * seed names the same cases on every machine and a disagreement can be replayed from the seed alone.
 */
import type { ManagedConfig, ManagedKind } from "./managed";
import { CA_NAMES, CERT_KINDS, OTHER_CA, type CaName, type CertKind, type MANAGED_CA } from "./pki";

export type Rng = () => number;

/** mulberry32: small, fast and the same everywhere. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (r: Rng, min: number, max: number) => min + Math.floor(r() * (max - min + 1));
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const shuffle = <T>(r: Rng, xs: readonly T[]): T[] => {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
};

export type Rule =
  | { common_name: { common_name: string } }
  | { certificate: Record<string, never> }
  | { ip: { ip: string } }
  | { everyone: Record<string, never> }
  // identity rules (./identity): the service token's id is filled in when the configuration is built
  | { email_domain: { domain: string } }
  | { any_valid_service_token: Record<string, never> }
  | { service_token: { token_id: string } };
export type PolicyDecision = "allow" | "deny" | "bypass" | "non_identity";

export interface PolicySpec {
  name: string;
  decision: PolicyDecision;
  include: Rule[];
  require: Rule[];
  exclude: Rule[];
}

/** One uploaded mTLS certificate: a CA of the pool, as its chain (intermediate + root) or its root alone. */
export interface CaUpload {
  ca: CaName | typeof OTHER_CA;
  form: "chain" | "root";
  /** upload the intermediate's CRL (only with the chain) */
  crl: boolean;
  hostnames: string[];
}

export interface AppSpec {
  name: string;
  hostname: string;
  /** "" = the whole hostname */
  path: string;
  /** indexes into `policies`, in precedence order */
  policies: number[];
}

export interface ConfigSpec {
  index: number;
  hostnames: string[];
  uploads: CaUpload[];
  policies: PolicySpec[];
  apps: AppSpec[];
  /** hostnames that are named as the TLS server name of SNI/Host cases (`addSniHosts`) */
  sni?: SniHosts;
  /** the identity, service-token and blocked-certificate cases' applications (./identity `addIdentityApps`) */
  identity?: import("./identity").IdentityConfig;
  /** the managed CA cases' hostname (./managed `addManagedApp`) */
  managed?: ManagedConfig;
}

/**
 * Hostnames a configuration gets for the SNI/Host cases (issue #13 part 3), besides its own, named as the TLS server
 * name only: an open hostname (an application with its own policy of Everyone or an IP range, no mTLS certificate),
 * a `twin` of one of its hostnames (associated with exactly that hostname's uploads: the same trust store, so the
 * gateway decides instead of answering 421), and a hostname with other CAs than all of them (`other`: the CA no
 * other upload uses).
 */
export interface SniHosts {
  open: string;
  twin: string;
  other: string;
}

export interface RequestSpec {
  hostname: string;
  /** the request target as sent (curl --path-as-is) */
  path: string;
  /** null = no client certificate */
  ca: CaName | typeof OTHER_CA | typeof MANAGED_CA | null;
  kind: CertKind;
  intermediateSent: boolean;
  /** the category the case was drawn for (the report counts per category) */
  category: string;
  /** the TLS server name when it is not `hostname` (the Host header): a name, or null for none sent */
  sni?: string | null;
  /** signed in at the gateway as this email (./identity) */
  email?: string;
  /** presents this service token's credentials (./identity) */
  serviceToken?: "good" | "disabled";
  /** presents the configuration's blocked leaf (`MatrixCa.stolen`) instead of `kind` */
  stolen?: boolean;
  /** with `ca` MANAGED_CA: which of the managed CA's certificates (./managed) */
  managed?: ManagedKind;
}

const APP_PATHS = ["", "/admin", "/public", "/api", "/admin/users"];
/** request-target tricks (issue 12): each normalises to a path an application may cover */
export const PATH_TRICKS = ["/public/../secret", "/Admin", "/%61dmin", "//admin", "/x/../admin", "/admin;x", "/administrator"];
const IP_RANGES = ["127.0.0.0/8", "127.0.0.1/32", "192.0.2.0/24", "10.0.0.0/8"];
const CNS = ["John Doe", "Jane Roe"];

function rule(r: Rng): Rule {
  switch (int(r, 0, 3)) {
    case 0:
      return { common_name: { common_name: pick(r, CNS) } };
    case 1:
      return { certificate: {} };
    case 2:
      return { ip: { ip: pick(r, IP_RANGES) } };
    default:
      return { everyone: {} };
  }
}

export function generateConfig(r: Rng, index: number): ConfigSpec {
  const hostnames = Array.from({ length: int(r, 1, 2) }, (_, i) => `h${i}-c${index}.diff.example`);
  // 1–3 CAs per hostname; one upload per CA, associated with every hostname that chose it.
  const byCa = new Map<CaName, string[]>();
  for (const h of hostnames) for (const ca of shuffle(r, CA_NAMES).slice(0, int(r, 1, 3))) byCa.set(ca, [...(byCa.get(ca) ?? []), h]);
  const uploads: CaUpload[] = [...byCa].map(([ca, hs]) => {
    const form = r() < 0.75 ? "chain" : "root";
    return { ca, form, crl: form === "chain" && r() < 0.6, hostnames: hs };
  });
  const policies: PolicySpec[] = Array.from({ length: int(r, 1, 5) }, (_, i) => ({
    name: `c${index} p${i}`,
    decision: pick(r, ["allow", "deny", "bypass", "non_identity", "non_identity"] as const),
    include: Array.from({ length: int(r, 1, 2) }, () => rule(r)),
    require: r() < 0.35 ? [rule(r)] : [],
    exclude: r() < 0.3 ? [rule(r)] : [],
  }));
  // 1–4 applications on the hostnames, different paths on a shared hostname.
  const slots = shuffle(r, hostnames.flatMap((h) => APP_PATHS.map((p) => ({ h, p }))));
  const apps: AppSpec[] = slots.slice(0, int(r, 1, 4)).map(({ h, p }, i) => ({
    name: `c${index} app${i}`,
    hostname: h,
    path: p,
    policies: shuffle(r, policies.map((_, j) => j)).slice(0, int(r, 1, Math.min(3, policies.length))),
  }));
  return { index, hostnames, uploads, policies, apps };
}

/** what a request's client certificate is ("valid" twice: drawn twice as often) */
export const CATEGORIES = ["valid", "valid", "wrong_cn", "other_ca", "expired", "not_yet_valid", "revoked", "sha1", "no_certificate", "untrusted_ca"] as const;

export function generateRequest(r: Rng, cfg: ConfigSpec): RequestSpec {
  const hostname = pick(r, cfg.hostnames);
  const trusted = cfg.uploads.filter((u) => u.hostnames.includes(hostname)).map((u) => u.ca);
  const untrusted = CA_NAMES.filter((c) => !trusted.includes(c));
  let category: string = pick(r, CATEGORIES);
  if (category === "untrusted_ca" && !untrusted.length) category = "valid";
  const ca = category === "no_certificate" ? null : category === "other_ca" ? OTHER_CA : category === "untrusted_ca" ? pick(r, untrusted) : pick(r, trusted);
  const kind: CertKind =
    category === "wrong_cn" ? "jane" :
    category === "expired" || category === "not_yet_valid" || category === "revoked" || category === "sha1" ? category :
    r() < 0.8 ? "john" : pick(r, CERT_KINDS);
  // Paths inside and outside each application of the hostname, and the tricks.
  const appPaths = cfg.apps.filter((a) => a.hostname === hostname).map((a) => a.path);
  const inside = appPaths.flatMap((p) => [p || "/", `${p}/x`, `${p.toUpperCase()}/y`]);
  const outside = ["/", "/other", "/publication", "/api2/x"];
  const path = pick(r, [pick(r, inside.length ? inside : outside), pick(r, outside), pick(r, PATH_TRICKS), pick(r, PATH_TRICKS)]);
  return { hostname, path, ca, kind, intermediateSent: r() < 0.5, category: path.match(/\.\.|%|\/\/|;|Admin|administrator/) ? `${category}+path_trick` : category };
}

/** The SNI/Host categories: each must be refused 421 Misdirected, except a TLS server name with the same trust store. */
export const SNI_CATEGORIES = ["sni_open_host_protected", "sni_protected_host_other_cas", "sni_protected_host_same_cas", "no_sni_host_protected", "sni_protected_host_open"] as const;

/** Adds the SNI/Host hostnames to `cfg` (drawn from their own stream, so the configuration's other draws stay as they were). */
export function addSniHosts(r: Rng, cfg: ConfigSpec): void {
  const open = `o-c${cfg.index}.diff.example`;
  const twin = `t-c${cfg.index}.diff.example`;
  const other = `x-c${cfg.index}.diff.example`;
  const of = pick(r, cfg.hostnames);
  for (const u of cfg.uploads) if (u.hostnames.includes(of)) u.hostnames.push(twin);
  cfg.uploads.push({ ca: OTHER_CA, form: "chain", crl: r() < 0.5, hostnames: [other] });
  // Certificate rules cannot be saved on a hostname without an mTLS certificate: the open application gets its own policy.
  cfg.policies.push({ name: `c${cfg.index} open`, decision: pick(r, ["allow", "bypass", "non_identity"] as const), include: [pick(r, [{ everyone: {} }, { ip: { ip: pick(r, IP_RANGES) } }] as Rule[])], require: [], exclude: [] });
  cfg.apps.push({ name: `c${cfg.index} open`, hostname: open, path: "", policies: [cfg.policies.length - 1] });
  cfg.sni = { open, twin, other };
}

const trustOf = (cfg: ConfigSpec, h: string) => cfg.uploads.filter((u) => u.hostnames.includes(h)).map((u) => `${u.ca}/${u.form}/${u.crl}`).sort().join(" ");

/**
 * A request whose TLS server name is not its Host (or is absent). Needs `addSniHosts` first. The `n`th SNI case of a
 * run is of SNI_CATEGORIES[n % 5] (so a small run has each).
 */
export function generateSniRequest(r: Rng, cfg: ConfigSpec, n: number): RequestSpec {
  const hosts = cfg.sni!;
  const want = SNI_CATEGORIES[n % SNI_CATEGORIES.length];
  let hostname = pick(r, cfg.hostnames);
  let sni: string | null = hosts.open;
  if (want === "no_sni_host_protected") sni = null;
  else if (want === "sni_protected_host_open") [hostname, sni] = [hosts.open, hostname];
  else if (want === "sni_protected_host_other_cas" || want === "sni_protected_host_same_cas") {
    const pairs = cfg.hostnames.flatMap((h) => [hosts.twin, hosts.other, ...cfg.hostnames.filter((o) => o !== h)].map((o) => ({ h, o, same: trustOf(cfg, o) === trustOf(cfg, h) })));
    const fit = pairs.filter((p) => p.same === (want === "sni_protected_host_same_cas"));
    const p = pick(r, fit);
    [hostname, sni] = [p.h, p.o];
  }
  // The certificate: one the TLS server name's hostname trusts when it has any (so a shared trust store can allow).
  const trusted = cfg.uploads.filter((u) => u.hostnames.includes(sni ?? "") || (!sni && u.hostnames.includes(hostname))).map((u) => u.ca);
  const ca = trusted.length ? pick(r, trusted) : pick(r, cfg.uploads).ca;
  const certKind: CertKind = pick(r, ["john", "john", "john", "jane", "revoked", "expired"] as const);
  const appPaths = cfg.apps.filter((a) => a.hostname === hostname).map((a) => a.path || "/");
  const category = want !== "sni_protected_host_other_cas" && want !== "sni_protected_host_same_cas" ? want : trustOf(cfg, sni!) === trustOf(cfg, hostname) ? "sni_protected_host_same_cas" : "sni_protected_host_other_cas";
  return { hostname, path: pick(r, [...appPaths, "/"]), ca, kind: certKind, intermediateSent: r() < 0.5, category, sni };
}
