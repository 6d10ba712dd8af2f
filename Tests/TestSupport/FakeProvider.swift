import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// A stand-in for providers' APIs: a real HTTP server on an ephemeral loopback port, answering each
/// route from a handler the test installs, and recording every call.
public final class FakeProvider: Sendable {
    public struct Call: Sendable {
        public let method: String
        public let path: String
        public let query: [String: String]
        public let headers: [String: String]
        public let body: Data

        public func header(_ name: String) -> String? { headers[name.lowercased()] }

        /// The form fields of an `application/x-www-form-urlencoded` body.
        public var form: [String: String] {
            var components = URLComponents()
            components.percentEncodedQuery = String(decoding: body, as: UTF8.self).replacingOccurrences(of: "+", with: "%20")
            return Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        }
    }

    public struct Reply: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: String
        /// Held back this long before answering (a slow provider).
        public var delay: Duration?

        public init(status: Int = 200, headers: [String: String] = [:], body: String = "{}", delay: Duration? = nil) {
            self.status = status
            self.headers = headers
            self.body = body
            self.delay = delay
        }

        public static func json(_ body: String, status: Int = 200, headers: [String: String] = [:]) -> Reply {
            Reply(status: status, headers: headers, body: body)
        }
    }

    public typealias Handler = @Sendable (Call) async -> Reply

    private let state: State
    public let baseURL: URL

    /// Runs `body` while the fake listens.
    public static func run<T: Sendable>(_ body: @Sendable (FakeProvider) async throws -> T) async throws -> T {
        let state = State()
        let router = Router()
        router.addMiddleware { FakeMiddleware(state: state) }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            let fake = FakeProvider(port: client.port!, state: state)
            return try await body(fake)
        }
    }

    private init(port: Int, state: State) {
        self.baseURL = URL(string: "http://127.0.0.1:\(port)")!
        self.state = state
    }

    /// Answers `method path` (query ignored) with `handler` from now on. A path ending in `*` answers
    /// every path it is a prefix of.
    public func on(_ method: String, _ path: String, _ handler: @escaping Handler) {
        state.set("\(method) \(path)", handler)
    }

    /// Answers with each reply in turn, repeating the last.
    public func on(_ method: String, _ path: String, replies: [Reply]) {
        let sequence = ReplySequence(replies)
        on(method, path) { _ in await sequence.next() }
    }

    public func calls(_ method: String? = nil, _ path: String? = nil) -> [Call] {
        state.calls.filter { (method == nil || $0.method == method) && (path == nil || $0.path == path) }
    }

    final class State: @unchecked Sendable {
        private let lock = NSLock()
        private var handlers: [String: Handler] = [:]
        private var recorded: [Call] = []

        func set(_ route: String, _ handler: @escaping Handler) { lock.withLock { handlers[route] = handler } }
        func handler(_ route: String) -> Handler? {
            lock.withLock {
                handlers[route]
                    ?? handlers.filter { $0.key.hasSuffix("*") && route.hasPrefix(String($0.key.dropLast())) }
                    .max { $0.key.count < $1.key.count }?.value
            }
        }
        func record(_ call: Call) { lock.withLock { recorded.append(call) } }
        var calls: [Call] { lock.withLock { recorded } }
    }

    actor ReplySequence {
        private var replies: [Reply]

        init(_ replies: [Reply]) { self.replies = replies }

        func next() -> Reply {
            replies.count > 1 ? replies.removeFirst() : replies.first ?? Reply(status: 500)
        }
    }

    struct FakeMiddleware: RouterMiddleware {
        typealias Context = BasicRequestContext
        let state: State

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            let body = try await request.body.collect(upTo: 16 << 20)
            let components = URLComponents(string: request.uri.string)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let call = Call(
                method: request.method.rawValue,
                path: request.uri.path,
                query: Dictionary((components?.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 }),
                headers: headers,
                body: Data(body.readableBytesView)
            )
            state.record(call)
            guard let handler = state.handler("\(call.method) \(call.path)") else {
                return Response(status: .notFound, body: .init(byteBuffer: ByteBuffer(string: #"{"message":"no such route in the fake"}"#)))
            }
            let reply = await handler(call)
            if let delay = reply.delay { try await Task.sleep(for: delay) }
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            for (name, value) in reply.headers { fields[HTTPField.Name(name)!] = value }
            return Response(status: .init(code: reply.status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: reply.body)))
        }
    }
}
