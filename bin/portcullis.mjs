#!/usr/bin/env node
// Launcher: runs the prebuilt CLI (cli/dist/portcullis.mjs, made by cli/build.mjs on `npm install`) in this
// process. When that build is missing or older than its sources it is rebuilt first (about a second, once), so the
// code that runs is always the code in cli/ and lib/; if it cannot be built, this says how to build it.
import { pathToFileURL } from "node:url";
import { ENTRY, readManifest, staleReason } from "../cli/manifest.mjs";

const why = staleReason(readManifest());
if (why) {
  // Quiet when piped, so scripted callers see only the command's own output.
  if (process.stderr.isTTY) process.stderr.write(`portcullis: building the CLI (${why})…\n`);
  try {
    await (await import("../cli/build.mjs")).buildCli();
  } catch (e) {
    const detail = e?.errors?.[0]?.text ?? e?.message ?? String(e);
    process.stderr.write(`portcullis: the prebuilt CLI is ${why} and could not be built: ${detail}\nBuild it with \`npm run build:cli\` (or \`node cli/build.mjs\`) in the Portcullis directory.\n`);
    process.exit(1);
  }
}
await import(pathToFileURL(ENTRY).href);
