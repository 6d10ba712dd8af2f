package import Foundation

/// An audit event, with explicit nulls for what does not apply, like the rest of the wire format.
package struct AuditEventPayload: Codable, Hashable, Sendable {
    package var id: Int64
    package var createdAt: Date
    package var action: String
    package var workspaceId: Int64?
    package var tokenId: Int64?
    package var destinationId: Int64?
    package var subjectTokenId: Int64?
    package var connectLinkId: Int64?
    package var changedFields: [String]
    package var secretsFingerprint: String?
    package var outcome: String?

    package init(
        id: Int64,
        createdAt: Date,
        action: String,
        workspaceId: Int64?,
        tokenId: Int64?,
        destinationId: Int64?,
        subjectTokenId: Int64?,
        connectLinkId: Int64?,
        changedFields: [String],
        secretsFingerprint: String?,
        outcome: String?
    ) {
        self.id = id
        self.createdAt = createdAt
        self.action = action
        self.workspaceId = workspaceId
        self.tokenId = tokenId
        self.destinationId = destinationId
        self.subjectTokenId = subjectTokenId
        self.connectLinkId = connectLinkId
        self.changedFields = changedFields
        self.secretsFingerprint = secretsFingerprint
        self.outcome = outcome
    }

    enum CodingKeys: String, CodingKey {
        case id, action, outcome
        case createdAt = "created_at"
        case workspaceId = "workspace_id"
        case tokenId = "token_id"
        case destinationId = "destination_id"
        case subjectTokenId = "subject_token_id"
        case connectLinkId = "connect_link_id"
        case changedFields = "changed_fields"
        case secretsFingerprint = "secrets_fingerprint"
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(action, forKey: .action)
        try container.encode(workspaceId, forKey: .workspaceId)
        try container.encode(tokenId, forKey: .tokenId)
        try container.encode(destinationId, forKey: .destinationId)
        try container.encode(subjectTokenId, forKey: .subjectTokenId)
        try container.encode(connectLinkId, forKey: .connectLinkId)
        try container.encode(changedFields, forKey: .changedFields)
        try container.encode(secretsFingerprint, forKey: .secretsFingerprint)
        try container.encode(outcome, forKey: .outcome)
    }
}
