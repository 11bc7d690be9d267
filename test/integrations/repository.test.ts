import { randomUUID } from 'node:crypto';
import { isSealed, SecretBoxError, secretBoxFrom } from '../../src/crypto/secret-box';
import {
  createIntegration,
  findIntegration,
  findIntegrationByName,
  listIntegrations,
  sealStoredSecrets,
  updateIntegrationCredentials,
  updateWebhookSecrets,
  type Integration,
} from '../../src/integrations/repository';
import type { Db } from '../../src/db/pool';
import { createLogger } from '../../src/log';
import { isolatedDatabase, type IsolatedDatabase } from '../support/isolated-database';
import { testEncryptionKey, testLogger, testSecretBox } from '../support/stack';

const secretColumns = 'lever_api_key, lever_webhook_signing_tokens, codesignal_api_key, codesignal_webhook_secret';

/** Secrets of one integration, unique so a search of the table finds only that one's. */
const secretsOf = (tag = randomUUID().slice(0, 8)) => ({
  leverApiKey: `lever-api-key-${tag}`,
  leverWebhookSigningTokens: [`lever-token-one-${tag}`, `lever-token-two-${tag}`],
  codesignalApiKey: `codesignal-api-key-${tag}`,
  codesignalWebhookSecret: `codesignal-secret-${tag}`,
});
type Secrets = ReturnType<typeof secretsOf>;
const plaintextOf = (s: Secrets) => [s.leverApiKey, ...s.leverWebhookSigningTokens, s.codesignalApiKey, s.codesignalWebhookSecret];

describe('integrations: secrets at rest', () => {
  // A database of its own: the start-up pass reads, locks and re-seals every row of the table (with
  // other keys too), and these tests plant rows that no pass can open; in the shared database that
  // would reach into the rows of every test running beside them.
  let database: IsolatedDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await isolatedDatabase('integrations_secrets');
    db = database.db;
  });
  afterAll(() => database?.drop());

  const create = (s: Secrets) =>
    createIntegration(db, testSecretBox, {
      name: `Secrets ${randomUUID()}`,
      lever: { apiKey: s.leverApiKey, webhookSigningTokens: s.leverWebhookSigningTokens },
      codesignal: { apiKey: s.codesignalApiKey, webhookSecret: s.codesignalWebhookSecret },
      settings: {},
    });
  const rawRow = async (id: string) => (await db.query(`SELECT ${secretColumns} FROM integrations WHERE id = $1`, [id])).rows[0];

  /** Every stored secret is an envelope, and no plaintext is anywhere in the row. */
  async function expectSealed(id: string, plaintext: string[]) {
    const row = await rawRow(id);
    const stored = [row.lever_api_key, ...row.lever_webhook_signing_tokens, row.codesignal_api_key, row.codesignal_webhook_secret];
    expect(stored.filter((v) => v !== null).every(isSealed)).toBe(true);
    const text = JSON.stringify(row);
    for (const secret of plaintext) expect(text).not.toContain(secret);
  }

  const expectSecrets = (integration: Integration | undefined, s: Pick<Integration, keyof Secrets>) =>
    expect(integration).toMatchObject({
      leverApiKey: s.leverApiKey,
      leverWebhookSigningTokens: s.leverWebhookSigningTokens,
      codesignalApiKey: s.codesignalApiKey,
      codesignalWebhookSecret: s.codesignalWebhookSecret,
    });

  it('stores only ciphertext and reads back plaintext', async () => {
    const s = secretsOf();
    const created = await create(s);
    expectSecrets(created, s);
    await expectSealed(created.id, plaintextOf(s));
    expectSecrets(await findIntegration(db, testSecretBox, created.id), s);
    expectSecrets(await findIntegrationByName(db, testSecretBox, created.name), s);
    expectSecrets((await listIntegrations(db, testSecretBox)).find((i) => i.id === created.id), s);
  });

  it('seals what the updates write', async () => {
    const before = secretsOf();
    const created = await create(before);
    const after = secretsOf();
    await updateWebhookSecrets(db, testSecretBox, created.id, after);
    expectSecrets(await findIntegration(db, testSecretBox, created.id), {
      ...before,
      leverWebhookSigningTokens: after.leverWebhookSigningTokens,
      codesignalWebhookSecret: after.codesignalWebhookSecret,
    });
    const updated = await updateIntegrationCredentials(db, testSecretBox, created.id, {
      lever: { apiKey: after.leverApiKey },
      codesignal: { apiKey: after.codesignalApiKey, webhookSecret: null },
    });
    expectSecrets(updated, { ...after, codesignalWebhookSecret: null });
    await expectSealed(created.id, [...plaintextOf(before), ...plaintextOf(after)]);
    expect((await rawRow(created.id)).codesignal_webhook_secret).toBeNull();
  });

  it('does not open a ciphertext copied into another row or column', async () => {
    const [a, b] = [await create(secretsOf()), await create(secretsOf())];
    try {
      await db.query('UPDATE integrations SET lever_api_key = (SELECT lever_api_key FROM integrations WHERE id = $1) WHERE id = $2', [a.id, b.id]);
      await expect(findIntegration(db, testSecretBox, b.id)).rejects.toThrow(
        new SecretBoxError(`integrations/${b.id}/lever_api_key does not open: it was altered or sealed for another row or column`),
      );
      await db.query('UPDATE integrations SET codesignal_api_key = lever_api_key WHERE id = $1', [a.id]);
      await expect(findIntegration(db, testSecretBox, a.id)).rejects.toThrow(`integrations/${a.id}/codesignal_api_key does not open`);
    } finally {
      await db.query('DELETE FROM integrations WHERE id = ANY($1)', [[a.id, b.id]]);
    }
  });

  describe('the start-up pass', () => {
    /** A row as databases from before encryption hold it, or with each value as `store` makes it. */
    async function insertPlaintext(
      s: Secrets,
      webhookSecret: string | null = s.codesignalWebhookSecret,
      store = (_column: string, value: string, _id: string) => value,
    ): Promise<string> {
      const id = randomUUID();
      const stored = (column: string, value: string) => store(column, value, id);
      await db.query(`INSERT INTO integrations (id, name, ${secretColumns}) VALUES ($1, $2, $3, $4, $5, $6)`, [
        id,
        `Plaintext ${id}`,
        stored('lever_api_key', s.leverApiKey),
        s.leverWebhookSigningTokens.map((t) => stored('lever_webhook_signing_tokens', t)),
        stored('codesignal_api_key', s.codesignalApiKey),
        webhookSecret === null ? null : stored('codesignal_webhook_secret', webhookSecret),
      ]);
      return id;
    }

    it('seals plaintext rows once, logging no secret, and they still read back', async () => {
      const s = secretsOf();
      const id = await insertPlaintext(s);
      const withoutWebhookSecret = await insertPlaintext(secretsOf(), null);
      const logged: string[] = [];
      const logger = createLogger('info', 'test', { write: (line: string) => void logged.push(line) });

      await sealStoredSecrets(db, testSecretBox, logger);
      await expectSealed(id, plaintextOf(s));
      expectSecrets(await findIntegration(db, testSecretBox, id), s);
      expect((await rawRow(withoutWebhookSecret)).codesignal_webhook_secret).toBeNull();
      expect(logged.join('')).toContain('stored secrets sealed with the current encryption key');
      for (const secret of plaintextOf(s)) expect(logged.join('')).not.toContain(secret);

      // a second run changes nothing
      const sealed = await rawRow(id);
      logged.length = 0;
      await sealStoredSecrets(db, testSecretBox, logger);
      expect(await rawRow(id)).toEqual(sealed);
      expect(logged).toEqual([]);
    });

    it('seals again with the current key what a previous key sealed', async () => {
      const oldKey = Buffer.alloc(32, 9).toString('base64');
      const oldBox = secretBoxFrom({ ENCRYPTION_KEY: oldKey });
      const s = secretsOf();
      const id = await insertPlaintext(s, s.codesignalWebhookSecret, (column, value, id) => oldBox.seal(value, `integrations/${id}/${column}`));
      const rotated = secretBoxFrom({ ENCRYPTION_KEY: testEncryptionKey, ENCRYPTION_KEYS_PREVIOUS: oldKey });
      expectSecrets(await findIntegration(db, rotated, id), s);

      await sealStoredSecrets(db, rotated, testLogger);
      // the previous key is no longer needed
      expectSecrets(await findIntegration(db, testSecretBox, id), s);
      await expectSealed(id, plaintextOf(s));
    });

    it('changes nothing when a value does not open, and names its key', async () => {
      const plaintext = secretsOf();
      const unreadable = await create(secretsOf());
      const plain = await insertPlaintext(plaintext);
      const otherKey = secretBoxFrom({ ENCRYPTION_KEY: Buffer.alloc(32, 11).toString('base64') });
      try {
        await expect(sealStoredSecrets(db, otherKey, testLogger)).rejects.toThrow(/^integrations\/[0-9a-f-]+\/lever_api_key was sealed with key [0-9a-f]{8}, which is neither/);
        expect((await rawRow(plain)).lever_api_key).toBe(plaintext.leverApiKey);
      } finally {
        await db.query('DELETE FROM integrations WHERE id = ANY($1)', [[unreadable.id, plain]]);
      }
    });
  });

  it('redacts an integration\'s secrets when it is logged', () => {
    const logged: string[] = [];
    const logger = createLogger('info', 'test', { write: (line: string) => void logged.push(line) });
    const s = secretsOf();
    logger.info({ integration: s, context: { integration: s } }, 'integration');
    for (const secret of plaintextOf(s)) expect(logged.join('')).not.toContain(secret);
  });
});
