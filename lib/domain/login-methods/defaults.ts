/** Defaults of a login method, in a module without server imports (the console's form shows them). */
export const DEFAULT_SCOPES = "openid email profile";
export const DEFAULT_EMAIL_CLAIM = "email";
