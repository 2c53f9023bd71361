// `npm run user:add -- --email E --role staff|admin [--reset]`: creates a staff account, and
// changes an existing one only with --reset; the password comes from PASSWORD, else it is asked on
// the terminal without echo.
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { loadConfig } from '../../core/config.ts';
import { openDatabase } from '../../core/db/database.ts';
import { migrateLatest } from '../../core/db/migrate.ts';
import { UserExistsError, UserInputError, createUser, upsertUser } from './users.ts';
import type { Role } from './sessions.ts';

async function askPassword(): Promise<string> {
  if (!process.stdin.isTTY) throw new UserInputError('PASSWORD n’est pas défini et le terminal n’est pas interactif / set PASSWORD');
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const output = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WriteStream };
  process.stdout.write('Mot de passe / password: ');
  output._writeToOutput = () => undefined;
  const password = await new Promise<string>((ok) => rl.question('', ok));
  rl.close();
  process.stdout.write('\n');
  return password;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { email: { type: 'string' }, role: { type: 'string', default: 'staff' }, reset: { type: 'boolean' } } });
  if (!values.email) throw new UserInputError('usage: npm run user:add -- --email E --role staff|admin [--reset]');
  const config = loadConfig();
  const password = process.env.PASSWORD || (await askPassword());
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateLatest(db);
    const user = values.reset
      ? await upsertUser(db, values.email, values.role as Role, password)
      : await createUser(db, values.email, values.role as Role, password);
    console.log(`compte ${user.role} prêt / account ready: ${user.email} (id ${user.id})`);
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    if (error instanceof UserExistsError) {
      console.error(`${error.message}: --reset pour changer son mot de passe et son rôle / add --reset to change its password and role`);
    } else if (error.name === 'DataDirLockedError') {
      // The running server owns the embedded database: the first admin is made through it instead.
      console.error(`${error.message}\nPremier administrateur : POST /api/setup avec le jeton affiché au démarrage du serveur ` +
        '/ first admin: POST /api/setup with the token the server logged at start-up (see README)');
    } else {
      console.error(error instanceof UserInputError ? error.message : error);
    }
    process.exit(1);
  },
);
