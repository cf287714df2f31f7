/**
 * First-load JS per route of the bench build: the scripts each route's HTML makes the browser load (module
 * scripts; the noModule polyfill excluded), gzip -9 each, summed; and whether any of them carries x509 code.
 * Baseline: /login, a bare Next.js page of this build.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureBuild, startApp } from "./lib/app";
import { firstLoadJs, signIn } from "./lib/http";
import type { Row } from "./lib/report";
import { BARE, LIST_PAGES } from "./pages";

const INSPECTOR = "/access-controls/service-credentials/mutual-tls/new";

export async function runJs(): Promise<Row[]> {
  ensureBuild();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "portcullis-bench-js-"));
  const app = await startApp({ dataDir });
  try {
    const cookie = await signIn(app.url);
    const bare = await firstLoadJs(app.url, BARE);
    const rows: Row[] = [];
    for (const p of [...LIST_PAGES, INSPECTOR]) {
      const f = await firstLoadJs(app.url, p, cookie);
      const kb = f.gzipBytes / 1024;
      const list = p !== INSPECTOR;
      rows.push({
        benchmark: "first-load JS", metric: `${p} (gzip)`, ours: kb, unit: "KB", better: "lower",
        baselineName: `bare Next page ${BARE} (${bare.scripts} scripts)`, baseline: bare.gzipBytes / 1024,
        target: list ? "≤ 160 KB, no x509" : "", met: list ? kb <= 160 && !f.x509 : null,
        note: `${f.scripts} scripts, ${Math.round(f.rawBytes / 1024)} KB raw; x509 code in first load: ${f.x509 ? "YES" : "no"}`,
      });
    }
    return rows;
  } finally {
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
