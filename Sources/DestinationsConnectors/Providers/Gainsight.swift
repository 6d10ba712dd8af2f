import DestinationsCore
import Foundation

struct Gainsight: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "gainsight",
        label: "Gainsight",
        authMethod: .credentials,
        documentationSlug: "gainsight",
        fields: [
            CredentialField(
                id: "domain",
                label: "Domain",
                format: .hostname,
                placeholder: "acme.gainsightcloud.com",
                hint: "The tenant's Gainsight sub-domain or custom domain, without https:// or a path"
            ),
            CredentialField(
                id: "access_key",
                label: "Access Key",
                secret: true,
                hint: "Administration > Connectors 2.0 > Gainsight API; one key per tenant, it does not expire"
            ),
        ],
        objects: [
            .standard("Person", "person"),
            .standard("Company", "company"),
            .standard("Company Person", "company_person"),
            .standard("Relationship Person", "relationship_person"),
        ]
    )

    func userSuppliedURLs(in credentials: [String: JSONValue]) -> [(field: String, url: URL)] {
        guard let domain = credentials["domain"]?.stringValue, let url = URL(string: "https://\(domain)") else { return [] }
        return [("domain", url)]
    }

    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: "https://\(try context.credential("domain"))").appendingPathComponent("v1/meta/services/objects")
    }

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "Gainsight",
            context: context,
            headers: [("accesskey", try context.credential("access_key")), ("Accept", "application/json")],
            hostSource: .userSupplied
        )
    }

    /// A metadata call's answer. Gainsight wraps every answer in `{result, data, errorCode, errorDesc}`;
    /// `result: false` is a failure whatever the HTTP status.
    private func get<Answer: Decodable>(_ url: URL, as answer: Answer.Type, _ context: ConnectorContext) async throws -> Answer {
        let api = try api(context)
        let response = try await api.send(ProviderRequest(url: url, headers: api.headers, hostSource: api.hostSource))
        let envelope = try api.decode(Envelope.self, from: response)
        guard envelope.result != false else {
            let reason = [envelope.errorCode, envelope.errorDesc ?? envelope.message].compactMap { $0 }.joined(separator: ": ")
            throw ProviderFailure.permanent("Gainsight says \(context.redacted(reason.isEmpty ? "the call failed" : reason))")
        }
        return try api.decode(answer, from: response)
    }

    /// The tenant's object list (Data Management API, `GET /v1/meta/services/objects/list`): it needs a
    /// working access key on the right domain, and nothing more.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "List the tenant's Gainsight objects",
                { _ = try await get(try base(context).appendingPathComponent("list"), as: ObjectList.self, context) }
            )
        ])
    }

    /// The standard objects, plus one per custom object of the tenant's object list (not paged).
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let list = try await get(try base(context).appendingPathComponent("list"), as: ObjectList.self, context)
        return declaration.objects
            + list.data.filter { $0.objectType == "CUSTOM" && $0.createable != false }.map {
                .standard("Custom Object: \($0.label ?? $0.objectName)", $0.objectName)
            }
    }

    /// The object's fields from its describe (`GET /v1/meta/services/objects/{name}/describe?idd=true`),
    /// with Gainsight's own create and update flags, so system fields (Gsid, the GS dates) are read-only.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        // Object API names are identifiers (`company`, `renewal__gc`); anything else is not asked for.
        guard !object.isEmpty, object.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else { return [] }
        let url = try base(context).appendingPathComponent("\(object)/describe").setting(["idd": "true"])
        let described = try await get(url, as: Describe.self, context)
        return (described.data.first?.fields ?? []).map { field in
            ObjectField(
                fullName: field.fieldName,
                label: field.label ?? field.fieldName,
                type: field.dataType ?? "STRING",
                required: field.meta?.required ?? false,
                createable: field.meta?.createable ?? true,
                updateable: field.meta?.updateable ?? true
            )
        }
    }

    private struct Envelope: Decodable {
        let result: Bool?
        let errorCode: String?
        let errorDesc: String?
        let message: String?
    }

    private struct ObjectList: Decodable {
        let data: [Object]

        struct Object: Decodable {
            let objectName: String
            let label: String?
            let objectType: String?
            let createable: Bool?
        }
    }

    private struct Describe: Decodable {
        let data: [Object]

        struct Object: Decodable {
            let fields: [Field]?
        }

        struct Field: Decodable {
            let fieldName: String
            let label: String?
            let dataType: String?
            let meta: Meta?
        }

        struct Meta: Decodable {
            let required: Bool?
            let createable: Bool?
            let updateable: Bool?
        }
    }
}
