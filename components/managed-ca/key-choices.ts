/**
 * The managed CA's key types (lib/domain/managed-ca CA_KEY_TYPES), in the words of the console. Kept out of the
 * "use client" controls so that the server-rendered section reads the array itself, not a client reference.
 */
export const CA_KEY_CHOICES = [
  { value: "ecdsa-p256", label: "ECDSA P-256" },
  { value: "rsa-2048", label: "RSA 2048" },
  { value: "rsa-4096", label: "RSA 4096" },
] as const;
