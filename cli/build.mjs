#!/usr/bin/env node
// Builds the prebuilt CLI: cli/main.ts and the lib/ code it uses, bundled by esbuild (installed with tsx, a runtime
// dependency) into cli/dist/portcullis.mjs plus one chunk per lazily-imported command, so a call compiles nothing and
// loads only the code of its command. npm packages stay external (resolved from node_modules at run time): PGlite
// and the native argon2 binding load files next to their own modules, and a command that does not import them
// never pays for them.
//
//   node cli/build.mjs             build now (the `prepare`, `build:cli` scripts)
//   node cli/build.mjs --if-stale  build only when the sources changed since the last build (`prestart`, `pretest`)
//
// The launcher (bin/portcullis.mjs) also calls buildCli() when the build is missing or stale, so a checkout where
// install scripts did not run (npm install --ignore-scripts) or where cli/ or lib/ was edited still runs current code.
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DIST, ENTRY, fileStamp, MANIFEST, readManifest, ROOT, staleReason } from "./manifest.mjs";

/** Files that shape the build without being bundled: the settings below, the version, the `@/` path alias. */
const SETTINGS = ["cli/build.mjs", "cli/manifest.mjs", "package.json", "tsconfig.json"];
/** Chunks of earlier builds are removed once this old: a CLI call that started before a rebuild may still import them. */
const OLD_CHUNK_MS = 10 * 60_000;

export async function loadEsbuild() {
  try {
    return await import("esbuild");
  } catch {
    // Not hoisted to the top of node_modules: use the copy tsx depends on.
    const fromTsx = createRequire(createRequire(path.join(ROOT, "package.json")).resolve("tsx"));
    return await import(pathToFileURL(fromTsx.resolve("esbuild")).href);
  }
}

/** Writes next to the target and renames, so a concurrent CLI call never reads a half-written file. */
export function writeAtomic(file, contents) {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

function removeOldChunks(keep) {
  const dir = path.join(DIST, "chunks");
  let names = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const file = path.join(dir, name);
    if (keep.has(file)) continue;
    try {
      if (Date.now() - statSync(file).mtimeMs > OLD_CHUNK_MS) rmSync(file, { force: true });
    } catch {
      /* removed by a concurrent build */
    }
  }
}

/** esbuild settings of every bundle of Portcullis's own code (npm packages stay external), written by the caller. */
export const BUNDLE_OPTIONS = {
  absWorkingDir: ROOT,
  bundle: true,
  platform: "node",
  target: "node20",
  packages: "external",
  tsconfig: path.join(ROOT, "tsconfig.json"),
  legalComments: "none",
  metafile: true,
  write: false,
  logLevel: "silent",
};

/**
 * The manifest's `inputs`: what esbuild read plus `settings`, stamped after the build. An input modified while esbuild
 * read it (at or after `started`) gets an impossible stamp, so the next call rebuilds rather than trusting a bundle that
 * may hold its older text.
 */
export function inputStamps(metafile, settings, started) {
  const inputs = {};
  for (const rel of [...Object.keys(metafile.inputs), ...settings]) {
    const stamp = fileStamp(path.join(ROOT, rel));
    if (stamp) inputs[rel] = stamp[1] >= started ? [stamp[0], -1] : stamp;
  }
  return inputs;
}

/** Builds cli/dist and returns its manifest. */
export async function buildCli() {
  const started = Date.now();
  const { build } = await loadEsbuild();
  const { version } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const buildId = `${started.toString(36)}-${randomBytes(3).toString("hex")}`;
  const result = await build({
    ...BUNDLE_OPTIONS,
    entryPoints: { portcullis: "cli/main.ts" },
    outdir: DIST,
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    splitting: true,
    format: "esm",
    // Strings, not one object: esbuild inlines them into the entry instead of a shared chunk.
    define: { __PORTCULLIS_VERSION__: JSON.stringify(version), __PORTCULLIS_BUILD_ID__: JSON.stringify(buildId) },
    banner: { js: "// Built by cli/build.mjs from cli/ and lib/ (do not edit; rebuilt when they change)." },
  });
  const inputs = inputStamps(result.metafile, SETTINGS, started);
  const entry = result.outputFiles.find((f) => f.path === ENTRY);
  if (!entry) throw new Error(`esbuild did not produce ${path.relative(ROOT, ENTRY)}`);
  for (const f of result.outputFiles) if (f !== entry) writeAtomic(f.path, f.contents);
  writeAtomic(ENTRY, entry.contents);
  const manifest = { version, buildId, builtAt: new Date().toISOString(), entry: path.relative(ROOT, ENTRY), inputs };
  writeAtomic(MANIFEST, JSON.stringify(manifest, null, 1) + "\n");
  removeOldChunks(new Set(result.outputFiles.map((f) => f.path)));
  return { manifest, ms: Date.now() - started, files: result.outputFiles.length };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ifStale = process.argv.includes("--if-stale");
  const why = staleReason(readManifest());
  if (ifStale && !why) {
    console.log(`portcullis CLI: ${path.relative(process.cwd(), ENTRY) || ENTRY} is up to date`);
  } else {
    try {
      const { manifest, ms, files } = await buildCli();
      const sources = Object.keys(manifest.inputs).length - SETTINGS.length;
      console.log(`portcullis CLI: built ${path.relative(process.cwd(), ENTRY)} (${files} files from ${sources} sources, ${ms} ms${why && ifStale ? `; ${why}` : ""})`);
    } catch (e) {
      const errors = e?.errors?.length ? e.errors.map((m) => `${m.location ? `${m.location.file}:${m.location.line}: ` : ""}${m.text}`).join("\n") : String(e?.message ?? e);
      console.error(`portcullis CLI: build failed\n${errors}`);
      process.exit(1);
    }
  }
}
