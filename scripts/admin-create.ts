/**
 * Creates a console admin (and the default organisation if there is none
 * yet), with the same settings and database as the server:
 *   npm run admin:create
 * asks for the email, name and password (the password is not shown). For
 * scripts:
 *   ADMIN_PASSWORD=... npm run admin:create -- --email a@example.org --name "Ana Reyes"
 * or the password as the first line of standard input. Never as a flag:
 * flags are visible to every user of the machine in `ps`.
 * Exit codes: 0 created, 1 refused (the email exists) or failed, 2 wrong usage or settings.
 */
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { ConfigError, dataKeyProblems, loadConfig, postgresUrl, sqlitePath, type Config } from '../src/config/env';
import { loadLocaleStatus } from '../src/conversation/i18n';
import { silentLogger } from '../src/conversation/logger';
import { AesGcmCipher, PlaintextCipher, parseKey, type Cipher } from '../src/handoff/cipher';
import { HandoffService } from '../src/handoff/handoff';
import { HandoffError } from '../src/handoff/service';
import { StaffEmail, StaffName, StaffPassword, createStaffUser } from '../src/handoff/staff';
import type { HandoffStore } from '../src/handoff/store';
import { SqliteHandoffStore } from '../src/store/handoff-sqlite';
import { migratePostgres } from '../src/store/postgres/migrate';
import { openPostgres } from '../src/store/postgres/pool';
import { PostgresHandoffStore } from '../src/store/postgres/postgres-handoff-store';
import { PostgresStore } from '../src/store/postgres/postgres-store';
import { SqliteStore } from '../src/store/sqlite';

const USAGE = `usage: npm run admin:create [-- --email <email> --name <name>]
  The password comes from ADMIN_PASSWORD, else the first line of standard input,
  else it is asked for (not shown). ADMIN_EMAIL and ADMIN_NAME may replace the flags.`;

export class UsageError extends Error {}

export interface Args {
  email?: string;
  name?: string;
  help: boolean;
}

export function parseArgs(argv: readonly string[]): Args {
  const args: Args = { help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      args.help = true;
      continue;
    }
    const match = /^--(email|name|password)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new UsageError(`unknown argument: ${arg}`);
    const flag = match[1] as 'email' | 'name' | 'password';
    if (flag === 'password') {
      throw new UsageError('the password is never a flag (others can read flags with ps): use ADMIN_PASSWORD or standard input');
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${flag} needs a value`);
    args[flag] = value;
  }
  return args;
}

/** Reads a line from the terminal without showing what is typed. */
function askHidden(prompt: string): Promise<string> {
  const { stdin, stdout } = process;
  return new Promise((resolve, reject) => {
    let value = '';
    stdout.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (result: string | Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      stdout.write('\n');
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(value);
        if (ch === '\u0003' || ch === '\u0004') return done(new UsageError('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** All of standard input when it is not a terminal: its first line is the password. */
async function readPiped(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.split(/\r?\n/)[0] ?? '';
}

interface Input {
  email: string;
  name: string;
  password: string;
}

async function gather(args: Args, env: NodeJS.ProcessEnv): Promise<Input> {
  let email = args.email ?? env.ADMIN_EMAIL;
  let name = args.name ?? env.ADMIN_NAME;
  let password = env.ADMIN_PASSWORD;
  const interactive = process.stdin.isTTY === true;
  if (interactive && (email === undefined || name === undefined)) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      email ??= await rl.question('Email: ');
      name ??= await rl.question('Name: ');
    } finally {
      rl.close();
    }
  }
  if (email === undefined || name === undefined) throw new UsageError('give --email and --name (standard input is not a terminal)');
  if (password === undefined) {
    if (interactive) {
      password = await askHidden(`Password (at least 12 characters): `);
      const again = await askHidden('Password again: ');
      if (again !== password) throw new UsageError('the two passwords differ');
    } else {
      password = await readPiped();
    }
  }
  return { email, name, password };
}

function check(input: Input): Input {
  const problems: string[] = [];
  const field = <T>(label: string, result: { success: true; data: T } | { success: false; error: { issues: { message: string }[] } }) => {
    if (result.success) return result.data;
    problems.push(...result.error.issues.map((i) => `${label}: ${i.message}`));
    return undefined;
  };
  const email = field('email', StaffEmail.safeParse(input.email));
  const name = field('name', StaffName.safeParse(input.name));
  field('password', StaffPassword.safeParse(input.password));
  if (problems.length > 0 || email === undefined || name === undefined) throw new UsageError(problems.join('\n'));
  return { email, name, password: input.password };
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let config: Config;
  let input: Input;
  try {
    const args = parseArgs(argv);
    if (args.help) {
      console.log(USAGE);
      return 0;
    }
    config = loadConfig(env);
    const keyProblems = dataKeyProblems(config);
    if (keyProblems.length > 0) throw new ConfigError(keyProblems);
    if (sqlitePath(config) === null && postgresUrl(config) === null) {
      throw new UsageError('DATABASE_URL is memory:, which keeps nothing: the admin would vanish at once');
    }
    input = check(await gather(args, env));
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      console.error(`admin:create: ${err.message}`);
      if (err instanceof UsageError && err.message !== 'cancelled') console.error(USAGE);
      return 2;
    }
    throw err;
  }

  const cipher = config.DATA_ENCRYPTION_KEY === undefined ? new PlaintextCipher() : new AesGcmCipher(parseKey(config.DATA_ENCRYPTION_KEY));
  const { store, closeDatabase } = await openHandoffStore(config, cipher);
  try {
    const now = Date.now();
    const before = (await store.listOrganisations()).length;
    // The server's own rule (found by name, created if missing), so both agree on which organisation it is.
    const org = await new HandoffService({
      store,
      log: silentLogger,
      defaultOrganisation: config.HANDOFF_DEFAULT_ORGANISATION,
      languages: Object.keys(loadLocaleStatus(join(__dirname, '..', 'locales'))),
    }).ensureDefaultOrganisation();
    const created = (await store.listOrganisations()).length > before;
    const user = await createStaffUser(store, { ...input, role: 'admin', organisationId: org.id }, now);
    // No staff user did this: the audit line says it came from the command line.
    await store.audit({
      at: now,
      userId: null,
      action: 'user.created',
      caseId: null,
      detail: { user: user.id, role: 'admin', organisation: org.id, via: 'admin:create' },
    });
    console.log(`admin:create: created the admin ${user.email} in "${org.name}"${created ? ' (new organisation)' : ''}.`);
    console.log('Start the server (npm start), open http://localhost:3000/console and log in.');
    return 0;
  } catch (err) {
    if (err instanceof HandoffError && err.code === 'conflict') {
      console.error(`admin:create: ${err.message}; nothing was changed (change a password in the console, Users)`);
      return 1;
    }
    throw err;
  } finally {
    await store.close();
    await closeDatabase();
  }
}

/** The server's database, as the server picks it; PostgreSQL is migrated first, as the server would. */
async function openHandoffStore(config: Config, cipher: Cipher): Promise<{ store: HandoffStore; closeDatabase: () => Promise<void> }> {
  const url = postgresUrl(config);
  if (url === null) {
    const sqlite = new SqliteStore(sqlitePath(config)!);
    return { store: new SqliteHandoffStore(sqlite.database, cipher), closeDatabase: () => sqlite.close() };
  }
  const db = openPostgres({ url, schema: config.DATABASE_SCHEMA, poolSize: 2 });
  const owner = new PostgresStore(db);
  try {
    await migratePostgres(db);
  } catch (err) {
    await owner.close();
    throw err;
  }
  return { store: new PostgresHandoffStore(db, cipher), closeDatabase: () => owner.close() };
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`admin:create failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
