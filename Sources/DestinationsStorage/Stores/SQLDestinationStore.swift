import DestinationsCore
import Foundation
import SQLKit

public struct SQLDestinationStore: DestinationStore {
    private let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    private static let listColumns = ["id", "workspace_id", "type", "name", "connection_details", "auth_status", "created_at", "updated_at"]

    public func page(workspace: WorkspaceID, request: PageRequest) async throws -> Page<Destination> {
        try await database.read { db in
            let total =
                try await db.select()
                .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "total")
                .from("destinations")
                .where("workspace_id", .equal, workspace.rawValue)
                .first(decodingColumn: "total", as: Int64.self) ?? 0
            guard let offset = request.offset(whenTotalIs: total) else {
                return Page(items: [], request: request, totalRecords: total)
            }
            let direction: SQLDirection = request.order == .ascending ? .ascending : .descending
            let rows = try await db.select()
                .columns(Self.listColumns)
                .from("destinations")
                .where("workspace_id", .equal, workspace.rawValue)
                .orderBy("created_at", direction)
                .orderBy("id", direction)
                .limit(Int(request.perPage))
                .offset(Int(offset))
                .all()
            return Page(items: try rows.map(Self.destination), request: request, totalRecords: total)
        }
    }

    public func detail(workspace: WorkspaceID, id: DestinationID) async throws -> DestinationDetail? {
        try await database.read { db in
            guard
                let row = try await db.select()
                    .columns(Self.listColumns)
                    .from("destinations")
                    .where("workspace_id", .equal, workspace.rawValue)
                    .where("id", .equal, id.rawValue)
                    .first()
            else { return nil }
            return DestinationDetail(destination: try Self.destination(row), objects: try await Self.objects(of: id, in: db))
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
            try await Self.replaceObjects(of: destinationID, with: new.objects, in: db)
            if let job = new.initialJob {
                _ = try await SQLJobQueue.insert(job, workspace: new.workspaceID, destination: destinationID, now: new.now, dialect: dialect, in: db)
            }
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
        _ change: @escaping @Sendable (StoredDestination) throws -> StoredDestination
    ) async throws -> DestinationDetail? {
        try await database.write { db in
            guard let stored = try await Self.selectStored(workspace: workspace, id: id, forUpdate: true, in: db) else {
                return nil
            }
            let next = try change(stored)
            if next != stored {
                try await db.update("destinations")
                    .set("name", to: next.destination.name)
                    .set("connection_details", to: Self.encode(next.destination.connectionDetails))
                    .set("auth_status", to: next.destination.authStatus?.rawValue)
                    .set("secrets_key_id", to: next.secrets.keyID)
                    .set("secrets", to: next.secrets.ciphertext)
                    .set("updated_at", to: next.destination.updatedAt.millisecondsSince1970)
                    .where("id", .equal, id.rawValue)
                    .run()
            }
            return DestinationDetail(destination: next.destination, objects: try await Self.objects(of: id, in: db))
        }
    }

    public func delete(workspace: WorkspaceID, id: DestinationID) async throws -> Bool {
        try await database.write { db in
            try await db.delete(from: "destinations")
                .where("workspace_id", .equal, workspace.rawValue)
                .where("id", .equal, id.rawValue)
                .returning("id")
                .first() != nil
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

    static func replaceObjects(of id: DestinationID, with objects: [DestinationObject], in db: any SQLDatabase) async throws {
        try await db.delete(from: "destination_objects").where("destination_id", .equal, id.rawValue).run()
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

    static func objects(of id: DestinationID, in db: any SQLDatabase) async throws -> [DestinationObject] {
        try await db.select()
            .columns("full_name", "label", "allow_custom_fields", "allow_case_sensitive_field_names")
            .from("destination_objects")
            .where("destination_id", .equal, id.rawValue)
            .orderBy("position")
            .all()
            .map { row in
                DestinationObject(
                    label: try row.decode(column: "label", as: String.self),
                    fullName: try row.decode(column: "full_name", as: String.self),
                    allowCustomFields: try row.decode(column: "allow_custom_fields", as: Bool.self),
                    allowCaseSensitiveFieldNames: try row.decode(column: "allow_case_sensitive_field_names", as: Bool.self)
                )
            }
    }

    private static func destination(_ row: any SQLRow) throws -> Destination {
        Destination(
            id: DestinationID(try row.decode(column: "id", as: Int64.self)),
            workspaceID: WorkspaceID(try row.decode(column: "workspace_id", as: Int64.self)),
            type: try row.decode(column: "type", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            connectionDetails: try JSONValue.decodeObject(Data(try row.decode(column: "connection_details", as: String.self).utf8)),
            authStatus: try row.decode(column: "auth_status", as: String?.self).flatMap(AuthStatus.init(rawValue:)),
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

    public var description: String {
        switch self {
        case .missingGeneratedID: "the database did not return the id of an inserted row"
        case .unknownJobKindOrStatus: "a stored job has a kind or status this build does not know"
        }
    }
}
