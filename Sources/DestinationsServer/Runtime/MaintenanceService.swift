import DestinationsCore
import Foundation
import Logging
import ServiceLifecycle

/// Periodic housekeeping while the server runs: expired idempotency keys are deleted, and webhook
/// deliveries (with their events) a month after they finished.
struct MaintenanceService: Service, CustomStringConvertible {
    var description: String { "MaintenanceService" }

    static let interval: Duration = .seconds(600)
    static let deliveryRetention: TimeInterval = 30 * 86_400

    let environment: ServerEnvironment

    func run() async throws {
        while !Task.isShuttingDownGracefully {
            // Nil when shutdown began during the wait.
            guard (try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.interval) }) != nil else { return }
            do {
                let purged = try await environment.idempotency.purgeExpired(now: environment.clock.now())
                if purged > 0 { environment.logger.debug("Deleted expired idempotency keys", metadata: ["count": "\(purged)"]) }
            } catch {
                environment.logger.warning("Could not delete expired idempotency keys", metadata: ["error.type": "\(type(of: error))"])
            }
            do {
                let cutoff = environment.clock.now().addingTimeInterval(-Self.deliveryRetention)
                let purged = try await environment.webhookQueue.purgeFinished(before: cutoff)
                if purged > 0 { environment.logger.debug("Deleted old webhook deliveries", metadata: ["count": "\(purged)"]) }
            } catch {
                environment.logger.warning("Could not delete old webhook deliveries", metadata: ["error.type": "\(type(of: error))"])
            }
        }
    }
}
