/**
 * The `portcullis` launcher runs the prebuilt bundle (cli/dist, made by cli/build.mjs), rebuilds it when its sources
 * change, and each command's chunk loads only what that command needs.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { DIST, ENTRY, MANIFEST, readManifest, staleReason } from "../../cli/manifest.mjs";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = path.join(ROOT, "bin", "portcullis.mjs");
const version = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;

const portcullis = (...args: string[]) => run(process.execPath, [BIN, ...args], { cwd: ROOT });

describe("prebuilt CLI", () => {
  it("`portcullis --version` comes from the built file named in the manifest", async () => {
    const { stdout } = await portcullis("--version");
    // Read after the call: the launcher may have just (re)built.
    const manifest = readManifest();
    expect(manifest).not.toBeNull();
    expect(stdout).toBe(`portcullis ${version} (build ${manifest!.buildId})\n`);
    expect(readFileSync(ENTRY, "utf8")).toContain(manifest!.buildId);
  });

  it("rebuilds when a source is newer than the build", async () => {
    await portcullis("--version");
    const before = readManifest()!;
    // An input whose recorded stamp no longer matches (what an edit of cli/main.ts looks like) makes the build stale.
    const rel = "cli/main.ts";
    const [size, mtime] = before.inputs[rel];
    writeFileSync(MANIFEST, JSON.stringify({ ...before, inputs: { ...before.inputs, [rel]: [size, mtime - 1000] } }));
    expect(staleReason(readManifest())).not.toBeNull();
    const { stdout } = await portcullis("--version");
    const after = readManifest()!;
    expect(after.buildId).not.toBe(before.buildId);
    expect(stdout).toBe(`portcullis ${version} (build ${after.buildId})\n`);
  });

  it("keeps the database driver and X.509 library out of `verify` and `test`", async () => {
    await portcullis("--version");
    // Static imports of a command's chunk, followed through the shared chunks it imports.
    const staticImports = (file: string, seen = new Set<string>()): string[] => {
      if (seen.has(file)) return [];
      seen.add(file);
      const text = readFileSync(file, "utf8");
      const specs = [...text.matchAll(/^import\s[^;]*?from\s*"([^"]+)"|^import\s*"([^"]+)"/gm)].map((m) => m[1] ?? m[2]);
      return specs.flatMap((s) => (s.startsWith(".") ? [s, ...staticImports(path.resolve(path.dirname(file), s), seen)] : [s]));
    };
    const chunkOf = (name: string) => {
      const m = readFileSync(ENTRY, "utf8").match(new RegExp(`import\\("(\\./chunks/${name}-[A-Z0-9]+\\.mjs)"\\)`));
      expect(m, `the entry imports the ${name} chunk lazily`).not.toBeNull();
      return path.join(DIST, m![1]);
    };
    const heavy = /^(drizzle-orm|@electric-sql\/pglite|pg|@peculiar\/x509|reflect-metadata|@node-rs\/argon2)(\/|$)/;
    for (const name of ["verify", "test"]) expect(staticImports(chunkOf(name)).filter((s) => heavy.test(s))).toEqual([]);
    // The check itself can see a heavy import: export does open the database.
    expect(staticImports(chunkOf("export")).some((s) => heavy.test(s))).toBe(true);
    // And the entry (help, --version) imports no command and no npm package at start-up.
    const atStart = staticImports(ENTRY);
    for (const name of ["verify", "test", "export"]) expect(atStart).not.toContain(`./${path.relative(DIST, chunkOf(name))}`);
    expect(atStart.filter((s) => !s.startsWith(".") && !s.startsWith("node:"))).toEqual([]);
  });
});

describe("staleReason", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "portcullis-cli-manifest-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("names a missing build, a missing output, an edited and a deleted input", () => {
    const src = path.join(dir, "a.ts");
    const entry = path.join(dir, "out.mjs");
    writeFileSync(src, "export {}\n");
    writeFileSync(entry, "");
    utimesSync(src, 1_700_000_000, 1_700_000_000);
    const manifest = { version, buildId: "x", builtAt: "", entry: "out.mjs", inputs: { "a.ts": [10, 1_700_000_000_000] as [number, number] } };
    expect(staleReason(null, dir, entry)).toBe("not built yet");
    expect(staleReason(manifest, dir, entry)).toBeNull();
    expect(staleReason(manifest, dir, path.join(dir, "gone.mjs"))).toBe("the built file is missing");
    writeFileSync(src, "export const a = 1;\n");
    expect(staleReason(manifest, dir, entry)).toBe("a.ts changed");
    rmSync(src);
    expect(staleReason(manifest, dir, entry)).toBe("a.ts is gone");
  });
});
