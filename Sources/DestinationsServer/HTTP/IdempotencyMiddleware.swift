import Crypto
import DestinationsCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `Idempotency-Key` on POSTs: the first response to a key is stored (per token) and replayed to a retry
/// of the same request with `Idempotent-Replayed: true`; the same key on a different request is 422, and a
/// retry while the first still runs is 409. A 5xx is not stored, so a retry runs again.
struct IdempotencyMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    static let keyHeader = HTTPField.Name("Idempotency-Key")!
    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!
    /// A key still marked running after this long belonged to a request whose process died.
    static let staleAfter: Double = 300

    let store: any IdempotencyStore
    let ttl: Double
    let metrics: ServerMetrics
    let clock: any WallClock

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, let key = request.headers[Self.keyHeader], let caller = context.caller else {
            return try await next(request, context)
        }
        guard (1...255).contains(key.utf8.count), key.unicodeScalars.allSatisfy({ (0x21..<0x7F).contains($0.value) }) else {
            throw APIError.badRequest("Idempotency-Key must be 1 to 255 visible ASCII characters")
        }
        var request = request
        let body = try await request.body.collect(upTo: RequestLimits.maximumBodySize)
        request.body = .init(buffer: body)
        let hash = Self.fingerprint(
            method: request.method.rawValue,
            uri: request.uri.description,
            body: Data(body.readableBytesView),
            token: caller.tokenID
        )
        let now = clock.now()
        switch try await store.begin(
            token: caller.tokenID,
            key: key,
            requestHash: hash,
            now: now,
            expiresAt: now.addingTimeInterval(ttl),
            staleAfter: Self.staleAfter
        ) {
        case .replay(let stored):
            metrics.idempotentReplay()
            return Self.response(stored, replayed: true)
        case .mismatch:
            throw APIError.unprocessable("Idempotency-Key was already used for a different request (method, path or body); use a new key")
        case .inFlight:
            throw APIError(.conflict, "A request with this Idempotency-Key is still being processed; retry once it has finished")
        case .proceed:
            break
        }
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = ErrorResponse.response(for: error, logger: context.logger)
        }
        guard response.status.code < 500 else {
            await record(context.logger, "abandon") { try await store.abandon(token: caller.tokenID, key: key) }
            return response
        }
        let stored = StoredResponse(
            status: Int(response.status.code),
            headers: Dictionary(response.headers.map { ($0.name.canonicalName, $0.value) }, uniquingKeysWith: { _, last in last }),
            body: Data(try await Self.collect(response.body).readableBytesView)
        )
        await record(context.logger, "store the response for") { try await store.finish(token: caller.tokenID, key: key, response: stored) }
        return Self.response(stored, replayed: false)
    }

    /// The request was answered; a failure to keep its key only costs a retry its replay.
    private func record(_ logger: Logger, _ action: String, _ body: () async throws -> Void) async {
        do {
            try await body()
        } catch {
            logger.warning("Could not \(action) an idempotency key", metadata: ["error.type": "\(type(of: error))"])
        }
    }

    /// What makes two requests the same: token, method, path and query, body.
    static func fingerprint(method: String, uri: String, body: Data, token: TokenID) -> String {
        var hasher = SHA256()
        hasher.update(data: Data("\(token.rawValue)\n\(method)\n\(uri)\n".utf8))
        hasher.update(data: body)
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func response(_ stored: StoredResponse, replayed: Bool) -> Response {
        var headers = HTTPFields()
        for (name, value) in stored.headers.sorted(by: { $0.key < $1.key }) {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        if replayed { headers[replayedHeader] = "true" }
        return Response(status: .init(code: stored.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: stored.body)))
    }

    static func collect(_ body: ResponseBody) async throws -> ByteBuffer {
        let sink = CollectedBody()
        try await body.write(CollectingWriter(sink: sink))
        return sink.buffer
    }
}

/// The bytes a response body writes, gathered in memory (responses here are small JSON documents).
private final class CollectedBody: @unchecked Sendable {
    var buffer = ByteBuffer()
}

private struct CollectingWriter: ResponseBodyWriter {
    let sink: CollectedBody

    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        sink.buffer.writeBuffer(&buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
