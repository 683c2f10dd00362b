const encoder = new TextEncoder();
const digest = (key: string) => crypto.subtle.digest("SHA-256", encoder.encode(key));

/** The configured keys' digests, computed once per isolate: the keys are a handful of secrets. */
const expectedDigests = new Map<string, Promise<ArrayBuffer>>();

/**
 * Compares a presented bot key with the configured one in constant time. Both are hashed first because
 * `timingSafeEqual` needs equal lengths, and comparing lengths directly would leak the key's length.
 */
export async function keysMatch(presented: string, expected: string): Promise<boolean> {
  if (!expectedDigests.has(expected)) expectedDigests.set(expected, digest(expected));
  const [a, b] = await Promise.all([digest(presented), expectedDigests.get(expected)!]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/** The key of the legacy shape's `Authorization: Bearer <bot key>` header, if there is one. */
export function bearerKey(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}
