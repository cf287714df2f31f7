/** OID tables shared by the parser, the inspector and the validator. */

export interface SignatureAlgorithmInfo {
  name: string;
  /** Allowed by the Cloudflare-compatible upload policy (design.md §3.2). */
  allowed: boolean;
  /** WebCrypto verification parameters, when WebCrypto can verify it at all. */
  kind: "rsa" | "ecdsa" | "rsa-pss" | "ed25519" | "ed448" | "unsupported";
  hash?: "SHA-1" | "SHA-256" | "SHA-384" | "SHA-512";
}

export const SIGNATURE_ALGORITHMS: Record<string, SignatureAlgorithmInfo> = {
  "1.2.840.113549.1.1.5": { name: "sha1WithRSAEncryption", allowed: true, kind: "rsa", hash: "SHA-1" },
  "1.2.840.113549.1.1.11": { name: "sha256WithRSAEncryption", allowed: true, kind: "rsa", hash: "SHA-256" },
  "1.2.840.113549.1.1.12": { name: "sha384WithRSAEncryption", allowed: true, kind: "rsa", hash: "SHA-384" },
  "1.2.840.113549.1.1.13": { name: "sha512WithRSAEncryption", allowed: true, kind: "rsa", hash: "SHA-512" },
  "1.2.840.10045.4.1": { name: "ecdsa-with-SHA1", allowed: true, kind: "ecdsa", hash: "SHA-1" },
  "1.2.840.10045.4.3.2": { name: "ecdsa-with-SHA256", allowed: true, kind: "ecdsa", hash: "SHA-256" },
  "1.2.840.10045.4.3.3": { name: "ecdsa-with-SHA384", allowed: true, kind: "ecdsa", hash: "SHA-384" },
  "1.2.840.10045.4.3.4": { name: "ecdsa-with-SHA512", allowed: true, kind: "ecdsa", hash: "SHA-512" },
  "1.2.840.113549.1.1.10": { name: "RSASSA-PSS", allowed: false, kind: "rsa-pss" },
  "1.3.101.112": { name: "Ed25519", allowed: false, kind: "ed25519" },
  "1.3.101.113": { name: "Ed448", allowed: false, kind: "ed448" },
  "1.2.840.113549.1.1.4": { name: "md5WithRSAEncryption", allowed: false, kind: "unsupported" },
  "1.2.840.113549.1.1.2": { name: "md2WithRSAEncryption", allowed: false, kind: "unsupported" },
  "1.2.840.113549.1.1.14": { name: "sha224WithRSAEncryption", allowed: false, kind: "unsupported" },
  "1.2.840.10045.4.3.1": { name: "ecdsa-with-SHA224", allowed: false, kind: "unsupported" },
  "1.2.840.10040.4.3": { name: "dsa-with-SHA1", allowed: false, kind: "unsupported" },
  "2.16.840.1.101.3.4.3.2": { name: "dsa-with-SHA256", allowed: false, kind: "unsupported" },
};

export function signatureAlgorithmInfo(oid: string): SignatureAlgorithmInfo {
  return SIGNATURE_ALGORITHMS[oid] ?? { name: oid, allowed: false, kind: "unsupported" };
}

export const HASH_OIDS: Record<string, "SHA-1" | "SHA-256" | "SHA-384" | "SHA-512"> = {
  "1.3.14.3.2.26": "SHA-1",
  "2.16.840.1.101.3.4.2.1": "SHA-256",
  "2.16.840.1.101.3.4.2.2": "SHA-384",
  "2.16.840.1.101.3.4.2.3": "SHA-512",
};

export const KEY_ALGORITHMS: Record<string, string> = {
  "1.2.840.113549.1.1.1": "RSA",
  "1.2.840.113549.1.1.10": "RSA-PSS",
  "1.2.840.10045.2.1": "EC",
  "1.3.101.112": "Ed25519",
  "1.3.101.113": "Ed448",
  "1.2.840.10040.4.1": "DSA",
};

export const CURVES: Record<string, { name: string; size: number; webcrypto?: "P-256" | "P-384" | "P-521" }> = {
  "1.2.840.10045.3.1.7": { name: "P-256", size: 256, webcrypto: "P-256" },
  "1.3.132.0.34": { name: "P-384", size: 384, webcrypto: "P-384" },
  "1.3.132.0.35": { name: "P-521", size: 521, webcrypto: "P-521" },
  "1.3.132.0.10": { name: "secp256k1", size: 256 },
  "1.2.840.10045.3.1.1": { name: "P-192", size: 192 },
  "1.3.132.0.33": { name: "P-224", size: 224 },
  "1.3.36.3.3.2.8.1.1.7": { name: "brainpoolP256r1", size: 256 },
  "1.3.36.3.3.2.8.1.1.11": { name: "brainpoolP384r1", size: 384 },
  "1.3.36.3.3.2.8.1.1.13": { name: "brainpoolP512r1", size: 512 },
};

export const EKU_NAMES: Record<string, string> = {
  "1.3.6.1.5.5.7.3.1": "serverAuth",
  "1.3.6.1.5.5.7.3.2": "clientAuth",
  "1.3.6.1.5.5.7.3.3": "codeSigning",
  "1.3.6.1.5.5.7.3.4": "emailProtection",
  "1.3.6.1.5.5.7.3.8": "timeStamping",
  "1.3.6.1.5.5.7.3.9": "OCSPSigning",
  "2.5.29.37.0": "anyExtendedKeyUsage",
};

export const EKU = {
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  any: "2.5.29.37.0",
} as const;

/** Key usage bit names in bit order (bit 0 = digitalSignature). */
export const KEY_USAGE_NAMES = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
] as const;

export const KU = {
  digitalSignature: 1 << 0,
  keyAgreement: 1 << 4,
  keyCertSign: 1 << 5,
  cRLSign: 1 << 6,
} as const;

export const EXT = {
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  issuerAltName: "2.5.29.18",
  basicConstraints: "2.5.29.19",
  crlNumber: "2.5.29.20",
  crlReason: "2.5.29.21",
  invalidityDate: "2.5.29.24",
  deltaCrlIndicator: "2.5.29.27",
  issuingDistributionPoint: "2.5.29.28",
  certificateIssuer: "2.5.29.29",
  nameConstraints: "2.5.29.30",
  crlDistributionPoints: "2.5.29.31",
  certificatePolicies: "2.5.29.32",
  policyMappings: "2.5.29.33",
  authorityKeyIdentifier: "2.5.29.35",
  policyConstraints: "2.5.29.36",
  extKeyUsage: "2.5.29.37",
  freshestCrl: "2.5.29.46",
  inhibitAnyPolicy: "2.5.29.54",
} as const;

/**
 * Critical certificate extensions we (like OpenSSL 3.0's X509_supported_extension list) understand.
 * Any other critical extension makes a certificate unusable (RFC 5280 §4.2).
 */
export const SUPPORTED_CRITICAL_EXTENSIONS = new Set<string>([
  EXT.keyUsage,
  EXT.subjectAltName,
  EXT.basicConstraints,
  EXT.certificatePolicies,
  EXT.crlDistributionPoints,
  EXT.extKeyUsage,
  EXT.policyConstraints,
  EXT.nameConstraints,
  EXT.policyMappings,
  EXT.inhibitAnyPolicy,
  "2.16.840.1.113730.1.1", // netscape cert type
  "1.3.6.1.5.5.7.1.24", // TLS feature
  "1.3.6.1.5.5.7.1.14", // proxyCertInfo
  "1.3.6.1.5.5.7.1.7", // sbgp-ipAddrBlock
  "1.3.6.1.5.5.7.1.8", // sbgp-autonomousSysNum
]);

/** Attribute type short names, OpenSSL style. */
export const ATTRIBUTE_NAMES: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.4": "SN",
  "2.5.4.5": "serialNumber",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.9": "street",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.12": "title",
  "2.5.4.42": "GN",
  "2.5.4.43": "initials",
  "2.5.4.46": "dnQualifier",
  "2.5.4.65": "pseudonym",
  "2.5.4.97": "organizationIdentifier",
  "0.9.2342.19200300.100.1.25": "DC",
  "0.9.2342.19200300.100.1.1": "UID",
  "1.2.840.113549.1.9.1": "emailAddress",
};

export const OID_CN = "2.5.4.3";
export const OID_EMAIL = "1.2.840.113549.1.9.1";
