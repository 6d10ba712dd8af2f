// Hand-written stand-ins for the request bodies of openapi.yaml (see typeOverrides in the generator config).
// The contract describes them per destination type, with nulls; the server decodes them as plain values and
// checks them itself, so that what is wrong is said in the API's words, naming the field.

package import DestinationsCore

/// POST /destinations.
package struct CreateDestinationBody: Codable, Hashable, Sendable {
    package struct ServiceConnection: Codable, Hashable, Sendable {
        package var type: String
        package var name: String?
        package var credentials: [String: JSONValue]
    }

    package var serviceConnection: ServiceConnection
    /// What the Census Terraform provider repeats at the top level.
    package var type: String?

    enum CodingKeys: String, CodingKey {
        case serviceConnection = "service_connection"
        case type
    }
}

/// PATCH /destinations/{id}: every part optional, null as good as absent.
package struct UpdateDestinationBody: Codable, Hashable, Sendable {
    package struct ServiceConnection: Codable, Hashable, Sendable {
        package var type: String?
        package var name: String?
        package var credentials: [String: JSONValue]?
    }

    package var serviceConnection: ServiceConnection

    enum CodingKeys: String, CodingKey {
        case serviceConnection = "service_connection"
    }
}
