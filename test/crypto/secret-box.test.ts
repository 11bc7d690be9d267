import { deriveKey } from '../../src/crypto/keys';
import { SecretBoxError, createSecretBox, isSealed, secretBoxFrom, secretHint } from '../../src/crypto/secret-box';

const oldKey = Buffer.alloc(32, 1).toString('base64');
const newKey = Buffer.alloc(32, 2).toString('base64');
const secret = 'lever-api-key-0123456789abcdef';
const context = 'integrations/5f0c6f7e-2c1a-4a57-9d0b-1b8f3c1d2e3f/lever_api_key';

/** The error open() throws, checked to name nothing secret. */
function openError(open: () => string, ...secrets: string[]): SecretBoxError {
  try {
    open();
  } catch (err) {
    expect(err).toBeInstanceOf(SecretBoxError);
    for (const s of secrets) expect(`${(err as Error).message} ${(err as Error).stack}`).not.toContain(s);
    return err as SecretBoxError;
  }
  throw new Error('open() did not fail');
}

describe('secret box', () => {
  const box = secretBoxFrom({ ENCRYPTION_KEY: newKey });

  it('seals into a versioned envelope naming the key, and opens it again', () => {
    for (const plaintext of [secret, '', 'ünïcødé 🔑']) {
      const sealed = box.seal(plaintext, context);
      expect(sealed).toMatch(new RegExp(`^enc:v1:${deriveKey(newKey, 'secrets-at-rest').id}:[A-Za-z0-9+/]+={0,2}$`));
      expect(isSealed(sealed)).toBe(true);
      expect(box.open(sealed, context)).toBe(plaintext);
    }
    // a fresh IV each time: equal secrets do not look equal at rest
    expect(box.seal(secret, context)).not.toBe(box.seal(secret, context));
    expect(box.seal(secret, context)).not.toContain(secret);
  });

  it('does not open a value under another row or column', () => {
    const sealed = box.seal(secret, context);
    for (const other of [context.replace('5f0c', '6f0c'), context.replace('lever_api_key', 'codesignal_api_key')]) {
      const err = openError(() => box.open(sealed, other), secret, newKey);
      expect(err.message).toBe(`${other} does not open: it was altered or sealed for another row or column`);
    }
  });

  it('does not open a tampered value', () => {
    const sealed = box.seal(secret, context);
    const [, , keyId, body] = sealed.split(':');
    const bytes = Buffer.from(body!, 'base64');
    for (const at of [0, 12, bytes.length - 1]) {
      const tampered = Buffer.from(bytes);
      tampered[at] ^= 1;
      openError(() => box.open(`enc:v1:${keyId}:${tampered.toString('base64')}`, context), secret);
    }
    expect(openError(() => box.open(`enc:v1:${keyId}:${bytes.subarray(0, 20).toString('base64')}`, context)).message).toBe(`${context} is not a well-formed sealed value`);
    expect(openError(() => box.open(secret, context), secret).message).toBe(`${context} is not a sealed value`);
  });

  it('opens values sealed with a previous key, and upgrade() seals them again with the current one', () => {
    const sealedWithOld = secretBoxFrom({ ENCRYPTION_KEY: oldKey }).seal(secret, context);
    const rotated = secretBoxFrom({ ENCRYPTION_KEY: newKey, ENCRYPTION_KEYS_PREVIOUS: oldKey });
    expect(rotated.open(sealedWithOld, context)).toBe(secret);

    const upgraded = rotated.upgrade(sealedWithOld, context);
    expect(upgraded.split(':')[2]).toBe(deriveKey(newKey, 'secrets-at-rest').id);
    expect(box.open(upgraded, context)).toBe(secret);
    expect(rotated.upgrade(upgraded, context)).toBe(upgraded);
    // plain text from before encryption is sealed
    expect(box.open(rotated.upgrade(secret, context), context)).toBe(secret);
  });

  it('names the unknown key id, and neither the secret nor a key, when the key is gone', () => {
    const sealedWithOld = createSecretBox({ current: deriveKey(oldKey, 'secrets-at-rest'), byId: new Map() }).seal(secret, context);
    const oldId = deriveKey(oldKey, 'secrets-at-rest').id;
    const err = openError(() => box.open(sealedWithOld, context), secret, oldKey, newKey, deriveKey(oldKey, 'secrets-at-rest').key.toString('base64'));
    expect(err.message).toBe(`${context} was sealed with key ${oldId}, which is neither ENCRYPTION_KEY nor in ENCRYPTION_KEYS_PREVIOUS`);
    expect(() => box.upgrade(sealedWithOld, context)).toThrow(err.message);
  });

  it('derives its key for stored secrets only', () => {
    const payloadKey = deriveKey(newKey, 'temporal-payloads');
    const sealedForPayloads = createSecretBox({ current: payloadKey, byId: new Map([[payloadKey.id, payloadKey]]) }).seal(secret, context);
    expect(() => box.open(sealedForPayloads, context)).toThrow(SecretBoxError);
  });

  it('hints at long secrets by their last 4 characters only', () => {
    expect(secretHint('0123456789abcdef')).toBe('cdef');
    expect(secretHint('0123456789abcde')).toBeNull();
    expect(secretHint('')).toBeNull();
  });
});
