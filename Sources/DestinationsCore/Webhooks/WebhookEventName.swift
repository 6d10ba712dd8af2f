/// What a webhook may subscribe to: Census's names where one applies, and the destination events no
/// other reverse-ETL API offers.
public enum WebhookEventName: String, Sendable, Hashable, CaseIterable, Codable {
    case destinationCreated = "destination.created"
    case destinationUpdated = "destination.updated"
    case destinationDeleted = "destination.deleted"
    case testCompleted = "destination.test.completed"
    case refreshObjectsCompleted = "destination.refresh_objects.completed"
    case refreshObjectsFailed = "destination.refresh_objects.failed"
    case refreshFieldsCompleted = "destination.refresh_fields.completed"
    case refreshFieldsFailed = "destination.refresh_fields.failed"
    case reauthorizationRequired = "destination.reauthorization_required"
    case connectLinkUsed = "connect_link.used"
}
