/**
 * The nginx export as the console page shows it, generated once per configuration: building it reads every
 * associated hostname's certificates, CRLs, applications and policies and parses the CAs (at 500 applications, most of
 * a page request), while the configuration changes rarely. Each request first reads the configuration fingerprint
 * (one query over the configuration tables, the same one the gateway's watcher polls) and rebuilds only when it
 * differs from the one the cached export was built under, so the page shows a change on the very next request.
 */
import { configFingerprint } from "../domain/core/config-events";
import { buildNginxExport, type NginxExport } from "./nginx";

interface Entry {
  fingerprint: string;
  out: Promise<NginxExport>;
}

/** Per option set (files directory, listen): the few the console asks for; the oldest is dropped beyond MAX. */
const MAX = 16;
const cache = new Map<string, Entry>();

/**
 * `buildNginxExport({ filesDir, listen })` for the configuration as it is now (no `now`: the page's export carries no
 * timestamp, so the same configuration gives the same text). Concurrent requests share one build.
 */
export async function nginxExportForPage(options: { filesDir: string; listen: string }): Promise<NginxExport> {
  // Read before building: a change committed during the build leaves a fingerprint that differs from this one, so it
  // is never hidden behind an export that may predate it.
  const fingerprint = await configFingerprint();
  const key = JSON.stringify([options.filesDir, options.listen]);
  const hit = cache.get(key);
  if (hit && hit.fingerprint === fingerprint) return hit.out;
  const entry: Entry = { fingerprint, out: buildNginxExport({ filesDir: options.filesDir, listen: options.listen }) };
  cache.delete(key);
  cache.set(key, entry);
  if (cache.size > MAX) cache.delete(cache.keys().next().value!);
  // A failed build is not kept: the next request tries again.
  entry.out.catch(() => {
    if (cache.get(key) === entry) cache.delete(key);
  });
  return entry.out;
}
