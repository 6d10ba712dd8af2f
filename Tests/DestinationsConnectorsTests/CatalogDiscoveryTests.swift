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
        Case(
            serviceName: "attio",
            secrets: ["api_token": "at"],
            routes: { fake in
                fake.on("GET", "/v2/objects") { _ in
                    .json(
                        #"{"data": [{"id": {"workspace_id": "14beef7a-99f7-4534-a87e-70b564330a4c", "object_id": "97052eb9-e65e-443f-a297-f2d9a4a7f795"}, "api_slug": "people", "singular_noun": "Person", "plural_noun": "People", "created_at": "2022-11-21T13:22:49.061281000Z"}, {"id": {"workspace_id": "14beef7a-99f7-4534-a87e-70b564330a4c", "object_id": "0c7b3fb7-1f4e-4b5e-9bf1-8d0f3a0b1c01"}, "api_slug": "companies", "singular_noun": "Company", "plural_noun": "Companies", "created_at": "2022-11-21T13:22:49.061281000Z"}, {"id": {"workspace_id": "14beef7a-99f7-4534-a87e-70b564330a4c", "object_id": "5a1e0c1d-2b3c-4d5e-8f90-a1b2c3d4e5f6"}, "api_slug": "deals", "singular_noun": "Deal", "plural_noun": "Deals", "created_at": "2023-01-02T10:00:00.000000000Z"}, {"id": {"workspace_id": "14beef7a-99f7-4534-a87e-70b564330a4c", "object_id": "6b2f1d2e-3c4d-4e5f-9a01-b2c3d4e5f6a7"}, "api_slug": "projects", "singular_noun": "Project", "plural_noun": "Projects", "created_at": "2024-03-04T10:00:00.000000000Z"}]}"#
                    )
                }
                // Two pages: a full page of 100, then the rest.
                fake.on("GET", "/v2/objects/people/attributes") { call in
                    call.query["offset"] == "0"
                        ? .json(AttioFreshsalesFrontQuirkTests.attioAttributes((1...100).map { "custom_\($0)" }))
                        : .json(AttioFreshsalesFrontQuirkTests.attioAttributes(["email_addresses"]))
                }
            },
            discovered: ["deals", "projects"],
            fieldsOf: "people",
            fields: (1...100).map { "custom_\($0)" } + ["email_addresses"]
        ),
        Case(
            serviceName: "brevo",
            secrets: ["api_key": "xkeysib-b"],
            routes: { fake in
                fake.on("GET", "/v3/contacts/lists") { call in
                    call.query["offset"] == "0"
                        ? .json(
                            #"{"lists": [{"id": 2, "name": "Newsletter", "totalBlacklisted": 0, "totalSubscribers": 0, "uniqueSubscribers": 120, "folderId": 1}], "count": 2}"#
                        )
                        : .json(
                            #"{"lists": [{"id": 7, "name": "Trial users", "totalBlacklisted": 0, "totalSubscribers": 0, "uniqueSubscribers": 30, "folderId": 1}], "count": 2}"#
                        )
                }
                fake.on("GET", "/v3/contacts/attributes") { _ in
                    .json(
                        #"{"attributes": [{"name": "FIRSTNAME", "category": "normal", "type": "text"}, {"name": "PLAN", "category": "category", "type": "category", "enumeration": [{"value": 1, "label": "Free"}, {"value": 2, "label": "Pro"}]}, {"name": "ORDER_ID", "category": "transactional", "type": "id"}, {"name": "DOUBLE_LTV", "category": "calculated", "type": "float", "calculatedValue": "LTV*2"}]}"#
                    )
                }
            },
            discovered: ["list:2", "list:7"],
            fieldsOf: "contact",
            fields: ["email", "ext_id", "FIRSTNAME", "PLAN"]
        ),
        Case(
            serviceName: "freshsales",
            details: ["domain": "acme.myfreshworks.com/crm/sales"],
            secrets: ["api_key": "fs"],
            routes: { fake in
                fake.on("GET", "/api/settings/contacts/fields") { _ in
                    .json(
                        #"{"fields": [{"id": "1", "name": "first_name", "label": "First name", "type": "text", "required": false}, {"id": "2", "name": "email", "label": "Email", "type": "email", "required": true}, {"id": "3", "name": "cf_plan", "label": "Plan", "type": "dropdown", "required": false}]}"#
                    )
                }
            },
            discovered: [],
            fieldsOf: "contact",
            fields: ["first_name", "email", "cf_plan"]
        ),
        Case(
            serviceName: "freshdesk",
            details: ["domain": "acme"],
            secrets: ["api_key": "fd"],
            routes: { fake in
                fake.on("GET", "/api/v2/contact_fields") { _ in
                    .json(
                        #"[{"id": 1, "name": "name", "label": "Full name", "position": 1, "required_for_agents": true, "unique": false, "type": "default_name", "default": true}, {"id": 3, "name": "email", "label": "Email", "position": 3, "required_for_agents": false, "unique": false, "type": "default_email", "default": true}, {"id": 17, "name": "plan", "label": "Plan", "position": 17, "required_for_agents": false, "unique": false, "type": "custom_dropdown", "default": false, "choices": ["Free", "Pro"]}]"#
                    )
                }
            },
            discovered: [],
            fieldsOf: "contact",
            fields: ["name", "email", "custom_fields.plan"]
        ),
        Case(
            serviceName: "front",
            secrets: ["access_token": "fr"],
            routes: { fake in
                fake.on("GET", "/contacts/custom_fields") { _ in
                    .json(
                        #"{"_links": {"self": "https://yourCompany.api.frontapp.com/contacts/custom_fields"}, "_results": [{"_links": {"self": "https://yourCompany.api.frontapp.com/custom_fields/fld_co0e"}, "id": "fld_co0e", "name": "Customer plan", "description": "The billing plan of the customer", "type": "enum", "values": [{"value": "Enterprise", "label": "Enterprise"}]}]}"#
                    )
                }
            },
            discovered: [],
            fieldsOf: "contact",
            fields: Front.contactAttributes.map(\.fullName) + ["custom_fields.Customer plan"]
        ),
        Case(
            serviceName: "kustomer",
            details: ["org": "acme"],
            secrets: ["api_key": "kus"],
            routes: { fake in
                // Kustomer pages with JSON:API `links.next`, a path on the same host.
                fake.on("GET", "/v1/klasses") { call in
                    call.query["page"] == "2"
                        ? .json(
                            ##"{"data": [{"type": "klass", "id": "5b2c0a7e0000000000000002", "attributes": {"name": "acme-subscription", "displayName": "Subscription", "icon": "star", "color": "#5B6CF9"}}], "links": {"self": "/v1/klasses?page=2&pageSize=100", "first": "/v1/klasses?page=1&pageSize=100", "prev": "/v1/klasses?page=1&pageSize=100", "next": null}}"##
                        )
                        : .json(
                            ##"{"data": [{"type": "klass", "id": "5b2c0a7e0000000000000001", "attributes": {"name": "acme-order", "displayName": "Order", "icon": "cart", "color": "#5B6CF9"}}], "links": {"self": "/v1/klasses?page=1&pageSize=100", "first": "/v1/klasses?page=1&pageSize=100", "prev": null, "next": "/v1/klasses?page=2&pageSize=100"}}"##
                        )
                }
                fake.on("GET", "/v1/metadata/customer") { _ in
                    .json(
                        #"{"data": {"type": "metadata", "id": "customer", "attributes": {"properties": {"tierStr": {"displayName": "Tier", "type": "string", "enumeration": ["gold", "silver"]}, "lifetimeValueNum": {"displayName": "Lifetime Value", "type": "number"}}}}}"#
                    )
                }
            },
            discovered: ["kobject.acme-order", "kobject.acme-subscription"],
            fieldsOf: "customer",
            fields: ["externalId", "email", "name", "custom.lifetimeValueNum", "custom.tierStr"]
        ),
        Case(
            serviceName: "planhat",
            secrets: ["api_key": "ph"],
            routes: { fake in
                // One list for every model, paged by limit/offset: a full first page, then a short one.
                fake.on("GET", "/customfields") { call in
                    call.query["offset"] == "0"
                        ? .json(KustomerOneSignalMoEngageQuirkTests.planhatCustomFields(first: ("Industry", "company"), fillers: 499))
                        : .json(
                            #"[{"_id": "60228bae4a93f65f056d2412", "name": "Tier", "type": "list", "parent": "company", "isMandatory": true, "listValues": ["Gold", "Silver"]}, {"_id": "60228bae4a93f65f056d2413", "name": "Seats", "type": "number", "parent": "license"}]"#
                        )
                }
            },
            discovered: [],
            fieldsOf: "company",
            fields: ["sourceId", "externalId", "name", "custom.Industry", "custom.Tier"]
        ),
        Case(
            serviceName: "vitally",
            details: ["subdomain": "acme"],
            secrets: ["rest_api_key": "dml0YWxseS1rZXk6"],
            routes: { fake in
                // Custom traits come in one alphabetical list per model, unpaged.
                fake.on("GET", "/resources/customFields") { call in
                    call.query["model"] == "accounts"
                        ? .json(
                            #"[{"id": "b7d1c1a2-0000-4000-8000-000000000001", "label": "Next step", "type": "textarea", "createdAt": "2020-12-11T20:16:27.370Z", "path": "vitally.custom.nextSteps"}, {"id": "b7d1c1a2-0000-4000-8000-000000000002", "label": "Plan", "type": "string", "createdAt": "2021-01-04T09:00:00.000Z", "path": "vitally.custom.plan", "options": [{"label": "Pro", "value": "pro"}]}]"#
                        )
                        : .json("[]", status: 400)
                }
            },
            discovered: [],
            fieldsOf: "account",
            fields: ["accountId", "vitally.custom.nextSteps", "vitally.custom.plan"]
        ),
        Case(
            serviceName: "slack",
            secrets: ["access_token": "xoxb"],
            routes: { fake in
                paged(
                    fake,
                    "/conversations.list",
                    [
                        { _ in
                            #"{"ok": true, "channels": [{"id": "C012AB3CD", "name": "general", "is_channel": true}], "response_metadata": {"next_cursor": "dGVhbTpDMDYxRkE1UEI="}}"#
                        },
                        { _ in
                            #"{"ok": true, "channels": [{"id": "G0AKFJBEU", "name": "deals", "is_private": true}], "response_metadata": {"next_cursor": ""}}"#
                        },
                    ]
                )
            },
            discovered: ["channel:C012AB3CD", "channel:G0AKFJBEU"]
        ),
        Case(
            serviceName: "notion",
            secrets: ["access_token": "ntn"],
            routes: { fake in
                fake.on("POST", "/v1/search") { call in
                    String(decoding: call.body, as: UTF8.self).contains("start_cursor")
                        ? .json(
                            #"{"object": "list", "results": [{"object": "data_source", "id": "ds-2", "title": [{"type": "text", "plain_text": "Tasks"}], "properties": {}}], "next_cursor": null, "has_more": false, "type": "page_or_data_source", "page_or_data_source": {}}"#
                        )
                        : .json(
                            #"{"object": "list", "results": [{"object": "data_source", "id": "ds-1", "title": [{"type": "text", "plain_text": "Leads"}], "properties": {}}], "next_cursor": "c2", "has_more": true, "type": "page_or_data_source", "page_or_data_source": {}}"#
                        )
                }
                fake.on("GET", "/v1/data_sources/ds-1") { _ in
                    .json(
                        #"{"object": "data_source", "id": "ds-1", "title": [{"plain_text": "Leads"}], "properties": {"Name": {"id": "title", "name": "Name", "type": "title", "title": {}}, "Email": {"id": "a%3Fb", "name": "Email", "type": "email", "email": {}}, "Created": {"id": "c1", "name": "Created", "type": "created_time", "created_time": {}}}, "parent": {"type": "database_id", "database_id": "db-1"}}"#
                    )
                }
            },
            discovered: ["ds-1", "ds-2"],
            fieldsOf: "ds-1",
            fields: ["Created", "Email", "Name"]
        ),
        Case(
            serviceName: "jira",
            details: ["cloud_id": "cloud-1"],
            secrets: ["access_token": "jira"],
            routes: { fake in
                fake.on("GET", "/ex/jira/cloud-1/rest/api/3/project/search") { call in
                    call.query["startAt"] == "0"
                        ? .json(
                            #"{"startAt": 0, "maxResults": 1, "total": 2, "isLast": false, "values": [{"id": "10000", "key": "ENG", "name": "Engineering", "issueTypes": [{"id": "10001", "name": "Bug", "subtask": false}, {"id": "10002", "name": "Task", "subtask": false}]}]}"#
                        )
                        : .json(
                            #"{"startAt": 1, "maxResults": 1, "total": 2, "isLast": true, "values": [{"id": "10010", "key": "OPS", "name": "Operations", "issueTypes": [{"id": "10002", "name": "Task", "subtask": false}]}]}"#
                        )
                }
                fake.on("GET", "/ex/jira/cloud-1/rest/api/3/issue/createmeta/ENG/issuetypes/10001") { call in
                    call.query["startAt"] == "0"
                        ? .json(
                            #"{"startAt": 0, "maxResults": 1, "total": 2, "fields": [{"fieldId": "summary", "key": "summary", "name": "Summary", "required": true, "operations": ["set"], "schema": {"type": "string", "system": "summary"}}]}"#
                        )
                        : .json(
                            #"{"startAt": 1, "maxResults": 1, "total": 2, "fields": [{"fieldId": "customfield_10020", "key": "customfield_10020", "name": "Sprint", "required": false, "operations": ["set"], "schema": {"type": "array", "custom": "com.pyxis.greenhopper.jira:gh-sprint"}}]}"#
                        )
                }
            },
            discovered: ["ENG/10001", "ENG/10002", "OPS/10002"],
            fieldsOf: "ENG/10001",
            fields: ["summary", "customfield_10020"]
        ),
        Case(
            serviceName: "microsoft_dynamics",
            details: ["domain": "acme.crm.dynamics.com"],
            secrets: ["access_token": "dyn"],
            routes: { fake in
                fake.on("GET", "/api/data/v9.2/EntityDefinitions") { _ in
                    .json(
                        #"{"@odata.context": "x", "value": [{"LogicalName": "account", "DisplayName": {"UserLocalizedLabel": {"Label": "Account", "LanguageCode": 1033}}, "MetadataId": "70816501-edb9-4740-a16c-6a5efbc05d84"}, {"LogicalName": "new_invoice", "DisplayName": {"UserLocalizedLabel": {"Label": "Invoice", "LanguageCode": 1033}}, "MetadataId": "a1"}, {"LogicalName": "new_unlabelled", "DisplayName": {"UserLocalizedLabel": null}, "MetadataId": "a2"}]}"#
                    )
                }
                // The attributes of one table: EntityDefinitions(LogicalName='account')/Attributes.
                fake.on("GET", "/api/data/v9.2/EntityDefinitions*") { _ in
                    .json(
                        #"{"@odata.context": "x", "value": [{"LogicalName": "accountid", "AttributeType": "Uniqueidentifier", "DisplayName": {"UserLocalizedLabel": {"Label": "Account"}}, "IsValidForCreate": true, "IsValidForUpdate": false, "IsPrimaryId": true, "RequiredLevel": {"Value": "SystemRequired", "CanBeChanged": false}}, {"LogicalName": "name", "AttributeType": "String", "DisplayName": {"UserLocalizedLabel": {"Label": "Account Name"}}, "IsValidForCreate": true, "IsValidForUpdate": true, "IsPrimaryId": false, "RequiredLevel": {"Value": "ApplicationRequired", "CanBeChanged": true}}]}"#
                    )
                }
            },
            discovered: ["new_invoice", "new_unlabelled"],
            fieldsOf: "account",
            fields: ["accountid", "name"]
        ),
        Case(
            serviceName: "salesloft",
            secrets: ["access_token": "sl"],
            routes: { fake in
                // A full first page of 100, then a short last one.
                let full = (1...100).map { #"{"id": \#($0), "name": "Field \#($0)", "field_type": "person", "value_type": "text"}"# }
                fake.on("GET", "/v2/custom_fields") { call in
                    call.query["page"] == "1"
                        ? .json(#"{"metadata": {"paging": {"per_page": 100, "current_page": 1}}, "data": [\#(full.joined(separator: ","))]}"#)
                        : .json(
                            #"{"metadata": {"paging": {"per_page": 100, "current_page": 2}}, "data": [{"id": 101, "name": "Tier", "field_type": "person", "value_type": "picklist"}]}"#
                        )
                }
            },
            discovered: [],
            fieldsOf: "person",
            fields: Salesloft.personAttributes.map(\.fullName) + (1...100).map { "custom_fields.Field \($0)" } + ["custom_fields.Tier"]
        ),
        Case(
            serviceName: "tiktok",
            details: ["advertiser_id": "7244443234628403202"],
            secrets: ["access_token": "tt"],
            routes: { fake in
                // TikTok numbers its pages and says how many there are.
                paged(
                    fake,
                    "/open_api/v1.3/dmp/custom_audience/list/",
                    [
                        { _ in
                            #"{"code": 0, "message": "OK", "request_id": "1", "data": {"list": [{"audience_id": "6001", "name": "Buyers", "audience_type": "Customer File", "is_valid": true}], "page_info": {"page": 1, "page_size": 1, "total_number": 2, "total_page": 2}}}"#
                        },
                        { _ in
                            #"{"code": 0, "message": "OK", "request_id": "2", "data": {"list": [{"audience_id": "6002", "name": "Churned", "audience_type": "Customer File", "is_valid": true}], "page_info": {"page": 2, "page_size": 1, "total_number": 2, "total_page": 2}}}"#
                        },
                    ]
                )
            },
            discovered: ["audience:6001", "audience:6002"]
        ),
        Case(
            serviceName: "snapchat",
            details: ["ad_account_id": "acct-1"],
            secrets: ["access_token": "snap"],
            routes: { fake in
                paged(
                    fake,
                    "/v1/adaccounts/acct-1/segments",
                    [
                        { base in
                            #"{"request_status": "SUCCESS", "request_id": "1", "segments": [{"sub_request_status": "SUCCESS", "segment": {"id": "5677923948298240", "name": "Newsletter", "ad_account_id": "acct-1", "source_type": "FIRST_PARTY", "status": "ACTIVE"}}, {"sub_request_status": "SUCCESS", "segment": {"id": "5677923948298241", "name": "Site visitors", "ad_account_id": "acct-1", "source_type": "PIXEL", "status": "ACTIVE"}}], "paging": {"next_link": "\#(base)/v1/adaccounts/acct-1/segments?cursor=c2"}}"#
                        },
                        { _ in
                            #"{"request_status": "SUCCESS", "request_id": "2", "segments": [{"sub_request_status": "SUCCESS", "segment": {"id": "5677923948298242", "name": "Trial users", "ad_account_id": "acct-1", "source_type": "FIRST_PARTY", "status": "ACTIVE"}}], "paging": {}}"#
                        },
                    ]
                )
            },
            discovered: ["segment:5677923948298240", "segment:5677923948298242"]
        ),
        Case(
            serviceName: "zoho_crm",
            details: ["domain": "us", "api_domain": "https://www.zohoapis.com"],
            secrets: ["access_token": "zc"],
            routes: { fake in
                fake.on("GET", "/crm/v8/settings/modules") { _ in
                    .json(
                        #"{"modules": [{"api_name": "Accounts", "module_name": "Accounts", "singular_label": "Account", "plural_label": "Accounts", "api_supported": true, "creatable": true, "editable": true, "generated_type": "default"}, {"api_name": "Contacts", "module_name": "Contacts", "singular_label": "Contact", "plural_label": "Contacts", "api_supported": true, "creatable": true, "editable": true, "generated_type": "default"}, {"api_name": "Home", "module_name": "Home", "singular_label": "Home", "plural_label": "Home", "api_supported": false, "creatable": false, "editable": false, "generated_type": "default"}, {"api_name": "Visits", "module_name": "Visits", "singular_label": "Visit", "plural_label": "Visits", "api_supported": true, "creatable": false, "editable": false, "generated_type": "default"}, {"api_name": "Vehicles", "module_name": "Vehicles", "singular_label": "Vehicle", "plural_label": "Vehicles", "api_supported": true, "creatable": true, "editable": true, "generated_type": "custom"}]}"#
                    )
                }
                fake.on("GET", "/crm/v8/settings/fields") { call in
                    call.query["module"] == "Accounts"
                        ? .json(
                            #"{"fields": [{"api_name": "Account_Name", "field_label": "Account Name", "data_type": "text", "system_mandatory": true, "read_only": false, "unique": {"casesensitive": "false"}}, {"api_name": "id", "field_label": "Record Id", "data_type": "bigint", "system_mandatory": false, "read_only": true}, {"api_name": "Created_Time", "field_label": "Created Time", "data_type": "datetime", "system_mandatory": false, "read_only": true, "unique": {}}]}"#
                        )
                        : .json(
                            #"{"code": "INVALID_MODULE", "details": {}, "message": "the module name given seems to be invalid", "status": "error"}"#,
                            status: 400
                        )
                }
            },
            discovered: ["Contacts", "Vehicles"],
            fieldsOf: "Accounts",
            fields: ["Account_Name", "id", "Created_Time"]
        ),
        Case(
            serviceName: "big_query",
            details: ["project_id": "acme-analytics", "service_account_email": "sync@acme-analytics.iam.gserviceaccount.com"],
            secrets: ["private_key": .string(ConnectionTestTests.serviceAccountKey.pemRepresentation)],
            routes: { fake in
                fake.on("POST", "/token") { _ in .json(#"{"access_token": "ya29.bq", "expires_in": 3599, "token_type": "Bearer"}"#) }
                fake.on("GET", "/bigquery/v2/projects/acme-analytics/datasets") { call in
                    call.query["pageToken"] == nil
                        ? .json(
                            #"{"kind": "bigquery#datasetList", "datasets": [{"datasetReference": {"datasetId": "marts", "projectId": "acme-analytics"}}], "nextPageToken": "p2"}"#
                        )
                        : .json(
                            #"{"kind": "bigquery#datasetList", "datasets": [{"datasetReference": {"datasetId": "crm", "projectId": "acme-analytics"}}]}"#
                        )
                }
                fake.on("GET", "/bigquery/v2/projects/acme-analytics/datasets/marts/tables") { _ in
                    .json(
                        #"{"kind": "bigquery#tableList", "tables": [{"kind": "bigquery#table", "id": "acme-analytics:marts.users", "tableReference": {"projectId": "acme-analytics", "datasetId": "marts", "tableId": "users"}, "type": "TABLE"}, {"kind": "bigquery#table", "id": "acme-analytics:marts.active_users", "tableReference": {"projectId": "acme-analytics", "datasetId": "marts", "tableId": "active_users"}, "type": "VIEW"}], "totalItems": 2}"#
                    )
                }
                // The crm dataset has no tables: BigQuery leaves `tables` out.
                fake.on("GET", "/bigquery/v2/projects/acme-analytics/datasets/crm/tables") { _ in
                    .json(#"{"kind": "bigquery#tableList", "totalItems": 0}"#)
                }
                fake.on("GET", "/bigquery/v2/projects/acme-analytics/datasets/marts/tables/users") { _ in
                    .json(
                        #"{"kind": "bigquery#table", "schema": {"fields": [{"name": "user_id", "type": "STRING", "mode": "REQUIRED"}, {"name": "email", "type": "STRING", "mode": "NULLABLE"}, {"name": "tags", "type": "STRING", "mode": "REPEATED"}]}, "tableConstraints": {"primaryKey": {"columns": ["user_id"]}}}"#
                    )
                }
            },
            discovered: ["marts.users"],
            fieldsOf: "marts.users",
            fields: ["user_id", "email", "tags"]
        ),
        Case(
            serviceName: "snowflake",
            details: ["account": "xy12345.us-east-1", "user": "census", "warehouse": "CENSUS_WH", "database": "ANALYTICS"],
            secrets: ["private_key": .string(ConnectionTestTests.serviceAccountKey.pemRepresentation)],
            routes: { fake in
                // The tables come in two partitions; the second is fetched by the statement's handle.
                fake.on("POST", "/api/v2/statements") { call in
                    String(decoding: call.body, as: UTF8.self).contains("information_schema.columns")
                        ? .json(
                            #"{"resultSetMetaData": {"numRows": 2, "partitionInfo": [{"rowCount": 2}]}, "data": [["USER_ID", "TEXT", "NO"], ["EMAIL", "TEXT", "YES"]], "code": "090001", "statementHandle": "h-columns", "message": "Statement executed successfully."}"#
                        )
                        : .json(
                            #"{"resultSetMetaData": {"numRows": 2, "partitionInfo": [{"rowCount": 1}, {"rowCount": 1}]}, "data": [["PUBLIC", "USERS"]], "code": "090001", "statementHandle": "h-tables", "message": "Statement executed successfully."}"#
                        )
                }
                fake.on("GET", "/api/v2/statements/h-tables") { _ in .json(#"{"data": [["SALES", "ACCOUNTS"]]}"#) }
            },
            discovered: ["PUBLIC.USERS", "SALES.ACCOUNTS"],
            fieldsOf: "PUBLIC.USERS",
            fields: ["USER_ID", "EMAIL"]
        ),
        Case(
            serviceName: "salesforce_marketing_cloud",
            details: ["auth_base_uri": "https://mc563885gzs27c5t9-63k636ttgm.auth.marketingcloudapis.com", "client_id": "c"],
            secrets: ["client_secret": "s"],
            routes: { fake in
                fake.on("POST", "/v2/token") { _ in
                    .json(
                        #"{"access_token": "sfmc", "token_type": "Bearer", "expires_in": 1079, "rest_instance_url": "https://mc563885gzs27c5t9-63k636ttgm.rest.marketingcloudapis.com/"}"#
                    )
                }
                fake.on("GET", "/data/v1/customobjects") { call in
                    call.query["$page"] == "1"
                        ? .json(
                            #"{"count": 2, "page": 1, "pageSize": 200, "items": [{"id": "6f1e0c1d-0000-4000-8000-000000000001", "name": "Loyalty Members", "key": "LOYALTY"}]}"#
                        )
                        : .json(
                            #"{"count": 2, "page": 2, "pageSize": 200, "items": [{"id": "6f1e0c1d-0000-4000-8000-000000000002", "name": "Orders", "key": "ORDERS"}]}"#
                        )
                }
                fake.on("GET", "/data/v1/customobjects/6f1e0c1d-0000-4000-8000-000000000001/fields") { _ in
                    .json(
                        #"{"id": "6f1e0c1d-0000-4000-8000-000000000001", "fields": [{"name": "SubscriberKey", "type": "Text", "isPrimaryKey": true, "isNullable": false, "length": 254}, {"name": "Tier", "type": "Text", "isPrimaryKey": false, "isNullable": true, "length": 50}]}"#
                    )
                }
            },
            discovered: ["data_extension:6f1e0c1d-0000-4000-8000-000000000001", "data_extension:6f1e0c1d-0000-4000-8000-000000000002"],
            fieldsOf: "data_extension:6f1e0c1d-0000-4000-8000-000000000001",
            fields: ["SubscriberKey", "Tier"]
        ),
        Case(
            serviceName: "airtable",
            secrets: ["access_token": "at"],
            routes: { fake in
                // Two pages of bases; the base shared with permission "none" is not asked for its tables.
                fake.on("GET", "/v0/meta/bases") { call in
                    call.query["offset"] == nil
                        ? .json(
                            #"{"bases": [{"id": "appLkNDICXNqxSDhG", "name": "Apartment Hunting", "permissionLevel": "create"}, {"id": "appHiddenBase0001", "name": "Shared with none", "permissionLevel": "none"}], "offset": "itr23sEjsdfEr3282/appSW9R5uCNmRmfl6"}"#
                        )
                        : .json(#"{"bases": [{"id": "appSW9R5uCNmRmfl6", "name": "Project Tracker", "permissionLevel": "edit"}]}"#)
                }
                fake.on("GET", "/v0/meta/bases/appLkNDICXNqxSDhG/tables") { _ in .json(AirtableQuirkTests.apartmentHuntingSchema) }
                fake.on("GET", "/v0/meta/bases/appSW9R5uCNmRmfl6/tables") { _ in .json(AirtableQuirkTests.projectTrackerSchema) }
            },
            discovered: ["appLkNDICXNqxSDhG/tbltp8DGLhqbUmjK1", "appLkNDICXNqxSDhG/tblK6MZHez0ZvBChZ", "appSW9R5uCNmRmfl6/tblTasks00000001"],
            fieldsOf: "appLkNDICXNqxSDhG/tbltp8DGLhqbUmjK1",
            fields: ["fld1VnoyuotSTyxW1", "fldoaIqdn5szURHpw", "fldumZe00w09RYTW6"]
        ),
        Case(
            serviceName: "microsoft_advertising",
            details: ["customer_id": "251186883", "account_id": "149137000"],
            secrets: ["access_token": "ms", "developer_token": "dev"],
            routes: { fake in
                // All of the account's customer lists in one answer; one the service could not return is a null.
                fake.on("POST", "/CampaignManagement/v13/Audiences/QueryByIds") { _ in
                    .json(
                        #"{"Audiences": [{"Description": "Paying customers", "Id": "6001", "MembershipDuration": 30, "Name": "Buyers", "ParentId": "149137000", "Scope": "Account", "Type": "CustomerList"}, null], "PartialErrors": []}"#
                    )
                }
            },
            discovered: ["customer_list:6001"]
        ),
        Case(
            serviceName: "oracle_eloqua",
            details: ["base_url": "https://secure.p03.eloqua.com"],
            secrets: ["access_token": "elq"],
            routes: { fake in
                // Application API lists page by `page` (from 1) against `total`.
                fake.on("GET", "/api/REST/1.0/assets/contact/lists") { call in
                    call.query["page"] == "2"
                        ? .json(
                            #"{"elements": [{"type": "ContactList", "id": "52", "depth": "minimal", "name": "Trial users"}], "page": 2, "pageSize": 1, "total": 2}"#
                        )
                        : .json(
                            #"{"elements": [{"type": "ContactList", "id": "51", "depth": "minimal", "name": "Newsletter"}], "page": 1, "pageSize": 1, "total": 2}"#
                        )
                }
                fake.on("GET", "/api/REST/2.0/assets/customObjects") { _ in
                    .json(
                        #"{"elements": [{"type": "CustomObject", "id": "9", "depth": "minimal", "name": "Orders"}], "page": 1, "pageSize": 1000, "total": 1}"#
                    )
                }
                // The Bulk API pages by `offset` while `hasMore`.
                fake.on("GET", "/api/bulk/2.0/contacts/fields") { call in
                    call.query["offset"] == "2"
                        ? .json(
                            #"{"items": [{"name": "Plan", "internalName": "C_Plan1", "dataType": "string", "hasReadOnlyConstraint": false, "hasNotNullConstraint": false, "hasUniquenessConstraint": false, "statement": "{{Contact.Field(C_Plan1)}}", "uri": "/contacts/fields/100211"}], "totalResults": 3, "limit": 1000, "offset": 2, "count": 1, "hasMore": false}"#
                        )
                        : .json(
                            #"{"items": [{"name": "Email Address", "internalName": "C_EmailAddress", "dataType": "emailAddress", "hasReadOnlyConstraint": false, "hasNotNullConstraint": false, "hasUniquenessConstraint": true, "statement": "{{Contact.Field(C_EmailAddress)}}", "uri": "/contacts/fields/100001"}, {"name": "First Name", "internalName": "C_FirstName", "dataType": "string", "hasReadOnlyConstraint": false, "hasNotNullConstraint": false, "hasUniquenessConstraint": false, "statement": "{{Contact.Field(C_FirstName)}}", "uri": "/contacts/fields/100002"}], "totalResults": 3, "limit": 2, "offset": 0, "count": 2, "hasMore": true}"#
                        )
                }
            },
            discovered: ["list:51", "list:52", "custom_object:9"],
            fieldsOf: "contact",
            fields: ["C_EmailAddress", "C_FirstName", "C_Plan1"]
        ),
        Case(
            serviceName: "pardot",
            details: ["business_unit_id": "0Uv5A000000PAzxSAG"],
            secrets: ["access_token": "sf"],
            routes: { fake in
                // v5 queries page with `nextPageToken`; the dynamic list takes no members and is left out.
                fake.on("GET", "/api/v5/objects/lists") { call in
                    call.query["nextPageToken"] == "tok-2"
                        ? .json(#"{"values": [{"id": 3, "name": "Webinar", "isDynamic": false}]}"#)
                        : .json(
                            #"{"values": [{"id": 1, "name": "Newsletter", "isDynamic": false}, {"id": 2, "name": "Hot leads", "isDynamic": true}], "nextPageToken": "tok-2"}"#
                        )
                }
                fake.on("GET", "/api/v5/objects/custom-fields") { _ in
                    .json(#"{"values": [{"id": 77, "name": "UTM Campaign", "fieldId": "utm_campaign", "type": "Text", "isRequired": false}]}"#)
                }
            },
            discovered: ["list:1", "list:3"],
            fieldsOf: "prospect",
            fields: Pardot.prospectFields.map(\.fullName) + ["utm_campaign__c"]
        ),
        Case(
            serviceName: "gainsight",
            details: ["domain": "acme.gainsightcloud.com"],
            secrets: ["access_key": "gs"],
            routes: { fake in
                // The object list is one answer; standard and system objects are not offered again.
                fake.on("GET", "/v1/meta/services/objects/list") { _ in .json(RedditGainsightQuirkTests.objectList) }
                fake.on("GET", "/v1/meta/services/objects/customobj__gc/describe") { _ in .json(RedditGainsightQuirkTests.customObjectDescribe) }
            },
            discovered: ["autoindex10__gc", "customobj__gc"],
            fieldsOf: "customobj__gc",
            fields: ["Name__gc", "Gsid", "ModifiedDate"]
        ),
        Case(
            serviceName: "reddit",
            details: ["ad_account_id": "a2_abc123"],
            secrets: ["access_token": "rd"],
            routes: { fake in
                paged(
                    fake,
                    "/api/v3/ad_accounts/a2_abc123/custom_audiences",
                    [
                        { base in
                            #"{"data": [{"id": "ca_1", "name": "Newsletter", "type": "CUSTOMER_LIST", "ad_account_id": "a2_abc123", "status": "VALID"}, {"id": "ca_2", "name": "Removed", "type": "CUSTOMER_LIST", "ad_account_id": "a2_abc123", "status": "DELETED"}], "pagination": {"next_url": "\#(base)/api/v3/ad_accounts/a2_abc123/custom_audiences?page.token=t2", "previous_url": null}}"#
                        },
                        { _ in
                            #"{"data": [{"id": "ca_3", "name": "Trial users", "type": "CUSTOMER_LIST", "ad_account_id": "a2_abc123", "status": "PENDING"}], "pagination": {"next_url": null, "previous_url": null}}"#
                        },
                    ]
                )
            },
            discovered: ["custom_audience:ca_1", "custom_audience:ca_3"]
        ),
        Case(
            serviceName: "s3",
            details: ["bucket": "acme-exports", "region": "eu-west-1", "access_key_id": "AKIAIOSFODNN7EXAMPLE", "path_prefix": "/exports/census/"],
            secrets: ["secret_access_key": "s3-secret-key"],
            // A file destination asks nothing: its one object is the path under the prefix.
            routes: { _ in },
            discovered: ["exports/census/census_%Y-%m-%d_%H%M%S.csv"],
            fieldsOf: "exports/census/census_%Y-%m-%d_%H%M%S.csv",
            fields: []
        ),
    ]

    /// Connectors whose discovery is tested against a server of their own kind, elsewhere.
    static let testedElsewhere: Set = ["google_sheets", "postgres"]

    /// A value of each credential field's format, none of which names a host off this machine.
    static func placeholders(_ declaration: ConnectorDeclaration) -> [String: JSONValue] {
        Dictionary(
            uniqueKeysWithValues: declaration.fields.map { field in
                let value: JSONValue =
                    switch field.format {
                    case .choice(let choices): .string(choices[0])
                    case .digits: "1"
                    case .url: "http://127.0.0.1:9"
                    case .email: "ops@acme.test"
                    case .subdomain, .hostname: "acme"
                    case .keyValues: .object([:])
                    case .text: "placeholder"
                    }
                return (field.id, value)
            }
        )
    }

    /// Any connector that calls its service while discovering has a case here: run against a client that
    /// only counts calls (and never opens a connection), discovery that asks nothing asks nothing.
    @Test func everyConnectorThatAsksItsServiceHasACase() async throws {
        let cased = Set(Self.cases.map(\.serviceName)).union(Self.testedElsewhere)
        for connector in Catalog.registry.connectors where !cased.contains(connector.declaration.serviceName) {
            let http = CountingHTTP()
            let context = ConnectorContext(
                details: Self.placeholders(connector.declaration),
                secrets: [:],
                http: http,
                baseURLOverride: URL(string: "http://127.0.0.1:9")
            )
            _ = try? await connector.discoverObjects(context)
            _ = try? await connector.discoverFields(of: connector.declaration.objects.first?.fullName ?? "object", context)
            #expect(http.calls.next() == 0, "\(connector.declaration.serviceName) asks its service while discovering, and has no case")
        }
        #expect(cased.subtracting(Catalog.registry.declarations.map(\.serviceName)).isEmpty)
    }

    /// Answers every call with a 404, counting them.
    private struct CountingHTTP: ProviderHTTP {
        let calls = CallCounter()

        func send(_ request: ProviderRequest) async throws -> ProviderResponse {
            _ = calls.next()
            return ProviderResponse(status: 404, headers: [:], body: Data())
        }
    }

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
