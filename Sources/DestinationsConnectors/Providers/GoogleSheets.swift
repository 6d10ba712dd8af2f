import DestinationsCore

enum GoogleSheets {
    static let declaration = ConnectorDeclaration(
        serviceName: "google_sheets",
        label: "Google Sheets",
        authMethod: .credentials,
        documentationSlug: "google-sheets",
        fields: [
            CredentialField(
                id: "service_account_email",
                label: "Service Account Email",
                format: .email,
                placeholder: "sync@project.iam.gserviceaccount.com",
                hint: "Share the spreadsheet with this address as an editor"
            ),
            CredentialField(
                id: "private_key",
                label: "Service Account Private Key",
                secret: true,
                hint: "The private_key of the service account's JSON key (PEM)"
            ),
            CredentialField(
                id: "spreadsheet_id",
                label: "Spreadsheet ID",
                hint: "The id in https://docs.google.com/spreadsheets/d/<id>/edit"
            ),
        ],
        objects: []
    )
}
