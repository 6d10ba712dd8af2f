import DestinationsCore
import Foundation
import Hummingbird

enum RequestLimits {
    static let maximumBodySize = 1 << 20
}

/// Bounds request bodies (413 past 1 MiB, before reading more than that), insists that a body is JSON
/// (415) and refuses repeated keys (400), before anything parses it.
struct RequestBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    /// How long the whole body may take to arrive (408 after), however slowly it trickles.
    let timeout: Duration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard [.post, .put, .patch, .delete].contains(request.method) else {
            return try await next(request, context)
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > RequestLimits.maximumBodySize {
            throw Self.tooLarge
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await Self.collect(request.body, within: timeout)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Self.tooLarge
        }
        if body.readableBytes > 0 && !Self.isJSON(request.headers[.contentType]) {
            throw APIError(.unsupportedMediaType, "Content-Type must be application/json")
        }
        // JSON allows a repeated key and readers differ on which one they keep: refused, so that what is
        // validated is what is stored.
        if let key = JSONValue.duplicateKey(in: Data(body.readableBytesView)) {
            throw APIError.badRequest("The request body repeats the key \"\(key)\" in one object")
        }
        request.body = .init(buffer: body)
        return try await next(request, context)
    }

    private static func collect(_ body: RequestBody, within timeout: Duration) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await body.collect(upTo: RequestLimits.maximumBodySize) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let collected = try await group.next() ?? nil else {
                throw APIError(.requestTimeout, "The request body did not arrive within \(timeout.components.seconds) seconds")
            }
            return collected
        }
    }

    private static var tooLarge: APIError {
        APIError(.payloadTooLarge, "The request body is larger than \(RequestLimits.maximumBodySize) bytes (1 MiB)")
    }

    /// `application/json`, with any parameters (Census clients send `application/json;version=2`).
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }
}
