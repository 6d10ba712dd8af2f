import Foundation

/// A response kept for replay: its status, headers and body bytes.
public struct StoredResponse: Sendable, Hashable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// What to do with a request that carries an `Idempotency-Key`.
public enum IdempotencyDecision: Sendable, Hashable {
    /// The key is new (or expired, or its first request died): run the request, then record its response.
    case proceed
    /// The same request already ran: answer with its response.
    case replay(StoredResponse)
    /// The key was used for a different request.
    case mismatch
    /// The first request with the key is still running.
    case inFlight
}

/// Idempotency keys and the responses they stand for, per token, shared by every instance.
public protocol IdempotencyStore: Sendable {
    /// Claims the key for this request, or says why not. A key still marked running after `staleAfter`
    /// seconds belonged to a request that died with its process, and is taken over.
    func begin(token: TokenID, key: String, requestHash: String, now: Date, expiresAt: Date, staleAfter: Double) async throws -> IdempotencyDecision

    /// Stores the response of the request that claimed the key.
    func finish(token: TokenID, key: String, response: StoredResponse) async throws

    /// Frees the key: the request failed in a way a retry should run again (a server or database fault).
    func abandon(token: TokenID, key: String) async throws

    /// Deletes expired keys; returns how many.
    func purgeExpired(now: Date) async throws -> Int
}
