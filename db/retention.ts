import type pg from 'pg';
import { inTransaction } from './pool';

/**
 * Data retention (the settings document's `retention.closedConversationDays`): closed
 * conversations older than that go, with everything that holds their words — messages, events,
 * the webhook deliveries that carried those events, analytics facts, notes, tool calls. Leads
 * stay: they are the business's record of a contact, not the transcript.
 */
export async function purgeExpiredConversations(db: pg.Pool, limit = 1_000): Promise<{ tenantId: string; conversations: number }[]> {
  const { rows: tenants } = await db.query<{ id: string; days: number }>(
    `SELECT id, (settings -> 'retention' ->> 'closedConversationDays')::int AS days FROM tenants
      WHERE jsonb_typeof(settings -> 'retention' -> 'closedConversationDays') = 'number'`,
  );
  const purged: { tenantId: string; conversations: number }[] = [];
  for (const tenant of tenants) {
    const count = await inTransaction(db, async (client) => {
      const { rows } = await client.query<{ id: string }>(
        `SELECT id FROM conversations WHERE tenant_id = $1 AND closed_at IS NOT NULL AND closed_at < now() - make_interval(days => $2) ORDER BY closed_at LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [tenant.id, tenant.days, limit],
      );
      const ids = rows.map((row) => row.id);
      if (!ids.length) return 0;
      await client.query('DELETE FROM webhook_deliveries WHERE event_id IN (SELECT id FROM events WHERE conversation_id = ANY ($1::uuid[]))', [ids]);
      await client.query('DELETE FROM tool_calls WHERE conversation_id = ANY ($1::uuid[])', [ids]);
      // messages, events, facts, notes and inbox rows go with the conversation (ON DELETE CASCADE)
      await client.query('DELETE FROM conversations WHERE id = ANY ($1::uuid[])', [ids]);
      return ids.length;
    });
    if (count) purged.push({ tenantId: tenant.id, conversations: count });
  }
  return purged;
}
