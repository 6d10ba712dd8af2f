import CryptoExtras
import DestinationsCore
import Foundation
import TestSupport
import Testing

@testable import DestinationsConnectors

/// Every registered connector's connection test against a fake answering in the provider's documented
/// shape, through the production HTTP client; then what a user reads when it fails.
@Suite("Connection tests")
struct ConnectionTestTests {
    /// A call the test makes, the provider's answer, and the header that authenticates it.
    struct Answer: Sendable {
        var method = "GET"
        let path: String
        let body: String
        var auth: (name: String, value: String)?
        var status = 200
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let serviceName: String
        var details: [String: JSONValue] = [:]
        let secrets: [String: JSONValue]
        let answers: [Answer]

        var testDescription: String { serviceName }
    }

    static let serviceAccountKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    static func bearer(_ token: String) -> (name: String, value: String) { ("authorization", "Bearer \(token)") }

    static func basic(_ user: String, _ password: String) -> (name: String, value: String) {
        ("authorization", "Basic \(Data("\(user):\(password)".utf8).base64EncodedString())")
    }

    static let cases: [Case] = [
        Case(
            serviceName: "active_campaign",
            details: ["instance_url": "https://acme.api-us1.com"],
            secrets: ["api_token": "ac-token"],
            answers: [
                Answer(
                    path: "/api/3/users/me",
                    body: #"{"user": {"id": "1", "username": "admin", "email": "admin@acme.com"}}"#,
                    auth: ("api-token", "ac-token")
                )
            ]
        ),
        Case(
            serviceName: "airtable",
            secrets: ["access_token": "at-token"],
            answers: [
                Answer(
                    path: "/v0/meta/whoami",
                    body: #"{"id": "usrL2PNC5o3H4lBEi", "scopes": ["data.records:read", "data.records:write", "schema.bases:read"]}"#,
                    auth: bearer("at-token")
                )
            ]
        ),
        Case(
            serviceName: "amplitude",
            secrets: ["api_key": "amp-key"],
            // An empty upload with a good key: Amplitude says the events are missing.
            answers: [
                Answer(
                    method: "POST",
                    path: "/2/httpapi",
                    body: #"{"code": 400, "error": "Request missing required field", "missing_field": "events"}"#,
                    status: 400
                )
            ]
        ),
        Case(
            serviceName: "attio",
            secrets: ["api_token": "attio-token"],
            answers: [
                Answer(
                    path: "/v2/self",
                    body:
                        #"{"active": true, "scope": "record_permission:read-write object_configuration:read user_management:read", "client_id": "c0ffee00-0000-4000-8000-000000000001", "token_type": "Bearer", "exp": null, "iat": 1732924800, "sub": "14beef7a-99f7-4534-a87e-70b564330a4c", "aud": "c0ffee00-0000-4000-8000-000000000001", "iss": "attio.com", "authorized_by_workspace_member_id": null, "workspace_id": "14beef7a-99f7-4534-a87e-70b564330a4c", "workspace_name": "Acme", "workspace_slug": "acme", "workspace_logo_url": null}"#,
                    auth: bearer("attio-token")
                )
            ]
        ),
        Case(
            serviceName: "big_query",
            details: ["project_id": "acme-analytics", "service_account_email": "sync@acme-analytics.iam.gserviceaccount.com"],
            secrets: ["private_key": .string(serviceAccountKey.pemRepresentation)],
            answers: [
                Answer(method: "POST", path: "/token", body: #"{"access_token": "ya29.bq", "expires_in": 3599, "token_type": "Bearer"}"#),
                Answer(
                    path: "/bigquery/v2/projects/acme-analytics/datasets",
                    body:
                        #"{"kind": "bigquery#datasetList", "etag": "e1", "datasets": [{"kind": "bigquery#dataset", "id": "acme-analytics:marts", "datasetReference": {"datasetId": "marts", "projectId": "acme-analytics"}, "location": "US"}]}"#,
                    auth: bearer("ya29.bq")
                ),
            ]
        ),
        Case(
            serviceName: "braze",
            details: ["instance_url": "https://rest.iad-03.braze.com"],
            secrets: ["api_key": "braze-key"],
            answers: [Answer(path: "/events/list", body: #"{"message": "success", "events": ["Signed Up", "Upgraded"]}"#, auth: bearer("braze-key"))]
        ),
        Case(
            serviceName: "brevo",
            secrets: ["api_key": "xkeysib-brevo-key"],
            answers: [
                Answer(
                    path: "/v3/account",
                    body:
                        #"{"email": "ops@acme.com", "firstName": "Ops", "lastName": "Team", "companyName": "Acme", "address": {"street": "1 Main St", "city": "Paris", "zipCode": "75001", "country": "France"}, "plan": [{"type": "free", "credits": 300, "creditsType": "sendLimit"}], "relay": {"enabled": true, "data": {"userName": "ops@acme.com", "relay": "smtp-relay.brevo.com", "port": 587}}}"#,
                    auth: ("api-key", "xkeysib-brevo-key")
                )
            ]
        ),
        Case(
            serviceName: "customer_io",
            details: ["site_id": "site-1"],
            secrets: ["track_api_key": "track-key", "app_api_key": "app-key"],
            answers: [
                Answer(
                    path: "/api/v1/accounts/region",
                    body: #"{"url": "https://track.customer.io", "data_center": "us", "environment_id": 12}"#,
                    auth: basic("site-1", "track-key")
                ),
                Answer(
                    path: "/v1/object_types",
                    body: #"{"types": [{"id": "1", "name": "Companies", "singular_name": "Company", "enabled": true}]}"#,
                    auth: bearer("app-key")
                ),
            ]
        ),
        Case(
            serviceName: "facebook_ads",
            details: ["ad_account_id": "123"],
            secrets: ["access_token": "meta-token"],
            answers: [
                Answer(path: "/v25.0/me", body: #"{"id": "9001", "name": "Sync User"}"#, auth: bearer("meta-token")),
                Answer(path: "/v25.0/act_123", body: #"{"id": "act_123", "name": "Acme Ads", "account_status": 1}"#, auth: bearer("meta-token")),
            ]
        ),
        Case(
            serviceName: "freshdesk",
            details: ["domain": "acme"],
            secrets: ["api_key": "fd-key"],
            answers: [
                Answer(
                    path: "/api/v2/agents/me",
                    body:
                        #"{"available": true, "occasional": false, "id": 432, "ticket_scope": 1, "type": "support_agent", "role_ids": [1], "group_ids": [4], "contact": {"active": true, "email": "ops@acme.com", "name": "Ops", "language": "en", "time_zone": "Chennai"}}"#,
                    auth: basic("fd-key", "X")
                )
            ]
        ),
        Case(
            serviceName: "freshsales",
            details: ["domain": "acme.myfreshworks.com/crm/sales"],
            secrets: ["api_key": "fs-key"],
            answers: [
                Answer(
                    path: "/api/settings/contacts/fields",
                    body:
                        #"{"fields": [{"id": "1", "name": "first_name", "label": "First name", "type": "text", "required": false}, {"id": "2", "name": "emails", "label": "Emails", "type": "email", "required": false}]}"#,
                    auth: ("authorization", "Token token=fs-key")
                )
            ]
        ),
        Case(
            serviceName: "front",
            secrets: ["access_token": "front-token"],
            answers: [
                Answer(
                    path: "/me",
                    body: #"{"_links": {"self": "https://yourCompany.api.frontapp.com/me"}, "id": "cmp_k30", "name": "Acme"}"#,
                    auth: bearer("front-token")
                )
            ]
        ),
        Case(
            serviceName: "gainsight",
            details: ["domain": "acme.gainsightcloud.com"],
            secrets: ["access_key": "gs-access-key"],
            answers: [
                Answer(
                    path: "/v1/meta/services/objects/list",
                    body:
                        #"{"requestId": "7ac6a2e6-85ac-44df-958a-ee4b00384436", "result": true, "data": [{"objectName": "company", "label": "Company", "objectType": "STANDARD", "keyPrefix": "1P02C503CKNHR9B14K", "transactional": false, "multiCurrencySupported": false, "readable": true, "createable": true, "schemaUpdateable": true}]}"#,
                    auth: ("accesskey", "gs-access-key")
                )
            ]
        ),
        Case(
            serviceName: "google_ads",
            details: ["account_id": "751-501-1393"],
            secrets: ["access_token": "ya29.ads", "developer_token": "dev-token"],
            answers: [
                Answer(
                    path: "/v26/customers:listAccessibleCustomers",
                    body: #"{"resourceNames": ["customers/7515011393"]}"#,
                    auth: ("developer-token", "dev-token")
                )
            ]
        ),
        Case(
            serviceName: "google_analytics_four",
            details: ["connection_type": "gtag", "app_id": "G-ABC123XYZ"],
            secrets: ["api_secret": "ga4-secret"],
            answers: [Answer(method: "POST", path: "/debug/mp/collect", body: #"{"validationMessages": []}"#)]
        ),
        Case(
            serviceName: "google_sheets",
            details: ["service_account_email": "sync@project.iam.gserviceaccount.com", "spreadsheet_id": "sheet-1"],
            secrets: ["private_key": .string(serviceAccountKey.pemRepresentation)],
            answers: [
                Answer(method: "POST", path: "/token", body: #"{"access_token": "ya29.sheets", "expires_in": 3599, "token_type": "Bearer"}"#),
                Answer(path: "/v4/spreadsheets/sheet-1", body: #"{"spreadsheetId": "sheet-1"}"#, auth: bearer("ya29.sheets")),
            ]
        ),
        Case(
            serviceName: "http",
            details: ["base_url": "https://hooks.example.com/in"],
            secrets: ["headers": .object(["X-Api-Key": "hook-secret"])],
            answers: [Answer(path: "/", body: #"{"ok": true}"#, auth: ("x-api-key", "hook-secret"))]
        ),
        Case(
            serviceName: "hubspot",
            secrets: ["access_token": "hs-token"],
            answers: [
                Answer(
                    path: "/account-info/v3/details",
                    body:
                        #"{"portalId": 62515, "accountType": "STANDARD", "timeZone": "US/Eastern", "companyCurrency": "USD", "utcOffset": "-05:00"}"#,
                    auth: bearer("hs-token")
                )
            ]
        ),
        Case(
            serviceName: "intercom",
            secrets: ["access_token": "ic-token"],
            answers: [
                Answer(
                    path: "/me",
                    body: #"{"type": "admin", "id": "991", "email": "ops@acme.com", "app": {"id_code": "abc123"}}"#,
                    auth: bearer("ic-token")
                )
            ]
        ),
        Case(
            serviceName: "iterable",
            secrets: ["api_key": "it-key"],
            answers: [
                Answer(
                    path: "/api/lists",
                    body: #"{"lists": [{"id": 1, "name": "Newsletter", "createdAt": 1700000000000, "listType": "Standard"}]}"#,
                    auth: ("api-key", "it-key")
                )
            ]
        ),
        Case(
            serviceName: "jira",
            details: ["cloud_id": "1324a887-45db-1bf4-1e99-ef0ff456d421", "site_url": "https://acme.atlassian.net"],
            secrets: ["access_token": "jira-token"],
            answers: [
                Answer(
                    path: "/ex/jira/1324a887-45db-1bf4-1e99-ef0ff456d421/rest/api/3/myself",
                    body: #"{"accountId": "5b10a2844c20165700ede21g", "accountType": "atlassian", "displayName": "Mia Krystof", "active": true}"#,
                    auth: bearer("jira-token")
                )
            ]
        ),
        Case(
            serviceName: "klaviyo",
            secrets: ["private_api_key": "pk_live"],
            answers: [
                Answer(
                    path: "/api/accounts",
                    body:
                        #"{"data": [{"type": "account", "id": "XyZ123", "attributes": {"contact_information": {"organization_name": "Acme"}}}], "links": {"self": "x"}}"#,
                    auth: ("authorization", "Klaviyo-API-Key pk_live")
                )
            ]
        ),
        Case(
            serviceName: "kustomer",
            details: ["org": "acme"],
            secrets: ["api_key": "kus-key"],
            answers: [
                Answer(
                    path: "/v1/auth/tokens/current",
                    body:
                        #"{"data": {"type": "token", "id": "5f3c7e1a2b9d4c0011a2b3c4", "attributes": {"name": "census", "roles": ["org.admin.klass.read", "org.admin.metadata.read", "org.user.customer.write"], "lastTokenChars": "x1y2", "lastAccessedAt": "2026-11-30T10:00:00.000Z"}}}"#,
                    auth: bearer("kus-key")
                )
            ]
        ),
        Case(
            serviceName: "linkedin",
            secrets: ["access_token": "li-token"],
            answers: [
                Answer(
                    path: "/rest/adAccountUsers",
                    body:
                        #"{"elements": [{"account": "urn:li:sponsoredAccount:123", "role": "ACCOUNT_MANAGER", "user": "urn:li:person:abc"}], "paging": {"start": 0, "count": 10, "total": 1}}"#,
                    auth: bearer("li-token")
                )
            ]
        ),
        Case(
            serviceName: "mailchimp",
            secrets: ["api_key": "0123456789abcdef-us6"],
            answers: [
                Answer(
                    path: "/3.0/",
                    body: #"{"account_id": "8d3a3db4d97663a9074efcc16", "account_name": "Acme", "email": "ops@acme.com"}"#,
                    auth: basic("destinations", "0123456789abcdef-us6")
                )
            ]
        ),
        Case(
            serviceName: "marketo",
            details: ["endpoint_url": "https://123-ABC-456.mktorest.com", "client_id": "mk-client"],
            secrets: ["client_secret": "mk-secret"],
            answers: [
                Answer(
                    path: "/identity/oauth/token",
                    body: #"{"access_token": "mk-token", "token_type": "bearer", "expires_in": 3599, "scope": "api@acme.com"}"#
                ),
                Answer(
                    path: "/rest/v1/leads/describe.json",
                    body: #"{"requestId": "e42b#14272d07d78", "result": [], "success": true}"#,
                    auth: bearer("mk-token")
                ),
            ]
        ),
        Case(
            serviceName: "microsoft_advertising",
            details: ["customer_id": "251186883", "account_id": "149137000"],
            secrets: ["access_token": "ms-token", "developer_token": "ms-dev-token"],
            answers: [
                Answer(
                    method: "POST",
                    path: "/CustomerManagement/v13/User/Query",
                    body:
                        #"{"User": {"ContactInfo": {"Email": "ops@acme.com"}, "CustomerId": "251186883", "Id": "145000000", "Name": {"FirstName": "Ada", "LastName": "Ops"}, "UserLifeCycleStatus": "Active", "UserName": "ops@acme.com"}, "CustomerRoles": [{"AccountIds": null, "CustomerId": "251186883", "CustomerLinkPermission": null, "LinkedAccountIds": null, "RoleId": 41}]}"#,
                    auth: ("developertoken", "ms-dev-token")
                )
            ]
        ),
        Case(
            serviceName: "microsoft_dynamics",
            details: ["domain": "acme.crm.dynamics.com"],
            secrets: ["access_token": "dyn-token"],
            answers: [
                Answer(
                    path: "/api/data/v9.2/WhoAmI",
                    body:
                        #"{"@odata.context": "https://acme.crm.dynamics.com/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse", "BusinessUnitId": "6f202e6c-e471-ec11-8943-000d3a30f195", "UserId": "b08dc868-e471-ec11-8943-000d3a30f195", "OrganizationId": "0f47eae2-a906-4ae4-9215-f09875979f6a"}"#,
                    auth: bearer("dyn-token")
                )
            ]
        ),
        Case(
            serviceName: "mixpanel",
            details: ["project_id": "3141", "project_token": "tok", "service_account_username": "sync.sa"],
            secrets: ["service_account_secret": "mp-secret"],
            answers: [Answer(path: "/lookup-tables", body: #"{"code": 200, "status": "ok", "results": []}"#, auth: basic("sync.sa", "mp-secret"))]
        ),
        Case(
            serviceName: "moengage",
            details: ["rest_endpoint": "api-01.moengage.com", "data_api_id": "WS0123ABC"],
            secrets: ["data_api_key": "moe-data-key"],
            answers: [
                Answer(
                    method: "POST",
                    path: "/v1/integrations/authentication",
                    body: #"{"status": "success", "app_name": "Acme-Prod-DC01"}"#,
                    auth: basic("WS0123ABC", "moe-data-key")
                )
            ]
        ),
        Case(
            serviceName: "notion",
            secrets: ["access_token": "ntn_notion_token"],
            answers: [
                Answer(
                    path: "/v1/users/me",
                    body:
                        #"{"object": "user", "id": "16d84278-ab0e-484c-9bdd-b35da3bd8905", "name": "Census", "avatar_url": null, "type": "bot", "bot": {"owner": {"type": "workspace", "workspace": true}, "workspace_name": "Acme"}}"#,
                    auth: bearer("ntn_notion_token")
                )
            ]
        ),
        Case(
            serviceName: "one_signal",
            details: ["app_id": "65c10914-56a3-11ed-9b6a-0242ac120002"],
            secrets: ["api_token": "os-app-key"],
            answers: [
                Answer(
                    path: "/apps/65c10914-56a3-11ed-9b6a-0242ac120002/segments",
                    body:
                        #"{"total_count": 1, "offset": 0, "limit": 1, "segments": [{"id": "4414c404-56a3-11ed-9b6a-0242ac120002", "name": "Subscribed Users", "created_at": "2022-07-23T13:44:10.324Z", "updated_at": "2022-09-18T11:33:02.451Z", "app_id": "65c10914-56a3-11ed-9b6a-0242ac120002", "read_only": false, "is_active": true}]}"#,
                    auth: ("authorization", "Key os-app-key")
                )
            ]
        ),
        Case(
            serviceName: "oracle_eloqua",
            details: ["base_url": "https://secure.p03.eloqua.com"],
            secrets: ["access_token": "elq-token"],
            answers: [
                Answer(
                    path: "/id",
                    body:
                        #"{"site": {"id": 42, "name": "MyTestInstall"}, "user": {"id": 314, "username": "jane.smith", "displayName": "Jane Smith", "firstName": "Jane", "lastName": "Smith", "emailAddress": "jane.smith@acme.com"}, "urls": {"base": "https://secure.p03.eloqua.com", "apis": {"rest": {"standard": "https://secure.p03.eloqua.com/API/REST/{version}/", "bulk": "https://secure.p03.eloqua.com/API/Bulk/{version}/"}}}}"#,
                    auth: bearer("elq-token")
                )
            ]
        ),
        Case(
            serviceName: "outreach",
            secrets: ["access_token": "or-token"],
            answers: [
                Answer(
                    path: "/api/v2/users",
                    body: #"{"data": [{"type": "user", "id": 1, "attributes": {"email": "rep@acme.com"}}], "links": {}}"#,
                    auth: bearer("or-token")
                )
            ]
        ),
        Case(
            serviceName: "pardot",
            details: ["business_unit_id": "0Uv5A000000PAzxSAG"],
            secrets: ["access_token": "sf-pardot-token"],
            answers: [
                Answer(path: "/api/v5/objects/prospects", body: #"{"values": [{"id": 1001}]}"#, auth: bearer("sf-pardot-token"))
            ]
        ),
        Case(
            serviceName: "pinterest",
            secrets: ["access_token": "pin-token"],
            answers: [
                Answer(
                    path: "/v5/user_account",
                    body: #"{"account_type": "BUSINESS", "id": "549755885175", "username": "acme"}"#,
                    auth: bearer("pin-token")
                )
            ]
        ),
        Case(
            serviceName: "pipedrive",
            details: ["company_domain": "acme"],
            secrets: ["api_token": "pd-token"],
            answers: [
                Answer(
                    path: "/api/v1/users/me",
                    body: #"{"success": true, "data": {"id": 1, "name": "Ops", "company_domain": "acme"}}"#,
                    auth: ("x-api-token", "pd-token")
                )
            ]
        ),
        Case(
            serviceName: "planhat",
            details: ["region": "us3"],
            secrets: ["api_key": "ph-token"],
            answers: [
                Answer(
                    path: "/endusers",
                    body:
                        #"[{"_id": "5d81eb28aeeafc7a74d8f999", "companyId": "5d81eb28aeeafc7a74d8f000", "name": "John Miller", "email": "john@acme.com", "sourceId": "u-1"}]"#,
                    auth: bearer("ph-token")
                )
            ]
        ),
        Case(
            serviceName: "reddit",
            details: ["ad_account_id": "a2_abc123"],
            secrets: ["access_token": "rd-token"],
            answers: [
                Answer(
                    path: "/api/v3/me",
                    body:
                        #"{"data": {"id": "d0e1f2a3-0000-4000-8000-000000000001", "email": "ops@acme.com", "reddit_user_id": "t2_1w72", "reddit_username": "acme_ops"}}"#,
                    auth: bearer("rd-token")
                ),
                Answer(
                    path: "/api/v3/ad_accounts/a2_abc123",
                    body: #"{"data": {"id": "a2_abc123", "name": "Acme", "business_id": "b1c2d3e4-0000-4000-8000-000000000002", "currency": "USD"}}"#,
                    auth: bearer("rd-token")
                ),
            ]
        ),
        Case(
            serviceName: "s3",
            details: ["bucket": "acme-exports", "region": "eu-west-1", "access_key_id": "AKIAIOSFODNN7EXAMPLE", "path_prefix": "census/"],
            secrets: ["secret_access_key": "s3-secret-key"],
            // PutObject answers 200 with an empty body.
            answers: [Answer(method: "PUT", path: "/acme-exports/census/destinations-connection-test", body: "")]
        ),
        Case(
            serviceName: "salesforce",
            details: ["instance_url": "https://acme.my.salesforce.com"],
            secrets: ["access_token": "sf-token"],
            answers: [
                Answer(
                    path: "/services/data/v62.0/limits",
                    body: #"{"DailyApiRequests": {"Max": 15000, "Remaining": 14998}}"#,
                    auth: bearer("sf-token")
                )
            ]
        ),
        Case(
            serviceName: "salesforce_marketing_cloud",
            details: ["auth_base_uri": "https://mc563885gzs27c5t9-63k636ttgm.auth.marketingcloudapis.com", "client_id": "sfmc-client"],
            secrets: ["client_secret": "sfmc-secret"],
            answers: [
                Answer(
                    method: "POST",
                    path: "/v2/token",
                    body:
                        #"{"access_token": "sfmc-token", "token_type": "Bearer", "expires_in": 1079, "scope": "data_extensions_read data_extensions_write", "soap_instance_url": "https://mc563885gzs27c5t9-63k636ttgm.soap.marketingcloudapis.com/", "rest_instance_url": "https://mc563885gzs27c5t9-63k636ttgm.rest.marketingcloudapis.com/"}"#
                ),
                Answer(
                    path: "/v2/userinfo",
                    body:
                        #"{"exp": 1700003600, "iss": "https://mc563885gzs27c5t9-63k636ttgm.auth.marketingcloudapis.com/", "user": {"sub": "7001", "name": "Sync", "email": "ops@acme.com"}, "organization": {"member_id": 514000000, "enterprise_id": 514000000, "enterprise_name": "Acme", "account_type": "ENTERPRISE_2", "stack_key": "S50", "region": "NA1"}}"#,
                    auth: bearer("sfmc-token")
                ),
            ]
        ),
        Case(
            serviceName: "salesloft",
            secrets: ["access_token": "sl-token"],
            answers: [
                Answer(
                    path: "/v2/me",
                    body:
                        #"{"data": {"id": 1, "guid": "0863ed13-7120-479b-8650-206a3679e2fb", "name": "Ops", "email": "ops@acme.com", "team": {"id": 1}}}"#,
                    auth: bearer("sl-token")
                )
            ]
        ),
        Case(
            serviceName: "segment",
            secrets: ["write_key": "seg-key"],
            answers: [Answer(method: "POST", path: "/v1/batch", body: #"{"success": true}"#, auth: basic("seg-key", ""))]
        ),
        Case(
            serviceName: "sendgrid",
            secrets: ["api_key": "SG.key"],
            answers: [
                Answer(path: "/v3/scopes", body: #"{"scopes": ["marketing.read", "marketing.write", "user.profile.read"]}"#, auth: bearer("SG.key"))
            ]
        ),
        Case(
            serviceName: "slack",
            secrets: ["access_token": "xoxb-slack-token"],
            answers: [
                Answer(
                    method: "POST",
                    path: "/auth.test",
                    body:
                        #"{"ok": true, "url": "https://acme.slack.com/", "team": "Acme", "user": "census", "team_id": "T12345678", "user_id": "U12345678", "bot_id": "B12345678"}"#,
                    auth: bearer("xoxb-slack-token")
                )
            ]
        ),
        Case(
            serviceName: "snapchat",
            details: ["ad_account_id": "8adc3db7-8148-4fbf-999c-8d2266369d74"],
            secrets: ["access_token": "snap-token"],
            answers: [
                Answer(
                    path: "/v1/me",
                    body:
                        #"{"me": {"id": "a22b5575-9052-437e-96c1-db781d62d203", "email": "honey.badger@hooli.com", "organization_id": "40d6719b-da09-410b-9185-0cc9c0dfed1d", "display_name": "Honey Badger", "member_status": "MEMBER"}}"#,
                    auth: bearer("snap-token")
                )
            ]
        ),
        Case(
            serviceName: "snowflake",
            details: ["account": "xy12345.us-east-1", "user": "census", "warehouse": "CENSUS_WH", "database": "ANALYTICS"],
            secrets: ["private_key": .string(serviceAccountKey.pemRepresentation)],
            answers: [
                Answer(
                    method: "POST",
                    path: "/api/v2/statements",
                    body:
                        #"{"resultSetMetaData": {"numRows": 1, "format": "jsonv2", "partitionInfo": [{"rowCount": 1, "uncompressedSize": 26}], "rowType": [{"name": "CURRENT_USER()", "type": "text"}, {"name": "CURRENT_ROLE()", "type": "text"}]}, "data": [["CENSUS", "SYSADMIN"]], "code": "090001", "statementStatusUrl": "/api/v2/statements/01b2c3d4-0000-0001-0000-000100020003?requestId=5f1a", "requestId": "5f1a", "sqlState": "00000", "statementHandle": "01b2c3d4-0000-0001-0000-000100020003", "message": "Statement executed successfully.", "createdOn": 1700000000000}"#,
                    auth: ("x-snowflake-authorization-token-type", "KEYPAIR_JWT")
                )
            ]
        ),
        Case(
            serviceName: "tiktok",
            details: ["advertiser_id": "7244443234628403202"],
            secrets: ["access_token": "tt-token"],
            answers: [
                Answer(
                    path: "/open_api/v1.3/advertiser/info/",
                    body:
                        #"{"code": 0, "message": "OK", "request_id": "202611301234560001", "data": {"list": [{"advertiser_id": "7244443234628403202", "name": "Acme Ads", "currency": "USD", "timezone": "Etc/GMT"}]}}"#,
                    auth: ("access-token", "tt-token")
                )
            ]
        ),
        Case(
            serviceName: "vitally",
            details: ["subdomain": "acme"],
            // Vitally's Basic Auth Header value, as Census asks for it: base64 of "vitally-key:".
            secrets: ["rest_api_key": "dml0YWxseS1rZXk6"],
            answers: [
                Answer(
                    path: "/resources/accounts",
                    body:
                        #"{"results": [{"id": "0fba1f2c-0000-4000-8000-000000000001", "externalId": "acct-1", "name": "Acme", "traits": {"vitally.custom.nextSteps": "Call"}, "createdAt": "2020-12-11T20:16:27.370Z"}], "next": "eyJzb3J0VmFsdWUiOiIyMDIwIn0="}"#,
                    auth: ("authorization", "Basic dml0YWxseS1rZXk6")
                )
            ]
        ),
        Case(
            serviceName: "zendesk",
            details: ["domain": "acme"],
            secrets: ["access_token": "zd-token"],
            answers: [
                Answer(path: "/api/v2/users/me.json", body: #"{"user": {"id": 35436, "name": "Ops", "role": "admin"}}"#, auth: bearer("zd-token"))
            ]
        ),
        Case(
            serviceName: "zoho_crm",
            details: ["domain": "eu", "api_domain": "https://www.zohoapis.eu"],
            secrets: ["access_token": "zc-token"],
            answers: [
                Answer(
                    path: "/crm/v8/org",
                    body:
                        #"{"org": [{"id": "2019230000000452658", "company_name": "Acme", "primary_email": "ops@acme.com", "domain_name": "org74822955", "currency": "Euro", "country_code": "DE"}]}"#,
                    auth: ("authorization", "Zoho-oauthtoken zc-token")
                )
            ]
        ),
    ]

    static func run(
        _ serviceName: String,
        _ fake: FakeProvider,
        details: [String: JSONValue],
        secrets: [String: JSONValue]
    ) async throws -> [ConnectionTestStep] {
        let connector = try #require(Catalog.registry[serviceName])
        return try await connector.testConnection(DiscoveryTests.context(fake, details: details, secrets: secrets))
    }

    /// Connectors tested against a server of their own kind (not HTTP), elsewhere.
    static let testedElsewhere = ["postgres"]

    @Test func everyRegisteredConnectorHasACase() {
        let cased = Self.cases.map(\.serviceName) + Self.testedElsewhere
        let registered = Set(Catalog.registry.declarations.map(\.serviceName))
        #expect(registered.subtracting(cased).isEmpty, "no connection-test case for \(registered.subtracting(cased).sorted())")
        #expect(Set(cased).subtracting(registered).isEmpty, "cases for unregistered types: \(Set(cased).subtracting(registered).sorted())")
        #expect(cased.count == Set(cased).count, "more than one case for a type")
    }

    @Test(arguments: cases)
    func passesWithGoodCredentials(_ testCase: Case) async throws {
        try await FakeProvider.run { fake in
            for answer in testCase.answers {
                fake.on(answer.method, answer.path) { _ in .json(answer.body, status: answer.status) }
            }
            let steps = try await Self.run(testCase.serviceName, fake, details: testCase.details, secrets: testCase.secrets)
            #expect(!steps.isEmpty)
            #expect(steps.allSatisfy { $0.status == .passed }, "\(steps)")
            for answer in testCase.answers {
                let calls = fake.calls(answer.method, answer.path)
                #expect(calls.count == 1, "\(answer.method) \(answer.path)")
                if let auth = answer.auth {
                    #expect(calls.first?.header(auth.name) == auth.value, "\(answer.path)")
                }
            }
        }
    }

    /// A bad key, token or secret per way of authenticating: the step says so in the provider's words,
    /// and the steps after it are skipped.
    @Test(arguments: [
        // A bearer token from OAuth.
        (
            "hubspot", "/account-info/v3/details",
            #"{"status": "error", "message": "Authentication credentials not found.", "category": "INVALID_AUTHENTICATION"}"#, 401,
            "Authentication credentials not found"
        ),
        // An API key in a header of its own.
        ("iterable", "/api/lists", #"{"msg": "Invalid API key", "code": "BadApiKey", "params": null}"#, 401, "Invalid API key"),
        // HTTP Basic.
        (
            "mailchimp", "/3.0/",
            #"{"type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": "API Key Invalid", "status": 401, "detail": "Your API key may be invalid, or you've attempted to access the wrong datacenter."}"#,
            401, "Your API key may be invalid"
        ),
        // A client-credentials exchange.
        (
            "marketo", "/identity/oauth/token", #"{"error": "invalid_client", "error_description": "Bad client credentials"}"#, 401,
            "Bad client credentials"
        ),
        // A service account's signed assertion.
        ("google_sheets", "/token", #"{"error": "invalid_grant", "error_description": "Invalid JWT Signature."}"#, 400, "Invalid JWT Signature"),
    ])
    func badCredentialsFailInTheProvidersWords(_ serviceName: String, _ path: String, _ body: String, _ status: Int, _ words: String) async throws {
        let testCase = try #require(Self.cases.first { $0.serviceName == serviceName })
        try await FakeProvider.run { fake in
            for answer in testCase.answers {
                fake.on(answer.method, answer.path) { _ in answer.path == path ? .json(body, status: status) : .json(answer.body) }
            }
            let steps = try await Self.run(serviceName, fake, details: testCase.details, secrets: testCase.secrets)
            let failed = try #require(steps.first { $0.status != .passed })
            #expect(failed.status == .failed)
            #expect(failed.errorMessage?.contains(words) == true, "\(failed)")
            #expect(steps.drop { $0 != failed }.dropFirst().allSatisfy { $0.status == .skipped })
            for secret in testCase.secrets.values.compactMap(\.stringValue) {
                #expect(failed.errorMessage?.contains(secret) == false)
            }
        }
    }

    @Test func aKeyWithoutTheScopeItNeedsIsNamed() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/v3/scopes") { _ in .json(#"{"scopes": ["mail.send", "user.profile.read"]}"#) }
            let steps = try await Self.run("sendgrid", fake, details: [:], secrets: ["api_key": "SG.key"])
            #expect(steps.map(\.status) == [.passed, .failed])
            #expect(steps.last?.errorMessage?.contains("Marketing") == true)
        }
    }

    @Test func amplitudeQuotesTheRefusalWithoutTheKey() async throws {
        try await FakeProvider.run { fake in
            fake.on("POST", "/2/httpapi") { _ in .json(#"{"code": 400, "error": "Invalid API key: amp-canary-key"}"#, status: 400) }
            let steps = try await Self.run("amplitude", fake, details: [:], secrets: ["api_key": "amp-canary-key"])
            let message = try #require(steps.first?.errorMessage)
            #expect(message.contains("Invalid API key"))
            #expect(!message.contains("amp-canary-key"))
        }
    }

    @Test func marketoErrorsInsideA200AreFailures() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/identity/oauth/token") { _ in .json(#"{"access_token": "mk-token", "token_type": "bearer", "expires_in": 3599}"#) }
            fake.on("GET", "/rest/v1/leads/describe.json") { _ in
                .json(#"{"requestId": "1", "success": false, "errors": [{"code": "603", "message": "Access denied"}]}"#)
            }
            let steps = try await Self.run(
                "marketo",
                fake,
                details: ["endpoint_url": "https://x.mktorest.com", "client_id": "c"],
                secrets: ["client_secret": "s"]
            )
            #expect(steps.map(\.status) == [.passed, .failed])
            #expect(steps.last?.errorMessage?.contains("603 Access denied") == true)
        }
    }

    /// Reasons that are not the provider's: nobody listening, and TLS with a server that does not speak it.
    @Test func unreachableHostsAndTLSFailuresAreSaidPlainly() async throws {
        let http = HTTPRequest()
        // A port bound and held but never listened on: refused, and no other test's server can take it.
        let (held, port) = try boundLoopbackSocket()
        defer { close(held) }
        let unreachable = try await http.testConnection(
            ConnectorContext(
                details: ["base_url": .string("http://127.0.0.1:\(port)")],
                secrets: [:],
                http: try await AsyncHTTPProviderClient.shared()
            )
        )
        #expect(unreachable.first?.status == .failed)
        #expect(unreachable.first?.errorMessage?.hasPrefix("Cannot reach 127.0.0.1") == true, "\(unreachable)")
        try await FakeProvider.run { fake in
            let plainHTTPAsTLS = "https://127.0.0.1:\(fake.baseURL.port!)"
            let steps = try await http.testConnection(
                ConnectorContext(details: ["base_url": .string(plainHTTPAsTLS)], secrets: [:], http: try await AsyncHTTPProviderClient.shared())
            )
            #expect(steps.first?.status == .failed)
            #expect(steps.first?.errorMessage?.contains("TLS") == true, "\(steps)")
        }
    }
}
