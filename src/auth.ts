const encoder = new TextEncoder();

/**
 * Compares a presented bot key with the configured one in constant time. Both are hashed first because
 * `timingSafeEqual` needs equal lengths, and comparing lengths directly would leak the key's length.
 */
export async function keysMatch(presented: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([presented, expected].map((key) => crypto.subtle.digest("SHA-256", encoder.encode(key))));
  return crypto.subtle.timingSafeEqual(a!, b!);
}

/** The key of the legacy shape's `Authorization: Bearer <bot key>` header, if there is one. */
export function bearerKey(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}
