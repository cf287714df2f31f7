export const ADMIN = {
  email: process.env.PORTCULLIS_ADMIN_EMAIL || "admin@portcullis.test",
  password: process.env.PORTCULLIS_ADMIN_PASSWORD || "e2e-admin-password-1",
};
export const VIEWER = { email: "viewer@portcullis.test", password: "e2e-viewer-password-1" };
/** Scratch directory of this e2e run (relative to the repo root); E2E_TMP lets two runs share a checkout. */
const TMP = process.env.E2E_TMP || ".tmp";
export const STATE = { admin: `${TMP}/e2e-auth/admin.json`, viewer: `${TMP}/e2e-auth/viewer.json` };
