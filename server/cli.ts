/**
 * Operators' command line: `npm run cli -- <command> [--flag value ...]`. Uses the same
 * configuration (DATA_DIR / DATABASE_URL / MASTER_KEY) and domain functions as the server.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createDeps } from './bootstrap.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import type { JobRow } from './db/schema.js';
import type { Deps } from './deps.js';
import { backupSqlite, PG_BACKUP_ADVICE, restoreSqlite } from './domain/backup.js';
import { createClinic, getClinicBySlug } from './domain/clinics.js';
import { verifyAllAuditChains, type BreakReason } from './domain/audit-chain.js';
import { AppError } from './domain/errors.js';
import { jobCounts, listJobs, retryJob } from './domain/jobs.js';
import { createStaff, resetPassword } from './domain/staff.js';
import type { StaffRole } from '../shared/roles.js';
import { STAFF_ROLES } from '../shared/roles.js';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  create-clinic  --slug <slug> --name <name> [--origin <https://site> ...]
  add-staff      --clinic <slug> --email <e-mail> --name <name> --role <admin|physician|staff> --password <at least 12 characters>
  reset-password --email <e-mail> --password <at least 12 characters>
  backup         <file> [--force]
                 SQLite: writes a consistent copy of the database to <file> (mode 0600) while the
                 server keeps running; --force replaces an existing <file>. PostgreSQL: use pg_dump.
  restore        <file> [--force]
                 STOP THE SERVER FIRST (every instance). Replaces the SQLite database in DATA_DIR
                 with the backup <file>; --force is needed when DATA_DIR already holds a database.
                 PostgreSQL: use pg_restore.
  jobs           [--status pending|running|done|failed]
                 Lists background jobs (newest 100) and the counts by status.
  retry-job      <id>
                 Puts a failed job back in the queue.
  audit verify   Checks every clinic's audit log hash chain, a page at a time: prints, per clinic,
                 the entries checked and the head, or the first broken link (sequence number, row id,
                 reason). Exit code 1 when a chain is broken.

A backup does not contain the master key, and is unreadable without it: keep a copy of MASTER_KEY
(or of master.key in DATA_DIR) separately and safely.
`;

/** Thrown when a check ran and found a problem: its output goes to stdout, with exit code 1. */
export class CheckFailed extends Error {
  constructor(readonly output: string) {
    super(output);
  }
}

const REASONS: Record<BreakReason, string> = {
  hash_mismatch: 'hash mismatch',
  gap: 'gap',
  head_mismatch: 'head mismatch',
  unchained: 'entries outside the chain',
};

/** Every clinic's audit chain, one line per clinic; throws CheckFailed when one is broken. */
async function auditVerify(deps: Deps): Promise<string> {
  const lines: string[] = [];
  let broken = 0;
  for await (const r of verifyAllAuditChains(deps.db, deps.keyring)) {
    if (r.broken) {
      broken += 1;
      const b = r.broken;
      lines.push(`${r.slug}: BROKEN at seq ${b.seq}, row ${b.rowId ?? '-'}: ${REASONS[b.reason]}. ${b.detail} (${r.entries} entries verified before it)`);
    } else {
      lines.push(`${r.slug}: verified, ${r.entries} entries checked${r.head ? `, head ${r.head.seq} ${r.head.hash}` : ''}`);
    }
  }
  if (lines.length === 0) lines.push('No clinics.');
  if (broken > 0) throw new CheckFailed([...lines, `The audit log of ${broken} clinic(s) does not verify.`].join('\n'));
  return [...lines, 'Every audit log verifies.'].join('\n');
}

const JOB_STATUSES: Array<JobRow['status']> = ['pending', 'running', 'done', 'failed'];

/** The command line split into the command, its flags and its positional arguments. */
function parse(argv: string[]) {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      slug: { type: 'string' }, name: { type: 'string' }, origin: { type: 'string', multiple: true }, clinic: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' },
      password: { type: 'string' }, force: { type: 'boolean' }, status: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  /** The positional arguments `command` takes, by name; anything more or less is an error. */
  const args = (...names: string[]): string[] => {
    if (positionals.length < names.length) throw new AppError(400, 'missing_argument', `${command} needs ${names.map((n) => `<${n}>`).join(' ')}\n\n${USAGE}`);
    if (positionals.length > names.length) throw new AppError(400, 'unexpected_argument', `Unexpected argument "${positionals[names.length]}" for ${command}.\n\n${USAGE}`);
    return positionals;
  };
  return { command, values, args };
}

/** Where the master key lives, for the reminder to back it up. */
function masterKeyPlace(config: Pick<Config, 'masterKey' | 'dataDir'>): string {
  return config.masterKey ? 'it is the MASTER_KEY setting' : `it is ${path.join(config.dataDir, 'master.key')}, unless you set MASTER_KEY`;
}

/**
 * Commands that run with the database closed (restore replaces the database file); returns null
 * for every other command. Throws AppError for bad input.
 */
export async function runWithoutDatabase(config: Pick<Config, 'dataDir' | 'databaseUrl'>, argv: string[]): Promise<string | null> {
  if (argv[0] !== 'restore') return null;
  const { values, args } = parse(argv);
  const [file] = args('file');
  if (config.databaseUrl) throw new AppError(400, 'use_pg_restore', PG_BACKUP_ADVICE);
  const { target, bytes } = restoreSqlite(config.dataDir, file!, { force: values.force ?? false });
  return `Restored ${path.resolve(file!)} into ${target} (${bytes} bytes). Start the server with the master key the backup was made with (MASTER_KEY, or its master.key copied into ${config.dataDir}).`;
}

/** Runs one command against `deps`; returns what to print. Throws AppError for bad input. */
export async function runCli(deps: Deps, argv: string[]): Promise<string> {
  const { command, values, args } = parse(argv);
  const need = (flag: 'slug' | 'name' | 'clinic' | 'email' | 'role' | 'password'): string => {
    const v = values[flag];
    if (typeof v !== 'string' || !v) throw new AppError(400, 'missing_option', `--${flag} is required for ${command}`);
    return v;
  };
  if (command === 'create-clinic' || command === 'add-staff' || command === 'reset-password' || command === 'jobs') args();
  switch (command) {
    case 'create-clinic': {
      // createClinic turns what was typed (www.myclinic.ca, https://MyClinic.ca/…) into origins, or says which one it cannot read.
      const clinic = await createClinic(deps.db, deps.keyring, { slug: need('slug'), name: need('name'), allowedOrigins: values.origin ?? [] });
      return `Created clinic "${clinic.name}" (slug ${clinic.slug}).`;
    }
    case 'add-staff': {
      const role = need('role');
      if (!STAFF_ROLES.includes(role as StaffRole)) throw new AppError(400, 'invalid_role', `--role must be one of ${STAFF_ROLES.join(', ')}`);
      const clinic = await getClinicBySlug(deps.db, need('clinic'));
      const email = need('email');
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new AppError(400, 'invalid_email', `--email "${email}" is not an e-mail address`);
      const staff = await createStaff(deps.db, clinic.id, { name: need('name'), email, role: role as StaffRole, password: need('password') });
      return `Added ${staff.role} ${staff.email} to ${clinic.slug}.`;
    }
    case 'reset-password': {
      const staff = await resetPassword(deps, need('email'), need('password'));
      return `New password set for ${staff.email}; their sessions were ended.`;
    }
    case 'backup': {
      const [file] = args('file');
      const { bytes } = await backupSqlite(deps, file!, { force: values.force ?? false });
      return `Backed up to ${path.resolve(file!)} (${bytes} bytes). Back up the master key separately (${masterKeyPlace(deps.config)}): the backup cannot be read without it, so keep it safe, and apart from the backup.`;
    }
    case 'restore':
      throw new AppError(400, 'database_open', 'restore replaces the database file, so it runs with the database closed: stop the server, then run `npm run cli -- restore <file>`.');
    case 'jobs': {
      const status = values.status;
      if (status !== undefined && !JOB_STATUSES.includes(status as JobRow['status'])) throw new AppError(400, 'invalid_status', `--status must be one of ${JOB_STATUSES.join(', ')}`);
      const limit = 100;
      const jobs = await listJobs(deps.db, 'all', { ...(status ? { status: status as JobRow['status'] } : {}), limit });
      const counts = await jobCounts(deps.db);
      // Never the payload: it may hold sealed data.
      const lines = jobs.map((j) => [j.id, j.kind, j.status, `${j.attempts}/${j.maxAttempts}`, j.lastError ?? '-', `run at ${j.runAt}`].join('  '));
      const head = `Jobs: ${JOB_STATUSES.map((s) => `${counts[s]} ${s}`).join(', ')}.`;
      const shown = jobs.length === 0 ? `No ${status ? `${status} ` : ''}jobs.` : `${jobs.length === limit ? `Newest ${limit}` : 'Newest first'}: id  kind  status  attempts/max  last error  run at`;
      return [head, shown, ...lines].join('\n');
    }
    case 'retry-job': {
      const [id] = args('id');
      try {
        const job = await retryJob(deps.db, id!, 'all');
        return `Job ${job.id} (${job.kind}) is back in the queue with ${job.maxAttempts} fresh attempts.`;
      } catch (err) {
        if (err instanceof AppError && err.code === 'not_found') {
          throw new AppError(404, 'not_found', `No failed job with id "${id}"; only failed jobs can be retried (list them: npm run cli -- jobs --status failed).`);
        }
        throw err;
      }
    }
    case 'audit': {
      const [sub] = args('verify');
      if (sub !== 'verify') throw new AppError(400, 'unknown_command', `Unknown audit command "${sub}": try audit verify.\n\n${USAGE}`);
      return auditVerify(deps);
    }
    default:
      throw new AppError(400, 'unknown_command', command ? `Unknown command "${command}".\n\n${USAGE}` : USAGE);
  }
}

async function main(): Promise<void> {
  let deps: Deps | undefined;
  try {
    const argv = process.argv.slice(2);
    const config = loadConfig();
    // Restore must not open (and so create or lock) the database it replaces.
    const offline = await runWithoutDatabase(config, argv);
    if (offline !== null) {
      console.log(offline);
      return;
    }
    const { deps: d } = await createDeps(config);
    deps = d;
    console.log(await runCli(deps, argv));
  } catch (err) {
    if (err instanceof CheckFailed) {
      console.log(err.output);
      process.exitCode = 1;
    } else if (err instanceof AppError || err instanceof ConfigError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(err.message);
      process.exitCode = 2;
    } else {
      throw err;
    }
  } finally {
    deps?.mailer.close();
    await deps?.db.destroy();
  }
}

// Run only when executed, not when the tests import runCli.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
