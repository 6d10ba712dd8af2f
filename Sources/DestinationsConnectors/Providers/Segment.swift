import DestinationsCore
import Foundation

struct Segment: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "segment",
        label: "Segment",
        authMethod: .credentials,
        documentationSlug: "segment",
        fields: [
            CredentialField(id: "write_key", label: "Write Key", secret: true, hint: "The write key of an HTTP API source"),
            CredentialField(
                id: "region",
                label: "Region",
                required: false,
                format: .choice(["us", "eu"]),
                hint: "eu for workspaces in the EU: their events sent to the US host are lost"
            ),
        ],
        objects: [
            .standard("User (identify)", "identify", caseSensitive: true),
            .standard("Group", "group", caseSensitive: true),
            .standard("Track (Event)", "track", caseSensitive: true),
        ]
    )

    /// Segment answers 200 to any well-formed call, bad write key included, so the test can only show
    /// that the HTTP API takes our calls: an empty batch.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Send an empty batch to the HTTP API",
                {
                    let base = try ProviderAPI.base(
                        context,
                        default: context.credentials["region"]?.stringValue == "eu" ? "https://events.eu1.segmentapis.com" : "https://api.segment.io"
                    )
                    let basic = Data("\(try context.credential("write_key")):".utf8).base64EncodedString()
                    let api = ProviderAPI(
                        provider: "Segment",
                        context: context,
                        headers: [("Authorization", "Basic \(basic)")],
                        hostSource: .configured
                    )
                    _ = try await api.send(
                        ProviderRequest(
                            method: "POST",
                            url: base.appendingPathComponent("v1/batch"),
                            headers: api.headers + [("Content-Type", "application/json")],
                            body: Data(#"{"batch":[]}"#.utf8),
                            hostSource: .configured
                        )
                    )
                }
            )
        ])
    }
}
