/**
 * Every page and route handler of the app, read from app/ at test time, as concrete URLs: route groups
 * dropped, dynamic segments replaced with the ids a spec seeded. A dynamic segment with no entry in
 * `values` throws, so a new route cannot slip past a crawl unnoticed.
 */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";

export interface AppRoute {
  /** The file, relative to the repository root (e.g. `app/(console)/audit-log/page.tsx`). */
  file: string;
  kind: "page" | "route";
  /** Behind console sign-in (the `(console)` route group), as opposed to public or token-authenticated. */
  console: boolean;
  url: string;
}

/** Values for a dynamic segment, keyed by "<parent segment>/<[param]>" or by "<[param]>" alone. */
export type SegmentValues = Record<string, string[]>;

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

export function appRoutes(root: string, values: SegmentValues): AppRoute[] {
  const out: AppRoute[] = [];
  for (const abs of walk(path.join(root, "app"))) {
    const file = path.relative(root, abs).split(path.sep).join("/");
    const m = /^app\/(?:(.*)\/)?(page|route)\.(?:tsx?|jsx?)$/.exec(file);
    if (!m) continue;
    const segments = (m[1] ?? "").split("/").filter(Boolean);
    let urls = [""];
    segments.forEach((seg, i) => {
      if (/^\(.*\)$/.test(seg)) return; // route group: not part of the URL
      if (seg.startsWith("@")) throw new Error(`${file}: parallel route slots are not mapped by this crawl; extend e2e/helpers/app-routes.ts`);
      if (!seg.startsWith("[")) {
        urls = urls.map((u) => `${u}/${seg}`);
        return;
      }
      const key = `${segments[i - 1] ?? ""}/${seg}`;
      const choices = values[key] ?? values[seg];
      if (!choices) throw new Error(`${file}: no seeded value for the dynamic segment ${seg}; add "${key}" to the crawl's segment values`);
      urls = urls.flatMap((u) => choices.map((c) => (c === "" ? u : `${u}/${c}`)));
    });
    for (const url of urls) out.push({ file, kind: m[2] as "page" | "route", console: segments[0] === "(console)", url: url || "/" });
  }
  return out;
}
