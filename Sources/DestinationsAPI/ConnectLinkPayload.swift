package import Foundation

/// A destination connect link, with explicit nulls as Census sends them.
package struct ConnectLinkPayload: Codable, Hashable, Sendable {
    package var id: Int64
    package var type: String
    package var expiration: Date
    package var expired: Bool
    package var revoked: Bool
    package var uri: String
    package var redirectUri: String?
    package var destinationId: Int64?

    package init(
        id: Int64,
        type: String,
        expiration: Date,
        expired: Bool,
        revoked: Bool,
        uri: String,
        redirectUri: String?,
        destinationId: Int64?
    ) {
        self.id = id
        self.type = type
        self.expiration = expiration
        self.expired = expired
        self.revoked = revoked
        self.uri = uri
        self.redirectUri = redirectUri
        self.destinationId = destinationId
    }

    enum CodingKeys: String, CodingKey {
        case id, type, expiration, expired, revoked, uri
        case redirectUri = "redirect_uri"
        case destinationId = "destination_id"
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(expiration, forKey: .expiration)
        try container.encode(expired, forKey: .expired)
        try container.encode(revoked, forKey: .revoked)
        try container.encode(uri, forKey: .uri)
        try container.encode(redirectUri, forKey: .redirectUri)
        try container.encode(destinationId, forKey: .destinationId)
    }
}
