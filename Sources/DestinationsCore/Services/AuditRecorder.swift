import Foundation

/// Turns changes into audit records: which fields changed, by name only, and a fingerprint of the
/// secrets as they are after the change.
public struct AuditRecorder: Sendable {
    private let secretBox: any SecretBox
    private let fingerprinter: SecretFingerprinter

    public init(secretBox: any SecretBox, fingerprinter: SecretFingerprinter) {
        self.secretBox = secretBox
        self.fingerprinter = fingerprinter
    }

    /// For a destination about to be inserted; the store fills in its id.
    /// - Parameters:
    ///   - actor: the token that asked; nil for a destination made through a connect link (`link`).
    func created(_ new: NewDestination, by actor: TokenID?, link: ConnectLinkID?, secrets: [String: JSONValue], authorized: Bool) -> [AuditRecord] {
        let fields = ["name"] + (new.connectionDetails.keys.map(Self.credential) + secrets.keys.map(Self.credential)).sorted()
        var records = [
            AuditRecord(
                workspaceID: new.workspaceID,
                actorTokenID: actor,
                action: .destinationCreated,
                connectLinkID: link,
                changedFields: fields,
                secretsFingerprint: fingerprinter.fingerprint(secrets),
                at: new.now
            )
        ]
        if authorized {
            records.append(AuditRecord(workspaceID: new.workspaceID, actorTokenID: actor, action: .oauthAuthorized, at: new.now))
        }
        if let link {
            records.append(AuditRecord(workspaceID: new.workspaceID, actorTokenID: nil, action: .connectLinkUsed, connectLinkID: link, at: new.now))
        }
        return records
    }

    /// For a change that was written (the store calls this only when something differs).
    func updated(
        _ before: StoredDestination,
        _ after: StoredDestination,
        action: AuditAction,
        by actor: TokenID?,
        outcome: String? = nil,
        authorized: Bool = false,
        at now: Date
    ) throws -> [AuditRecord] {
        let secrets = (before: try secretBox.openObject(before.secrets), after: try secretBox.openObject(after.secrets))
        var fields = Self.differing(before.destination.connectionDetails, after.destination.connectionDetails)
            .union(Self.differing(secrets.before, secrets.after))
            .map(Self.credential)
        if before.destination.name != after.destination.name { fields.append("name") }
        if before.destination.authStatus != after.destination.authStatus { fields.append("auth_status") }
        let destination = after.destination
        var records = [
            AuditRecord(
                workspaceID: destination.workspaceID,
                actorTokenID: actor,
                action: action,
                destinationID: destination.id,
                changedFields: fields.sorted(),
                secretsFingerprint: fingerprinter.fingerprint(secrets.after),
                outcome: outcome,
                at: now
            )
        ]
        if authorized {
            records.append(
                AuditRecord(
                    workspaceID: destination.workspaceID,
                    actorTokenID: actor,
                    action: .oauthAuthorized,
                    destinationID: destination.id,
                    at: now
                )
            )
        }
        return records
    }

    func deleted(_ id: DestinationID, by principal: Principal, at now: Date) -> AuditRecord {
        AuditRecord(workspaceID: principal.workspaceID, actorTokenID: principal.tokenID, action: .destinationDeleted, destinationID: id, at: now)
    }

    /// A refresh that wrote nothing (it failed).
    func refreshFailed(_ destination: Destination, at now: Date) -> AuditRecord {
        AuditRecord(
            workspaceID: destination.workspaceID,
            actorTokenID: nil,
            action: .oauthRefresh,
            destinationID: destination.id,
            outcome: OAuthRefreshOutcome.failed.rawValue,
            at: now
        )
    }

    private static func credential(_ key: String) -> String { "credentials.\(key)" }

    private static func differing(_ before: [String: JSONValue], _ after: [String: JSONValue]) -> Set<String> {
        Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }
    }
}
