/// Migration 9's table changes. SQLite cannot drop a NOT NULL or add a CHECK to a table, so there the
/// tables are rebuilt with their rows and indexes; PostgreSQL alters them in place.
extension SchemaDialect {
    /// A token belongs to exactly one workspace or one organisation. A workspace's API key (the token
    /// `GET /workspaces/{id}/api_key` shows) is also kept sealed, so it can be shown again; at most one
    /// live one per workspace.
    var tokensOwnedByWorkspaceOrOrganization: [String] {
        let owner = "CHECK ((workspace_id IS NULL) <> (organization_id IS NULL))"
        let rebuilt: [String]
        switch self {
        case .sqlite:
            rebuilt = [
                """
                CREATE TABLE api_tokens_v9 (
                    id \(identityPrimaryKey),
                    workspace_id BIGINT REFERENCES workspaces (id) ON DELETE CASCADE,
                    organization_id BIGINT REFERENCES organizations (id) ON DELETE CASCADE,
                    token_hash \(bytes) NOT NULL UNIQUE,
                    sealed_key_id TEXT,
                    sealed_value \(bytes),
                    created_at BIGINT NOT NULL,
                    revoked_at BIGINT,
                    \(owner)
                )
                """,
                """
                INSERT INTO api_tokens_v9 (id, workspace_id, token_hash, created_at, revoked_at)
                    SELECT id, workspace_id, token_hash, created_at, revoked_at FROM api_tokens
                """,
                "DROP TABLE api_tokens",
                "ALTER TABLE api_tokens_v9 RENAME TO api_tokens",
                "CREATE INDEX api_tokens_by_workspace ON api_tokens (workspace_id)",
            ]
        case .postgres:
            rebuilt = [
                "ALTER TABLE api_tokens ALTER COLUMN workspace_id DROP NOT NULL",
                "ALTER TABLE api_tokens ADD COLUMN organization_id BIGINT REFERENCES organizations (id) ON DELETE CASCADE",
                "ALTER TABLE api_tokens ADD COLUMN sealed_key_id TEXT",
                "ALTER TABLE api_tokens ADD COLUMN sealed_value BYTEA",
                "ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_one_owner \(owner)",
            ]
        }
        return rebuilt + [
            "CREATE INDEX api_tokens_by_organization ON api_tokens (organization_id)",
            "CREATE UNIQUE INDEX api_tokens_one_workspace_key ON api_tokens (workspace_id) WHERE sealed_value IS NOT NULL AND revoked_at IS NULL",
        ]
    }

    /// Every event names its organisation, so an organisation token reads its whole trail; events about
    /// the organisation itself (an organisation token issued) have no workspace.
    var auditEventsOfOrganizations: [String] {
        let rebuilt: [String]
        switch self {
        case .sqlite:
            rebuilt = [
                """
                CREATE TABLE audit_events_v9 (
                    id \(identityPrimaryKey),
                    organization_id BIGINT NOT NULL,
                    workspace_id BIGINT REFERENCES workspaces (id) ON DELETE CASCADE,
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
                """
                INSERT INTO audit_events_v9 (id, organization_id, workspace_id, token_id, action, destination_id,
                        subject_token_id, changed_fields, secrets_fingerprint, outcome, created_at)
                    SELECT audit_events.id, workspaces.organization_id, workspace_id, token_id, action, destination_id,
                        subject_token_id, changed_fields, secrets_fingerprint, outcome, audit_events.created_at
                    FROM audit_events JOIN workspaces ON workspaces.id = audit_events.workspace_id
                """,
                "DROP TABLE audit_events",
                "ALTER TABLE audit_events_v9 RENAME TO audit_events",
                "CREATE INDEX audit_events_by_workspace ON audit_events (workspace_id, id)",
                "CREATE INDEX audit_events_by_destination ON audit_events (workspace_id, destination_id, id)",
            ]
        case .postgres:
            rebuilt = [
                "ALTER TABLE audit_events ALTER COLUMN workspace_id DROP NOT NULL",
                "ALTER TABLE audit_events ADD COLUMN organization_id BIGINT",
                "UPDATE audit_events SET organization_id = (SELECT organization_id FROM workspaces WHERE workspaces.id = audit_events.workspace_id)",
                "ALTER TABLE audit_events ALTER COLUMN organization_id SET NOT NULL",
            ]
        }
        return rebuilt + ["CREATE INDEX audit_events_by_organization ON audit_events (organization_id, id)"]
    }
}
