import next from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...next,
  ...nextTs,
  { ignores: [".next*/**", ".tmp/**", "test-results/**", "node_modules/**", "data/**", "drizzle/**", "bench/results/**", "cli/dist/**", "test-results/**", "next-env.d.ts"] },
  // Playwright fixtures call `use`, which is not React's hook.
  { files: ["e2e/**"], rules: { "react-hooks/rules-of-hooks": "off" } },
];
export default config;
