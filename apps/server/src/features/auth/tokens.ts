/** Session tokens: 32 random bytes, base64url. Only their SHA-256 is stored. */
export function newSessionToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Buffer.from(bytes).toString("base64url");
}

export function hashToken(token: string): string {
  return new Bun.CryptoHasher("sha256").update(token).digest("hex");
}

export const SESSION_TTL_SECONDS = 30 * 24 * 60 * 60;

/** Argon2id (DESIGN: accounts), Bun's defaults for memory and time cost. */
export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, { algorithm: "argon2id" });
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return Bun.password.verify(password, hash).catch(() => false);
}

const decoyStarted = performance.now();
/** Compared against when a handle is unknown, so that timing does not reveal which handles exist. */
export const DECOY_HASH = await hashPassword("decoy password, never matches");
/** What one hash cost this process at start-up, to size the hashing queue. */
export const HASH_MS = performance.now() - decoyStarted;

/** A stable, readable avatar colour for a new being. */
const PALETTE = [
  "#e76f51",
  "#2a9d8f",
  "#e9c46a",
  "#264653",
  "#8e6cc9",
  "#d1495b",
  "#3a86ff",
  "#43aa8b",
];
export function colorFor(handle: string): string {
  let hash = 0;
  for (const char of handle) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return PALETTE[hash % PALETTE.length] as string;
}
