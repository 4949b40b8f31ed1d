import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (model API keys, tool secrets): AES-256-GCM, sealed as
 * `v1.<key id>.<iv>.<ciphertext+tag>` (base64url), so keys rotate by id: the first key seals,
 * every listed key opens. Keys come from ATENDE_SECRET_KEYS (`id:base64-32-bytes,…`); without it
 * one is derived from the JWT secret (fine for one machine, not for a cluster that rotates it).
 */
export interface SecretKey {
  id: string;
  key: Buffer;
}

export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

export class SecretKeyError extends Error {
  override name = 'SecretKeyError';
}

export function parseSecretKeys(spec: string | undefined, fallbackSecret: string): SecretKey[] {
  if (!spec?.trim()) return [{ id: 'jwt', key: Buffer.from(hkdfSync('sha256', fallbackSecret, 'atende', 'atende-secrets-v1', 32)) }];
  return spec.split(',').map((entry) => {
    const [id, encoded] = entry.trim().split(':');
    const key = Buffer.from(encoded ?? '', 'base64');
    if (!id || !/^[A-Za-z0-9_-]{1,20}$/.test(id) || key.length !== 32) throw new SecretKeyError('ATENDE_SECRET_KEYS: each entry is <id>:<32 bytes in base64>');
    return { id, key };
  });
}

export function secretBox(keys: readonly SecretKey[]): SecretBox {
  const current = keys[0];
  if (!current) throw new SecretKeyError('no secret key');
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `v1.${current.id}.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
    },
    open(sealed) {
      const [version, id, iv, body] = sealed.split('.');
      const key = keys.find((candidate) => candidate.id === id);
      if (version !== 'v1' || !iv || !body) throw new SecretKeyError('not a sealed secret');
      if (!key) throw new SecretKeyError(`sealed with key "${id}", which is not configured`);
      const data = Buffer.from(body, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(data.subarray(data.length - 16));
      return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
    },
  };
}

/** What a response may say about a secret: that it is set, and its last characters. */
export function hint(plain: string): string {
  return plain.length > 8 ? `…${plain.slice(-4)}` : '…';
}
