import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { z } from 'zod';
import type { Payload } from '@temporalio/common';
import { EncryptionCodec } from '../lib/codec';
import type { SecretKey } from '../lib/secrets';
import { ApiError, parseBody } from './errors';
import { ADMINS, authenticate, type AuthEnv } from './middleware';

export interface CodecRoutesDeps {
  jwtSecret: string;
  /** ATENDE_CODEC_KEYS; without them the endpoint answers 404 (payloads are not encrypted). */
  keys?: SecretKey[] | undefined;
  /** The Temporal UI's origins (CODEC_CORS_ORIGIN), allowed to call from the browser. */
  origins: string[];
}

/** The codec server protocol of the Temporal UI and CLI: payloads as JSON, bytes in base64. */
const wirePayloadsSchema = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()).default({}), data: z.string().default('') })).max(1_000),
});

const fromWire = (payload: { metadata: Record<string, string>; data: string }): Payload => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
  data: Buffer.from(payload.data, 'base64'),
});
const toWire = (payload: Payload) => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? []).toString('base64')])),
  data: Buffer.from(payload.data ?? []).toString('base64'),
});

/**
 * POST /codec/encode and /codec/decode for the Temporal UI ("Codec Server" in its settings, with
 * "pass access token") and `temporal … --codec-endpoint`: admins of Atende see decrypted payloads;
 * everyone else sees ciphertext.
 */
export function codecRoutes(deps: CodecRoutesDeps) {
  const admins = authenticate(deps.jwtSecret)(ADMINS);
  const codec = deps.keys?.length ? new EncryptionCodec(deps.keys) : undefined;
  const convert = (direction: 'encode' | 'decode') => async (c: Context<AuthEnv>) => {
    if (!codec) throw new ApiError(404, 'not_found', 'payloads are not encrypted here (ATENDE_CODEC_KEYS is not set)');
    const { payloads } = await parseBody(c, wirePayloadsSchema);
    try {
      return c.json({ payloads: (await codec[direction](payloads.map(fromWire))).map(toWire) }, 200);
    } catch (error) {
      throw new ApiError(422, 'validation_failed', `payloads: ${(error as Error).message}`, { issues: [{ path: 'payloads', message: 'could not be decoded with the configured keys' }] });
    }
  };
  return new Hono<AuthEnv>()
    .use('*', cors({ origin: deps.origins, allowMethods: ['POST', 'OPTIONS'], allowHeaders: ['authorization', 'content-type', 'x-namespace'], credentials: true }))
    .post('/encode', admins, convert('encode'))
    .post('/decode', admins, convert('decode'));
}
