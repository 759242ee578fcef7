/**
 * A clinic's website address as people paste it — `www.myclinic.ca`, `HTTPS://MyClinic.ca/contact/`,
 * `https://myclinic.ca:8443` — turned into the origin a browser sends (`https://www.myclinic.ca`).
 * Used by the admin (to show what will be saved), the API and the CLI, so all three agree.
 */
export function siteOrigin(input: string): string | null {
  const text = input.trim();
  if (!text || /\s/.test(text)) return null;
  // No scheme: a web site today is https.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) return null;
  // A host name (internationalised names arrive in punycode), not an IPv6 literal.
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(url.hostname)) return null;
  return url.origin;
}
