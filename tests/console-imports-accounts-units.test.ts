// Pure parts of the console's imports and accounts tabs: generated passwords, an audit entry's
// change in words, texts in both languages, and the server's "français / English" messages.
import { describe, expect, it } from 'vitest';
import { generatePassword } from '../web/src/console/generated-password.ts';
import { describeChange } from '../web/src/console/accounts-history.ts';
import { accountsText, actionLabel } from '../web/src/console/accounts-strings.ts';
import { importsText } from '../web/src/console/imports-strings.ts';
import { messageIn } from '../web/src/console/staff-api.ts';

describe('generated passwords', () => {
  it('are 20 characters without look-alikes, long enough for the server, and never repeat', () => {
    const passwords = Array.from({ length: 200 }, generatePassword);
    for (const password of passwords) {
      expect(password).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{20}$/);
      expect(password.length).toBeGreaterThanOrEqual(12);
    }
    expect(new Set(passwords).size).toBe(passwords.length);
  });
});

describe('audit entries in words', () => {
  it('lists the fields that changed, before → after, and leaves out the geometry and unchanged fields', () => {
    expect(describeChange({ account: 4, before: { role: 'staff', disabled: false }, after: { role: 'staff', disabled: true } })).toBe('disabled : false → true');
    expect(describeChange({ before: { status: 'available', price_per_m2: 30, geometry: { type: 'Point' } }, after: { status: 'sold', price_per_m2: 30, geometry: { type: 'Polygon' } } }))
      .toBe('status : available → sold');
    expect(describeChange({ after: { id: 9, email: 'a@b.fr', role: 'staff' } })).toBe('id : ∅ → 9 ; email : ∅ → a@b.fr ; role : ∅ → staff');
    expect(describeChange(null)).toBe('');
  });

  it('names known actions in both languages and shows an unknown one as written', () => {
    expect(actionLabel('fr', 'user_disabled')).toBe('compte désactivé');
    expect(actionLabel('en', 'user_disabled')).toBe('account disabled');
    expect(actionLabel('en', 'something_new')).toBe('something_new');
  });
});

describe('console texts', () => {
  it('fill their parameters, numbers written the reader’s way', () => {
    expect(importsText('fr', 'reportSucceeded', { inserted: 1234, updated: 0, deleted: 2 })).toBe('Import terminé : 1\u202f234 ajoutés, 0 modifiés, 2 supprimés.');
    expect(importsText('en', 'reportSucceeded', { inserted: 1234, updated: 0, deleted: 2 })).toBe('Import done: 1,234 added, 0 changed, 2 deleted.');
    expect(accountsText('en', 'confirmDisable', { email: 'x@y.fr' })).toMatch(/^Disable the account x@y\.fr\?/);
  });

  it('show the half of a server message in the reader’s language', () => {
    expect(messageIn('fr', 'rôle inconnu / unknown role')).toBe('rôle inconnu');
    expect(messageIn('en', 'rôle inconnu / unknown role')).toBe('unknown role');
    expect(messageIn('en', 'replace would remove 3 features')).toBe('replace would remove 3 features');
  });
});
