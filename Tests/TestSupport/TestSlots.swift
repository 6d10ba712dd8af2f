import DestinationsConnectors
import Foundation
import Testing

/// Bounds how many test cases run servers at once. Swift Testing starts every case together; on a
/// two-core machine hundreds of servers, their PostgreSQL connections and a browser then starve each other
/// past the few seconds the timeout tests allow (connections to PostgreSQL timed out within a minute).
/// A case holds its slot for its whole body; servers it starts inside (two instances, a browser) share it.
public enum TestSlots {
    /// Four cases per core keep both cores busy while some cases wait on their timers.
    static let slots = LookupSlots(4 * max(1, ProcessInfo.processInfo.activeProcessorCount))

    @TaskLocal static var holding = false

    public static func occupy<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        if holding { return try await body() }
        await slots.take()
        defer { slots.give() }
        return try await $holding.withValue(true) { try await body() }
    }
}

/// Runs each test case of a suite or test in a slot (see `TestSlots`), for cases that start servers
/// without `TestServer`.
public struct OccupiesATestSlot: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        guard testCase != nil else { return try await function() }
        try await TestSlots.occupy { try await function() }
    }
}

extension Trait where Self == OccupiesATestSlot {
    public static var occupiesATestSlot: Self { OccupiesATestSlot() }
}
