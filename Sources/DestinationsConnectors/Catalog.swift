import DestinationsCore

/// Every destination type this server supports. A new provider is one file under Providers/ plus one
/// line here.
public enum Catalog {
    public static let registry = ConnectorRegistry([
        ActiveCampaign(),
        Amplitude(),
        Braze(),
        CustomerIO(),
        FacebookAds(),
        GoogleAds(),
        GoogleSheets(),
        HTTPRequest(),
        HubSpot(),
        Intercom(),
        Iterable(),
        Klaviyo(),
        LinkedIn(),
        Mailchimp(),
        Marketo(),
        Mixpanel(),
        Outreach(),
        Pinterest(),
        Pipedrive(),
        Salesforce(),
        SendGrid(),
        Segment(),
        Zendesk(),
    ])
}
