import DestinationsAPI
import DestinationsCore
import Foundation
import OpenAPIRuntime

/// Translations between the generated wire types and Core's values.
extension Components.Schemas.Destination {
    init(_ destination: Destination) {
        self.init(
            id: destination.id.rawValue,
            name: destination.name,
            _type: destination.type,
            createdAt: destination.createdAt,
            updatedAt: destination.updatedAt,
            connectionDetails: destination.connectionDetails,
            lastTestResults: destination.lastTest.map { .init(steps: $0.steps.map(Components.Schemas.TestStep.init)) },
            lastTestSucceeded: destination.lastTest?.succeeded,
            lastTestedAt: destination.lastTest?.testedAt,
            authStatus: destination.authStatus.flatMap { .init(rawValue: $0.rawValue) }
        )
    }
}

extension Components.Schemas.DestinationDetail {
    init(_ detail: DestinationDetail) {
        self.init(
            value1: .init(detail.destination),
            value2: .init(objects: detail.objects.map(Components.Schemas.DestinationObject.init))
        )
    }
}

extension Components.Schemas.DestinationObject {
    init(_ object: DestinationObject) {
        self.init(
            label: object.label,
            fullName: object.fullName,
            allowCustomFields: object.allowCustomFields,
            allowCaseSensitiveFieldNames: object.allowCaseSensitiveFieldNames,
            allowCaseSensitiveFields: object.allowCaseSensitiveFieldNames
        )
    }
}

extension Components.Schemas.DestinationObjectDetail {
    init(_ object: DestinationObject, fields: [ObjectField]) {
        self.init(value1: .init(object), value2: .init(fields: fields.map(Components.Schemas.ObjectField.init)))
    }
}

extension Components.Schemas.ObjectField {
    init(_ field: ObjectField) {
        self.init(
            fullName: field.fullName,
            label: field.label,
            _type: field.type,
            required: field.required,
            identifier: field.identifier,
            createable: field.createable,
            updateable: field.updateable
        )
    }
}

extension Components.Schemas.TestStep {
    init(_ step: ConnectionTestStep) {
        self.init(
            step: step.step,
            status: .init(rawValue: step.status.rawValue) ?? .failed,
            error: step.errorMessage.map { .init(message: $0) }
        )
    }
}

extension Components.Schemas.RefreshStatus {
    init(_ state: JobState) {
        switch state {
        case .processing: self.init(status: .processing)
        case .completed: self.init(status: .completed)
        case .failed(let message): self.init(status: .failed, message: message)
        }
    }
}

extension Components.Schemas.TestStatus {
    init(_ state: JobState) {
        switch state {
        case .processing: self.init(status: .processing)
        case .completed(let test):
            self.init(status: .completed, testSucceeded: test?.succeeded, steps: test?.steps.map(Components.Schemas.TestStep.init))
        case .failed(let message): self.init(status: .failed, message: message)
        }
    }
}

extension Components.Schemas.Connector {
    init(_ declaration: ConnectorDeclaration) {
        self.init(
            serviceName: declaration.serviceName,
            label: declaration.label,
            authMethod: declaration.authMethod == .oauth ? .oauth : .credentials,
            creatableViaApi: declaration.creatableViaAPI,
            creatableViaConnectLink: true,
            documentationSlug: declaration.documentationSlug,
            supportsTest: true,
            configurationFields: .init(fields: declaration.fields.map(ConfigurationFieldPayload.init))
        )
    }
}

extension ConfigurationFieldPayload {
    /// A credential field as a connection form draws it.
    init(_ field: CredentialField) {
        let type: String
        var possibleValues: [String]?
        switch field.format {
        case .text, .subdomain, .hostname, .digits: type = "string"
        case .url: type = "url"
        case .email: type = "email"
        case .keyValues: type = "key_value"
        case .choice(let values):
            type = "select"
            possibleValues = values
        }
        self.init(
            id: field.id,
            label: field.label,
            type: type,
            rules: field.required ? ["required"] : [],
            isPasswordTypeField: field.secret,
            placeholder: field.placeholder,
            hint: field.hint,
            possibleValues: possibleValues
        )
    }
}

extension Components.Schemas.Workspace {
    init(_ workspace: Workspace, apiKey: String? = nil) {
        self.init(
            id: workspace.id.rawValue,
            name: workspace.name,
            organizationId: workspace.organizationID.rawValue,
            createdAt: workspace.createdAt,
            notificationEmails: workspace.notificationEmails,
            apiKey: apiKey
        )
    }
}

extension Components.Parameters.Order {
    var sortOrder: DestinationsCore.SortOrder { self == .asc ? .ascending : .descending }
}

extension ListEnvelope {
    /// A page with Census's `pagination` block and absolute `next` link; `path` is under /api/v1, and
    /// `filters` (query parameters that narrow the list) are repeated in the link.
    init<Source>(_ page: Page<Source>, path: String, filters: [(name: String, value: String)] = [], item: (Source) -> Item) {
        let request = page.request
        let baseURL = RequestScope.current?.baseURL ?? ""
        let next = page.nextPage.map { nextPage in
            var query = "page=\(nextPage)&per_page=\(request.perPage)"
            if request.orderWasGiven { query += "&order=\(request.order.rawValue)" }
            for filter in filters { query += "&\(filter.name)=\(filter.value)" }
            return "\(baseURL)/api/v1\(path)?\(query)"
        }
        self.init(
            data: page.items.map(item),
            next: next,
            pagination: PaginationBlock(
                totalRecords: page.totalRecords,
                perPage: request.perPage,
                page: request.page,
                prevPage: page.prevPage,
                nextPage: page.nextPage,
                lastPage: page.lastPage
            )
        )
    }
}

extension AuditEventPayload {
    init(_ event: AuditEvent) {
        let record = event.record
        self.init(
            id: event.id,
            createdAt: record.at,
            action: record.action.rawValue,
            workspaceId: record.workspaceID?.rawValue,
            tokenId: record.actorTokenID?.rawValue,
            destinationId: record.destinationID?.rawValue,
            subjectTokenId: record.subjectTokenID?.rawValue,
            connectLinkId: record.connectLinkID?.rawValue,
            changedFields: record.changedFields,
            secretsFingerprint: record.secretsFingerprint,
            outcome: record.outcome
        )
    }
}
