/** Server actions refuse bodies over this (proxy.ts answers 413 from Content-Length before Next reads them). */
export const SERVER_ACTION_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Separate build dirs let several dev servers (or the e2e build) run side by side.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // Native and WASM packages stay outside the bundle and load from node_modules at run time.
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2", "pg"],
  typedRoutes: false,
  typescript: { tsconfigPath: "tsconfig.build.json" },
  experimental: {
    serverActions: { bodySizeLimit: SERVER_ACTION_BODY_LIMIT_BYTES },
  },
  async headers() {
    // CSP (with a per-request nonce) is set in proxy.ts; these apply to everything, static files included.
    const headers = [
      { key: "X-Content-Type-Options", value: "nosniff" },
      { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
      { key: "X-Frame-Options", value: "DENY" },
      { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
      { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
    ];
    return [{ source: "/:path*", headers }];
  },
};

export default nextConfig;
