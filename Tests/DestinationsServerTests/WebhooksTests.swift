import Crypto
import DestinationsCore
import Foundation
import HTTPTypes
import SQLKit
import TestSupport
import Testing

@testable import DestinationsServer

/// Signed webhooks: the API, deliveries signed and at least once, retries, redelivery, rotation, budgets.
@Suite("Webhooks")
struct WebhooksTests {
    static let canary = "canary-braze-key-7f3e"

    @Test(arguments: TestBackend.all)
    func aWebhookIsMadeShownChangedAndDeletedAndItsSecretShownOnce(_ backend: TestBackend) async throws {
        let server = try TestServer(backend)
        try await server.run { session in
            let receiver = WebhookReceiver(session.fake)
            let created = try await session.request(
                .post,
                "/api/v1/webhooks",
                json: #"{"name": "ops", "events": ["destination.created", "destination.test.completed"], "endpoint": "\#(receiver.url)"}"#
            )
            #expect(created.status == .created)
            let json = try created.json()
            #expect(json["status"].string == "created")
            let data = json["data"]
            let id = try #require(data["id"].int)
            let secret = try #require(data["secret"].string)
            #expect(secret.hasPrefix("whsec_") && secret.count == 70)
            #expect(data["description"] == .null)
            #expect(data["previous_secret_expires_at"] == .null)
            #expect(data["events"].array == [.string("destination.created"), .string("destination.test.completed")])

            let fetched = try await session.request(.get, "/api/v1/webhooks/\(id)").json()["data"]
            #expect(fetched["secret"] == .null && fetched.objectValue?["secret"] == nil)
            #expect(fetched["name"].string == "ops")
            let list = try await session.request(.get, "/api/v1/webhooks").json()
            #expect(list["data"].array == [fetched])
            #expect(list["pagination"]["total_records"].int == 1)

            let patched = try await session.request(
                .patch,
                "/api/v1/webhooks/\(id)",
                json: #"{"description": "on call", "events": ["destination.deleted"]}"#
            )
            #expect(patched.status == .ok)
            #expect(try patched.json()["status"].string == "updated")
            #expect(try patched.json()["data"]["description"].string == "on call")
            #expect(try patched.json()["data"]["name"].string == "ops")
            let cleared = try await session.request(.patch, "/api/v1/webhooks/\(id)", json: #"{"description": null}"#).json()["data"]
            #expect(cleared["description"] == .null)
            #expect(cleared["events"].array == [.string("destination.deleted")])

            // The secret is sealed: not in the database's bytes, nor in any log line.
            #expect(try await server.databaseBytes().range(of: Data(secret.utf8)) == nil)
            #expect(!session.logs.all.joined(separator: "\n").contains(secret))

            let deleted = try await session.request(.delete, "/api/v1/webhooks/\(id)")
            #expect(deleted.status == .ok)
            #expect(try deleted.json() == .object(["status": .string("deleted")]))
            #expect(try await session.request(.get, "/api/v1/webhooks/\(id)").status == .notFound)
        }
    }

    @Test func badInputNamesTheField() async throws {
        try await TestServer(.sqlite).run { session in
            let url = session.fake.baseURL.absoluteString + "/hook"
            let cases: [(String, String)] = [
                (#"{"events": ["destination.created"], "endpoint": "\#(url)"}"#, "name"),
                (#"{"name": "x", "endpoint": "\#(url)"}"#, "events"),
                (#"{"name": "x", "events": [], "endpoint": "\#(url)"}"#, "events"),
                (#"{"name": "x", "events": ["sync.completed"], "endpoint": "\#(url)"}"#, "events[0]"),
                (#"{"name": "x", "events": ["destination.created", "destination.created"], "endpoint": "\#(url)"}"#, "events[1]"),
                (#"{"name": "x", "events": ["destination.created"], "endpoint": "ftp://127.0.0.1/x"}"#, "endpoint"),
                (#"{"name": "x", "events": ["destination.created"], "endpoint": "/relative"}"#, "endpoint"),
                (#"{"name": " ", "events": ["destination.created"], "endpoint": "\#(url)"}"#, "name"),
            ]
            for (body, field) in cases {
                let response = try await session.request(.post, "/api/v1/webhooks", json: body)
                #expect([400, 422].contains(response.status.code), "\(body)")
                let message = try response.json()["message"].string ?? ""
                #expect(message.contains(field), "\(body): \(message)")
            }
            #expect(try await session.request(.get, "/api/v1/webhooks").json()["pagination"]["total_records"].int == 0)
        }
    }

    @Test func endpointsMustBeHTTPSAndPublicUnlessPrivateNetworksAreAllowed() async throws {
        let privateNetworksRefused: @Sendable (inout ServerSettings, FakeProvider) -> Void = { settings, _ in settings.allowPrivateNetworks = false }
        try await TestServer(.sqlite).run(configure: privateNetworksRefused) { session in
            for (endpoint, words) in [
                ("http://hooks.example.com/x", "https"), ("https://127.0.0.1/x", "Refusing"), ("https://localhost/x", "Refusing"),
            ] {
                let response = try await session.request(
                    .post,
                    "/api/v1/webhooks",
                    json: #"{"name": "x", "events": ["destination.created"], "endpoint": "\#(endpoint)"}"#
                )
                #expect(response.status == .unprocessableContent)
                let message = try response.json()["message"].string ?? ""
                #expect(message.contains("endpoint") && message.contains(words), "\(message)")
            }
        }
    }

    @Test(arguments: TestBackend.all)
    func deliveriesAreSignedCarryTheEventAndNoSecret(_ backend: TestBackend) async throws {
        try await TestServer(backend, webhooks: .forTests()).run { session in
            let receiver = WebhookReceiver(session.fake)
            session.fake.on("GET", "/catalogs") { _ in .json(#"{"catalogs": [{"name": "songs"}], "message": "success"}"#) }
            let (webhook, secret) = try await session.createWebhook(
                receiver.url,
                events: ["destination.created", "destination.refresh_objects.completed", "destination.updated"]
            )
            let destination = try await session.createBraze(key: Self.canary)
            // Ordering is not assumed: the create and its first refresh may arrive either way round.
            let calls = try await receiver.next(2)
            let byEvent = Dictionary(calls.map { ($0.json["event"].string ?? "", $0) }, uniquingKeysWith: { first, _ in first })
            #expect(Set(byEvent.keys) == ["destination.created", "destination.refresh_objects.completed"])
            for call in calls {
                #expect(call.isSigned(with: secret))
                #expect(call.signatures.count == 1)
                #expect(!call.isSigned(with: secret + "x"))
                #expect(call.header("Content-Type") == "application/json")
                let body = call.json
                #expect(body["event_id"].string == call.header("X-Event-Id"))
                #expect(body["event"].string == call.header("X-Event"))
                #expect(body["workspace_id"].int != nil)
                #expect(body["destination_id"].int == destination)
                let timestamp = try #require(body["timestamp"].int)
                #expect(abs(Double(timestamp) - Date().timeIntervalSince1970) < 120)
                #expect(!String(decoding: call.body, as: UTF8.self).contains(Self.canary))
            }
            let objects = try await session.request(.get, "/api/v1/destinations/\(destination)").json()["data"]["objects"].array?.count
            #expect(byEvent["destination.refresh_objects.completed"]?.json["object_count"].int == objects.map(Int64.init))

            try await session.update(destination, name: "renamed")
            let updated = try #require(try await receiver.next().first)
            #expect(updated.json["event"].string == "destination.updated")
            #expect(updated.json["changed_fields"].array == [.string("name")])

            let log = try await session.deliveries(of: webhook) { $0.count == 3 && $0.allSatisfy { $0["status"].string == "succeeded" } }
            for delivery in log {
                // At least once: an attempt that got no answer (under the whole suite on two cores, one once
                // did not) is retried; the last is the receiver's 204.
                let attempts = delivery["attempts"].array ?? []
                #expect(delivery["attempt_count"].int == Int64(attempts.count))
                #expect(attempts.last?["status_code"].int == 204, "\(attempts)")
                #expect(attempts.dropLast().allSatisfy { $0["status_code"] == .null && $0["error"].string != nil }, "\(attempts)")
                #expect(delivery["next_attempt_at"] == .null)
                #expect(delivery["finished_at"].string != nil)
                #expect(delivery["payload"]["event_id"] == delivery["event_id"])
            }
            let metrics = String(buffer: try await session.request(.get, "/metrics", headers: [:]).body)
            #expect(metrics.contains(#"destinations_webhook_deliveries_total{outcome="succeeded"} 3"#))
            #expect(metrics.contains("destinations_webhook_queue_age_seconds"))

            // A month on, housekeeping deletes finished deliveries and the events they carried.
            #expect(try await session.environment.webhookQueue.purgeFinished(before: Date().addingTimeInterval(60)) == 3)
            #expect(try await session.deliveries(of: webhook).isEmpty)
            let events = try await session.environment.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM webhook_events").first(decodingColumn: "n", as: Int.self)
            }
            #expect(events == 0)
        }
    }

    @Test(arguments: TestBackend.all)
    func aReceiverThatTimesOutAfterProcessingGetsTheSameEventAgain(_ backend: TestBackend) async throws {
        let answered = LockedValue(0)
        try await TestServer(backend, webhooks: .forTests(timeout: 1)).run { session in
            let receiver = WebhookReceiver(session.fake) { _ in
                // The first delivery is processed, but its answer comes after the server gave up waiting.
                answered.withLock { count in
                    count += 1
                    return count
                } == 1 ? FakeProvider.Reply(status: 200, delay: .seconds(3)) : FakeProvider.Reply(status: 200)
            }
            let (webhook, secret) = try await session.createWebhook(receiver.url, events: ["destination.created"])
            _ = try await session.createActiveCampaign()
            let calls = try await receiver.next(2)
            #expect(calls[0].header("X-Event-Id") == calls[1].header("X-Event-Id"))
            #expect(calls.allSatisfy { $0.isSigned(with: secret) })
            let log = try await session.deliveries(of: webhook) { $0.first?["status"].string == "succeeded" }
            let attempts = try #require(log.first?["attempts"].array)
            // Under load a busy receiver may time out more than once; the first did, and the last got through.
            #expect(attempts.count >= 2)
            #expect(attempts.first?["status_code"] == .null)
            #expect(attempts.first?["error"].string?.contains("did not answer") == true)
            #expect(attempts.last?["status_code"].int == 200)
        }
    }

    @Test(arguments: TestBackend.all)
    func aReceiverDownForAWhileGetsTheEventOnceBackAndARefusalFailsAtOnce(_ backend: TestBackend) async throws {
        try await TestServer(backend, webhooks: .forTests()).run { session in
            let down = WebhookReceiver(session.fake, path: "/hooks/down")
            session.fake.on(
                "POST",
                "/hooks/down",
                replies: [.init(status: 503), .init(status: 502), .init(status: 429, headers: ["Retry-After": "0"]), .init(status: 204)]
            )
            let refusing = WebhookReceiver(session.fake, path: "/hooks/refusing") { _ in .init(status: 410) }
            let (downHook, _) = try await session.createWebhook(session.fake.baseURL.absoluteString + "/hooks/down", events: ["destination.created"])
            let (refusingHook, _) = try await session.createWebhook(refusing.url, events: ["destination.created"])
            _ = down
            _ = try await session.createActiveCampaign()
            let delivered = try await session.deliveries(of: downHook) { $0.first?["status"].string == "succeeded" }
            #expect(delivered.first?["attempts"].array?.compactMap { $0["status_code"].int } == [503, 502, 429, 204])
            let refused = try await session.deliveries(of: refusingHook) { $0.first?["status"].string == "failed" }
            #expect(refused.first?["attempt_count"].int == 1)
            #expect(refused.first?["attempts"][0]["error"].string == "The endpoint answered 410")
            #expect(refused.first?["next_attempt_at"] == .null)
        }
    }

    @Test(arguments: TestBackend.all)
    func aDeliveryFailingPastItsRetryPeriodFailsAndCanBeRedelivered(_ backend: TestBackend) async throws {
        let healthy = LockedValue(false)
        try await TestServer(backend, webhooks: .forTests(retryPeriod: 1)).run { session in
            let receiver = WebhookReceiver(session.fake) { _ in .init(status: healthy.value ? 200 : 500) }
            let (webhook, _) = try await session.createWebhook(receiver.url, events: ["destination.created"])
            _ = try await session.createActiveCampaign()
            let failed = try await session.deliveries(of: webhook) { $0.first?["status"].string == "failed" }
            let first = try #require(failed.first)
            // As many attempts as fit in the period: under load, perhaps only the first.
            #expect((first["attempt_count"].int ?? 0) >= 1)
            #expect(first["attempts"].array?.allSatisfy { $0["status_code"].int == 500 } == true)

            healthy.value = true
            let id = try #require(first["id"].int)
            let redelivered = try await session.request(.post, "/api/v1/webhooks/\(webhook)/deliveries/\(id)/redeliver")
            #expect(redelivered.status == .created)
            let again = try redelivered.json()["data"]
            #expect(again["event_id"] == first["event_id"])
            #expect(again["id"].int != id)
            let log = try await session.deliveries(of: webhook) { $0.first?["status"].string == "succeeded" }
            #expect(log.count == 2)
            #expect(log.last?["status"].string == "failed")
            #expect(try await session.request(.post, "/api/v1/webhooks/\(webhook)/deliveries/999999/redeliver").status == .notFound)
        }
    }

    @Test(arguments: TestBackend.all)
    func aRotatedSecretSignsBesideTheOldOneForTheOverlap(_ backend: TestBackend) async throws {
        try await TestServer(backend, webhooks: .forTests()).run { session in
            let receiver = WebhookReceiver(session.fake)
            let (webhook, old) = try await session.createWebhook(receiver.url, events: ["destination.created"])
            let rotated = try await session.request(.post, "/api/v1/webhooks/\(webhook)/rotate_secret?overlap_seconds=3600")
            #expect(rotated.status == .ok)
            let new = try #require(try rotated.json()["data"]["secret"].string)
            #expect(new != old)
            #expect(try rotated.json()["data"]["previous_secret_expires_at"].string != nil)
            _ = try await session.createActiveCampaign(name: "one")
            let overlapping = try #require(try await receiver.next().first)
            #expect(overlapping.signatures.count == 2)
            #expect(overlapping.signatures.first == WebhookSender.signature(of: overlapping.body, secret: Data(new.utf8)))
            #expect(overlapping.isSigned(with: old))

            let newest = try #require(
                try await session.request(.post, "/api/v1/webhooks/\(webhook)/rotate_secret?overlap_seconds=0").json()["data"][
                    "secret"
                ].string
            )
            _ = try await session.createActiveCampaign(name: "two")
            let after = try #require(try await receiver.next().first)
            #expect(after.signatures.count == 1)
            #expect(after.isSigned(with: newest))
            #expect(!after.isSigned(with: new) && !after.isSigned(with: old))
            let invalid = try await session.request(.post, "/api/v1/webhooks/\(webhook)/rotate_secret?overlap_seconds=9999999")
            #expect(invalid.status == .unprocessableContent)
            #expect(try invalid.json()["message"].string?.contains("overlap_seconds") == true)
        }
    }

    @Test(arguments: TestBackend.all)
    func aSlowReceiverDoesNotHoldProviderJobs(_ backend: TestBackend) async throws {
        let gate = Gate()
        try await TestServer(backend, webhooks: .forTests(concurrency: 1, timeout: 60)).run { session in
            let receiver = WebhookReceiver(session.fake) { _ in
                await gate.wait()
                return .init(status: 204)
            }
            session.fake.on("GET", "/catalogs") { _ in .json(#"{"catalogs": [{"name": "songs"}], "message": "success"}"#) }
            // Whatever happens, the receiver lets go, or the server could not stop.
            do {
                try await Self.jobsRunWhileTheOnlyDeliveryWorkerWaits(session, receiver)
            } catch {
                await gate.open()
                throw error
            }
            await gate.open()
            let rest = try await receiver.next(1)
            #expect(rest.first?.json["event"].string == "destination.created")
        }
    }

    static func jobsRunWhileTheOnlyDeliveryWorkerWaits(_ session: Session, _ receiver: WebhookReceiver) async throws {
        _ = try await session.createWebhook(receiver.url, events: ["destination.created"])
        let first = try await session.createBraze()
        // The only delivery worker is held by the receiver; jobs still run, and refreshes complete.
        let held = try #require(try await receiver.next().first)
        #expect(held.json["destination_id"].int == first)
        let second = try await session.createBraze()
        let key = try #require(
            try await session.request(.post, "/api/v1/destinations/\(second)/refresh_objects", json: "{}").json()["refresh_key"].int
        )
        var status = ""
        for _ in 0..<600 where status != "completed" {
            status =
                try await session.request(.get, "/api/v1/destinations/\(second)/refresh_objects_status?refresh_key=\(key)").json()["status"].string
                ?? ""
            if status != "completed" { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(status == "completed")
    }

    @Test(arguments: TestBackend.all)
    func webhooksAndTheirEventsStayInTheirWorkspace(_ backend: TestBackend) async throws {
        try await TestServer(backend, webhooks: .forTests()).run { session in
            let mine = WebhookReceiver(session.fake, path: "/hooks/mine")
            let theirs = WebhookReceiver(session.fake, path: "/hooks/theirs")
            let other: HTTPFields = [.authorization: "Bearer \(try await session.otherWorkspaceToken())"]
            let (webhook, _) = try await session.createWebhook(mine.url, events: ["destination.created"])
            _ = try await session.createWebhook(theirs.url, events: ["destination.created"], headers: other)
            _ = try await session.createActiveCampaign()
            let delivery = try await session.deliveries(of: webhook) { $0.first?["status"].string == "succeeded" }
            let deliveryID = try #require(delivery.first?["id"].int)
            let missing = try await session.request(.get, "/api/v1/webhooks/999999", headers: other)
            let probes: [(HTTPRequest.Method, String, String?)] = [
                (.get, "/api/v1/webhooks/\(webhook)", nil),
                (.patch, "/api/v1/webhooks/\(webhook)", #"{"name": "stolen"}"#),
                (.post, "/api/v1/webhooks/\(webhook)/rotate_secret", nil),
                (.get, "/api/v1/webhooks/\(webhook)/deliveries", nil),
                (.post, "/api/v1/webhooks/\(webhook)/deliveries/\(deliveryID)/redeliver", nil),
                (.delete, "/api/v1/webhooks/\(webhook)", nil),
            ]
            for (method, path, body) in probes {
                let response = try await session.request(method, path, json: body, headers: other)
                #expect(response.status == .notFound, "\(method) \(path)")
                #expect(try response.json() == (try missing.json()), "\(method) \(path)")
            }
            let theirList = try await session.request(.get, "/api/v1/webhooks", headers: other).json()
            #expect(theirList["data"].array?.count == 1)
            #expect(theirList["data"][0]["id"].int != webhook)
            // Only this workspace's destination reached this workspace's receiver, and nothing reached theirs.
            let calls = session.fake.calls("POST", "/hooks/theirs")
            #expect(calls.isEmpty)
            #expect(try await session.request(.get, "/api/v1/webhooks/\(webhook)").json()["data"]["name"].string == "hook")
            #expect(try await session.deliveries(of: webhook).count == 1)
        }
    }
}
