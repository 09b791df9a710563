-- Dead letters archived from ttelgo.dead-letters (every consumer queue's dead letters are copied there), for
-- GET /admin/dead-letters and POST /admin/dead-letters/{id}/replay. Stored raw: they are, by definition, not valid or
-- not processable. A redelivered archive message is stored once: (message_id, original_queue, reason) is unique.
CREATE TABLE "dead_letters" (
    "id" UUID NOT NULL,
    "message_id" TEXT NOT NULL,
    "type" TEXT,
    "original_queue" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "body" BYTEA NOT NULL,
    "headers" JSONB NOT NULL DEFAULT '{}',
    "content_type" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "replayed_at" TIMESTAMPTZ(3),
    "replayed_by" TEXT,

    CONSTRAINT "dead_letters_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "dead_letters_replayed_check" CHECK (("replayed_at" IS NULL) = ("replayed_by" IS NULL))
);

CREATE UNIQUE INDEX "dead_letters_message_id_original_queue_reason_key" ON "dead_letters"("message_id", "original_queue", "reason");
CREATE INDEX "dead_letters_received_at_id_idx" ON "dead_letters"("received_at" DESC, "id" DESC);
