import { randomUUID } from 'node:crypto';
import { candidateEmailKeysFrom, createCandidateDirectory, foldName } from '../../src/db/candidate-directory';
import { createPool, type Db } from '../../src/db/pool';
import { newMasterKey } from '../../src/crypto/keys';
import { secretBoxFrom } from '../../src/crypto/secret-box';
import { insertIntegration, testLogger } from '../support/stack';

/** The candidate directory on its own: sealed at rest, e-mails found only exactly, across a key rotation. */
describe('candidate directory', () => {
  let db: Db;
  let integrationId: string;
  const oldKey = { ENCRYPTION_KEY: newMasterKey() };
  const rotated = { ENCRYPTION_KEY: newMasterKey(), ENCRYPTION_KEYS_PREVIOUS: oldKey.ENCRYPTION_KEY };
  const directoryWith = (keys: { ENCRYPTION_KEY: string; ENCRYPTION_KEYS_PREVIOUS?: string }) =>
    createCandidateDirectory({ db, box: secretBoxFrom(keys), emailKeys: candidateEmailKeysFrom(keys) });

  beforeAll(async () => {
    db = createPool(process.env.TEST_DATABASE_URL!, testLogger);
    integrationId = (await insertIntegration(db)).id;
  });
  afterAll(() => db.end());

  it('keeps names and e-mails sealed, finds an e-mail only exactly and a name by a part of it', async () => {
    // an integration of its own: the rotation test below seals under a key this directory does not hold
    const integrationId = (await insertIntegration(db)).id;
    const directory = directoryWith(oldKey);
    const opp = randomUUID();
    await directory.record({ integrationId, opportunityId: opp, name: 'Émilie du Châtelet', emails: ['Emilie@Example.org ', 'emilie@example.org', 'e.chatelet@example.net'] });
    const { rows } = await db.query('SELECT * FROM candidate_directory WHERE opportunity_id = $1', [opp]);
    expect(JSON.stringify(rows).toLowerCase()).not.toMatch(/milie|telet|example/);

    expect((await directory.findByEmail(integrationId, 'EMILIE@example.org', 5)).map((c) => c.opportunityId)).toEqual([opp]);
    expect(await directory.findByEmail(integrationId, 'emilie@example', 5)).toEqual([]);
    expect(await directory.findByEmail(integrationId, 'milie@example.org', 5)).toEqual([]);
    // hashes are per integration: the same address in another integration is another hash
    expect(await directory.findByEmail((await insertIntegration(db)).id, 'emilie@example.org', 5)).toEqual([]);
    expect((await directory.searchByName(integrationId, 'CHATELET', { limit: 5, scanLimit: 100 })).candidates.map((c) => c.name)).toEqual(['Émilie du Châtelet']);
    expect(foldName('Émilie')).toBe('emilie');
    // a sealed value is bound to its row: copied to another opportunity it does not open
    const other = randomUUID();
    await db.query(`INSERT INTO candidate_directory (integration_id, opportunity_id, name_sealed, emails_sealed) SELECT integration_id, $2, name_sealed, emails_sealed FROM candidate_directory WHERE opportunity_id = $1`, [opp, other]);
    await expect(directory.get(integrationId, other)).rejects.toThrow(/does not open/);
    await db.query('DELETE FROM candidate_directory WHERE opportunity_id = $1', [other]);
  });

  it('still finds and opens what was written under a previous key', async () => {
    const opp = randomUUID();
    await directoryWith(oldKey).record({ integrationId, opportunityId: opp, name: 'Hedy Lamarr', emails: ['hedy@example.org'] });
    const after = directoryWith(rotated);
    expect((await after.findByEmail(integrationId, 'hedy@example.org', 5)).map((c) => c.name)).toEqual(['Hedy Lamarr']);
    expect((await after.names(integrationId, [opp, randomUUID()])).get(opp)).toBe('Hedy Lamarr');
    // seen again, it is hashed and sealed under the current key
    await after.record({ integrationId, opportunityId: opp, name: 'Hedy Lamarr', emails: ['hedy@example.org'] });
    expect((await directoryWith({ ENCRYPTION_KEY: rotated.ENCRYPTION_KEY }).findByEmail(integrationId, 'hedy@example.org', 5)).map((c) => c.opportunityId)).toEqual([opp]);
  });

  it('leaves a row that no longer opens out of names and searches, and still refuses it by id', async () => {
    const integrationId = (await insertIntegration(db)).id;
    const [lost, kept] = [randomUUID(), randomUUID()];
    // sealed under a key that is then dropped from the ring
    await directoryWith({ ENCRYPTION_KEY: newMasterKey() }).record({ integrationId, opportunityId: lost, name: 'Ada Lost', emails: ['ada@example.org'] });
    const directory = directoryWith(oldKey);
    await directory.record({ integrationId, opportunityId: kept, name: 'Ada Kept', emails: ['ada@example.org'] });
    expect([...(await directory.names(integrationId, [lost, kept])).entries()]).toEqual([[kept, 'Ada Kept']]);
    expect((await directory.searchByName(integrationId, 'ada', { limit: 5, scanLimit: 100 })).candidates.map((c) => c.opportunityId)).toEqual([kept]);
    expect((await directory.findByEmail(integrationId, 'ada@example.org', 5)).map((c) => c.opportunityId)).toEqual([kept]);
    await expect(directory.get(integrationId, lost)).rejects.toThrow(/neither ENCRYPTION_KEY nor in ENCRYPTION_KEYS_PREVIOUS/);
  });
});
