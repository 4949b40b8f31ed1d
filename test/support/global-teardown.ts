import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as Record<string, unknown>).__atendeStack as
    | { cluster: { stop(): Promise<void> }; temporal: { stop(): Promise<void> }; dir: string }
    | undefined;
  if (!stack) return;
  await Promise.allSettled([stack.temporal.stop(), stack.cluster.stop()]);
  fs.rmSync(stack.dir, { recursive: true, force: true });
}
