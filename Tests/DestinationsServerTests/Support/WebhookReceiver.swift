import Crypto
import DestinationsCore
import Foundation
import HTTPTypes
import TestSupport

@testable import DestinationsServer

/// A webhook endpoint on the fake provider's loopback server: every delivery it gets is handed to the
/// test as it arrives (before it is answered), answered by `reply` (a timeout, a 503, a 200 ...).
final class WebhookReceiver: Sendable {
    let url: String
    let deliveries: AsyncStream<FakeProvider.Call>
    private let continuation: AsyncStream<FakeProvider.Call>.Continuation

    init(
        _ fake: FakeProvider,
        path: String = "/hooks/receiver",
        reply: @escaping @Sendable (FakeProvider.Call) async -> FakeProvider.Reply = { _ in .init(status: 204) }
    ) {
        url = fake.baseURL.absoluteString + path
        (deliveries, continuation) = AsyncStream.makeStream(of: FakeProvider.Call.self)
        fake.on("POST", path) { [continuation] call in
            continuation.yield(call)
            return await reply(call)
        }
    }

    /// The next `count` deliveries, in the order they came; fails after `patience` (a guard against a hang,
    /// not a timing assertion).
    func next(_ count: Int = 1, patience: Duration = .seconds(30)) async throws -> [FakeProvider.Call] {
        try await withThrowingTaskGroup(of: [FakeProvider.Call]?.self) { group in
            group.addTask { [deliveries] in
                var calls: [FakeProvider.Call] = []
                for await call in deliveries {
                    calls.append(call)
                    if calls.count == count { break }
                }
                return calls
            }
            group.addTask {
                try await Task.sleep(for: patience)
                return nil
            }
            defer { group.cancelAll() }
            guard let calls = try await group.next() ?? nil else { throw TestFailure("expected \(count) deliveries within \(patience)") }
            return calls
        }
    }
}

extension FakeProvider.Call {
    var json: JSONValue { (try? JSONDecoder().decode(JSONValue.self, from: body)) ?? .null }

    /// Whether one of the `X-Signature` values is the body's HMAC under `secret`.
    func isSigned(with secret: String) -> Bool {
        signatures.contains(WebhookSender.signature(of: body, secret: Data(secret.utf8)))
    }

    var signatures: [String] { (header("X-Signature") ?? "").split(separator: ",").map(String.init) }
}

extension Session {
    /// Subscribes `endpoint` to `events`; returns the webhook's id and its secret.
    func createWebhook(
        _ endpoint: String,
        events: [String],
        name: String = "hook",
        headers: HTTPFields? = nil
    ) async throws -> (id: Int64, secret: String) {
        let body = try JSONEncoder().encode([
            "name": JSONValue.string(name), "events": .array(events.map(JSONValue.string)), "endpoint": .string(endpoint),
        ])
        let response = try await request(.post, "/api/v1/webhooks", json: String(decoding: body, as: UTF8.self), headers: headers)
        guard response.status == .created else { throw TestFailure("webhook not created: \(response.status) \(String(buffer: response.body))") }
        let data = try response.json()["data"]
        guard let id = data["id"].int, let secret = data["secret"].string else { throw TestFailure("no id or secret") }
        return (id, secret)
    }

    /// The webhook's delivery log, newest first.
    func deliveries(of webhook: Int64) async throws -> [JSONValue] {
        try await request(.get, "/api/v1/webhooks/\(webhook)/deliveries").json()["data"].array ?? []
    }

    /// Polls the delivery log until `done` holds for it (a delivery's retries have no event to await).
    func deliveries(of webhook: Int64, until done: ([JSONValue]) -> Bool) async throws -> [JSONValue] {
        for _ in 0..<600 {
            let log = try await deliveries(of: webhook)
            if done(log) { return log }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("the delivery log never reached the expected state")
    }
}

extension WebhookSettings {
    /// Quick polls and retries, for the tests that deliver. The receivers answer at once, but a loaded CI
    /// machine once kept an answer past 5 s and the retry sent a duplicate the test did not expect; 20 s
    /// stays under the receivers' 30 s patience. The timeout tests set their own.
    static func forTests(concurrency: Int = 4, timeout: Double = 20, retryPeriod: Double = 60) -> WebhookSettings {
        WebhookSettings(
            concurrency: concurrency,
            pollInterval: 0.02,
            timeout: timeout,
            leaseDuration: max(30, timeout * 2),
            retryBase: 0.05,
            retryPeriod: retryPeriod
        )
    }
}
