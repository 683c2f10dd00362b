/**
 * An error answer with a reason a person can read, but no Content-Type: Campfire posts any non-200 answer
 * that has one into the room as an attachment, and a refused or failed webhook must leave the room untouched.
 */
export function reject(status: number, reason: string): Response {
  const response = new Response(`${reason}\n`, { status });
  response.headers.delete("content-type");
  return response;
}
