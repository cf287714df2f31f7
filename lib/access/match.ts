/**
 * Which application protects a request: domain plus optional path, as Cloudflare Access matches them. Exact hostnames
 * rank before wildcards, then the longer normalised path; a path covers a request only on segment boundaries
 * (`/admin` covers `/admin/users`, never `/administrator`). The gateway, the tester and the nginx export all take the
 * order and the choice from here.
 */
import { appPathKey, pathCovers } from "./path";
import type { AccessApp, AppConfig, AppConsidered } from "./types";

const specificity = (hostname: string, pathKey: string) =>
  (hostname.startsWith("*.") ? 0 : 1_000_000) + hostname.length * 1000 + (pathKey === "/" ? 0 : pathKey.length);

/** Most specific first (exact hostname, then longer hostname, then longer normalised path); stable otherwise. */
export function orderApps<T extends { app: { hostname: string }; pathKey: string }>(apps: readonly T[]): T[] {
  return apps
    .map((a, i) => ({ a, i, s: specificity(a.app.hostname, a.pathKey) }))
    .sort((x, y) => y.s - x.s || x.i - y.i)
    .map((x) => x.a);
}

/** Each application with its path key, ordered. */
export function keyedApps<C extends AppConfig>(apps: readonly C[]): { app: C; pathKey: string }[] {
  return orderApps(apps.map((app) => ({ app, pathKey: appPathKey(app.path) })));
}

/**
 * The applications of one hostname that can ever match, in order: the first of several with the same path key
 * shadows the others (an exact hostname before a wildcard), and nothing after a whole-hostname application is reached.
 */
export function reachableApps<T extends { pathKey: string }>(ordered: readonly T[]): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const a of ordered) {
    if (seen.has(a.pathKey)) continue;
    seen.add(a.pathKey);
    out.push(a);
    if (a.pathKey === "/") break;
  }
  return out;
}

/** The application protecting a request key: the first (most specific) whose path covers it. The fast path. */
export function appFor<A extends AccessApp>(apps: readonly A[], key: string): A | null {
  for (let i = 0; i < apps.length; i++) if (pathCovers(apps[i].pathKey, key)) return apps[i];
  return null;
}

const shownPath = (pathKey: string) => (pathKey === "/" ? "the whole hostname" : `path ${pathKey}`);

/** `appFor` plus, for every application of the hostname, why it was or was not chosen. */
export function explainMatch<A extends AccessApp>(apps: readonly A[], key: string): { app: A | null; considered: AppConsidered[] } {
  const chosen = appFor(apps, key);
  const considered = apps.map((a, i): AppConsidered => {
    const base = { id: a.app.id, name: a.app.name, domain: a.app.domain };
    if (a === chosen) {
      const why = a.pathKey === "/" ? `${a.app.hostname}: covers the whole hostname, so also ${key}` : `${a.app.hostname}: path ${a.pathKey} covers ${key}`;
      return { ...base, matched: true, why: apps.length > 1 ? `${why} (the most specific application that does)` : why };
    }
    if (!pathCovers(a.pathKey, key)) return { ...base, matched: false, why: `${a.app.hostname}: path ${a.pathKey} does not cover ${key} (paths match whole segments)` };
    // An earlier application with the same path key takes every request this one would get.
    const twin = apps.slice(0, i).find((b) => b.pathKey === a.pathKey);
    if (twin) {
      const rank = twin.app.hostname === a.app.hostname ? "created earlier" : "exact hostnames rank before wildcards";
      return { ...base, matched: false, why: `shadowed by "${twin.app.name}" (${twin.app.domain}), which has the same path and ranks first (${rank})` };
    }
    const c = chosen!;
    return { ...base, matched: false, why: `${shownPath(a.pathKey)} covers ${key} but is less specific than "${c.app.name}" (${c.app.domain})` };
  });
  return { app: chosen, considered };
}
