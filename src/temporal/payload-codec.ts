import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Config } from '../config';
import { keyRingFrom, type KeyRing } from '../crypto/keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A payload that cannot be decrypted; the message names the reason, never key material or content. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
}

const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/**
 * AES-256-GCM over the whole serialized Payload (its metadata included, so the original encoding is
 * hidden too). Data is iv (12) + auth tag (16) + ciphertext; the key id in the metadata picks the key
 * after a rotation. Payloads without the encrypted encoding pass through: histories from before
 * encryption still replay and read.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keys: KeyRing) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys.current;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ciphertext = Buffer.concat([cipher.update(temporal.api.common.v1.Payload.encode(payload).finish()), cipher.final()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(id) },
        data: Buffer.concat([iv, cipher.getAuthTag(), ciphertext]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (text(payload.metadata?.[METADATA_ENCODING_KEY]) === ENCRYPTED_ENCODING ? this.decrypt(payload) : payload));
  }

  private decrypt(payload: Payload): Payload {
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
    if (!keyId) throw new PayloadDecryptionError(`encrypted payload has no ${KEY_ID_METADATA}`);
    const derived = this.keys.byId.get(keyId);
    if (!derived) throw new PayloadDecryptionError(`payload was encrypted with key ${keyId}, which is neither ENCRYPTION_KEY nor in ENCRYPTION_KEYS_PREVIOUS`);
    const data = Buffer.from(payload.data ?? []);
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError('encrypted payload is truncated');
    const decipher = createDecipheriv('aes-256-gcm', derived.key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(`payload failed authentication with key ${keyId} (altered or corrupted)`);
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

/**
 * Failure messages and stack traces can name a candidate, so they travel as an encoded payload too
 * (the converter runs inside the workflow sandbox as well: prebuilt bundles must be given this path).
 */
export const failureConverterPath = require.resolve('./failure-converter');

type KeyConfig = Pick<Config, 'ENCRYPTION_KEY' | 'ENCRYPTION_KEYS_PREVIOUS'>;

/** The codec keyed by ENCRYPTION_KEY (and the previous keys, to decrypt): workers, clients and the codec endpoint share it. */
export const payloadCodecFor = (config: KeyConfig): EncryptionCodec => new EncryptionCodec(keyRingFrom(config, 'temporal-payloads'));

/** The data converter of every Temporal client and worker of the service. */
export function dataConverterFor(config: KeyConfig): DataConverter {
  return { payloadCodecs: [payloadCodecFor(config)], failureConverterPath };
}
