/**
 * Operators' command line: `npm run cli -- <command> [--flag value ...]`. Uses the same
 * configuration (DATA_DIR / DATABASE_URL / MASTER_KEY) and domain functions as the server.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createDeps } from './bootstrap.js';
import { ConfigError, loadConfig } from './config.js';
import type { Deps } from './deps.js';
import { createClinic, getClinicBySlug } from './domain/clinics.js';
import { AppError } from './domain/errors.js';
import { createStaff, resetPassword } from './domain/staff.js';
import type { StaffRole } from '../shared/roles.js';
import { STAFF_ROLES } from '../shared/roles.js';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  create-clinic  --slug <slug> --name <name> [--origin <https://site> ...]
  add-staff      --clinic <slug> --email <e-mail> --name <name> --role <admin|physician|staff> --password <at least 12 characters>
  reset-password --email <e-mail> --password <at least 12 characters>
`;

/** Runs one command against `deps`; returns what to print. Throws AppError for bad input. */
export async function runCli(deps: Deps, argv: string[]): Promise<string> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { slug: { type: 'string' }, name: { type: 'string' }, origin: { type: 'string', multiple: true }, clinic: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' }, password: { type: 'string' } },
    strict: true,
  });
  const need = (flag: keyof typeof values): string => {
    const v = values[flag];
    if (typeof v !== 'string' || !v) throw new AppError(400, 'missing_option', `--${flag} is required for ${command}`);
    return v;
  };
  switch (command) {
    case 'create-clinic': {
      const origins = (values.origin ?? []).map((o) => {
        try {
          return new URL(o).origin;
        } catch {
          throw new AppError(400, 'invalid_origin', `--origin "${o}" is not a URL like https://www.myclinic.ca`);
        }
      });
      const clinic = await createClinic(deps.db, deps.keyring, { slug: need('slug'), name: need('name'), allowedOrigins: origins });
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
      const staff = await resetPassword(deps.db, need('email'), need('password'));
      return `New password set for ${staff.email}; their sessions were ended.`;
    }
    default:
      throw new AppError(400, 'unknown_command', command ? `Unknown command "${command}".\n\n${USAGE}` : USAGE);
  }
}

async function main(): Promise<void> {
  let deps: Deps | undefined;
  try {
    const { deps: d } = await createDeps(loadConfig());
    deps = d;
    console.log(await runCli(deps, process.argv.slice(2)));
  } catch (err) {
    if (err instanceof AppError || err instanceof ConfigError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
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
