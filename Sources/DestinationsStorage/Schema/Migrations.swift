/// One versioned step of the schema. Versions only grow; a migration is never edited once released.
struct Migration: Sendable {
    let version: Int
    let name: String
    let statements: @Sendable (SchemaDialect) -> [String]
}

enum Migrations {
    static let all: [Migration] = [
        Migration(version: 1, name: "workspaces, tokens, destinations and their objects") { dialect in
            [
                """
                CREATE TABLE workspaces (
                    id \(dialect.identityPrimaryKey),
                    name TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE api_tokens (
                    id \(dialect.identityPrimaryKey),
                    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                    token_hash \(dialect.bytes) NOT NULL UNIQUE,
                    created_at BIGINT NOT NULL,
                    revoked_at BIGINT
                )
                """,
                """
                CREATE TABLE destinations (
                    id \(dialect.identityPrimaryKey),
                    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                    type TEXT NOT NULL,
                    name TEXT NOT NULL,
                    connection_details TEXT NOT NULL,
                    secrets_key_id TEXT NOT NULL,
                    secrets \(dialect.bytes) NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                // Serves the list query per workspace in creation order, and its count, from the index alone.
                "CREATE INDEX destinations_by_workspace ON destinations (workspace_id, created_at, id)",
                """
                CREATE TABLE destination_objects (
                    destination_id BIGINT NOT NULL REFERENCES destinations (id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    full_name TEXT NOT NULL,
                    label TEXT NOT NULL,
                    allow_custom_fields \(dialect.boolean) NOT NULL,
                    allow_case_sensitive_field_names \(dialect.boolean) NOT NULL,
                    PRIMARY KEY (destination_id, full_name)
                )
                """,
            ]
        },
        Migration(version: 2, name: "durable jobs") { dialect in
            [
                """
                CREATE TABLE jobs (
                    id \(dialect.identityPrimaryKey),
                    kind TEXT NOT NULL,
                    workspace_id BIGINT NOT NULL,
                    destination_id BIGINT NOT NULL REFERENCES destinations (id) ON DELETE CASCADE,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    max_attempts INTEGER NOT NULL,
                    run_at BIGINT NOT NULL,
                    locked_by TEXT,
                    locked_until BIGINT,
                    message TEXT,
                    created_at BIGINT NOT NULL,
                    started_at BIGINT,
                    finished_at BIGINT
                )
                """,
                // The claim: the oldest due queued job.
                "CREATE INDEX jobs_due ON jobs (status, run_at, id)",
                // At most one queued or running job per destination and kind: concurrent requests share it,
                // whichever instance they reach.
                "CREATE UNIQUE INDEX jobs_one_active ON jobs (destination_id, kind) WHERE status IN ('queued', 'running')",
            ]
        },
        Migration(version: 3, name: "OAuth: pending authorisations, and destinations' authorisation status") { dialect in
            [
                "ALTER TABLE destinations ADD COLUMN auth_status TEXT",
                """
                CREATE TABLE oauth_authorizations (
                    id \(dialect.identityPrimaryKey),
                    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                    type TEXT NOT NULL,
                    redirect_uri TEXT NOT NULL,
                    extras TEXT NOT NULL,
                    nonce TEXT NOT NULL UNIQUE,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    consumed_at BIGINT
                )
                """,
                "CREATE INDEX oauth_authorizations_newest ON oauth_authorizations (workspace_id, type, created_at)",
            ]
        },
        Migration(version: 4, name: "connection tests, object fields, jobs about one object") { dialect in
            [
                "ALTER TABLE jobs ADD COLUMN payload TEXT NOT NULL DEFAULT ''",
                // A connection test's outcome (JSON), so its key reports that test even after a newer one.
                "ALTER TABLE jobs ADD COLUMN result TEXT",
                "DROP INDEX jobs_one_active",
                "CREATE UNIQUE INDEX jobs_one_active ON jobs (destination_id, kind, payload) WHERE status IN ('queued', 'running')",
                // The latest test as JSON: its steps and when it ran.
                "ALTER TABLE destinations ADD COLUMN last_test TEXT",
                """
                CREATE TABLE object_fields (
                    destination_id BIGINT NOT NULL REFERENCES destinations (id) ON DELETE CASCADE,
                    object_full_name TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    full_name TEXT NOT NULL,
                    label TEXT NOT NULL,
                    type TEXT NOT NULL,
                    required \(dialect.boolean) NOT NULL,
                    identifier \(dialect.boolean) NOT NULL,
                    createable \(dialect.boolean) NOT NULL,
                    updateable \(dialect.boolean) NOT NULL,
                    PRIMARY KEY (destination_id, object_full_name, full_name)
                )
                """,
            ]
        },
        Migration(version: 5, name: "entity revisions, idempotency keys, rate limit buckets, audit events") { dialect in
            [
                "ALTER TABLE destinations ADD COLUMN revision BIGINT NOT NULL DEFAULT 1",
                // A POST's stored outcome, per token and key, until it expires.
                """
                CREATE TABLE idempotency_keys (
                    token_id BIGINT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    request_hash TEXT NOT NULL,
                    state TEXT NOT NULL,
                    status INTEGER,
                    headers TEXT,
                    body \(dialect.bytes),
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    PRIMARY KEY (token_id, idempotency_key)
                )
                """,
                "CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at)",
                // Token buckets shared by every instance (PostgreSQL).
                """
                CREATE TABLE rate_limit_buckets (
                    bucket TEXT PRIMARY KEY,
                    tokens \(dialect.double) NOT NULL,
                    last_taken INTEGER NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE audit_events (
                    id \(dialect.identityPrimaryKey),
                    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                    token_id BIGINT,
                    action TEXT NOT NULL,
                    destination_id BIGINT,
                    subject_token_id BIGINT,
                    changed_fields TEXT NOT NULL,
                    secrets_fingerprint TEXT,
                    outcome TEXT,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX audit_events_by_workspace ON audit_events (workspace_id, id)",
                "CREATE INDEX audit_events_by_destination ON audit_events (workspace_id, destination_id, id)",
            ]
        },
        Migration(version: 6, name: "a maintained count of each workspace's destinations") { _ in
            [
                // So a list's total_records is one row, not a count over the workspace's whole index.
                "ALTER TABLE workspaces ADD COLUMN destination_count BIGINT NOT NULL DEFAULT 0",
                """
                UPDATE workspaces SET destination_count =
                    (SELECT COUNT(*) FROM destinations WHERE destinations.workspace_id = workspaces.id)
                """,
            ]
        },
        Migration(version: 7, name: "indexes for the cascades from destinations and workspaces, and the sweep of expired authorisations") { _ in
            [
                // Deleting a destination cascades to its jobs: without this, every delete scanned the whole
                // jobs table (the only other index on destination_id covers queued and running jobs alone).
                "CREATE INDEX jobs_by_destination ON jobs (destination_id)",
                "CREATE INDEX api_tokens_by_workspace ON api_tokens (workspace_id)",
                // Every authorize_url drops the expired pending authorisations: a scan of them all without this.
                "CREATE INDEX oauth_authorizations_expiry ON oauth_authorizations (expires_at)",
            ]
        },
        Migration(version: 8, name: "jobs know their destination's type") { _ in
            [
                // So a worker can leave a provider's jobs queued while that provider holds its share of
                // workers, without reading destinations in the claim. A destination's type never changes.
                "ALTER TABLE jobs ADD COLUMN destination_type TEXT NOT NULL DEFAULT ''",
                "UPDATE jobs SET destination_type = (SELECT type FROM destinations WHERE destinations.id = jobs.destination_id)",
            ]
        },
        Migration(version: 9, name: "organisations, organisation tokens, workspace API keys, deleted workspaces") { dialect in
            [
                """
                CREATE TABLE organizations (
                    id \(dialect.identityPrimaryKey),
                    name TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                // Every workspace so far belongs to the first organisation, id 1 on a fresh table in both dialects.
                "INSERT INTO organizations (name, created_at) VALUES ('default', \(dialect.nowMilliseconds))",
                // No REFERENCES: SQLite refuses one on an added column with a default. Organisations are never deleted.
                "ALTER TABLE workspaces ADD COLUMN organization_id BIGINT NOT NULL DEFAULT 1",
                "ALTER TABLE workspaces ADD COLUMN notification_emails TEXT NOT NULL DEFAULT '[]'",
                // A deleted workspace stays as a row, so its audit trail and ids outlive it.
                "ALTER TABLE workspaces ADD COLUMN deleted_at BIGINT",
                "CREATE INDEX workspaces_by_organization ON workspaces (organization_id, created_at, id)",
            ] + dialect.tokensOwnedByWorkspaceOrOrganization + dialect.auditEventsOfOrganizations
        },
        Migration(version: 10, name: "destination connect links") { dialect in
            [
                """
                CREATE TABLE connect_links (
                    id \(dialect.identityPrimaryKey),
                    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                    type TEXT NOT NULL,
                    destination_id BIGINT,
                    reauthorizes \(dialect.boolean) NOT NULL,
                    redirect_uri TEXT,
                    key_nonce \(dialect.bytes) NOT NULL,
                    key_hash \(dialect.bytes) NOT NULL UNIQUE,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    revoked_at BIGINT,
                    used_at BIGINT
                )
                """,
                "CREATE INDEX connect_links_by_workspace ON connect_links (workspace_id, created_at, id)",
                "ALTER TABLE audit_events ADD COLUMN connect_link_id BIGINT",
            ]
        },
        Migration(version: 11, name: "webhooks, their events (the outbox) and deliveries") { dialect in
            [
                """
                CREATE TABLE webhooks (
                    id \(dialect.identityPrimaryKey),
                    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    description TEXT,
                    events TEXT NOT NULL,
                    endpoint TEXT NOT NULL,
                    secret_key_id TEXT NOT NULL,
                    secret \(dialect.bytes) NOT NULL,
                    previous_secret_key_id TEXT,
                    previous_secret \(dialect.bytes),
                    previous_secret_expires_at BIGINT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX webhooks_by_workspace ON webhooks (workspace_id, created_at, id)",
                // Written in the transaction of the change that caused them; kept while a delivery needs them.
                """
                CREATE TABLE webhook_events (
                    id \(dialect.identityPrimaryKey),
                    uuid TEXT NOT NULL UNIQUE,
                    workspace_id BIGINT NOT NULL,
                    event TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE webhook_deliveries (
                    id \(dialect.identityPrimaryKey),
                    webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
                    event_id BIGINT NOT NULL REFERENCES webhook_events (id),
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at BIGINT,
                    locked_by TEXT,
                    locked_until BIGINT,
                    created_at BIGINT NOT NULL,
                    finished_at BIGINT
                )
                """,
                "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id) WHERE status = 'pending'",
                "CREATE INDEX webhook_deliveries_running ON webhook_deliveries (locked_until) WHERE status = 'delivering'",
                "CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, id)",
                "CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_id)",
                """
                CREATE TABLE webhook_attempts (
                    id \(dialect.identityPrimaryKey),
                    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
                    attempted_at BIGINT NOT NULL,
                    status_code INTEGER,
                    duration_ms BIGINT NOT NULL,
                    error TEXT
                )
                """,
                "CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (delivery_id, id)",
            ]
        },
    ]
}
