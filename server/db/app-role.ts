/**
 * The privileges of a restricted PostgreSQL role for the server (README, "A restricted PostgreSQL
 * role"): ordinary reads and writes everywhere, but on the audit log only SELECT and INSERT, and on
 * its chain heads no DELETE. Not being the owner, the role cannot TRUNCATE, ALTER, DISABLE or DROP a
 * trigger either. Migrations run as the owner (MIGRATION_DATABASE_URL); run these again after them.
 */

/** Quotes an SQL identifier. */
function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The GRANT/REVOKE statements for `role` on the tables of `schema` (as the owner, after migrating). */
export function appRoleGrants(role: string, schema = 'public'): string[] {
  const r = ident(role);
  const s = ident(schema);
  return [
    `grant usage on schema ${s} to ${r}`,
    `grant select, insert, update, delete on all tables in schema ${s} to ${r}`,
    `grant usage, select on all sequences in schema ${s} to ${r}`,
    `revoke update, delete, truncate, references, trigger on ${s}.audit_log from ${r}`,
    `revoke delete, truncate, references, trigger on ${s}.audit_heads from ${r}`,
    `revoke insert, update, delete, truncate on ${s}.kysely_migration, ${s}.kysely_migration_lock from ${r}`,
  ];
}
