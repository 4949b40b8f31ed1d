-- Up Migration
-- The knowledge base (issue 19): documents an admin uploads, cut into passages the bot can quote.
-- Search is Postgres full text (Portuguese, accents folded, headings weighted above body text) with
-- typo tolerance from a trigram index over the words the passages use.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- unaccent() is only STABLE (its dictionary could change); an index needs an IMMUTABLE wrapper
CREATE OR REPLACE FUNCTION atende_fold(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT lower(unaccent('unaccent'::regdictionary, $1)) $$;

CREATE TABLE knowledge_documents (
  id            uuid PRIMARY KEY,
  tenant_id     text NOT NULL,
  collection    text NOT NULL DEFAULT 'default',
  title         text NOT NULL,
  filename      text NOT NULL,
  media_type    text NOT NULL,
  size_bytes    integer NOT NULL,
  sha256        text NOT NULL,
  -- the file itself, so a re-index needs nothing but this row
  content       bytea NOT NULL,
  status        text NOT NULL CHECK (status IN ('indexing', 'ready', 'failed')),
  error         text,
  chunks_total  integer,
  chunks_done   integer NOT NULL DEFAULT 0,
  -- whether the passages carry embeddings (hybrid search), and of which model
  embedding_model text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  indexed_at    timestamptz
);
CREATE INDEX knowledge_documents_tenant ON knowledge_documents (tenant_id, collection, created_at DESC);

CREATE TABLE knowledge_chunks (
  document_id   uuid NOT NULL REFERENCES knowledge_documents(id) ON DELETE CASCADE,
  position      integer NOT NULL,
  tenant_id     text NOT NULL,
  collection    text NOT NULL,
  heading       text,
  text          text NOT NULL,
  search        tsvector GENERATED ALWAYS AS (
                  setweight(to_tsvector('portuguese', atende_fold(coalesce(heading, ''))), 'A') ||
                  setweight(to_tsvector('portuguese', atende_fold(text)), 'B')) STORED,
  -- an embedding model's vector, when one is configured (cosine similarity in the search)
  embedding     real[],
  PRIMARY KEY (document_id, position)
);
CREATE INDEX knowledge_chunks_search ON knowledge_chunks USING gin (search);
CREATE INDEX knowledge_chunks_tenant ON knowledge_chunks (tenant_id, collection);

-- every folded word the tenant's passages use: a misspelled query word is read as its nearest one
CREATE TABLE knowledge_words (
  tenant_id  text NOT NULL,
  word       text NOT NULL,
  PRIMARY KEY (tenant_id, word)
);
CREATE INDEX knowledge_words_trgm ON knowledge_words USING gin (word gin_trgm_ops);

-- sources a bot message used (knowledge passages), for the transcript
ALTER TABLE messages ADD COLUMN sources jsonb;

-- Down Migration
ALTER TABLE messages DROP COLUMN sources;
DROP TABLE knowledge_words;
DROP TABLE knowledge_chunks;
DROP TABLE knowledge_documents;
DROP FUNCTION atende_fold(text);
