import Foundation

/// What a workspace's fields must be, named as the API names them.
public enum WorkspaceRules {
    public static let maximumNameLength = 255
    public static let maximumNotificationEmails = 100

    /// The name, trimmed; 422 when it is blank or too long.
    public static func name(_ name: String) throws(APIError) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= maximumNameLength else {
            throw .unprocessable("name must be 1 to \(maximumNameLength) characters")
        }
        return trimmed
    }

    public static func notificationEmails(_ emails: [String]) throws(APIError) -> [String] {
        guard emails.count <= maximumNotificationEmails else {
            throw .unprocessable("notification_emails must have at most \(maximumNotificationEmails) entries")
        }
        for (index, email) in emails.enumerated() where !TextPatterns.matches(email, TextPatterns.email) {
            throw .unprocessable("notification_emails[\(index)] must be an email address")
        }
        return emails
    }
}
