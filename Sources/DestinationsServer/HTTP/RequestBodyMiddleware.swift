import DestinationsCore
import Foundation
import Hummingbird

enum RequestLimits {
    static let maximumBodySize = 1 << 20
}

/// Bounds request bodies (413 past 1 MiB, before reading more than that), insists that a body is JSON
/// (415) and refuses repeated keys (400), before anything parses it.
struct RequestBodyMiddleware<Context: RequestContext>: RouterMiddleware {
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
            body = try await request.body.collect(upTo: RequestLimits.maximumBodySize)
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
