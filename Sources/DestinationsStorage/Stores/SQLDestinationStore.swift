import DestinationsCore
import Foundation
import SQLKit

public struct SQLDestinationStore: DestinationStore {
    private let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    private static let listColumns = [
        "id", "workspace_id", "type", "name", "connection_details", "auth_status", "last_test", "revision", "created_at", "updated_at",
    ]

    public func page(workspace: WorkspaceID, request: PageRequest) async throws -> Page<Destination> {
        try await database.read { db in
            let total =
                try await db.select()
                .column("destination_count")
                .from("workspaces")
                .where("id", .equal, workspace.rawValue)
                .first(decodingColumn: "destination_count", as: Int64.self) ?? 0
            guard let offset = request.offset(whenTotalIs: total) else {
                return Page(items: [], request: request, totalRecords: total)
            }
            // An OFFSET walks the index up to the page: a page past the middle is read from the other end,
            // so the last page costs what the first does.
            let count = min(request.perPage, total - offset)
            let after = total - offset - count
            let fromEnd = after < offset
            let ascending = (request.order == .ascending) != fromEnd
            let direction: SQLDirection = ascending ? .ascending : .descending
            let rows = try await db.select()
                .columns(Self.listColumns)
                .from("destinations")
                .where("workspace_id", .equal, workspace.rawValue)
                .orderBy("created_at", direction)
                .orderBy("id", direction)
                .limit(Int(count))
                .offset(Int(fromEnd ? after : offset))
                .all()
            let items = try rows.map(Self.destination)
            return Page(items: fromEnd ? items.reversed() : items, request: request, totalRecords: total)
        }
    }

    public func detail(workspace: WorkspaceID, id: DestinationID) async throws -> DestinationDetail? {
        try await database.read { db in
            // One statement for the destination and its objects (a row per object): the hot read of the API,
            // written out once because SQLKit's builder spent a tenth of the request serialising it.
            let rows = try await db.raw(
                "SELECT \(unsafeRaw: Self.detailColumns) FROM destinations d LEFT JOIN destination_objects o ON o.destination_id = d.id "
                    + "WHERE d.workspace_id = \(bind: workspace.rawValue) AND d.id = \(bind: id.rawValue) ORDER BY o.position"
            ).all()
            guard let first = rows.first else { return nil }
            let objects = try rows.filter { try !$0.decodeNil(column: "full_name") }.map(Self.object)
            return DestinationDetail(destination: try Self.destination(first), objects: objects)
        }
    }

    public func insert(_ new: NewDestination) async throws -> DestinationDetail {
        let dialect = database.dialect
        return try await database.write { db in
            let now = new.now.millisecondsSince1970
            let id = try await db.insert(into: "destinations")
                .columns("workspace_id", "type", "name", "connection_details", "auth_status", "secrets_key_id", "secrets", "created_at", "updated_at")
                .values(
                    SQLBind(new.workspaceID.rawValue),
                    SQLBind(new.type),
                    SQLBind(new.name),
                    SQLBind(Self.encode(new.connectionDetails)),
                    SQLBind(new.authStatus?.rawValue),
                    SQLBind(new.secrets.keyID),
                    SQLBind(new.secrets.ciphertext),
                    SQLBind(now),
                    SQLBind(now)
                )
                .returning("id")
                .first(decodingColumn: "id", as: Int64.self)
            guard let id else { throw StorageError.missingGeneratedID }
            let destinationID = DestinationID(id)
            if let link = new.connectLink {
                try await SQLConnectLinkStore.use(link, for: destinationID, now: new.now, in: db)
            }
            // A new destination has nothing to replace or coalesce with: plain inserts, a statement each.
            try await Self.countDestinations(of: new.workspaceID, by: 1, in: db)
            try await Self.insertObjects(of: destinationID, new.objects, in: db)
            try await SQLJobQueue.insertFirstJobs(
                new.initialJobs,
                workspace: new.workspaceID,
                destination: destinationID,
                type: new.type,
                now: new.now,
                dialect: dialect,
                in: db
            )
            try await SQLAuditLog.insert(
                new.audit.map {
                    var record = $0
                    record.destinationID = destinationID
                    return record
                },
                in: db
            )
            let destination = Destination(
                id: destinationID,
                workspaceID: new.workspaceID,
                type: new.type,
                name: new.name,
                connectionDetails: new.connectionDetails,
                authStatus: new.authStatus,
                createdAt: Date(millisecondsSince1970: now),
                updatedAt: Date(millisecondsSince1970: now)
            )
            return DestinationDetail(destination: destination, objects: new.objects)
        }
    }

    public func stored(workspace: WorkspaceID, id: DestinationID) async throws -> StoredDestination? {
        try await database.read { db in
            try await Self.selectStored(workspace: workspace, id: id, forUpdate: false, in: db)
        }
    }

    public func update(
        workspace: WorkspaceID,
        id: DestinationID,
        using link: ConnectLinkID?,
        audit: @escaping @Sendable (_ before: StoredDestination, _ after: StoredDestination) throws -> [AuditRecord],
        change: @escaping @Sendable (StoredDestination) throws -> StoredDestination
    ) async throws -> DestinationDetail? {
        try await database.write { db in
            guard let stored = try await Self.selectStored(workspace: workspace, id: id, forUpdate: true, in: db) else {
                return nil
            }
            var next = try change(stored)
            if next != stored {
                next.destination.revision = stored.destination.revision + 1
                try await db.update("destinations")
                    .set("revision", to: next.destination.revision)
                    .set("name", to: next.destination.name)
                    .set("connection_details", to: Self.encode(next.destination.connectionDetails))
                    .set("auth_status", to: next.destination.authStatus?.rawValue)
                    .set("secrets_key_id", to: next.secrets.keyID)
                    .set("secrets", to: next.secrets.ciphertext)
                    .set("updated_at", to: next.destination.updatedAt.millisecondsSince1970)
                    .where("id", .equal, id.rawValue)
                    .run()
                try await SQLAuditLog.insert(try audit(stored, next), in: db)
            }
            if let link { try await SQLConnectLinkStore.use(link, for: id, now: next.destination.updatedAt, in: db) }
            return DestinationDetail(destination: next.destination, objects: try await Self.objects(of: id, in: db))
        }
    }

    public func delete(workspace: WorkspaceID, id: DestinationID, revision: Int64?, audit: AuditRecord) async throws -> Bool {
        try await database.write { db in
            // Its jobs' rows first, as a finishing job locks them (its job, then the destination): the cascade
            // alone would take the destination first and its jobs after, and deadlock with one on PostgreSQL.
            _ = try await db.select().column("id").from("jobs")
                .where("workspace_id", .equal, workspace.rawValue)
                .where("destination_id", .equal, id.rawValue)
                .for(.update)
                .all()
            var delete = db.delete(from: "destinations")
                .where("workspace_id", .equal, workspace.rawValue)
                .where("id", .equal, id.rawValue)
            if let revision { delete = delete.where("revision", .equal, revision) }
            guard try await delete.returning("id").first() != nil else { return false }
            try await Self.countDestinations(of: workspace, by: -1, in: db)
            try await SQLAuditLog.insert([audit], in: db)
            return true
        }
    }

    private static func selectStored(
        workspace: WorkspaceID,
        id: DestinationID,
        forUpdate: Bool,
        in db: any SQLDatabase
    ) async throws -> StoredDestination? {
        var select = db.select()
            .columns(Self.listColumns + ["secrets_key_id", "secrets"])
            .from("destinations")
            .where("workspace_id", .equal, workspace.rawValue)
            .where("id", .equal, id.rawValue)
        if forUpdate { select = select.for(.update) }
        guard let row = try await select.first() else { return nil }
        return StoredDestination(
            destination: try Self.destination(row),
            secrets: SealedSecret(
                keyID: try row.decode(column: "secrets_key_id", as: String.self),
                ciphertext: try row.decode(column: "secrets", as: Data.self)
            )
        )
    }

    /// A refresh's objects: written, and the destination's revision moved on, only when they differ from
    /// the stored ones.
    static func refreshObjects(of id: DestinationID, with objects: [DestinationObject], in db: any SQLDatabase) async throws {
        guard try await Self.objects(of: id, in: db) != objects else { return }
        try await replaceObjects(of: id, with: objects, in: db)
        try await nextRevision(of: id, in: db).run()
    }

    /// Keeps `workspaces.destination_count` true, in the transaction that adds or removes destinations.
    public static func countDestinations(of workspace: WorkspaceID, by change: Int64, in db: any SQLDatabase) async throws {
        try await db.update("workspaces")
            .set(SQLIdentifier("destination_count"), to: SQLBinaryExpression(SQLIdentifier("destination_count"), .add, SQLBind(change)))
            .where("id", .equal, workspace.rawValue)
            .run()
    }

    /// The update that counts one more change of the destination, to add `set`s to.
    private static func nextRevision(of id: DestinationID, in db: any SQLDatabase) -> SQLUpdateBuilder {
        db.update("destinations")
            .set(SQLIdentifier("revision"), to: SQLBinaryExpression(SQLIdentifier("revision"), .add, SQLLiteral.numeric("1")))
            .where("id", .equal, id.rawValue)
    }

    static func replaceObjects(of id: DestinationID, with objects: [DestinationObject], in db: any SQLDatabase) async throws {
        try await db.delete(from: "destination_objects").where("destination_id", .equal, id.rawValue).run()
        // Fields of objects the service no longer offers go with them.
        var orphans = db.delete(from: "object_fields").where("destination_id", .equal, id.rawValue)
        if !objects.isEmpty { orphans = orphans.where("object_full_name", .notIn, objects.map(\.fullName)) }
        try await orphans.run()
        try await insertObjects(of: id, objects, in: db)
    }

    private static func insertObjects(of id: DestinationID, _ objects: [DestinationObject], in db: any SQLDatabase) async throws {
        guard !objects.isEmpty else { return }
        var insert = db.insert(into: "destination_objects")
            .columns("destination_id", "position", "full_name", "label", "allow_custom_fields", "allow_case_sensitive_field_names")
        for (position, object) in objects.enumerated() {
            insert = insert.values(
                SQLBind(id.rawValue),
                SQLBind(position),
                SQLBind(object.fullName),
                SQLBind(object.label),
                SQLBind(object.allowCustomFields),
                SQLBind(object.allowCaseSensitiveFieldNames)
            )
        }
        try await insert.run()
    }

    public func objects(workspace: WorkspaceID, id: DestinationID, request: PageRequest) async throws -> Page<DestinationObject>? {
        try await database.read { db in
            guard try await Self.exists(workspace: workspace, id: id, in: db) else { return nil }
            let total = try await Self.count("destination_objects", where: "destination_id", is: id.rawValue, in: db)
            guard let offset = request.offset(whenTotalIs: total) else {
                return Page(items: [], request: request, totalRecords: total)
            }
            let objects = try await Self.objectQuery(of: id, in: db)
                .orderBy("position", request.order == .ascending ? .ascending : .descending)
                .limit(Int(request.perPage))
                .offset(Int(offset))
                .all()
                .map(Self.object)
            return Page(items: objects, request: request, totalRecords: total)
        }
    }

    public func object(workspace: WorkspaceID, id: DestinationID, fullName: String) async throws -> (DestinationObject, [ObjectField])? {
        // No stored name holds a NUL (PostgreSQL's text cannot), and PostgreSQL refuses to compare with one.
        guard !fullName.contains("\u{0}") else { return nil }
        return try await database.read { db in
            guard try await Self.exists(workspace: workspace, id: id, in: db),
                let row = try await Self.objectQuery(of: id, in: db).where("full_name", .equal, fullName).first()
            else { return nil }
            let fields = try await db.select()
                .columns("full_name", "label", "type", "required", "identifier", "createable", "updateable")
                .from("object_fields")
                .where("destination_id", .equal, id.rawValue)
                .where("object_full_name", .equal, fullName)
                .orderBy("position")
                .all()
                .map { row in
                    ObjectField(
                        fullName: try row.decode(column: "full_name", as: String.self),
                        label: try row.decode(column: "label", as: String.self),
                        type: try row.decode(column: "type", as: String.self),
                        required: try row.decode(column: "required", as: Bool.self),
                        identifier: try row.decode(column: "identifier", as: Bool.self),
                        createable: try row.decode(column: "createable", as: Bool.self),
                        updateable: try row.decode(column: "updateable", as: Bool.self)
                    )
                }
            return (try Self.object(row), fields)
        }
    }

    private static func exists(workspace: WorkspaceID, id: DestinationID, in db: any SQLDatabase) async throws -> Bool {
        try await db.select().column("id").from("destinations")
            .where("workspace_id", .equal, workspace.rawValue).where("id", .equal, id.rawValue)
            .first() != nil
    }

    static func replaceFields(of id: DestinationID, object: String, with fields: [ObjectField], in db: any SQLDatabase) async throws {
        try await db.delete(from: "object_fields")
            .where("destination_id", .equal, id.rawValue).where("object_full_name", .equal, object)
            .run()
        for chunk in stride(from: 0, to: fields.count, by: 500) {
            var insert = db.insert(into: "object_fields")
                .columns(
                    "destination_id",
                    "object_full_name",
                    "position",
                    "full_name",
                    "label",
                    "type",
                    "required",
                    "identifier",
                    "createable",
                    "updateable"
                )
            for (position, field) in fields[chunk..<min(chunk + 500, fields.count)].enumerated() {
                insert = insert.values(
                    SQLBind(id.rawValue),
                    SQLBind(object),
                    SQLBind(chunk + position),
                    SQLBind(field.fullName),
                    SQLBind(field.label),
                    SQLBind(field.type),
                    SQLBind(field.required),
                    SQLBind(field.identifier),
                    SQLBind(field.createable),
                    SQLBind(field.updateable)
                )
            }
            try await insert.run()
        }
    }

    static func recordTest(_ test: ConnectionTestResult, of id: DestinationID, in db: any SQLDatabase) async throws {
        try await nextRevision(of: id, in: db).set("last_test", to: try StoredTest(test).json).run()
    }

    /// The rows of `table` whose `column` is `value`: the total of a paginated list.
    private static func count(_ table: String, where column: String, is value: Int64, in db: any SQLDatabase) async throws -> Int64 {
        try await db.select()
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "total")
            .from(table)
            .where(SQLIdentifier(column), .equal, SQLBind(value))
            .first(decodingColumn: "total", as: Int64.self) ?? 0
    }

    private static let objectColumns = ["full_name", "label", "allow_custom_fields", "allow_case_sensitive_field_names"]

    private static let detailColumns = (listColumns.map { "d.\($0)" } + objectColumns.map { "o.\($0)" }).joined(separator: ", ")

    private static func objectQuery(of id: DestinationID, in db: any SQLDatabase) -> SQLSelectBuilder {
        db.select()
            .columns(objectColumns)
            .from("destination_objects")
            .where("destination_id", .equal, id.rawValue)
    }

    private static func object(_ row: any SQLRow) throws -> DestinationObject {
        DestinationObject(
            label: try row.decode(column: "label", as: String.self),
            fullName: try row.decode(column: "full_name", as: String.self),
            allowCustomFields: try row.decode(column: "allow_custom_fields", as: Bool.self),
            allowCaseSensitiveFieldNames: try row.decode(column: "allow_case_sensitive_field_names", as: Bool.self)
        )
    }

    static func objects(of id: DestinationID, in db: any SQLDatabase) async throws -> [DestinationObject] {
        try await objectQuery(of: id, in: db).orderBy("position").all().map(object)
    }

    private static func destination(_ row: any SQLRow) throws -> Destination {
        Destination(
            id: DestinationID(try row.decode(column: "id", as: Int64.self)),
            workspaceID: WorkspaceID(try row.decode(column: "workspace_id", as: Int64.self)),
            type: try row.decode(column: "type", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            connectionDetails: try JSONValue.decodeObject(Data(try row.decode(column: "connection_details", as: String.self).utf8)),
            authStatus: try row.decode(column: "auth_status", as: String?.self).flatMap(AuthStatus.init(rawValue:)),
            lastTest: try row.decode(column: "last_test", as: String?.self).map(StoredTest.init(json:)).map(\.result),
            revision: try row.decode(column: "revision", as: Int64.self),
            createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(millisecondsSince1970: try row.decode(column: "updated_at", as: Int64.self))
        )
    }

    private static func encode(_ details: [String: JSONValue]) -> String {
        String(decoding: JSONValue.encodeObject(details), as: UTF8.self)
    }
}

public enum StorageError: Error, CustomStringConvertible {
    case missingGeneratedID
    case unknownJobKindOrStatus
    case unknownValue(column: String, String)
    case missingOrganization

    public var description: String {
        switch self {
        case .missingGeneratedID: "the database did not return the id of an inserted row"
        case .unknownJobKindOrStatus: "a stored job has a kind or status this build does not know"
        case .unknownValue(let column, let value): "\(column) holds \(value), which this build does not know"
        case .missingOrganization: "an audit record names neither an organisation nor an existing workspace"
        }
    }
}
