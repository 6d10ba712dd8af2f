import DestinationsCore

/// Every destination type this server supports. A new provider is one file under Providers/ plus one
/// line here.
public enum Catalog {
    public static let registry = ConnectorRegistry([
        ActiveCampaign(),
        Braze(),
        GoogleAds(),
        GoogleSheets(),
        HubSpot(),
        Intercom(),
        LinkedIn(),
        Outreach(),
        Pinterest(),
        Salesforce(),
        Zendesk(),
    ])
}
