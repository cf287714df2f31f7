// Where the prebuilt CLI lives and whether it is current. Shared by the launcher (bin/portcullis.mjs), which runs on
// every call and so only reads one small JSON file and stats the sources, and by cli/build.mjs, which writes it.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const DIST = path.join(ROOT, "cli", "dist");
export const ENTRY = path.join(DIST, "portcullis.mjs");
export const MANIFEST = path.join(DIST, "manifest.json");

/**
 * @typedef {{ version: string, buildId: string, builtAt: string, entry: string, inputs: Record<string, [number, number]> }} Manifest
 * `inputs`: every source file esbuild read (plus the build settings), relative to the root, as [size, mtimeMs].
 */

/** @returns {Manifest | null} */
export function readManifest(file = MANIFEST) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

/** [size, mtimeMs] of a file, or null when it is gone. */
export function fileStamp(file) {
  try {
    const st = statSync(file);
    return [st.size, st.mtimeMs];
  } catch {
    return null;
  }
}

/**
 * Why the build in `manifest` no longer matches the sources (a changed, added-by-edit or deleted input, a missing
 * output), or null when it is current. A new import shows up as a change of the importing file.
 * @param {Manifest | null} manifest
 */
export function staleReason(manifest, root = ROOT, entry = ENTRY) {
  if (!manifest) return "not built yet";
  if (!fileStamp(entry)) return "the built file is missing";
  for (const [rel, [size, mtime]] of Object.entries(manifest.inputs)) {
    const now = fileStamp(path.join(root, rel));
    if (!now) return `${rel} is gone`;
    if (now[0] !== size || now[1] !== mtime) return `${rel} changed`;
  }
  return null;
}
