import Crypto
import Foundation

/// Sends one delivery: the event as JSON with the attempt's `timestamp` in it, signed with each secret
/// that signs now, and says how the attempt ended. Retries back off exponentially with jitter (a
/// receiver's Retry-After wins) until the delivery's retry period ends.
public struct WebhookSender: Sendable {
    private let http: any ProviderHTTP
    private let secretBox: any SecretBox
    private let retry: RetryPolicy
    private let clock: any WallClock

    public init(http: any ProviderHTTP, secretBox: any SecretBox, retry: RetryPolicy, clock: any WallClock) {
        self.http = http
        self.secretBox = secretBox
        self.retry = retry
        self.clock = clock
    }

    public func send(_ lease: WebhookDeliveryLease) async -> (WebhookAttempt, WebhookAttemptOutcome) {
        let started = clock.now()
        let startedInstant = ContinuousClock.now
        func attempt(status: Int?, error: String?) -> WebhookAttempt {
            let elapsed = ContinuousClock.now - startedInstant
            let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
            return WebhookAttempt(attemptedAt: started, statusCode: status, durationMilliseconds: milliseconds, error: error)
        }
        let request: ProviderRequest
        do {
            request = try signedRequest(lease, timestamp: Int64(started.timeIntervalSince1970))
        } catch {
            // A secret sealed with a key no longer configured: no attempt can succeed until the webhook's
            // secret is rotated.
            return (attempt(status: nil, error: "The webhook's secret cannot be opened with the configured keys; rotate it"), .failed)
        }
        do {
            let response = try await http.send(request)
            let result = attempt(status: response.status, error: Self.problem(response.status))
            switch response.status {
            case 200..<300:
                return (result, .succeeded)
            case 408, 429, 500...:
                return (result, later(lease, retryAfter: response.headers["retry-after"].flatMap(Double.init)))
            default:
                return (result, .failed)
            }
        } catch let failure as ProviderFailure {
            switch failure {
            case .transient(let message, let retryAfter): return (attempt(status: nil, error: message), later(lease, retryAfter: retryAfter))
            case .permanent(let message): return (attempt(status: nil, error: message), .failed)
            }
        } catch {
            return (attempt(status: nil, error: "The delivery failed: \(type(of: error))"), later(lease, retryAfter: nil))
        }
    }

    /// The next attempt's time, or failed when it would fall after the retry period.
    private func later(_ lease: WebhookDeliveryLease, retryAfter: Double?) -> WebhookAttemptOutcome {
        let next = clock.now().addingTimeInterval(retry.delay(afterAttempt: lease.attempt, retryAfter: retryAfter))
        return next <= lease.retryUntil ? .retry(at: next) : .failed
    }

    func signedRequest(_ lease: WebhookDeliveryLease, timestamp: Int64) throws -> ProviderRequest {
        var payload = lease.payload
        payload["timestamp"] = .integer(timestamp)
        let body = try Self.encoder.encode(JSONValue.object(payload))
        let signatures = try lease.secrets.map { try Self.signature(of: body, secret: secretBox.open($0)) }
        return ProviderRequest(
            method: "POST",
            url: lease.endpoint,
            headers: [
                ("Content-Type", "application/json"),
                ("X-Signature", signatures.joined(separator: ",")),
                ("X-Event-Id", lease.eventID.uuidString.lowercased()),
                ("X-Event", payload["event"]?.stringValue ?? ""),
            ],
            body: body,
            hostSource: .userSupplied
        )
    }

    /// Hex HMAC-SHA256 of the body, as Census signs its webhooks.
    public static func signature(of body: Data, secret: Data) -> String {
        HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret)).map { String(format: "%02x", $0) }.joined()
    }

    private static func problem(_ status: Int) -> String? {
        switch status {
        case 200..<300: nil
        case 300..<400: "The endpoint answered \(status); redirects are not followed"
        default: "The endpoint answered \(status)"
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
