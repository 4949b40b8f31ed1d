import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { SecretKey } from './secrets';

/**
 * Encrypts every payload Temporal stores for Atende (workflow inputs and results, updates,
 * activity arguments and results: CPFs, e-mails, messages), so histories in the server and the
 * UI hold ciphertext. AES-256-GCM; the key's id travels in the payload's metadata, so keys
 * rotate: the first of ATENDE_CODEC_KEYS encrypts, every one listed decrypts. The UI shows the
 * plaintext only through the codec endpoint (POST /codec/decode), to an authorized operator.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keys: readonly SecretKey[]) {
    if (!keys.length) throw new Error('the payload codec needs at least one key');
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys[0]!;
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key.key, iv);
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID]: Buffer.from(key.id) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (Buffer.from(payload.metadata?.encoding ?? []).toString() !== ENCRYPTED_ENCODING) return payload;
      const id = Buffer.from(payload.metadata?.[KEY_ID] ?? []).toString();
      const key = this.keys.find((candidate) => candidate.id === id);
      if (!key) throw new Error(`payload encrypted with key "${id}", which is not in ATENDE_CODEC_KEYS`);
      const data = Buffer.from(payload.data ?? []);
      const decipher = createDecipheriv('aes-256-gcm', key.key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(data.length - 16));
      const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain) as Payload;
    });
  }
}

/** The data converter option for a client or a worker: the codec when keys are configured, nothing otherwise. */
export function codecConverter(keys: readonly SecretKey[] | undefined): { dataConverter?: { payloadCodecs: PayloadCodec[] } } {
  return keys?.length ? { dataConverter: { payloadCodecs: [new EncryptionCodec(keys)] } } : {};
}
