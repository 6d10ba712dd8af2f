import DestinationsCore
import Foundation
import TestSupport
import Testing

/// The real binary killed with SIGKILL around a webhook delivery: an event whose change committed is
/// delivered after a restart, whether the process died before sending it or while the receiver had it.
@Suite("Webhook delivery across a crash", .occupiesATestSlot)
struct WebhookCrashTests {
    let sandbox: CLISandbox

    init() throws {
        sandbox = try CLISandbox("webhook-crash")
    }

    func environment(_ fake: FakeProvider, deliverers: Int) -> [String: String] {
        [
            "DATABASE_URL": sandbox.directory.appendingPathComponent("crash.sqlite").path,
            "OUTBOUND_ALLOW_PRIVATE_NETWORKS": "true",
            "CONNECTORS_ACTIVE_CAMPAIGN_BASE_URL": fake.baseURL.absoluteString,
            "WEBHOOKS_CONCURRENCY": String(deliverers),
            "WEBHOOKS_POLL_INTERVAL": "0.05",
            "WEBHOOKS_TIMEOUT_SECONDS": "2",
            "WEBHOOKS_LEASE_SECONDS": "3",
            "WEBHOOKS_RETRY_BASE_SECONDS": "0.1",
        ]
    }

    /// Subscribes the fake's `/hook` to creates and makes a destination; returns the webhook's secret.
    func createWithWebhook(_ api: API, _ fake: FakeProvider) async throws -> String {
        let webhook = try await api.send(
            .POST,
            "/api/v1/webhooks",
            #"{"name": "crash", "events": ["destination.created"], "endpoint": "\#(fake.baseURL.absoluteString)/hook"}"#
        )
        #expect(webhook.status == 201)
        let secret = try #require(webhook.json["data"]["secret"].string)
        let created = try await api.send(
            .POST,
            "/api/v1/destinations",
            #"{"service_connection": {"type": "active_campaign", "credentials": {"api_token": "t", "instance_url": "\#(fake.baseURL.absoluteString)"}}}"#
        )
        #expect(created.status == 201)
        return secret
    }

    @Test func anEventCommittedBeforeTheKillIsDeliveredAfterTheRestart() async throws {
        let (executable, directory) = (sandbox.executable, sandbox.directory)
        try await FakeProvider.run { fake in
            let (received, receive) = AsyncStream.makeStream(of: FakeProvider.Call.self)
            fake.on("POST", "/hook") { call in
                receive.yield(call)
                return .init(status: 204)
            }
            // The first process records events but sends none: it dies with the event committed, unsent.
            let first = try await executable.serve(environment: environment(fake, deliverers: 0), in: directory)
            let token = try #require(first.firstToken)
            let secret = try await createWithWebhook(API(port: first.port, token: token), fake)
            kill(first.process.pid, SIGKILL)
            #expect(await first.process.finish().status == SIGKILL)
            #expect(fake.calls("POST", "/hook").isEmpty)

            let second = try await executable.serve(environment: environment(fake, deliverers: 2), in: directory)
            defer { second.process.terminate() }
            var delivered: FakeProvider.Call?
            for await call in received {
                delivered = call
                break
            }
            let call = try #require(delivered)
            let body = try JSONDecoder().decode(JSONValue.self, from: call.body)
            #expect(body["event"].string == "destination.created")
            #expect(call.header("X-Signature") == WebhookSender.signature(of: call.body, secret: Data(secret.utf8)))
        }
    }

    @Test func anEventTheReceiverHadWhenTheProcessDiedIsSentAgain() async throws {
        let (executable, directory) = (sandbox.executable, sandbox.directory)
        try await FakeProvider.run { fake in
            let (received, receive) = AsyncStream.makeStream(of: FakeProvider.Call.self)
            let (killDone, killed) = AsyncStream.makeStream(of: Void.self)
            let hang = HangSwitch()
            fake.on("POST", "/hook") { call in
                receive.yield(call)
                // The first delivery is held until the process sending it has been killed.
                if await hang.firstTime() { for await _ in killDone { break } }
                return .init(status: 204)
            }
            let first = try await executable.serve(environment: environment(fake, deliverers: 2), in: directory)
            let token = try #require(first.firstToken)
            _ = try await createWithWebhook(API(port: first.port, token: token), fake)
            var calls: [FakeProvider.Call] = []
            for await call in received {
                calls.append(call)
                break
            }
            kill(first.process.pid, SIGKILL)
            #expect(await first.process.finish().status == SIGKILL)
            killed.yield()

            let second = try await executable.serve(environment: environment(fake, deliverers: 2), in: directory)
            defer { second.process.terminate() }
            for await call in received {
                calls.append(call)
                break
            }
            #expect(calls.count == 2)
            let ids = calls.compactMap { $0.header("X-Event-Id") }
            #expect(ids.count == 2 && ids[0] == ids[1])
            // Sent again by the next process: after the dead one's lease expired, or as the retry it recorded
            // when the held attempt timed out before the kill.
        }
    }
}
