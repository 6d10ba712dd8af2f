import Crypto
import DestinationsCore
import Foundation

/// AWS Signature Version 4 in the Authorization header
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html): the request's canonical
/// form hashed and signed with a key derived from the secret for the day, region and service. S3's
/// variant signs the payload's hash as a header too and encodes object keys once.
struct AWSSignatureV4 {
    let accessKeyID: String
    let secretAccessKey: String
    /// Temporary credentials' token, sent (and signed) as `x-amz-security-token`.
    var sessionToken: String?
    let region: String
    let service: String

    /// The request with `x-amz-date`, `x-amz-content-sha256`, the session token if any and the
    /// `Authorization` header added. Every header it already has is signed, and `host`.
    func signed(_ request: ProviderRequest, at date: Date) -> ProviderRequest {
        let timestamp = Self.timestamp(date)
        let day = String(timestamp.prefix(8))
        let payloadHash = Self.hex(SHA256.hash(data: request.body ?? Data()))
        var headers = request.headers
        headers.append(("x-amz-date", timestamp))
        headers.append(("x-amz-content-sha256", payloadHash))
        if let sessionToken { headers.append(("x-amz-security-token", sessionToken)) }

        let canonicalHeaders = ([("host", Self.hostHeader(request.url))] + headers.map { ($0.name.lowercased(), $0.value) })
            .map { (name: $0.0, value: $0.1.trimmingCharacters(in: .whitespaces)) }
            .sorted { $0.name < $1.name }
        let signedHeaders = canonicalHeaders.map(\.name).joined(separator: ";")
        let canonicalRequest = [
            request.method,
            Self.canonicalPath(request.url),
            Self.canonicalQuery(request.url),
            canonicalHeaders.map { "\($0.name):\($0.value)\n" }.joined(),
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", timestamp, scope, Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8)))]
            .joined(separator: "\n")
        let signingKey = [day, region, service, "aws4_request"].reduce(SymmetricKey(data: Data("AWS4\(secretAccessKey)".utf8))) { key, part in
            SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: signingKey))
        headers.append(
            ("Authorization", "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)")
        )
        var signed = request
        signed.headers = headers
        return signed
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    /// What the HTTP client sends as Host: the port only when the URL names one.
    private static func hostHeader(_ url: URL) -> String {
        let host = url.host ?? ""
        return url.port.map { "\(host):\($0)" } ?? host
    }

    /// Each segment of the path percent-encoded once, the way S3 reads it.
    private static func canonicalPath(_ url: URL) -> String {
        let path = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? ""
        guard !path.isEmpty else { return "/" }
        return path.split(separator: "/", omittingEmptySubsequences: false)
            .map { uriEncode($0.removingPercentEncoding ?? String($0)) }
            .joined(separator: "/")
    }

    /// Parameters sorted by name then value, both encoded; a parameter without a value keeps its `=`.
    private static func canonicalQuery(_ url: URL) -> String {
        let items = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []
        let encoded: [(name: String, value: String)] = items.map { (uriEncode($0.name), uriEncode($0.value ?? "")) }
        let sorted = encoded.sorted { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
        return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")

    private static func uriEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private static func hex<Digest: Sequence>(_ digest: Digest) -> String where Digest.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
