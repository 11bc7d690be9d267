import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { newMasterKey } from '../../src/crypto/keys';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA, PayloadDecryptionError, payloadCodecFor } from '../../src/temporal/payload-codec';

const candidate = { name: 'Ada Lovelace', email: 'ada.lovelace@candidates.example' };
const plain = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const raw = (p: Payload) => Buffer.concat([...Object.values(p.metadata ?? {}), p.data ?? new Uint8Array()].map((b) => Buffer.from(b))).toString('latin1');

/** Decoding that is expected to fail: the error, checked to name no plaintext and no key. */
async function decodeError(codec: ReturnType<typeof payloadCodecFor>, payloads: Payload[], key: string): Promise<Error> {
  const err = await codec.decode(payloads).then(
    () => new Error('decoded'),
    (e: Error) => e,
  );
  expect(err).toBeInstanceOf(PayloadDecryptionError);
  for (const secret of [candidate.name, candidate.email, key, Buffer.from(key, 'base64').toString('hex')]) expect(err.message).not.toContain(secret);
  return err;
}

describe('payload codec (AES-256-GCM, key ring)', () => {
  const key = newMasterKey();
  const codec = payloadCodecFor({ ENCRYPTION_KEY: key });

  it('encrypts every payload, metadata included, and decrypts it back exactly', async () => {
    const originals = [plain(candidate), plain(undefined), plain(new Uint8Array([0, 1, 2])), plain('x'.repeat(100_000))];
    const encoded = await codec.encode(originals);
    expect(encoded).toHaveLength(originals.length);
    for (const p of encoded) {
      expect(text(p.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
      expect(text(p.metadata?.[KEY_ID_METADATA])).toMatch(/^[0-9a-f]{8}$/);
      expect(raw(p)).not.toContain(candidate.email);
      expect(raw(p)).not.toContain('json/plain');
    }
    const decoded = await codec.decode(encoded);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([candidate, undefined, new Uint8Array([0, 1, 2]), 'x'.repeat(100_000)]);
    // A fresh IV each time: the same value never encrypts to the same bytes.
    const [a, b] = await codec.encode([plain(candidate), plain(candidate)]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('passes through payloads that are not encrypted (histories from before encryption)', async () => {
    const originals = [plain(candidate), plain(null), { metadata: {}, data: new Uint8Array([1]) }];
    expect(await codec.decode(originals)).toEqual(originals);
  });

  it('decrypts with a previous key after a rotation and encrypts only with the new one', async () => {
    const before = await codec.encode([plain(candidate)]);
    const rotated = payloadCodecFor({ ENCRYPTION_KEY: newMasterKey(), ENCRYPTION_KEYS_PREVIOUS: key });
    expect(defaultPayloadConverter.fromPayload((await rotated.decode(before))[0]!)).toEqual(candidate);
    const after = await rotated.encode([plain(candidate)]);
    expect(text(after[0]!.metadata?.[KEY_ID_METADATA])).not.toBe(text(before[0]!.metadata?.[KEY_ID_METADATA]));
    // The old key alone cannot read what the new key wrote.
    await decodeError(codec, after, key);
  });

  it('refuses altered ciphertext, a wrong key id, a missing key id and truncated data', async () => {
    const [good] = await codec.encode([plain(candidate)]);
    const keyId = text(good!.metadata?.[KEY_ID_METADATA]);
    const flipped = Buffer.from(good!.data!);
    flipped[flipped.length - 1]! ^= 1;
    expect((await decodeError(codec, [{ ...good!, data: flipped }], key)).message).toBe(`payload failed authentication with key ${keyId} (altered or corrupted)`);
    const tag = Buffer.from(good!.data!);
    tag[12]! ^= 1;
    await decodeError(codec, [{ ...good!, data: tag }], key);

    const unknown = { ...good!, metadata: { ...good!.metadata, [KEY_ID_METADATA]: Buffer.from('deadbeef') } };
    expect((await decodeError(codec, [unknown], key)).message).toContain('deadbeef');
    const { [KEY_ID_METADATA]: _dropped, ...withoutId } = good!.metadata!;
    expect((await decodeError(codec, [{ ...good!, metadata: withoutId }], key)).message).toContain(KEY_ID_METADATA);
    expect((await decodeError(codec, [{ ...good!, data: Buffer.from(good!.data!).subarray(0, 20) }], key)).message).toContain('truncated');
  });
});
