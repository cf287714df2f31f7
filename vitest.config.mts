import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const alias = { "@": path.dirname(fileURLToPath(import.meta.url)) };
const common = { environment: "node" as const, testTimeout: 60_000, hookTimeout: 120_000, pool: "forks" as const };

/**
 * Unit tests run once; integration tests (test/integration) run against PGlite always and against
 * PostgreSQL too when TEST_DATABASE_URL is set, each file on a fresh database.
 */
export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: { ...common, name: "unit", include: ["lib/**/*.test.ts", "test/**/*.test.ts"], exclude: ["test/integration/**", "test/soak/**", "test/differential/**"] },
      },
      {
        resolve: { alias },
        test: {
          ...common,
          name: "pglite",
          include: ["test/integration/**/*.test.ts", "test/differential/**/*.test.ts"],
          exclude: ["test/differential/**/*.soak.test.ts"],
          setupFiles: ["test/helpers/setup-db.ts"],
          env: { PORTCULLIS_TEST_ENGINE: "pglite" },
        },
      },
      ...(process.env.TEST_DATABASE_URL
        ? [
            {
              resolve: { alias },
              test: {
                ...common,
                name: "postgres",
                include: ["test/integration/**/*.test.ts", "test/differential/**/*.test.ts"],
                exclude: ["test/differential/**/*.soak.test.ts"],
                setupFiles: ["test/helpers/setup-db.ts"],
                env: { PORTCULLIS_TEST_ENGINE: "postgres" },
              },
            },
          ]
        : []),
    ],
  },
});
