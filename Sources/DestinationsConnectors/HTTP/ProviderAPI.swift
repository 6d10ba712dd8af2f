import DestinationsCore
import Foundation

/// Calls to one provider's JSON API for one destination: statuses turned into `ProviderFailure`s a user
/// can act on, the provider's own error message quoted (secrets blanked), Retry-After honoured.
struct ProviderAPI {
    /// The provider's name, as messages say it.
    let provider: String
    let context: ConnectorContext
    /// Headers every call carries (authentication).
    let headers: [(name: String, value: String)]
    let hostSource: ProviderRequest.HostSource

    /// The header of an API that takes a bearer token.
    static func bearer(_ token: String) -> (name: String, value: String) {
        ("Authorization", "Bearer \(token)")
    }

    /// The header of an API that takes the destination's credential `key` as a bearer token.
    static func bearer(_ context: ConnectorContext, credential key: String) throws -> (name: String, value: String) {
        bearer(try context.credential(key))
    }

    func get<Answer: Decodable>(_ url: URL, as answer: Answer.Type) async throws -> (Answer, ProviderResponse) {
        let response = try await send(ProviderRequest(url: url, headers: headers, hostSource: hostSource))
        return (try decode(answer, from: response), response)
    }

    /// Every page of a list whose answer names the next page's absolute URL (`links.next`,
    /// `paging.next` ...), from `first` on.
    func linkedPages<Page: Decodable, Item>(
        first: URL,
        as page: Page.Type,
        items: @escaping (Page) -> [Item],
        next: @escaping (Page) -> String?
    ) async throws -> [Item] {
        try await collectPages(first: first) { url in
            let (answer, _) = try await get(url, as: page)
            return (items(answer), next(answer).flatMap(URL.init(string:)))
        }
    }

    /// A GET whose answer only has to be a success (a connection test's cheap call).
    func probe(_ url: URL) async throws {
        _ = try await send(ProviderRequest(url: url, headers: headers, hostSource: hostSource))
    }

    func send(_ request: ProviderRequest) async throws -> ProviderResponse {
        var request = request
        // The operator's override replaces the user's host: it is configuration, and trusted as such.
        if let override = context.baseURLOverride, request.url.host == override.host, request.url.port == override.port {
            request.hostSource = .configured
        }
        let response = try await context.http.send(request)
        if let failure = failure(for: response, path: request.url.path) { throw failure }
        return response
    }

    func decode<Answer: Decodable>(_ answer: Answer.Type, from response: ProviderResponse) throws -> Answer {
        do {
            return try JSONDecoder().decode(answer, from: response.body)
        } catch {
            throw ProviderFailure.permanent("\(provider) answered in a shape this server does not understand")
        }
    }

    /// Nil for a 2xx answer.
    func failure(for response: ProviderResponse, path: String) -> ProviderFailure? {
        let status = response.status
        guard !(200..<300).contains(status) else { return nil }
        let detail = providerMessage(response.body).map { ": \(context.redacted($0))" } ?? ""
        switch status {
        case 401:
            return .permanent("\(provider) rejected the credentials (HTTP 401)\(detail). Check the key or token, or authorize again")
        case 403:
            return .permanent("\(provider) refused access (HTTP 403)\(detail). The credentials may lack a permission or scope this needs")
        case 404:
            return .permanent("\(provider) has nothing at \(path) (HTTP 404)\(detail). Check the account URL or domain")
        case 408, 425, 429:
            return .transient(
                "\(provider) asked us to slow down (HTTP \(status))\(detail)",
                retryAfter: Self.retryAfter(response.headers["retry-after"])
            )
        case 500...599:
            return .transient("\(provider) had an error (HTTP \(status))\(detail)", retryAfter: Self.retryAfter(response.headers["retry-after"]))
        default:
            return .permanent("\(provider) rejected the request (HTTP \(status))\(detail)")
        }
    }

    /// The error text in the shapes providers use: `message`, `error_description`, `error` (text or an
    /// object with a message), `errors[0]`, Salesforce's `[{"message": ...}]`, S3's XML `<Error>`.
    func providerMessage(_ body: Data) -> String? {
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: body) else { return Self.xmlErrorMessage(body) }
        func text(_ value: JSONValue) -> String? {
            switch value {
            case .string(let string): return string.isEmpty ? nil : string
            case .object(let object):
                for key in ["message", "error_description", "detail", "msg", "title", "description", "error"] {
                    if let found = object[key].flatMap(text) { return found }
                }
                return object["errors"].flatMap(text)
            case .array(let array): return array.first.flatMap(text)
            default: return nil
            }
        }
        return text(json).map { String($0.prefix(300)) }
    }

    /// `<Error><Code>AccessDenied</Code><Message>Access Denied</Message>...</Error>` as "AccessDenied: Access Denied".
    static func xmlErrorMessage(_ body: Data) -> String? {
        guard let text = String(data: body.prefix(8192), encoding: .utf8), text.contains("<Error") else { return nil }
        func element(_ name: String) -> String? {
            guard let start = text.range(of: "<\(name)>"), let end = text.range(of: "</\(name)>", range: start.upperBound..<text.endIndex)
            else { return nil }
            let value = text[start.upperBound..<end.lowerBound]
            return [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&apos;", "'"), ("&amp;", "&")]
                .reduce(String(value)) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
        }
        let parts = [element("Code"), element("Message")].compactMap { $0 }.filter { !$0.isEmpty }
        return parts.isEmpty ? nil : String(parts.joined(separator: ": ").prefix(300))
    }

    /// Retry-After as seconds, from either of its forms (delta-seconds or an HTTP date).
    static func retryAfter(_ header: String?) -> Double? {
        guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { return nil }
        if let seconds = Double(header) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: header).map { max(0, $0.timeIntervalSinceNow) }
    }

    /// The `rel="next"` target of a Link header, the way Braze and others paginate.
    static func nextLink(_ header: String?) -> URL? {
        guard let header else { return nil }
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = pieces.first, target.hasPrefix("<"), target.hasSuffix(">"),
                pieces.dropFirst().contains(where: { $0.replacingOccurrences(of: "\"", with: "").lowercased() == "rel=next" })
            else { continue }
            return URL(string: String(target.dropFirst().dropLast()))
        }
        return nil
    }

    /// The provider's base: the operator's override, else the given (real or user-supplied) one.
    static func base(_ context: ConnectorContext, default base: String) throws -> URL {
        if let override = context.baseURLOverride { return override }
        guard let url = URL(string: base.hasSuffix("/") ? String(base.dropLast()) : base), url.host != nil else {
            throw ProviderFailure.permanent("The destination's URL \(base) is not an absolute URL")
        }
        return url
    }
}

/// Follows a provider's pagination to the end, with a bound so a provider that loops cannot keep a
/// worker forever.
func collectPages<Item>(
    limit: Int = 1_000,
    first: URL,
    _ fetch: (URL) async throws -> (items: [Item], next: URL?)
) async throws -> [Item] {
    var items: [Item] = []
    var next: URL? = first
    var pages = 0
    while let url = next {
        pages += 1
        guard pages <= limit else {
            throw ProviderFailure.permanent("The provider returned more than \(limit) pages; stopped following them")
        }
        let page = try await fetch(url)
        items += page.items
        next = page.next
    }
    return items
}

extension URL {
    /// The URL with query items set (replacing those of the same name).
    func setting(_ items: [String: String]) -> URL {
        var components = URLComponents(url: self, resolvingAgainstBaseURL: false)!
        var query = (components.queryItems ?? []).filter { items[$0.name] == nil }
        query += items.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        components.queryItems = query
        return components.url!
    }
}
