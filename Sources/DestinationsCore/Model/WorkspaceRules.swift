import Foundation

/// What a workspace's fields must be, named as the API names them.
public enum WorkspaceRules {
    public static let maximumNotificationEmails = 100

    /// The contract's `WorkspaceName`, checked as a destination's name is.
    public static func name(_ name: String) throws(APIError) -> String {
        try DisplayName.validated(name, field: "name")
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
