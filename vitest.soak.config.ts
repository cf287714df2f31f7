import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const alias = { "@": path.dirname(fileURLToPath(import.meta.url)) };
/** Long-running tests: `npm run test:soak`. Soak files that need a database run on PGlite, and on PostgreSQL too when TEST_DATABASE_URL is set. */
const common = { environment: "node" as const, testTimeout: 600_000, hookTimeout: 600_000, pool: "forks" as const, fileParallelism: false };
const db = (engine: "pglite" | "postgres") => ({
  resolve: { alias },
  test: { ...common, name: `soak-${engine}`, include: ["test/soak/**/*.test.ts", "test/differential/**/*.soak.test.ts"], setupFiles: ["test/helpers/setup-db.ts"], env: { PORTCULLIS_TEST_ENGINE: engine } },
});

export default defineConfig({
  resolve: { alias },
  test: { projects: [db("pglite"), ...(process.env.TEST_DATABASE_URL ? [db("postgres")] : [])] },
});
