import DestinationsCore
import DestinationsStorage
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OpenAPIRuntime

/// Turns any error into Census's error envelope with the right status. Bad input is always a 4xx that
/// names the field; a 5xx means a real fault, and its details go to the log, not to the client.
enum ErrorResponse {
    static func response(for error: any Error, logger: Logger) -> Response {
        let (status, message) = classify(error, logger: logger)
        // The database is coming back by itself: tell clients when to try again.
        let headers: HTTPFields = status == .serviceUnavailable ? [.retryAfter: "1"] : [:]
        return make(status: status, message: message, headers: headers)
    }

    static let databaseUnavailable = "The database is unavailable; try again shortly"

    static func make(status: HTTPResponse.Status, message: String, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body(status: status, message: message))))
    }

    /// Census's shapes, status first: `{"status": 404, "message": ...}` for not found,
    /// `{"status": "error", "message": ...}` otherwise.
    static func body(status: HTTPResponse.Status, message: String) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let encodedMessage = (try? encoder.encode(message)).map { String(decoding: $0, as: UTF8.self) } ?? #""error""#
        let statusValue = status == .notFound ? "404" : #""error""#
        return Data(#"{"status":\#(statusValue),"message":\#(encodedMessage)}"#.utf8)
    }

    private static func classify(_ error: any Error, logger: Logger) -> (HTTPResponse.Status, String) {
        switch error {
        case let error as APIError:
            return (status(of: error.kind), error.message)
        case is DatabaseUnavailable:
            return (.serviceUnavailable, databaseUnavailable)
        case let error as ServerError:
            return classify(error, logger: logger)
        case let error as HTTPError:
            return (error.status, error.body ?? defaultMessage(for: error.status))
        default:
            // The type only: descriptions of arbitrary errors may quote what was sent.
            logger.error("Request failed", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
            return (.internalServerError, "Internal server error")
        }
    }

    /// The generated layer wraps everything in ServerError. Never log its description: it quotes the
    /// decoded input, credentials included.
    private static func classify(_ error: ServerError, logger: Logger) -> (HTTPResponse.Status, String) {
        if let apiError = error.underlyingError as? APIError {
            return (status(of: apiError.kind), apiError.message)
        }
        if error.underlyingError is DatabaseUnavailable {
            return (.serviceUnavailable, databaseUnavailable)
        }
        if error.operationInput == nil {
            // Deserialisation failed: the request itself is malformed.
            let status = (400..<500).contains(error.httpStatus.code) ? error.httpStatus : .badRequest
            let problem =
                RequestProblem.parameterProblem(in: error)
                ?? RequestProblem.describe(error.underlyingError, status: status)
            return (status, problem)
        }
        logger.error(
            "Request failed",
            metadata: [
                "operation": "\(error.operationID)",
                "error.type": "\(String(reflecting: type(of: error.underlyingError)))",
            ]
        )
        return (.internalServerError, "Internal server error")
    }

    static func status(of kind: APIError.Kind) -> HTTPResponse.Status {
        switch kind {
        case .badRequest: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .gone: .gone
        case .requestTimeout: .requestTimeout
        case .conflict: .conflict
        case .payloadTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .unprocessable: .unprocessableContent
        case .preconditionFailed: .preconditionFailed
        case .tooManyRequests: .tooManyRequests
        case .serviceUnavailable: .serviceUnavailable
        }
    }

    private static func defaultMessage(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "Not found"
        case .methodNotAllowed: "Method not allowed"
        case .contentTooLarge: "The request body is larger than \(RequestLimits.maximumBodySize) bytes"
        default: status.reasonPhrase
        }
    }
}

/// Words for what is wrong with a request the generated layer could not decode.
enum RequestProblem {
    static func describe(_ error: any Error, status: HTTPResponse.Status) -> String {
        if status == .unsupportedMediaType { return "Content-Type must be application/json" }
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "Missing required field \(path(context.codingPath + [key]))"
        case DecodingError.typeMismatch(_, let context):
            return "\(path(context.codingPath)) has the wrong JSON type"
        case DecodingError.valueNotFound(_, let context):
            return "\(path(context.codingPath)) must not be null"
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty ? "The request body is not valid JSON" : "\(path(context.codingPath)) is invalid"
        case let error where String(reflecting: type(of: error)) == "OpenAPIRuntime.RuntimeError":
            // The runtime's own words ("Missing required request body"); they quote no values we care about.
            return "\(error)"
        default:
            return "Malformed request"
        }
    }

    /// The generated decoders report a bad path or query parameter without its name: find it by
    /// checking the request against the operation's declared parameters.
    static func parameterProblem(in error: ServerError) -> String? {
        guard error.underlyingError is DecodingError else { return nil }
        return ParameterContract.shared.problem(
            operation: error.operationID,
            pathParameters: error.requestMetadata.pathParameters,
            query: error.request.path.flatMap { URLComponents(string: $0)?.queryItems } ?? []
        )
    }

    /// `service_connection.credentials`, `data[0].name`; "the request body" for the root.
    private static func path(_ codingPath: [any CodingKey]) -> String {
        guard !codingPath.isEmpty else { return "the request body" }
        var path = ""
        for key in codingPath {
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                path += (path.isEmpty ? "" : ".") + String(key.stringValue.prefix(64))
            }
        }
        return path
    }
}
