import DestinationsCore
import Foundation

/// Snowflake as a destination, over its SQL API (`POST /api/v2/statements`,
/// https://docs.snowflake.com/en/developer-guide/sql-api/index) with key-pair authentication: each call
/// carries a JWT the user's registered RSA key signs (RS256), named by the key's fingerprint.
struct Snowflake: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "snowflake",
        label: "Snowflake",
        authMethod: .credentials,
        documentationSlug: "snowflake",
        fields: [
            CredentialField(
                id: "account",
                label: "Account",
                format: .hostname,
                placeholder: "myorg-myaccount",
                hint: "The account identifier in https://<account>.snowflakecomputing.com (a locator such as xy12345.us-east-1 works too)"
            ),
            CredentialField(id: "user", label: "User", placeholder: "CENSUS"),
            CredentialField(
                id: "private_key",
                label: "Private Key",
                secret: true,
                hint: "The unencrypted PEM private key whose public key is set as the user's RSA_PUBLIC_KEY"
            ),
            CredentialField(id: "warehouse", label: "Warehouse", placeholder: "CENSUS_WAREHOUSE"),
            CredentialField(id: "database", label: "Database", placeholder: "ANALYTICS"),
            CredentialField(id: "schema", label: "Schema", required: false, hint: "Only this schema's tables; every schema's when empty"),
            CredentialField(id: "role", label: "Role", required: false, hint: "The user's default role when empty"),
        ],
        objects: []
    )

    /// Signed JWTs may live at most an hour; a little less leaves room for clock skew.
    static let tokenLifetime: Int64 = 3_540

    /// The key-pair JWT: `iss` is `ACCOUNT.USER.SHA256:<fingerprint>`, `sub` is `ACCOUNT.USER`, both in
    /// upper case and with a locator's region left out.
    static func keyPairToken(account: String, user: String, privateKeyPEM: String, now: Date) throws -> String {
        let signer = try RS256Signer(pem: privateKeyPEM, field: "private_key")
        let subject = "\(account.split(separator: ".").first.map(String.init) ?? account).\(user)".uppercased()
        let issuedAt = Int64(now.timeIntervalSince1970)
        return try signer.token(claims: [
            "iss": .string("\(subject).\(signer.publicKeyFingerprint)"),
            "sub": .string(subject),
            "iat": .integer(issuedAt),
            "exp": .integer(issuedAt + tokenLifetime),
        ])
    }

    /// One statement's rows, every partition of them; placeholders (`?`) are bound as text.
    private func query(_ statement: String, bindings: [String] = [], _ context: ConnectorContext) async throws -> [[String?]] {
        let token = try Self.keyPairToken(
            account: try context.credential("account"),
            user: try context.credential("user"),
            privateKeyPEM: try context.credential("private_key"),
            now: Date()
        )
        let api = ProviderAPI(
            provider: "Snowflake",
            context: context,
            headers: [
                // The SQL API also wants a User-Agent, which every call carries.
                ProviderAPI.bearer(token), ("X-Snowflake-Authorization-Token-Type", "KEYPAIR_JWT"), ("Accept", "application/json"),
            ],
            hostSource: .userSupplied
        )
        let statements = try ProviderAPI.base(context, default: "https://\(try context.credential("account")).snowflakecomputing.com")
            .appendingPathComponent("api/v2/statements")
        var body: [String: JSONValue] = [
            "statement": .string(statement),
            "timeout": .integer(60),
            "warehouse": .string(try context.credential("warehouse")),
            "database": .string(try context.credential("database")),
        ]
        for key in ["schema", "role"] {
            if let value = context.credentials[key]?.stringValue, !value.isEmpty { body[key] = .string(value) }
        }
        if !bindings.isEmpty {
            body["bindings"] = .object(
                Dictionary(
                    uniqueKeysWithValues: bindings.enumerated().map {
                        ("\($0.offset + 1)", .object(["type": .string("TEXT"), "value": .string($0.element)]))
                    }
                )
            )
        }
        let response = try await api.send(
            ProviderRequest(
                method: "POST",
                url: statements,
                headers: api.headers + [("Content-Type", "application/json")],
                body: JSONValue.encodeObject(body),
                hostSource: .userSupplied
            )
        )
        // 202: still running after the API's wait; the handle says where its result will be.
        var result = try api.decode(StatementResult.self, from: response)
        var polls = 0
        while response.status == 202 || result.data == nil, let handle = result.statementHandle {
            polls += 1
            guard polls <= 30 else { throw ProviderFailure.transient("Snowflake had not finished the statement after a minute") }
            try await Task.sleep(for: .seconds(2))
            let (next, nextResponse) = try await api.get(statements.appendingPathComponent(handle), as: StatementResult.self)
            result = next
            if nextResponse.status == 200 { break }
        }
        var rows = result.data ?? []
        let partitions = result.resultSetMetaData?.partitionInfo?.count ?? 1
        if partitions > 1, let handle = result.statementHandle {
            for partition in 1..<partitions {
                let url = statements.appendingPathComponent(handle).setting(["partition": "\(partition)"])
                rows += try await api.get(url, as: StatementResult.self).0.data ?? []
            }
        }
        return rows
    }

    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            ("Sign in with the key pair and run a query", { _ = try await query("SELECT CURRENT_USER(), CURRENT_ROLE()", context) })
        ])
    }

    /// The database's base tables (`SCHEMA.TABLE`), from its information schema.
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        var statement = "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
        var bindings: [String] = []
        if let schema = context.credentials["schema"]?.stringValue, !schema.isEmpty {
            statement += " AND table_schema = ?"
            bindings.append(schema)
        } else {
            statement += " AND table_schema <> 'INFORMATION_SCHEMA'"
        }
        let rows = try await query(statement + " ORDER BY table_schema, table_name", bindings: bindings, context)
        return rows.compactMap { row in
            guard row.count >= 2, let schema = row[0], let table = row[1] else { return nil }
            return .standard("\(schema).\(table)", "\(schema).\(table)", customFields: false, caseSensitive: true)
        }
    }

    /// A table's columns in order; Snowflake keeps primary keys without enforcing them, so none is
    /// claimed as an identifier here.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        let parts = object.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return [] }
        let rows = try await query(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            bindings: parts,
            context
        )
        return rows.compactMap { row in
            guard row.count >= 3, let name = row[0], let type = row[1] else { return nil }
            return ObjectField(fullName: name, label: name, type: type, required: row[2] == "NO")
        }
    }

    private struct StatementResult: Decodable {
        let statementHandle: String?
        let data: [[String?]]?
        let resultSetMetaData: Metadata?

        struct Metadata: Decodable {
            let partitionInfo: [Partition]?
        }

        struct Partition: Decodable {
            let rowCount: Int?
        }
    }
}
