import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/**
 * One logger per process: JSON lines (for a log pipeline), or one readable line per entry when
 * the output is a terminal. Children carry the request id, tenant, conversation and workflow.
 * Secrets never go in: the fields below are the only ones a line gets, and a bearer token or a
 * key is never one of them.
 */
export function createLogger(level: LogLevel, options: { pretty?: boolean; destination?: NodeJS.WritableStream } = {}): Logger {
  const pretty = options.pretty ?? (!options.destination && process.stdout.isTTY === true);
  const destination = options.destination ?? (pretty ? readable(process.stdout) : process.stdout);
  return pino(
    {
      level,
      base: { service: 'atende' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['authorization', 'headers.authorization', 'apiKey', 'token', 'password', '*.apiKey', '*.token', '*.password'], censor: '***' },
    },
    destination as pino.DestinationStream,
  );
}

/** `12:00:01 INFO  request  status=200 route=/api/… conversationId=…` from a JSON line. */
function readable(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        try {
          const { time, level, msg, service: _service, ...rest } = JSON.parse(line) as Record<string, unknown>;
          const fields = Object.entries(rest).map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
          out.write(`${String(time).slice(11, 19)} ${String(level).toUpperCase().padEnd(5)} ${msg ?? ''}${fields.length ? `  ${fields.join(' ')}` : ''}\n`);
        } catch {
          out.write(`${line}\n`);
        }
      }
      done();
    },
  });
}

/** A logger that writes nothing (tests, and apps built without one). */
export const silentLogger: Logger = pino({ level: 'silent' });

/**
 * The Temporal SDK's log entries (worker, workflows, activities) as this logger's lines; an
 * activity's or workflow's entry carries its workflow id, and a conversation's its id too.
 */
export function temporalLogFunction(logger: Logger): (entry: { level: string; message: string; meta?: Record<string, unknown> }) => void {
  const levels: Record<string, 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'debug', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };
  return ({ level, message, meta }) => {
    const workflowId = typeof meta?.workflowId === 'string' ? meta.workflowId : undefined;
    const conversationId = workflowId?.startsWith('conversation-') ? workflowId.slice('conversation-'.length) : undefined;
    logger[levels[level] ?? 'info']({ ...meta, ...(conversationId ? { conversationId } : {}) }, message);
  };
}
