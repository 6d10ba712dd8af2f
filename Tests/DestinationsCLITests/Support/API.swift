import AsyncHTTPClient
import DestinationsCore
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport

/// Plain HTTP calls to a server the test started.
struct API {
    let port: Int
    let token: String
    /// One client per server lifetime where servers are killed: no connection outlives its server.
    var client: HTTPClient = .shared

    struct Answer {
        let status: Int
        let json: JSONValue
    }

    func send(_ method: HTTPMethod, _ path: String, _ body: String? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        // A pooled connection would outlive a killed server and fail the first call to its successor.
        request.headers.add(name: "Connection", value: "close")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(bytes.readableBytesView))) ?? .null
        return Answer(status: Int(response.status.code), json: json)
    }
}
