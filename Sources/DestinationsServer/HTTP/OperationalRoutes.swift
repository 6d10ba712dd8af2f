import DestinationsCore
import Foundation
import Hummingbird
import NIOCore

/// Routes for operators and orchestrators, outside /api/v1 and without a token.
extension Router where Context == AppRequestContext {
    func addOperationalRoutes(_ environment: ServerEnvironment) {
        // Liveness: the process answers.
        get("/healthz") { _, _ in Self.json(.ok, #"{"status":"ok"}"#) }
        // Readiness: the database answers and its schema is the one this build knows.
        get("/readyz") { _, _ in
            guard let problem = await environment.unreadiness() else { return Self.json(.ok, #"{"status":"ready"}"#) }
            let encoded = (try? JSONEncoder().encode(problem)).map { String(decoding: $0, as: UTF8.self) } ?? #""not ready""#
            return Self.json(.serviceUnavailable, #"{"status":"unavailable","reason":\#(encoded)}"#)
        }
        get("/metrics") { _, _ in
            if let (oldestAge, due) = try? await environment.webhookQueue.backlog(now: environment.clock.now()) {
                environment.metrics.webhookQueue(due: due, oldestAgeSeconds: oldestAge)
            }
            if let (queued, running) = try? await environment.jobQueue.activeCounts() {
                environment.metrics.jobQueue(queued: queued, running: running)
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: environment.metrics.render()))
            )
        }
    }

    private static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
