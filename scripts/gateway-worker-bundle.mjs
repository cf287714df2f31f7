#!/usr/bin/env node
// The gateway worker as one ES module (lib/gateway/worker.ts and the lib/ code it uses, bundled by esbuild; npm
// packages stay external), which lib/gateway/cluster.ts runs in its worker processes instead of the TypeScript through
// tsx. Why: tsx compiles each file to CommonJS, where every use of an imported name goes through two getters
// (esbuild's export getter behind a copied one); V8 does not inline them, about 30 ns per use, measured against 0.6
// ns for a local function. The request path uses imported names dozens of times per request; a bundle has none.
//
//   node scripts/gateway-worker-bundle.mjs            build now; prints the bundle's path
//   node scripts/gateway-worker-bundle.mjs --if-stale build only when a source changed since the last build
//
// The bundle and its manifest (every input with its size and mtime, as cli/manifest.mjs checks them) live in
// node_modules/.cache/portcullis: a build output that goes with the installed packages it imports.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readManifest, ROOT, staleReason } from "../cli/manifest.mjs";
import { BUNDLE_OPTIONS, inputStamps, loadEsbuild, writeAtomic } from "../cli/build.mjs";

export const WORKER_BUNDLE = path.join(ROOT, "node_modules", ".cache", "portcullis", "gateway-worker.mjs");
const MANIFEST = path.join(path.dirname(WORKER_BUNDLE), "gateway-worker.json");
const SETTINGS = ["scripts/gateway-worker-bundle.mjs", "cli/build.mjs", "package.json", "tsconfig.json"];

/** Builds the bundle when it is missing or a source changed; returns why it was built (null: it was current). */
export async function ensureWorkerBundle({ force = false } = {}) {
  const why = force ? "asked to" : staleReason(readManifest(MANIFEST), ROOT, WORKER_BUNDLE);
  if (!why) return null;
  const started = Date.now();
  const { build } = await loadEsbuild();
  const result = await build({
    ...BUNDLE_OPTIONS,
    entryPoints: ["lib/gateway/worker.ts"],
    outfile: WORKER_BUNDLE,
    format: "esm",
    banner: { js: "// Built by scripts/gateway-worker-bundle.mjs from lib/ (do not edit; rebuilt when a source changes)." },
  });
  const inputs = inputStamps(result.metafile, SETTINGS, started);
  writeAtomic(WORKER_BUNDLE, result.outputFiles[0].contents);
  writeAtomic(MANIFEST, JSON.stringify({ builtAt: new Date().toISOString(), entry: path.relative(ROOT, WORKER_BUNDLE), inputs }, null, 1) + "\n");
  return why;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await ensureWorkerBundle({ force: !process.argv.includes("--if-stale") });
    console.log(WORKER_BUNDLE);
  } catch (e) {
    const errors = e?.errors?.length ? e.errors.map((m) => `${m.location ? `${m.location.file}:${m.location.line}: ` : ""}${m.text}`).join("\n") : String(e?.message ?? e);
    console.error(`gateway worker bundle: build failed\n${errors}`);
    process.exit(1);
  }
}
