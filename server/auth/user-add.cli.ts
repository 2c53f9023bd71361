// `npm run user:add -- --email E --role staff|admin`: creates (or resets) a staff account; the
// password comes from PASSWORD, else it is asked on the terminal without echo.
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { loadConfig } from '../../core/config.ts';
import { openDatabase } from '../../core/db/database.ts';
import { migrateLatest } from '../../core/db/migrate.ts';
import { UserInputError, upsertUser } from './users.ts';
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
  const { values } = parseArgs({ options: { email: { type: 'string' }, role: { type: 'string', default: 'staff' } } });
  if (!values.email) throw new UserInputError('usage: npm run user:add -- --email E --role staff|admin');
  const config = loadConfig();
  const password = process.env.PASSWORD || (await askPassword());
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateLatest(db);
    const user = await upsertUser(db, values.email, values.role as Role, password);
    console.log(`compte ${user.role} prêt / account ready: ${user.email} (id ${user.id})`);
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error instanceof UserInputError || error.name === 'DataDirLockedError' ? error.message : error);
    process.exit(1);
  },
);
