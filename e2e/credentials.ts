export const ADMIN = {
  email: process.env.PORTCULLIS_ADMIN_EMAIL || "admin@portcullis.test",
  password: process.env.PORTCULLIS_ADMIN_PASSWORD || "e2e-admin-password-1",
};
export const VIEWER = { email: "viewer@portcullis.test", password: "e2e-viewer-password-1" };
export const STATE = { admin: ".tmp/e2e-auth/admin.json", viewer: ".tmp/e2e-auth/viewer.json" };
