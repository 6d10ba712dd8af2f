import DestinationsCore
import Foundation

/// Amazon S3, or a store that speaks its API, as a file destination: a sync writes files under a path it
/// names, so there are no objects to discover, only the one file object whose full name is a path (as
/// Census has a sync to a file system destination name its file path as the object). Calls are signed
/// with AWS Signature Version 4. PutObject is the one permission a sync needs, so the connection test
/// writes an empty marker file with it.
struct S3: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "s3",
        label: "Amazon S3",
        authMethod: .credentials,
        documentationSlug: "s3",
        fields: [
            CredentialField(
                id: "bucket",
                label: "Bucket Name",
                format: .hostname,
                placeholder: "acme-exports",
                hint: "The name alone, without s3://"
            ),
            CredentialField(id: "region", label: "AWS Region", format: .subdomain, placeholder: "us-east-1"),
            CredentialField(id: "access_key_id", label: "Access Key ID", placeholder: "AKIAIOSFODNN7EXAMPLE"),
            CredentialField(id: "secret_access_key", label: "Secret Access Key", secret: true),
            CredentialField(id: "session_token", label: "Session Token", required: false, secret: true, hint: "Only for temporary credentials"),
            CredentialField(id: "path_prefix", label: "Path Prefix", required: false, placeholder: "exports/census", hint: "The folder files go to"),
            CredentialField(
                id: "endpoint",
                label: "S3-compatible Endpoint",
                required: false,
                format: .url,
                placeholder: "https://storage.example.net",
                hint: "Only for stores other than AWS; buckets are then addressed by path"
            ),
        ],
        objects: []
    )

    static let markerName = "destinations-connection-test"
    /// The file each sync run writes, named by its start (strftime variables, as Census's file paths take).
    static let fileTemplate = "census_%Y-%m-%d_%H%M%S.csv"

    /// The file object: its full name is the path, under the path prefix, a sync writes to; its columns
    /// are whatever the sync maps, so fields are custom and keep their case.
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        [.standard("File path", key(Self.fileTemplate, context), customFields: true, caseSensitive: true)]
    }

    /// The bucket's address: virtual-hosted on AWS, by path on a bucket whose name has dots (AWS's
    /// wildcard certificate does not cover them) and on other stores.
    private func bucketURL(_ context: ConnectorContext) throws -> URL {
        let bucket = try context.credential("bucket")
        if let endpoint = context.credentials["endpoint"]?.stringValue, !endpoint.isEmpty {
            return try ProviderAPI.base(context, default: endpoint).appendingPathComponent(bucket)
        }
        let region = try context.credential("region")
        if context.baseURLOverride != nil || bucket.contains(".") {
            return try ProviderAPI.base(context, default: "https://s3.\(region).amazonaws.com").appendingPathComponent(bucket)
        }
        return try ProviderAPI.base(context, default: "https://\(bucket).s3.\(region).amazonaws.com")
    }

    /// The key of a file under the path prefix.
    private func key(_ name: String, _ context: ConnectorContext) -> String {
        let prefix = (context.credentials["path_prefix"]?.stringValue ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        return prefix.isEmpty ? name : "\(prefix)/\(name)"
    }

    private func signer(_ context: ConnectorContext) throws -> AWSSignatureV4 {
        let token = context.credentials["session_token"]?.stringValue
        return AWSSignatureV4(
            accessKeyID: try context.credential("access_key_id"),
            secretAccessKey: try context.credential("secret_access_key"),
            sessionToken: token?.isEmpty == false ? token : nil,
            region: try context.credential("region"),
            service: "s3"
        )
    }

    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Write an empty file to the bucket",
                {
                    let hasEndpoint = context.credentials["endpoint"]?.stringValue?.isEmpty == false
                    let api = ProviderAPI(provider: "S3", context: context, headers: [], hostSource: hasEndpoint ? .userSupplied : .configured)
                    let url = try bucketURL(context).appendingPathComponent(key(Self.markerName, context))
                    let request = ProviderRequest(method: "PUT", url: url, body: Data(), hostSource: api.hostSource)
                    _ = try await api.send(try signer(context).signed(request, at: Date()))
                }
            )
        ])
    }
}
