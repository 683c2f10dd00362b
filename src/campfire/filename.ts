/**
 * The name Campfire keeps for an uploaded file, which its message JSON gives as the file message's text: Active
 * Storage trims it and turns characters unsafe for storage (`/ \ : ; | % $`, tab, line breaks, U+202E) into "-".
 * No imports: the Campfire emulator, which Node runs too, shares it.
 */
export function campfireFilename(name: string): string {
  return name.trim().replace(/[\u202e%$|:;/\t\r\n\\]/g, "-");
}
