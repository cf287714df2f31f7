/** `portcullis export nginx`: write an nginx.conf (and CA/CRL files) equivalent to the gateway's configuration. */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { closeDb, getDbHandle } from "../lib/db/client";
import { buildNginxExport, DEFAULT_FILES_DIR } from "../lib/export/nginx";
import { parseCommandArgs, UsageError, type Command } from "./command";

const HELP = `Usage: portcullis export nginx [options]

Export the mTLS configuration (associated hostnames, CA chains, CRLs, policies, applications)
as an nginx configuration. Reads the database like the server: PostgreSQL when DATABASE_URL is
set, else the PGlite data directory (PORTCULLIS_DATA_DIR, default ./data; stop the server first).

Options:
  --out DIR         write DIR/nginx.conf and the CA/CRL files there (default: print nginx.conf)
  --files-dir DIR   where nginx will find the CA/CRL files (default: the --out directory,
                    or ${DEFAULT_FILES_DIR} when printing)
  --listen ADDR     nginx listen parameter (default 443)
  --cert FILE       server certificate path on the nginx host (default FILES_DIR/server.crt)
  --key FILE        server key path on the nginx host (default FILES_DIR/server.key)
  -h, --help        show this help`;

export const exportCommand: Command = {
  async run(args) {
    const parsed = parseCommandArgs(args, {
      out: { type: "string" },
      "files-dir": { type: "string" },
      listen: { type: "string" },
      cert: { type: "string" },
      key: { type: "string" },
      help: { type: "boolean", short: "h" },
    });
    const { values, positionals } = parsed;
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals[0] !== "nginx" || positionals.length !== 1) throw new UsageError(`expected "export nginx" (try --help)`);
    const out = values.out ? path.resolve(values.out) : null;
    const filesDir = values["files-dir"] ? path.resolve(values["files-dir"]) : (out ?? DEFAULT_FILES_DIR);
    await getDbHandle();
    try {
      const result = await buildNginxExport({ filesDir, listen: values.listen, serverCertificate: values.cert, serverCertificateKey: values.key, now: new Date() });
      if (!out) {
        process.stdout.write(result.config);
        return 0;
      }
      mkdirSync(out, { recursive: true });
      writeFileSync(path.join(out, "nginx.conf"), result.config);
      for (const f of result.files) writeFileSync(path.join(out, f.name), f.content);
      console.error(`Wrote ${path.join(out, "nginx.conf")} and ${result.files.length} CA/CRL file(s) for ${result.hostnames.length} hostname(s).`);
      if (result.skipped.length) console.error(`Skipped (no application): ${result.skipped.join(", ")}`);
      return 0;
    } finally {
      await closeDb();
    }
  },
};
