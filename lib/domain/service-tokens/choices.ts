/**
 * The console's choices for service tokens (plain data, importable by client components: no Node or database).
 * Service Token Duration as Cloudflare's dashboard offers it (one year by default), and the grace periods a
 * rotated-out Client Secret may keep working (Cloudflare: one hour to 30 days, or revoke immediately).
 */
export const FOREVER = "forever";
export const DEFAULT_DURATION = "8760h";

/** value: what the API stores in `duration` */
export const DURATION_CHOICES: readonly { value: string; label: string }[] = [
  { value: "8760h", label: "1 year" },
  { value: "17520h", label: "2 years" },
  { value: "43800h", label: "5 years" },
  { value: "87600h", label: "10 years" },
  { value: FOREVER, label: "Non-expiring" },
];

/** hours the current secret keeps working after a rotation; 0 = revoke it immediately */
export const GRACE_CHOICES: readonly { hours: number; label: string }[] = [
  { hours: 0, label: "Revoke immediately" },
  { hours: 1, label: "1 hour" },
  { hours: 6, label: "6 hours" },
  { hours: 24, label: "1 day" },
  { hours: 7 * 24, label: "7 days" },
  { hours: 30 * 24, label: "30 days" },
];
