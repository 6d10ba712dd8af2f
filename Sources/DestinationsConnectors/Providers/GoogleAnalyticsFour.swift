import DestinationsCore
import Foundation

struct GoogleAnalyticsFour: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "google_analytics_four",
        label: "Google Analytics 4",
        authMethod: .credentials,
        documentationSlug: "google-analytics-four",
        fields: [
            CredentialField(
                id: "connection_type",
                label: "Connection Type",
                format: .choice(["gtag", "firebase"]),
                placeholder: "gtag",
                hint: "gtag for a web data stream, firebase for an app stream"
            ),
            CredentialField(
                id: "app_id",
                label: "App ID",
                placeholder: "G-XXXXXXXXXX",
                hint: "The web stream's Measurement ID (G-…), or the app's Firebase App ID"
            ),
            CredentialField(
                id: "api_secret",
                label: "API Secret",
                secret: true,
                hint: "Admin > Data Streams > the stream > Measurement Protocol API secrets"
            ),
        ],
        objects: [
            .standard("Event", "event", caseSensitive: true),
            .standard("User Properties", "user_properties", caseSensitive: true),
        ]
    )

    /// The Measurement Protocol never answers an error, so the test is what can be checked: the App ID's
    /// form, and a sample event sent to the validation server (`POST /debug/mp/collect`), whose
    /// `validationMessages` name what is wrong. Google validates neither the API secret nor the Firebase
    /// App ID there: a wrong secret cannot be detected before events go missing.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            ("Check the App ID's format", { _ = try identity(context) }),
            ("Validate a sample event with Google's validation server", { try await validateSampleEvent(context) }),
        ])
    }

    /// The query item naming the stream, and the body field naming the sample event's sender.
    private func identity(_ context: ConnectorContext) throws -> (query: String, appID: String, sender: [String: JSONValue]) {
        let appID = try context.credential("app_id")
        if context.credentials["connection_type"]?.stringValue == "firebase" {
            // Firebase App IDs look like 1:1234567890:android:321abc456def7890.
            let parts = appID.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 4, parts[0].allSatisfy(\.isNumber), parts[1].allSatisfy(\.isNumber), !parts[3].isEmpty else {
                throw ProviderFailure.permanent("\(appID) is not a Firebase App ID (1:<project number>:<platform>:<hex>)")
            }
            return ("firebase_app_id", appID, ["app_instance_id": .string("0123456789abcdef0123456789abcdef")])
        }
        guard appID.hasPrefix("G-"), appID.count > 2 else {
            throw ProviderFailure.permanent("\(appID) is not a Measurement ID (G-…); Universal Analytics (UA-…) IDs do not take events")
        }
        return ("measurement_id", appID, ["client_id": .string("destinations.connection-test")])
    }

    private func validateSampleEvent(_ context: ConnectorContext) async throws {
        let (query, appID, sender) = try identity(context)
        let url = try ProviderAPI.base(context, default: "https://www.google-analytics.com").appendingPathComponent("debug/mp/collect").setting([
            query: appID, "api_secret": try context.credential("api_secret"),
        ])
        var body = sender
        body["events"] = .array([.object(["name": .string("connection_test"), "params": .object([:])])])
        body["validation_behavior"] = .string("ENFORCE_RECOMMENDATIONS")
        let api = ProviderAPI(provider: "Google Analytics", context: context, headers: [], hostSource: .configured)
        let response = try await api.send(
            ProviderRequest(
                method: "POST",
                url: url,
                headers: [("Content-Type", "application/json")],
                body: JSONValue.encodeObject(body),
                hostSource: .configured
            )
        )
        let answer = try api.decode(ValidationAnswer.self, from: response)
        if let first = answer.validationMessages.first {
            throw ProviderFailure.permanent(
                "Google Analytics says \(context.redacted(first.description ?? first.validationCode ?? "the sample event is invalid"))"
                    + (first.fieldPath.map { " (\($0))" } ?? "")
            )
        }
    }

    private struct ValidationAnswer: Decodable {
        let validationMessages: [Message]

        struct Message: Decodable {
            let fieldPath: String?
            let description: String?
            let validationCode: String?
        }
    }
}
