import Foundation

/// One step of a connection test, as Census reports it.
public struct ConnectionTestStep: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case passed
        case failed
        case skipped
    }

    public var step: String
    public var status: Status
    /// Why it failed, in words a user can act on.
    public var errorMessage: String?

    public init(step: String, status: Status, errorMessage: String? = nil) {
        self.step = step
        self.status = status
        self.errorMessage = errorMessage
    }
}

public struct ConnectionTestResult: Sendable, Hashable {
    public var steps: [ConnectionTestStep]
    public var testedAt: Date

    public init(steps: [ConnectionTestStep], testedAt: Date) {
        self.steps = steps
        self.testedAt = testedAt
    }

    public var succeeded: Bool { !steps.isEmpty && steps.allSatisfy { $0.status == .passed } }
}

extension ConnectionTestStep: Codable {
    enum CodingKeys: String, CodingKey {
        case step, status, error
    }

    struct ErrorBody: Codable {
        let message: String
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        step = try container.decode(String.self, forKey: .step)
        status = Status(rawValue: try container.decode(String.self, forKey: .status)) ?? .failed
        errorMessage = try container.decodeIfPresent(ErrorBody.self, forKey: .error)?.message
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(step, forKey: .step)
        try container.encode(status.rawValue, forKey: .status)
        try container.encodeIfPresent(errorMessage.map(ErrorBody.init), forKey: .error)
    }
}

/// Runs a connector's test as named steps: the first that fails is reported with its reason, and the
/// ones after it are skipped.
public struct ConnectionCheck: Sendable {
    public typealias Step = (name: String, run: @Sendable () async throws -> Void)

    /// Carries what one step obtained (a token, a client) to the steps after it. The steps run one
    /// after the other, never at once, so the unsynchronised value is safe.
    public final class Handoff<Value: Sendable>: @unchecked Sendable {
        private var stored: Value?

        public init() {}

        public func put(_ value: Value) { stored = value }

        /// The value an earlier step put; a later step only runs when the earlier ones passed.
        public var value: Value {
            get throws {
                guard let stored else { throw ProviderFailure.permanent("An earlier step of the test did not finish") }
                return stored
            }
        }
    }

    public static func run(_ steps: [Step]) async throws -> [ConnectionTestStep] {
        var results: [ConnectionTestStep] = []
        var failed = false
        for step in steps {
            guard !failed else {
                results.append(ConnectionTestStep(step: step.name, status: .skipped))
                continue
            }
            do {
                try await step.run()
                results.append(ConnectionTestStep(step: step.name, status: .passed))
            } catch let failure as ProviderFailure {
                try Task.checkCancellation()
                failed = true
                results.append(ConnectionTestStep(step: step.name, status: .failed, errorMessage: failure.message))
            } catch is DecodingError {
                failed = true
                results.append(ConnectionTestStep(step: step.name, status: .failed, errorMessage: ProviderFailure.unexpectedShape.message))
            }
        }
        return results
    }
}
