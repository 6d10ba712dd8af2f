import DestinationsCore
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import DestinationsConnectors

/// The objects and fields of the connectors that ask their service, against fakes in each provider's
/// documented shape, paged the way the provider pages.
@Suite("Catalogue discovery")
struct CatalogDiscoveryTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let serviceName: String
        var details: [String: JSONValue] = [:]
        let secrets: [String: JSONValue]
        let routes: @Sendable (FakeProvider) -> Void
        /// The objects discovered beyond the connector's static ones.
        let discovered: [String]
        /// An object whose fields are asked, and the field names expected.
        var fieldsOf: String?
        var fields: [String] = []

        var testDescription: String { serviceName }
    }

    /// Answers `path` page by page: `pages[i]` for the i-th call, built with the fake's own URL.
    static func paged(_ fake: FakeProvider, _ path: String, _ pages: [@Sendable (URL) -> String]) {
        let counter = CallCounter()
        fake.on("GET", path) { [baseURL = fake.baseURL] _ in
            let index = counter.next()
            return .json(index < pages.count ? pages[index](baseURL) : "{}")
        }
    }

    static let cases: [Case] = [
        Case(
            serviceName: "iterable",
            secrets: ["api_key": "it"],
            routes: { fake in
                paged(
                    fake,
                    "/api/catalogs",
                    [
                        { base in
                            #"{"code": "Success", "params": {"catalogNames": [{"name": "Restaurants"}], "totalCatalogsCount": 2, "nextPageUrl": "\#(base)/api/catalogs?page=2&pageSize=100"}}"#
                        },
                        { _ in
                            #"{"code": "Success", "params": {"catalogNames": [{"name": "Products"}], "totalCatalogsCount": 2, "nextPageUrl": null}}"#
                        },
                    ]
                )
                fake.on("GET", "/api/users/getFields") { _ in .json(#"{"fields": {"email": "string", "userId": "string", "signupDate": "date"}}"#) }
            },
            discovered: ["catalog:Restaurants", "catalog:Products"],
            fieldsOf: "user",
            fields: ["email", "signupDate", "userId"]
        ),
        Case(
            serviceName: "customer_io",
            details: ["site_id": "s"],
            secrets: ["track_api_key": "t", "app_api_key": "a"],
            routes: { fake in
                fake.on("GET", "/v1/object_types") { _ in
                    .json(
                        #"{"types": [{"id": "1", "name": "Companies", "singular_name": "Company", "enabled": true}, {"id": "2", "name": "Accounts", "enabled": true}]}"#
                    )
                }
            },
            discovered: ["object:1", "object:2"]
        ),
        Case(
            serviceName: "klaviyo",
            secrets: ["private_api_key": "pk"],
            routes: { fake in
                paged(
                    fake,
                    "/api/lists",
                    [
                        { base in
                            #"{"data": [{"type": "list", "id": "Y6nRLr", "attributes": {"name": "Newsletter"}}], "links": {"self": "x", "next": "\#(base)/api/lists?page%5Bcursor%5D=abc", "prev": null}}"#
                        },
                        { _ in
                            #"{"data": [{"type": "list", "id": "Qq2xYz", "attributes": {"name": "VIP"}}], "links": {"self": "x", "next": null, "prev": null}}"#
                        },
                    ]
                )
            },
            discovered: ["list:Y6nRLr", "list:Qq2xYz"]
        ),
        Case(
            serviceName: "marketo",
            details: ["endpoint_url": "https://x.mktorest.com", "client_id": "c"],
            secrets: ["client_secret": "s"],
            routes: { fake in
                fake.on("GET", "/identity/oauth/token") { _ in .json(#"{"access_token": "mk", "token_type": "bearer", "expires_in": 3599}"#) }
                fake.on("GET", "/rest/v1/customobjects.json") { _ in
                    .json(
                        #"{"requestId": "1", "success": true, "result": [{"name": "car_c", "displayName": "Car", "idField": "marketoGUID", "dedupeFields": ["vin"]}]}"#
                    )
                }
                fake.on("GET", "/rest/v1/leads/describe.json") { _ in
                    .json(
                        #"{"requestId": "2", "success": true, "result": [{"id": 2, "displayName": "Email Address", "dataType": "email", "rest": {"name": "email", "readOnly": false}}, {"id": 3, "displayName": "Updated", "dataType": "datetime", "rest": {"name": "updatedAt", "readOnly": true}}, {"id": 4, "displayName": "SOAP only", "dataType": "string", "soap": {"name": "X"}}]}"#
                    )
                }
            },
            discovered: ["custom:car_c"],
            fieldsOf: "lead",
            fields: ["email", "updatedAt"]
        ),
        Case(
            serviceName: "mailchimp",
            secrets: ["api_key": "k-us6"],
            routes: { fake in
                fake.on("GET", "/3.0/lists") { call in
                    call.query["offset"] == "0"
                        ? .json(#"{"lists": [{"id": "a1", "web_id": 1, "name": "Newsletter"}], "total_items": 2}"#)
                        : .json(#"{"lists": [{"id": "b2", "web_id": 2, "name": "Customers"}], "total_items": 2}"#)
                }
                fake.on("GET", "/3.0/lists/a1/merge-fields") { _ in
                    .json(
                        #"{"merge_fields": [{"merge_id": 1, "tag": "FNAME", "name": "First Name", "type": "text", "required": false, "list_id": "a1"}], "list_id": "a1", "total_items": 1}"#
                    )
                }
            },
            discovered: ["audience:a1", "audience:b2"],
            fieldsOf: "audience:a1",
            fields: ["email_address", "FNAME"]
        ),
        Case(
            serviceName: "mixpanel",
            details: ["project_id": "3141", "project_token": "t", "service_account_username": "u"],
            secrets: ["service_account_secret": "s"],
            routes: { fake in
                fake.on("GET", "/lookup-tables") { _ in .json(#"{"code": 200, "status": "ok", "results": [{"id": "lt-1", "name": "Plans"}]}"#) }
            },
            discovered: ["lookup_table:lt-1"]
        ),
        Case(
            serviceName: "sendgrid",
            secrets: ["api_key": "SG.k"],
            routes: { fake in
                paged(
                    fake,
                    "/v3/marketing/lists",
                    [
                        { base in
                            #"{"result": [{"id": "ca7a", "name": "Newsletter", "contact_count": 3}], "_metadata": {"self": "x", "next": "\#(base)/v3/marketing/lists?page_size=1000&page_token=abc", "count": 2}}"#
                        },
                        { _ in #"{"result": [{"id": "db8b", "name": "Trial", "contact_count": 1}], "_metadata": {"self": "y", "count": 2}}"# },
                    ]
                )
                fake.on("GET", "/v3/marketing/field_definitions") { _ in
                    .json(
                        #"{"custom_fields": [{"id": "e1_T", "name": "plan", "field_type": "Text"}], "reserved_fields": [{"id": "_rf0_T", "name": "first_name", "field_type": "Text"}, {"id": "_rf2_T", "name": "email", "field_type": "Text"}, {"id": "_rf19_D", "name": "created_at", "field_type": "Date", "read_only": true}]}"#
                    )
                }
            },
            discovered: ["list:ca7a", "list:db8b"],
            fieldsOf: "contact",
            fields: ["first_name", "email", "created_at", "e1_T"]
        ),
        Case(
            serviceName: "pipedrive",
            details: ["company_domain": "acme"],
            secrets: ["api_token": "pd"],
            routes: { fake in
                fake.on("GET", "/api/v2/personFields") { call in
                    call.query["cursor"] == nil
                        ? .json(
                            #"{"success": true, "data": [{"field_code": "name", "field_name": "Name", "field_type": "varchar", "is_custom_field": false}], "additional_data": {"next_cursor": "c2"}}"#
                        )
                        : .json(
                            #"{"success": true, "data": [{"field_code": "dcf558aac1ae4e8c4f849ba5e668430d8df9be12", "field_name": "Tier", "field_type": "enum", "is_custom_field": true}], "additional_data": {"next_cursor": null}}"#
                        )
                }
            },
            discovered: [],
            fieldsOf: "person",
            fields: ["name", "dcf558aac1ae4e8c4f849ba5e668430d8df9be12"]
        ),
        Case(
            serviceName: "facebook_ads",
            details: ["ad_account_id": "123"],
            secrets: ["access_token": "meta"],
            routes: { fake in
                paged(
                    fake,
                    "/v25.0/act_123/customaudiences",
                    [
                        { base in
                            #"{"data": [{"id": "238", "name": "Buyers", "subtype": "CUSTOM"}, {"id": "239", "name": "Lookalike", "subtype": "LOOKALIKE"}], "paging": {"cursors": {"before": "a", "after": "b"}, "next": "\#(base)/v25.0/act_123/customaudiences?after=b"}}"#
                        },
                        { _ in
                            #"{"data": [{"id": "240", "name": "Churned", "subtype": "CUSTOM"}], "paging": {"cursors": {"before": "b", "after": "c"}}}"#
                        },
                    ]
                )
            },
            discovered: ["audience:238", "audience:240"]
        ),
        Case(
            serviceName: "hubspot",
            secrets: ["access_token": "hs"],
            routes: { fake in
                fake.hubspotSchemas([])
                fake.on("GET", "/crm/v3/properties/contacts") { _ in
                    .json(
                        #"{"results": [{"name": "email", "label": "Email", "type": "string", "fieldType": "text", "hasUniqueValue": false, "hidden": false, "calculated": false, "modificationMetadata": {"archivable": true, "readOnlyDefinition": true, "readOnlyValue": false}}, {"name": "hs_object_id", "label": "Record ID", "type": "number", "hidden": false, "modificationMetadata": {"readOnlyValue": true}}, {"name": "hs_internal", "label": "Internal", "type": "string", "hidden": true}]}"#
                    )
                }
            },
            discovered: [],
            fieldsOf: "contact",
            fields: ["email", "hs_object_id"]
        ),
        Case(
            serviceName: "salesforce",
            details: ["instance_url": "https://acme.my.salesforce.com"],
            secrets: ["access_token": "sf"],
            routes: { fake in
                // Salesforce lists every sObject, the standard ones included.
                fake.salesforceSObjects(
                    ["Account", "Contact", "Lead", "Opportunity", "Campaign", "CampaignMember", "Invoice__c"].map { ($0, $0, true, true) }
                        + [("AuditTrail", "Audit Trail", false, false)]
                )
                fake.on("GET", "/services/data/v62.0/sobjects/Account/describe/") { _ in
                    .json(
                        #"{"name": "Account", "fields": [{"name": "Id", "label": "Account ID", "type": "id", "createable": false, "updateable": false, "nillable": false, "defaultedOnCreate": true, "externalId": false, "idLookup": true}, {"name": "Name", "label": "Account Name", "type": "string", "createable": true, "updateable": true, "nillable": false, "defaultedOnCreate": false, "externalId": false, "idLookup": true}, {"name": "Ext__c", "label": "External", "type": "string", "createable": true, "updateable": true, "nillable": true, "defaultedOnCreate": false, "externalId": true, "idLookup": true}]}"#
                    )
                }
            },
            discovered: ["Invoice__c"],
            fieldsOf: "Account",
            fields: ["Id", "Name", "Ext__c"]
        ),
        Case(
            serviceName: "zendesk",
            details: ["domain": "acme"],
            secrets: ["access_token": "zd"],
            routes: { fake in
                fake.zendeskCustomObjects([])
                paged(
                    fake,
                    "/api/v2/ticket_fields",
                    [
                        { base in
                            #"{"ticket_fields": [{"id": 34, "type": "subject", "title": "Subject", "active": true, "required": true}], "next_page": "\#(base)/api/v2/ticket_fields?page=2"}"#
                        },
                        { _ in
                            #"{"ticket_fields": [{"id": 35, "type": "tagger", "title": "Plan", "active": true, "required": false}, {"id": 36, "type": "text", "title": "Old", "active": false}], "next_page": null}"#
                        },
                    ]
                )
            },
            discovered: [],
            fieldsOf: "ticket",
            fields: ["custom_fields.34", "custom_fields.35"]
        ),
        Case(
            serviceName: "active_campaign",
            details: ["instance_url": "https://acme.api-us1.com"],
            secrets: ["api_token": "ac"],
            routes: { fake in
                fake.activeCampaignSchemas([])
                fake.on("GET", "/api/3/fields") { _ in
                    .json(
                        #"{"fields": [{"id": "1", "title": "Plan", "type": "dropdown", "isrequired": "1", "perstag": "PLAN"}], "meta": {"total": "1"}}"#
                    )
                }
            },
            discovered: [],
            fieldsOf: "contact",
            fields: ["email", "firstName", "lastName", "phone", "1"]
        ),
        Case(
            serviceName: "braze",
            details: ["instance_url": "https://rest.iad-03.braze.com"],
            secrets: ["api_key": "bz"],
            routes: { fake in
                fake.brazeCatalogs([])
                fake.on("GET", "/custom_attributes") { [base = fake.baseURL] call in
                    call.query["cursor"] == nil
                        ? .json(
                            #"{"message": "success", "attributes": [{"name": "plan", "data_type": "String", "status": "Active"}, {"name": "old", "data_type": "String", "status": "Blocklisted"}]}"#,
                            headers: ["Link": #"<\#(base)/custom_attributes?cursor=c2>; rel="next""#]
                        )
                        : .json(#"{"message": "success", "attributes": [{"name": "ltv", "data_type": "Number", "status": "Active"}]}"#)
                }
            },
            discovered: [],
            fieldsOf: "user",
            fields: Braze.userAttributes.map(\.fullName) + ["plan", "ltv"]
        ),
    ]

    @Test(arguments: cases)
    func discoversObjectsAndFields(_ testCase: Case) async throws {
        let connector = try #require(Catalog.registry[testCase.serviceName])
        try await FakeProvider.run { fake in
            testCase.routes(fake)
            let context = try await DiscoveryTests.context(fake, details: testCase.details, secrets: testCase.secrets)
            let objects = try await connector.discoverObjects(context)
            #expect(objects.map(\.fullName) == connector.declaration.objects.map(\.fullName) + testCase.discovered)
            if let object = testCase.fieldsOf {
                let fields = try await connector.discoverFields(of: object, context)
                #expect(fields.map(\.fullName) == testCase.fields)
            }
        }
    }

    @Test func fieldFlagsFollowTheProvidersMetadata() async throws {
        try await FakeProvider.run { fake in
            for testCase in Self.cases where ["salesforce", "hubspot", "sendgrid"].contains(testCase.serviceName) { testCase.routes(fake) }
            let salesforce = try await Salesforce().discoverFields(
                of: "Account",
                DiscoveryTests.context(fake, details: ["instance_url": "https://acme.my.salesforce.com"], secrets: ["access_token": "sf"])
            )
            // Id: system-set; Name: required on create; Ext__c: an upsert key.
            #expect(salesforce.map(\.createable) == [false, true, true])
            #expect(salesforce.map(\.required) == [false, true, false])
            #expect(salesforce.map(\.identifier) == [true, true, true])
            let hubspot = try await HubSpot().discoverFields(of: "contact", DiscoveryTests.context(fake, secrets: ["access_token": "hs"]))
            #expect(hubspot.map(\.identifier) == [true, true])
            #expect(hubspot.map(\.updateable) == [true, false])
            let sendgrid = try await SendGrid().discoverFields(of: "contact", DiscoveryTests.context(fake, secrets: ["api_key": "SG.k"]))
            #expect(sendgrid.first { $0.fullName == "created_at" }?.createable == false)
            #expect(sendgrid.first { $0.fullName == "email" }?.identifier == true)
        }
    }

    @Test func sheetsFieldsAreTheHeaderRow() async throws {
        try await FakeProvider.run { fake in
            fake.googleSheets(spreadsheet: "sheet-1", tabs: ["Leads"])
            fake.on("GET", "/v4/spreadsheets/sheet-1/values/*") { _ in
                .json(#"{"range": "Leads!A1:Z1", "majorDimension": "ROWS", "values": [["email", "name", "", "plan"]]}"#)
            }
            let context = try await DiscoveryTests.context(
                fake,
                details: ["service_account_email": "sync@project.iam.gserviceaccount.com", "spreadsheet_id": "sheet-1"],
                secrets: ["private_key": .string(ConnectionTestTests.serviceAccountKey.pemRepresentation)]
            )
            let fields = try await GoogleSheets().discoverFields(of: "Leads", context)
            #expect(fields.map(\.fullName) == ["email", "name", "plan"])
            let call = try #require(fake.calls().last)
            #expect(call.path.removingPercentEncoding == "/v4/spreadsheets/sheet-1/values/'Leads'!1:1")
        }
    }
}
