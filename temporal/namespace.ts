import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { status } from '@grpc/grpc-js';
import { searchAttributeKeys } from '../workflows/messages';

/**
 * Registers Atende's custom search attributes on a server that was not started with them
 * (a self-hosted cluster, the time-skipping test server). Already-registered ones are kept.
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  let known = new Set<string>();
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    known = new Set(Object.keys(existing.customAttributes ?? {}));
  } catch (error) {
    // The time-skipping test server can add search attributes but not list them.
    if ((error as { code?: number }).code !== status.UNIMPLEMENTED) throw error;
  }
  const missing = searchAttributeKeys.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(
      missing.map((key) => [key.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
    ),
  });
  return missing.map((key) => key.name);
}
