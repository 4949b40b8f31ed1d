import type { Tracing } from '../lib/tracing';
import { codecConverter } from '../lib/codec';
import { parseSecretKeys, type SecretKey } from '../lib/secrets';
import fs from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { Env } from '../env';

export interface TemporalTarget {
  address: string;
  namespace: string;
}

/** TLS and API-key settings for Temporal Cloud or a secured self-hosted cluster. */
function securityOptions(env: Env): Pick<ConnectionOptions, 'tls' | 'apiKey'> {
  const cert = env.TEMPORAL_TLS_CERT_PATH;
  const key = env.TEMPORAL_TLS_KEY_PATH;
  const tls =
    cert && key
      ? { clientCertPair: { crt: fs.readFileSync(cert), key: fs.readFileSync(key) } }
      : env.TEMPORAL_TLS || env.TEMPORAL_API_KEY
        ? true
        : undefined;
  return { tls, apiKey: env.TEMPORAL_API_KEY };
}

export function temporalAddress(env: Env): string {
  return env.TEMPORAL_ADDRESS ?? `127.0.0.1:${env.TEMPORAL_PORT}`;
}

/** The client's interceptors: OpenTelemetry's, when tracing is on. */
function tracingOf(tracing?: Tracing) {
  return tracing ? { interceptors: { workflow: [tracing.clientInterceptor] } } : {};
}

export async function connectClient(env: Env, tracing?: Tracing): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({
    address: temporalAddress(env),
    ...securityOptions(env),
    connectTimeout: env.TEMPORAL_CALL_TIMEOUT,
  });
  return { connection, client: new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, ...codecOf(env), ...tracingOf(tracing) }) };
}

/** The payload codec's keys (ATENDE_CODEC_KEYS), when payloads are encrypted. */
export function codecKeys(env: Env): SecretKey[] | undefined {
  return env.ATENDE_CODEC_KEYS ? parseSecretKeys(env.ATENDE_CODEC_KEYS, '') : undefined;
}

function codecOf(env: Env) {
  return codecConverter(codecKeys(env));
}

/**
 * A client whose connection opens on first use, with the same TLS/mTLS and API-key settings as
 * the worker's: the API starts, and answers 503, while Temporal is still coming up.
 */
export function lazyClient(env: Env, tracing?: Tracing): { client: Client; connection: Connection } {
  const connection = Connection.lazy({ address: temporalAddress(env), ...securityOptions(env), connectTimeout: env.TEMPORAL_CALL_TIMEOUT });
  return { connection, client: new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, ...codecOf(env), ...tracingOf(tracing) }) };
}

export async function connectWorker(env: Env): Promise<NativeConnection> {
  const { tls } = securityOptions(env);
  return NativeConnection.connect({
    address: temporalAddress(env),
    tls: tls as NativeConnectionOptions['tls'],
    apiKey: env.TEMPORAL_API_KEY,
  });
}
