/**
 * A size as people read it: "812 bytes", "4.2 KB", "512 KB", "25.0 MB" — one decimal below 100 of a unit, none from
 * there. Self-contained (no imports, no closures): the playground page embeds its source.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return bytes + (bytes === 1 ? " byte" : " bytes");
  const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, " KB"] : [bytes / (1024 * 1024), " MB"];
  return (value < 100 ? value.toFixed(1) : Math.round(value).toString()) + unit;
}

/** A stream's bytes, or null as soon as there are more than `limit` (the rest is not read: a lying sender costs nothing). */
export async function readAtMost(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array | null> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(read.value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
