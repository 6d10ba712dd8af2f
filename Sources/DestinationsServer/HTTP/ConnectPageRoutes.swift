import DestinationsCore
import DestinationsPages
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The hosted connect page a connect link's `uri` opens, outside /api/v1 and without a token: the link's
/// key is the credential. Its page and assets are static; the form comes from `/form` as JSON.
extension Router where Context == AppRequestContext {
    func addConnectPage(_ environment: ServerEnvironment) {
        let page = environment.connectPage
        let frameOrigins = environment.settings.connectFrameOrigins
        let metrics = environment.metrics
        get("/connect-assets/:name") { _, context in
            guard let asset = ConnectPageAssets.byName[context.parameters.get("name") ?? ""] else {
                throw APIError.notFound("No such file")
            }
            return ConnectPage.response(.ok, asset, frameOrigins: frameOrigins)
        }
        // The page, and the same page as the provider's OAuth consent sends the browser back to it.
        for path in ["/connect/:key", "/connect/:key/callback"] {
            get(RouterPath(path)) { _, context in
                var status = HTTPResponse.Status.ok
                do {
                    _ = try await page.open(key: context.parameters.get("key") ?? "")
                    metrics.connectLinkOpened()
                } catch let error as APIError {
                    status = ErrorResponse.status(of: error.kind)
                }
                return ConnectPage.response(status, ConnectPageAssets.page, frameOrigins: frameOrigins)
            }
        }
        get("/connect/:key/form") { _, context in
            let link = try await page.open(key: context.parameters.get("key") ?? "")
            return ConnectPage.json(.ok, ConnectPage.FormBody(try page.form(link), frameOrigins: frameOrigins))
        }
        get("/connect/:key/authorize") { request, context in
            let key = context.parameters.get("key") ?? ""
            let link = try await page.open(key: key)
            let base = RequestScope.current?.baseURL ?? ""
            let url = try await page.authorizeURL(
                link,
                redirectURI: "\(base)/connect/\(key)/callback",
                domain: request.uri.queryParameters.get("domain")
            )
            return Response(
                status: .found,
                headers: [.location: url.absoluteString, .cacheControl: "no-store", ConnectPage.referrerPolicy: "no-referrer"]
            )
        }
        post("/connect/:key") { request, context in
            let link = try await page.open(key: context.parameters.get("key") ?? "")
            try page.checkToken(request.headers[ConnectPage.csrfHeader], for: link)
            try ConnectPage.checkOrigin(request, base: RequestScope.current?.baseURL)
            let body = try await request.body.collect(upTo: RequestLimits.maximumBodySize)
            let credentials = try ConnectPage.credentials(in: Data(body.readableBytesView))
            switch try await page.connect(link, credentials: credentials) {
            case .connected(let detail, let redirect):
                metrics.connectLinkCompleted()
                return ConnectPage.json(.created, ConnectPage.Connected(detail.destination, redirect: redirect))
            case .testFailed(let test):
                return ConnectPage.json(.unprocessableContent, ConnectPage.TestFailed(test))
            }
        }
    }
}

/// The page's responses and checks.
enum ConnectPage {
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!

    /// Static bytes with the page's security headers: nothing from another origin, framed only by the
    /// configured origins, the link's key never sent on as a referrer, nothing cached.
    static func response(_ status: HTTPResponse.Status, _ asset: ConnectPageAssets.Asset, frameOrigins: [String]) -> Response {
        let ancestors = frameOrigins.isEmpty ? "'none'" : frameOrigins.joined(separator: " ")
        let headers: HTTPFields = [
            .contentType: asset.contentType,
            .contentSecurityPolicy:
                "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
                + "form-action 'self'; base-uri 'none'; frame-ancestors \(ancestors)",
            ConnectPage.referrerPolicy: "no-referrer",
            .cacheControl: "no-store",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ]
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }

    /// A submission comes from the page itself, when the browser says where it comes from.
    static func checkOrigin(_ request: Request, base: String?) throws {
        if let origin = request.headers[.origin], let base, origin != base {
            throw APIError(.forbidden, "The form was sent from another site")
        }
    }

    /// `{"credentials": {...}}`: the fields as the form sends them.
    static func credentials(in body: Data) throws -> [String: JSONValue] {
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: body), case .object(let object) = json else {
            throw APIError.badRequest("The body must be a JSON object")
        }
        guard case .object(let credentials)? = object["credentials"] else {
            throw APIError.badRequest("credentials must be an object")
        }
        return credentials
    }

    static func json(_ status: HTTPResponse.Status, _ body: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes = (try? encoder.encode(body)) ?? Data(#"{"status":"error","message":"Internal server error"}"#.utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }

    struct FormBody: Encodable {
        struct Field: Encodable {
            let id: String
            let label: String
            let required: Bool
            let secret: Bool
            let inputType: String
            let placeholder: String?
            let hint: String?
            let choices: [String]?
            let pattern: String?
            let requiredMessage: String
            let formatMessage: String?

            enum CodingKeys: String, CodingKey {
                case id, label, required, secret, placeholder, hint, choices, pattern
                case inputType = "input_type"
                case requiredMessage = "required_message"
                case formatMessage = "format_message"
            }
        }

        let type: String
        let label: String
        let csrfToken: String
        let authMethod: String
        let reauthorizes: Bool
        let fields: [Field]
        let frameOrigins: [String]

        enum CodingKeys: String, CodingKey {
            case type, label, reauthorizes, fields
            case csrfToken = "csrf_token"
            case authMethod = "auth_method"
            case frameOrigins = "frame_origins"
        }

        init(_ form: ConnectPageService.Form, frameOrigins: [String]) {
            type = form.link.type
            label = form.label
            csrfToken = form.token
            authMethod = form.authMethod.rawValue
            reauthorizes = form.link.reauthorizes
            self.frameOrigins = frameOrigins
            fields = form.fields.map { formField in
                let field = formField.field
                var choices: [String]?
                let inputType: String
                switch field.format {
                case .url: inputType = "url"
                case .email: inputType = "email"
                case .choice(let values):
                    inputType = "select"
                    choices = values
                case .keyValues: inputType = "key_values"
                case .text, .subdomain, .hostname, .digits: inputType = "text"
                }
                return Field(
                    id: field.id,
                    label: field.label,
                    required: field.required,
                    secret: field.secret,
                    inputType: inputType,
                    placeholder: field.placeholder,
                    hint: field.hint,
                    choices: choices,
                    pattern: field.format.pattern,
                    requiredMessage: formField.requiredMessage,
                    formatMessage: formField.formatMessage
                )
            }
        }
    }

    struct Connected: Encodable {
        struct Made: Encodable {
            let id: Int64
            let name: String
        }

        let status = "created"
        let data: Made
        let redirect: String?

        init(_ destination: Destination, redirect: String?) {
            data = Made(id: destination.id.rawValue, name: destination.name)
            self.redirect = redirect
        }
    }

    struct TestFailed: Encodable {
        struct Step: Encodable {
            struct Failure: Encodable { let message: String }
            let step: String
            let status: String
            let error: Failure?
        }

        let status = "error"
        let message: String
        let steps: [Step]

        init(_ test: ConnectionTestResult) {
            let failed = test.steps.first { $0.status == .failed }
            message = failed?.errorMessage.map { "The connection test failed: \($0)" } ?? "The connection test did not pass"
            steps = test.steps.map { Step(step: $0.step, status: $0.status.rawValue, error: $0.errorMessage.map(Step.Failure.init)) }
        }
    }
}
