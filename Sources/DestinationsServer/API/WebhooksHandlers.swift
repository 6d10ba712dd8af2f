import DestinationsAPI
import DestinationsCore
import Foundation

/// Webhooks: Census's shapes, with a delivery log and secret rotation.
extension DestinationsHandlers {
    func listWebhooks(_ input: Operations.ListWebhooks.Input) async throws -> Operations.ListWebhooks.Output {
        let query = input.query
        let request = try PageRequest(page: query.page, perPage: query.perPage, order: query.order.map(\.sortOrder))
        let page = try await webhooks.list(try RequestScope.principal(), request)
        return .ok(.init(body: .json(.init(page, path: "/webhooks", item: { WebhookPayload($0) }))))
    }

    func createWebhook(_ input: Operations.CreateWebhook.Input) async throws -> Operations.CreateWebhook.Output {
        let principal = try RequestScope.principal()
        guard case .json(let body) = input.body else { throw APIError.badRequest("The request body must be JSON") }
        let created = try await webhooks.create(
            principal,
            .init(name: body.name, description: body.description, clearsDescription: false, events: body.events, endpoint: body.endpoint)
        )
        return .created(.init(body: .json(.init(status: .created, data: WebhookPayload(created.webhook, secret: created.secret)))))
    }

    func getWebhook(_ input: Operations.GetWebhook.Input) async throws -> Operations.GetWebhook.Output {
        let webhook = try await webhooks.get(try RequestScope.principal(), WebhookID(input.path.webhookId))
        return .ok(.init(body: .json(.init(status: .success, data: WebhookPayload(webhook)))))
    }

    func updateWebhook(_ input: Operations.UpdateWebhook.Input) async throws -> Operations.UpdateWebhook.Output {
        let principal = try RequestScope.principal()
        guard case .json(let body) = input.body else { throw APIError.badRequest("The request body must be JSON") }
        let description: String?
        switch body.description {
        case nil, .null: description = nil
        case .string(let text): description = text
        case let other?: throw APIError.unprocessable("description must be a string or null, not \(other.typeName)")
        }
        let webhook = try await webhooks.update(
            principal,
            WebhookID(input.path.webhookId),
            .init(
                name: body.name,
                description: description,
                clearsDescription: body.description == .null,
                events: body.events,
                endpoint: body.endpoint
            )
        )
        return .ok(.init(body: .json(.init(status: .updated, data: WebhookPayload(webhook)))))
    }

    func deleteWebhook(_ input: Operations.DeleteWebhook.Input) async throws -> Operations.DeleteWebhook.Output {
        try await webhooks.delete(try RequestScope.principal(), WebhookID(input.path.webhookId))
        return .ok(.init(body: .json(.init(status: .deleted))))
    }

    func rotateWebhookSecret(_ input: Operations.RotateWebhookSecret.Input) async throws -> Operations.RotateWebhookSecret.Output {
        let rotated = try await webhooks.rotateSecret(
            try RequestScope.principal(),
            WebhookID(input.path.webhookId),
            overlap: input.query.overlapSeconds
        )
        return .ok(.init(body: .json(.init(status: .success, data: WebhookPayload(rotated.webhook, secret: rotated.secret)))))
    }

    func listWebhookDeliveries(_ input: Operations.ListWebhookDeliveries.Input) async throws -> Operations.ListWebhookDeliveries.Output {
        let query = input.query
        let request = try PageRequest(page: query.page, perPage: query.perPage, order: query.order.map(\.sortOrder))
        let id = input.path.webhookId
        let page = try await webhooks.deliveries(try RequestScope.principal(), WebhookID(id), request)
        return .ok(.init(body: .json(.init(page, path: "/webhooks/\(id)/deliveries", item: { WebhookDeliveryPayload($0) }))))
    }

    func redeliverWebhookDelivery(_ input: Operations.RedeliverWebhookDelivery.Input) async throws -> Operations.RedeliverWebhookDelivery.Output {
        let delivery = try await webhooks.redeliver(
            try RequestScope.principal(),
            WebhookID(input.path.webhookId),
            WebhookDeliveryID(input.path.deliveryId)
        )
        return .created(.init(body: .json(.init(status: .created, data: WebhookDeliveryPayload(delivery)))))
    }
}
