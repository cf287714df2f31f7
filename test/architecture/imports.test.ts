/**
 * The layering rules of the code base, checked on the source: no import cycles (value imports; `import type`
 * is erased), components never import from app/, and the pure modules stay framework- and database-free.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
const SOURCE_DIRS = ["app", "components", "lib", "cli", "scripts", "bench", "proxy.ts", "instrumentation.ts"];
const SKIP = new Set(["node_modules", "dist", ".next", "results"]);

function walk(rel: string, out: string[] = []): string[] {
  const abs = path.join(root, rel);
  if (!existsSync(abs)) return out;
  if (statSync(abs).isFile()) {
    if (/\.(ts|tsx|mjs)$/.test(rel)) out.push(rel);
    return out;
  }
  for (const name of readdirSync(abs)) if (!SKIP.has(name)) walk(path.posix.join(rel, name), out);
  return out;
}

const files = SOURCE_DIRS.flatMap((d) => walk(d));
const CANDIDATES = ["", ".ts", ".tsx", ".mjs", ".js", "/index.ts", "/index.tsx"];
function resolve(spec: string, from: string): string | null {
  let base: string;
  if (spec.startsWith("@/")) base = spec.slice(2);
  else if (spec.startsWith(".")) base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  else return null;
  for (const ext of CANDIDATES) {
    const p = base + ext;
    if (existsSync(path.join(root, p)) && statSync(path.join(root, p)).isFile()) return p;
  }
  return null;
}

// Static value imports and re-exports; `import type` / `export type` are erased at build time.
const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s+(?!type\b)(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']/g;
const graph = new Map<string, string[]>();
const specifiers = new Map<string, string[]>();
for (const f of files) {
  const src = readFileSync(path.join(root, f), "utf8");
  const specs = [...src.matchAll(IMPORT_RE)].map((m) => m[1]);
  specifiers.set(f, specs);
  graph.set(f, specs.map((s) => resolve(s, f)).filter((t): t is string => t !== null));
}

function cycles(): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe("import graph", () => {
  it("finds the source (a guard against an empty walk)", () => {
    expect(files.length).toBeGreaterThan(200);
    expect(graph.get("lib/domain/certificates/index.ts")).toContain("lib/domain/core/mutate.ts");
  });

  it("has no cycles", () => {
    expect(cycles()).toEqual([]);
  });

  it("has no arrow from components/ to app/", () => {
    const up = [...graph].flatMap(([f, ts]) => (f.startsWith("components/") ? ts.filter((t) => t.startsWith("app/")).map((t) => `${f} -> ${t}`) : []));
    expect(up).toEqual([]);
  });

  it("keeps lib/pki, lib/policy and lib/access pure: no React, Next.js, database or server-only modules", () => {
    const bad = files
      .filter((f) => /^lib\/(pki|policy|access)\//.test(f) && !f.endsWith(".test.ts"))
      .flatMap((f) =>
        (specifiers.get(f) ?? [])
          .filter((s) => /^(react|next|drizzle-orm|pg|@electric-sql|server-only)(\/|$)/.test(s) || /lib\/(db|domain|gateway|actions)\b|^\.\.\/(db|domain|gateway|actions)\b/.test(s))
          .map((s) => `${f} imports ${s}`),
      );
    expect(bad).toEqual([]);
  });

  it("lib/db only opens the database: it imports nothing from the domain, audit or auth layers", () => {
    const bad = files
      .filter((f) => f.startsWith("lib/db/"))
      .flatMap((f) => (graph.get(f) ?? []).filter((t) => /^lib\/(domain|auth|actions|gateway)\//.test(t)).map((t) => `${f} -> ${t}`));
    expect(bad).toEqual([]);
  });
});
