/**
 * The one normalisation applied to an email before it is stored, compared or indexed, so that
 * signup, login and `ADMIN_EMAIL` can never disagree about who an address belongs to.
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
