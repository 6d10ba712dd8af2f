import DestinationsCore
import Foundation

struct Amplitude: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "amplitude",
        label: "Amplitude",
        authMethod: .credentials,
        documentationSlug: "amplitude",
        fields: [
            CredentialField(id: "api_key", label: "API Key", secret: true, hint: "The project's API key"),
            CredentialField(id: "region", label: "Data Center", required: false, format: .choice(["us", "eu"])),
        ],
        objects: [
            .standard("Event", "event", caseSensitive: true),
            .standard("User", "user", caseSensitive: true),
            .standard("Device", "device", caseSensitive: true),
            .standard("Group", "group", caseSensitive: true),
        ]
    )

    /// Amplitude has no whoami for an API key. An upload of no events is judged on the key alone: a bad
    /// key answers 400 "Invalid API key"; a good one is told the events are missing (or accepted).
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Check the API key with an empty upload",
                {
                    let base = try ProviderAPI.base(
                        context,
                        default: context.credentials["region"]?.stringValue == "eu" ? "https://api.eu.amplitude.com" : "https://api2.amplitude.com"
                    )
                    let body = JSONValue.encodeObject(["api_key": .string(try context.credential("api_key")), "events": .array([])])
                    let response = try await context.http.send(
                        ProviderRequest(
                            method: "POST",
                            url: base.appendingPathComponent("2/httpapi"),
                            headers: [("Content-Type", "application/json")],
                            body: body,
                            hostSource: .configured
                        )
                    )
                    let api = ProviderAPI(provider: "Amplitude", context: context, headers: [], hostSource: .configured)
                    let error = (try? JSONDecoder().decode(JSONValue.self, from: response.body))?.objectValue?["error"]?.stringValue ?? ""
                    if response.status == 400 && error.hasPrefix("Invalid API key") {
                        // Amplitude quotes the key back ("Invalid API key: <key>").
                        throw ProviderFailure.permanent(
                            "Amplitude rejected the API key (HTTP 400): \(context.redacted(error)). Check the project's API key"
                        )
                    }
                    if response.status != 400, let failure = api.failure(for: response, path: "/2/httpapi") { throw failure }
                }
            )
        ])
    }
}
