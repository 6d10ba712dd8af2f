import Foundation

/// Webhooks without HTTP: a workspace token makes, lists, changes and deletes its workspace's webhooks,
/// reads their delivery logs and asks for an event again; another workspace's webhook answers as a
/// missing one.
public struct WebhookService: Sendable {
    public static let defaultOverlap: TimeInterval = 86_400
    public static let maximumOverlap: TimeInterval = 604_800
    static let maximumDescriptionLength = 1_000

    private let store: any WebhookStore
    private let secretBox: any SecretBox
    private let hostPolicy: any HostPolicy
    private let allowPlainHTTP: Bool
    private let clock: any WallClock

    /// - Parameters:
    /// - Parameter allowPlainHTTP: whether endpoints may be http (only where private networks are allowed).
    public init(
        store: any WebhookStore,
        secretBox: any SecretBox,
        hostPolicy: any HostPolicy,
        allowPlainHTTP: Bool,
        clock: any WallClock
    ) {
        self.store = store
        self.secretBox = secretBox
        self.hostPolicy = hostPolicy
        self.allowPlainHTTP = allowPlainHTTP
        self.clock = clock
    }

    /// What a create or an update asks for; nil leaves a field as it is (a description of nil clears it
    /// when `clearsDescription`).
    public struct Changes: Sendable {
        public var name: String?
        public var description: String?
        public var clearsDescription: Bool
        public var events: [String]?
        public var endpoint: String?

        public init(name: String?, description: String?, clearsDescription: Bool, events: [String]?, endpoint: String?) {
            self.name = name
            self.description = description
            self.clearsDescription = clearsDescription
            self.events = events
            self.endpoint = endpoint
        }
    }

    public func create(_ principal: Principal, _ changes: Changes) async throws -> WebhookWithSecret {
        guard let name = changes.name else { throw APIError.unprocessable("name is required") }
        guard let events = changes.events else { throw APIError.unprocessable("events is required") }
        guard let endpoint = changes.endpoint else { throw APIError.unprocessable("endpoint is required") }
        let draft = WebhookDraft(
            name: try DisplayName.validated(name, field: "name"),
            description: try changes.description.map(Self.validatedDescription),
            events: try Self.validatedEvents(events),
            endpoint: try await validatedEndpoint(endpoint)
        )
        let (secret, sealed) = try newSecret()
        let webhook = try await store.insert(draft, secret: sealed, workspace: principal.workspaceID, now: clock.now())
        return WebhookWithSecret(webhook: webhook, secret: secret)
    }

    public func list(_ principal: Principal, _ request: PageRequest) async throws -> Page<Webhook> {
        try await store.page(workspace: principal.workspaceID, request: request)
    }

    public func get(_ principal: Principal, _ id: WebhookID) async throws -> Webhook {
        guard let webhook = try await store.webhook(id, workspace: principal.workspaceID) else { throw APIError.webhookNotFound }
        return webhook
    }

    public func update(_ principal: Principal, _ id: WebhookID, _ changes: Changes) async throws -> Webhook {
        // Checked before the row is locked: vetting the endpoint may wait for DNS.
        let name = try changes.name.map { name throws(APIError) in try DisplayName.validated(name, field: "name") }
        let description = try changes.description.map(Self.validatedDescription)
        let events = try changes.events.map(Self.validatedEvents)
        let endpoint = try await changes.endpoint.asyncMap(validatedEndpoint)
        let clearsDescription = changes.clearsDescription
        guard
            let webhook = try await store.update(
                id,
                workspace: principal.workspaceID,
                now: clock.now(),
                change: { draft in
                    var draft = draft
                    if let name { draft.name = name }
                    if let description { draft.description = description } else if clearsDescription { draft.description = nil }
                    if let events { draft.events = events }
                    if let endpoint { draft.endpoint = endpoint }
                    return draft
                }
            )
        else { throw APIError.webhookNotFound }
        return webhook
    }

    public func delete(_ principal: Principal, _ id: WebhookID) async throws {
        guard try await store.delete(id, workspace: principal.workspaceID) else { throw APIError.webhookNotFound }
    }

    /// A new secret, shown once; the current one signs beside it for `overlap` seconds.
    public func rotateSecret(_ principal: Principal, _ id: WebhookID, overlap: Int64?) async throws -> WebhookWithSecret {
        let overlap = TimeInterval(overlap ?? Int64(Self.defaultOverlap))
        guard (0...Self.maximumOverlap).contains(overlap) else {
            throw APIError.unprocessable("overlap_seconds must be between 0 and \(Int(Self.maximumOverlap))")
        }
        let (secret, sealed) = try newSecret()
        let now = clock.now()
        guard
            let webhook = try await store.rotate(
                id,
                workspace: principal.workspaceID,
                secret: sealed,
                previousUntil: now.addingTimeInterval(overlap),
                now: now
            )
        else { throw APIError.webhookNotFound }
        return WebhookWithSecret(webhook: webhook, secret: secret)
    }

    public func deliveries(_ principal: Principal, _ id: WebhookID, _ request: PageRequest) async throws -> Page<WebhookDelivery> {
        guard let page = try await store.deliveries(of: id, workspace: principal.workspaceID, request: request) else {
            throw APIError.webhookNotFound
        }
        return page
    }

    public func redeliver(_ principal: Principal, _ webhook: WebhookID, _ delivery: WebhookDeliveryID) async throws -> WebhookDelivery {
        _ = try await get(principal, webhook)
        guard let redelivery = try await store.redeliver(delivery, of: webhook, workspace: principal.workspaceID, now: clock.now()) else {
            throw APIError.webhookDeliveryNotFound
        }
        return redelivery
    }

    /// 32 random bytes, hex, with a prefix that says what it is (secret scanners look for such prefixes).
    private func newSecret() throws -> (String, SealedSecret) {
        var generator = SystemRandomNumberGenerator()
        let secret = "whsec_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
        return (secret, try secretBox.seal(Data(secret.utf8)))
    }

    private static func validatedDescription(_ description: String) throws(APIError) -> String {
        guard description.unicodeScalars.count <= maximumDescriptionLength else {
            throw .unprocessable("description must be at most \(maximumDescriptionLength) characters")
        }
        guard !description.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !"\t\n\r".unicodeScalars.contains($0) })
        else { throw .unprocessable("description must not contain control characters other than tabs and line breaks") }
        return description
    }

    static func validatedEvents(_ names: [String]) throws(APIError) -> [WebhookEventName] {
        guard !names.isEmpty else { throw .unprocessable("events must name at least one event") }
        var events: [WebhookEventName] = []
        for (index, name) in names.enumerated() {
            guard let event = WebhookEventName(rawValue: name) else {
                let choices = WebhookEventName.allCases.map(\.rawValue).joined(separator: ", ")
                throw .unprocessable("events[\(index)] must be one of: \(choices)")
            }
            guard !events.contains(event) else { throw .unprocessable("events[\(index)] repeats \(name)") }
            events.append(event)
        }
        return events
    }

    /// An absolute https URL (http only where private networks are allowed) whose host the outbound guard
    /// lets the server call.
    private func validatedEndpoint(_ text: String) async throws(APIError) -> URL {
        guard text.utf8.count <= 2_048, TextPatterns.matches(text, TextPatterns.httpURL), let url = URL(string: text), url.host != nil else {
            throw .unprocessable("endpoint must be an absolute https URL")
        }
        guard url.scheme?.lowercased() == "https" || allowPlainHTTP else {
            throw .unprocessable("endpoint must be an https URL (http is allowed only where OUTBOUND_ALLOW_PRIVATE_NETWORKS=true)")
        }
        if let refusal = await hostPolicy.refusal(for: url) { throw .unprocessable("endpoint: \(refusal)") }
        return url
    }
}

extension Optional {
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws(APIError) -> T) async throws(APIError) -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
