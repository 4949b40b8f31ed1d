-- Up Migration
-- Webhook endpoints of a tenant, their deliveries (one per endpoint and event, with every attempt),
-- and where the dispatcher is in the events outbox.
CREATE TABLE webhooks (
  id                      uuid PRIMARY KEY,
  tenant_id               text NOT NULL REFERENCES tenants(id),
  url                     text NOT NULL,
  events                  text[] NOT NULL,
  description             text,
  active                  boolean NOT NULL DEFAULT true,
  secret                  text NOT NULL,
  -- a rotated secret still signs (beside the new one) until this time
  previous_secret         text,
  previous_secret_until   timestamptz,
  disabled_reason         text,
  created_at              timestamptz NOT NULL,
  updated_at              timestamptz NOT NULL
);
CREATE INDEX webhooks_tenant ON webhooks (tenant_id);

CREATE TABLE webhook_deliveries (
  -- webhook id and event id: dispatching an event twice makes one delivery
  id           text PRIMARY KEY,
  webhook_id   uuid NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  tenant_id    text NOT NULL,
  event_id     text NOT NULL,
  event_type   text NOT NULL,
  payload      jsonb NOT NULL,
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts     jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at DESC);

CREATE TABLE webhook_dispatch (
  id         smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  after_seq  bigint NOT NULL
);
-- events written before webhooks existed are not sent
INSERT INTO webhook_dispatch (after_seq) SELECT coalesce(max(seq), 0) FROM events;

-- Down Migration
DROP TABLE webhook_dispatch;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
