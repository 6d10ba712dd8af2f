import Foundation
import TestSupport
import Testing

@Suite("The destinations command line", .occupiesATestSlot)
struct CLITests {
    let sandbox: CLISandbox
    var executable: BuiltExecutable { sandbox.executable }
    var directory: URL { sandbox.directory }

    init() throws {
        sandbox = try CLISandbox("cli")
    }

    @Test func workspaceAndTokenCommandsPrintOnlyTheirValue() async throws {
        let database = ["--database", directory.appendingPathComponent("cli.sqlite").path]
        let workspace = try await executable.run(["workspace", "create", "Marketing"] + database, in: directory)
        #expect(workspace.status == 0)
        let id = try #require(Int(workspace.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(workspace.stdout)")

        let token = try await executable.run(["token", "create", "--workspace", String(id)] + database, in: directory)
        #expect(token.status == 0)
        let value = token.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(value.hasPrefix("secret-token:"))
        #expect(value.split(separator: "\n").count == 1)

        let revoke = try await executable.run(["token", "revoke", value] + database, in: directory)
        #expect(revoke.status == 0)
        #expect(revoke.stdout.isEmpty)
        let again = try await executable.run(["token", "revoke", value] + database, in: directory)
        #expect(again.status == 1)
        #expect(again.stderr.contains("No live token"))

        let missing = try await executable.run(["token", "create", "--workspace", "999"] + database, in: directory)
        #expect(missing.status != 0)
        #expect(missing.stdout.isEmpty)

        let migrate = try await executable.run(["migrate"] + database, in: directory)
        #expect(migrate.status == 0)
        #expect(Int(migrate.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 >= 1)
    }

    @Test func organizationTokensAreCreatedForAnOrganizationAndRevoked() async throws {
        let database = ["--database", directory.appendingPathComponent("org.sqlite").path]
        let organization = try await executable.run(["organization", "create", "Acme"] + database, in: directory)
        #expect(organization.status == 0)
        #expect(organization.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2")
        let workspace = try await executable.run(["workspace", "create", "Sales", "--organization", "2"] + database, in: directory)
        #expect(workspace.status == 0)
        // Names are unique in an organisation, not across them.
        #expect(try await executable.run(["workspace", "create", "Sales"] + database, in: directory).status == 0)
        let clash = try await executable.run(["workspace", "create", "Sales", "--organization", "2"] + database, in: directory)
        #expect(clash.status != 0)
        #expect(clash.stderr.contains("Sales"))

        for arguments in [["--organization"], ["--organization", "--organization-id", "2"]] {
            let token = try await executable.run(["token", "create"] + arguments + database, in: directory)
            #expect(token.status == 0, "\(token.stderr)")
            let value = token.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(value.hasPrefix("secret-token:"))
            #expect(value.split(separator: "\n").count == 1)
            #expect(try await executable.run(["token", "revoke", value] + database, in: directory).status == 0)
        }
        for arguments in [["--organization", "--workspace", "1"], [], ["--organization", "--organization-id", "99"]] {
            let refused = try await executable.run(["token", "create"] + arguments + database, in: directory)
            #expect(refused.status != 0, "\(arguments)")
            #expect(refused.stdout.isEmpty)
        }
    }

    @Test func serveUsesTheDefaultDatabaseAndPrintsTheFirstTokenOnce() async throws {
        // No flags at all, as a newcomer runs it: ./data/destinations.sqlite and a generated key beside it.
        let first = try await executable.serve(environment: [:], in: directory)
        first.process.terminate()
        let firstResult = await first.process.finish()
        #expect(firstResult.status == 0, "\(firstResult.stderr)")
        let tokens = firstResult.stdout.split(separator: "\n").filter { $0.hasPrefix("secret-token:") }
        #expect(tokens.count == 1)

        let database = directory.appendingPathComponent("data/destinations.sqlite")
        #expect(FileManager.default.fileExists(atPath: database.path))
        let key = directory.appendingPathComponent("data/destinations.sqlite.key").path
        let permissions = try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int
        #expect(permissions == 0o600)

        let second = try await executable.serve(environment: [:], in: directory)
        second.process.terminate()
        let secondResult = await second.process.finish()
        #expect(secondResult.status == 0)
        #expect(!secondResult.stdout.contains("secret-token:"))
        #expect(!secondResult.stderr.contains("secret-token:"))
    }

    @Test func connectorsPrintsOneRowPerTypeWithoutTouchingADatabase() async throws {
        let result = try await executable.run(["connectors"], in: directory)
        #expect(result.status == 0)
        let rows = result.stdout.split(separator: "\n").filter { $0.hasPrefix("| `") }
        #expect(rows.count >= 20)
        #expect(rows.contains { $0.hasPrefix("| `braze` | Braze | credentials | `instance_url`, `api_key`*") })
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("data").path))
    }

    @Test func badConfigurationIsReportedNotCrashedOn() async throws {
        let result = try await executable.run(["migrate", "--database", "mysql://nowhere/db"], in: directory)
        #expect(result.status != 0)
        #expect(result.stderr.contains("database"))
        let badKey = try await executable.run(
            ["migrate", "--database", directory.appendingPathComponent("k.sqlite").path],
            environment: ["ENCRYPTION_KEY": "too-short"],
            in: directory
        )
        #expect(badKey.status != 0)
        #expect(badKey.stderr.contains("encryption key"))
        #expect(!badKey.stderr.contains("too-short"))
    }
}
