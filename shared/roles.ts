/** Staff roles, from most to least privileged. */
export const STAFF_ROLES = ['admin', 'physician', 'staff'] as const;

/** A staff member's role in their clinic. */
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Passwords shorter than this are refused everywhere (API, CLI, admin form). */
export const MIN_PASSWORD_LENGTH = 12;

/** Passwords longer than this are refused (long passphrases fit; the cap bounds hashing work). */
export const MAX_PASSWORD_LENGTH = 128;
