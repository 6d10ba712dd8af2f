import Foundation

/// Routes answering in each provider's documented shape, paginated where the provider paginates.
extension FakeProvider {
    /// HubSpot `GET /crm/v3/schemas`, one schema per page, pages linked by `paging.next.after`.
    public func hubspotSchemas(_ names: [(name: String, label: String)]) {
        on("GET", "/crm/v3/schemas") { call in
            let index = Int(call.query["after"] ?? "0") ?? 0
            guard index < names.count else { return .json(#"{"results": []}"#) }
            let schema = names[index]
            let paging = index + 1 < names.count ? #", "paging": {"next": {"after": "\#(index + 1)", "link": "?after=\#(index + 1)"}}"# : ""
            return .json(
                #"{"results": [{"id": "\#(100 + index)", "objectTypeId": "2-\#(100 + index)", "name": "\#(schema.name)", "fullyQualifiedName": "p1234_\#(schema.name)", "labels": {"singular": "\#(schema.label)", "plural": "\#(schema.label)s"}, "requiredProperties": [], "properties": []}]\#(paging)}"#
            )
        }
    }

    /// Salesforce describeGlobal: `GET /services/data/v62.0/sobjects/`.
    public func salesforceSObjects(_ sobjects: [(name: String, label: String, createable: Bool, updateable: Bool)]) {
        let items = sobjects.map {
            #"{"name": "\#($0.name)", "label": "\#($0.label)", "labelPlural": "\#($0.label)s", "custom": \#($0.name.hasSuffix("__c")), "createable": \#($0.createable), "updateable": \#($0.updateable), "deletable": true, "queryable": true, "keyPrefix": "001", "urls": {"sobject": "/services/data/v62.0/sobjects/\#($0.name)"}}"#
        }
        on("GET", "/services/data/v62.0/sobjects/") { _ in
            .json(#"{"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": [\#(items.joined(separator: ", "))]}"#)
        }
    }

    /// Zendesk `GET /api/v2/custom_objects`, one object per page with cursor links.
    public func zendeskCustomObjects(_ objects: [(key: String, title: String)]) {
        on("GET", "/api/v2/custom_objects") { [baseURL] call in
            let index = Int(call.query["page[after]"] ?? "0") ?? 0
            guard index < objects.count else { return .json(#"{"custom_objects": [], "meta": {"has_more": false}}"#) }
            let object = objects[index]
            let more = index + 1 < objects.count
            let next = more ? #""\#(baseURL.absoluteString)/api/v2/custom_objects?page%5Bafter%5D=\#(index + 1)""# : "null"
            return .json(
                #"{"custom_objects": [{"key": "\#(object.key)", "title": "\#(object.title)", "title_pluralized": "\#(object.title)s", "description": ""}], "links": {"next": \#(next), "prev": null}, "meta": {"has_more": \#(more), "after_cursor": "\#(index + 1)"}}"#
            )
        }
    }

    /// ActiveCampaign `GET /api/3/customObjects/schemas`, paged by limit and offset, totals as strings.
    public func activeCampaignSchemas(_ slugs: [String], pageSize: Int = 100) {
        on("GET", "/api/3/customObjects/schemas") { call in
            let offset = Int(call.query["offset"] ?? "0") ?? 0
            let limit = min(Int(call.query["limit"] ?? "20") ?? 20, pageSize)
            let page = slugs.dropFirst(offset).prefix(limit)
            let items = page.map {
                #"{"id": "uuid-\#($0)", "slug": "\#($0)", "visibility": "private", "labels": {"singular": "\#($0.capitalized)", "plural": "\#($0.capitalized)s"}, "description": "", "fields": [], "relationships": []}"#
            }
            return .json(
                #"{"schemas": [\#(items.joined(separator: ", "))], "meta": {"total": "\#(slugs.count)", "count": \#(page.count), "limit": \#(limit), "offset": \#(offset)}}"#
            )
        }
    }

    /// Braze `GET /catalogs`, one catalog per page, the next page in a `Link` header.
    public func brazeCatalogs(_ names: [String]) {
        on("GET", "/catalogs") { [baseURL] call in
            let index = Int(call.query["page"] ?? "0") ?? 0
            guard index < names.count else { return .json(#"{"catalogs": [], "message": "success"}"#) }
            let headers = index + 1 < names.count ? ["Link": #"<\#(baseURL.absoluteString)/catalogs?page=\#(index + 1)>; rel="next""#] : [:]
            return .json(
                #"{"catalogs": [{"name": "\#(names[index])", "description": "", "fields": [{"name": "id", "type": "string"}], "num_items": 3, "updated_at": "2026-11-01T00:00:00Z"}], "message": "success"}"#,
                headers: headers
            )
        }
    }

    /// Google: the service-account token endpoint (`POST /token`) and `spreadsheets.get`.
    public func googleSheets(
        spreadsheet: String,
        tabs: [String],
        accessToken: String = "ya29.fake-access-token",
        verify: @escaping @Sendable (Call) -> Bool = { _ in true }
    ) {
        on("POST", "/token") { call in
            guard verify(call) else { return .json(#"{"error": "invalid_grant", "error_description": "Invalid JWT Signature."}"#, status: 400) }
            return .json(#"{"access_token": "\#(accessToken)", "expires_in": 3599, "token_type": "Bearer"}"#)
        }
        on("GET", "/v4/spreadsheets/\(spreadsheet)") { call in
            guard call.header("authorization") == "Bearer \(accessToken)" else {
                return .json(
                    #"{"error": {"code": 401, "message": "Request had invalid authentication credentials.", "status": "UNAUTHENTICATED"}}"#,
                    status: 401
                )
            }
            let sheets = tabs.enumerated().map {
                #"{"properties": {"sheetId": \#($0.offset * 1000), "title": "\#($0.element)", "index": \#($0.offset), "sheetType": "GRID", "gridProperties": {"rowCount": 1000, "columnCount": 26}}}"#
            }
            return .json(#"{"sheets": [\#(sheets.joined(separator: ", "))]}"#)
        }
    }

    /// HubSpot's description of an access token: `GET /oauth/v1/access-tokens/{token}`.
    public func hubspotTokenInfo(hubID: Int) {
        on("GET", "/oauth/v1/access-tokens/*") { _ in
            .json(#"{"hub_id": \#(hubID), "hub_domain": "acme.hubspot.com", "user": "u@acme.com", "scopes": ["oauth"], "app_id": 1}"#)
        }
    }
}
