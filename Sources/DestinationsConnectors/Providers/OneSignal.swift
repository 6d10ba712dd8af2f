import DestinationsCore
import Foundation

struct OneSignal: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "one_signal",
        label: "OneSignal",
        authMethod: .credentials,
        documentationSlug: "one-signal",
        fields: [
            CredentialField(
                id: "api_token",
                label: "API Token",
                secret: true,
                hint: "The app's App API key: Settings > Keys & IDs"
            ),
            CredentialField(
                id: "app_id",
                label: "App ID",
                placeholder: "65c10914-56a3-11ed-9b6a-0242ac120002",
                hint: "Settings > Keys & IDs"
            ),
        ],
        // Tags are free-form: there is nothing to discover.
        objects: [.standard("Device", "device", caseSensitive: true)]
    )

    /// The app's segments, one of them (`GET /apps/{app_id}/segments?limit=1`): App API keys have no
    /// whoami, and this read needs both the key and the app it belongs to
    /// (https://documentation.onesignal.com/reference/view-segments).
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Read the app's segments with the API token",
                {
                    let appID = try context.credential("app_id")
                    // The id goes into the path: anything but a UUID could address another resource.
                    guard UUID(uuidString: appID) != nil else {
                        throw ProviderFailure.permanent("The App ID \(appID) is not a UUID; copy it from Settings > Keys & IDs")
                    }
                    let api = ProviderAPI(
                        provider: "OneSignal",
                        context: context,
                        headers: [("Authorization", "Key \(try context.credential("api_token"))")],
                        hostSource: .configured
                    )
                    let base = try ProviderAPI.base(context, default: "https://api.onesignal.com")
                    try await api.probe(base.appendingPathComponent("apps/\(appID)/segments").setting(["limit": "1"]))
                }
            )
        ])
    }
}
