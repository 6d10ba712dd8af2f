import DestinationsCore
import Foundation
import TestSupport
import Testing

@testable import DestinationsConnectors
@testable import DestinationsServer

/// Names of user-supplied hosts, through the server: resolved off the request path's critical threads,
/// vetted on the address dialled, and never a reason for a request to wait long.
@Suite("Outbound names through the server")
struct OutboundResolutionTests {
    static func activeCampaign(_ url: String, name: String) -> String {
        #"{"service_connection": {"name": "\#(name)", "type": "active_campaign", "credentials": {"api_token": "t", "instance_url": "\#(url)"}}}"#
    }

    /// Jobs whose providers' names hang in the resolver take every dialling slot. Creates meanwhile look
    /// their names up in a lane of their own: each is answered (one whose name resolves inside is refused,
    /// which only a lookup that ran can tell), none waits anywhere near its patience, and the jobs fail
    /// with the reason.
    @Test(arguments: TestBackend.all)
    func createsAreUnaffectedWhileJobsWaitOnAHangingResolver(_ backend: TestBackend) async throws {
        let resolver = ScriptedResolver()
        let hanging = (0..<20).map { "hanging-\($0).example.com" }
        for name in hanging { resolver.script(name, .stall(.seconds(120), then: .noSuchHost)) }
        let fresh = (0..<30).map { "fresh-\($0).example.com" }
        for (index, name) in fresh.enumerated() { resolver.script(name, .addresses(["203.0.113.\(index + 1)"])) }
        resolver.script("inside.example.com", .addresses(["10.20.30.40"]))
        let patience = 5.0
        let jobs = JobSettings(pollInterval: 0.05, leaseDuration: 60, retry: RetryPolicy(maxAttempts: 1, baseDelay: 0.01))
        try await TestServer(backend, jobs: jobs, resolver: resolver).run(
            configure: { settings, _ in
                settings.allowPrivateNetworks = false
                settings.outboundResolveTimeout = patience
                // The jobs dial the hosts they were given; a dial waits half the call's time for its name, which
                // leaves the egress's answer well ahead of the call's own deadline even on a loaded machine.
                settings.outboundTimeout = 20
                settings.connectorBaseURLs["braze"] = nil
            },
            body: { session in
                let outcomes = session.jobOutcomes()
                var keys: [Int64] = []
                for name in hanging {
                    let id = try await session.insertDestination(
                        type: "braze",
                        details: ["instance_url": .string("https://\(name)")],
                        secrets: ["api_key": "k"]
                    )
                    keys.append(try await session.refresh(id))
                }
                await resolver.waitForLookups(HostResolution.Lane.dialling.concurrency)

                var latencies: [Duration] = []
                for (index, name) in fresh.enumerated() {
                    let started = ContinuousClock.now
                    let response = try await session.request(
                        .post,
                        "/api/v1/destinations",
                        json: Self.activeCampaign("https://\(name)", name: "fresh \(index)")
                    )
                    latencies.append(ContinuousClock.now - started)
                    #expect(response.status == .created, "\(String(buffer: response.body))")
                }
                let refused = try await session.request(
                    .post,
                    "/api/v1/destinations",
                    json: Self.activeCampaign("https://inside.example.com", name: "inside")
                )
                #expect(refused.status == .unprocessableContent)
                #expect(try refused.json()["message"].string?.contains("Refusing to call inside.example.com") == true)
                #expect(Set(resolver.lookups).isSuperset(of: fresh + ["inside.example.com"]))
                let slowest = try #require(latencies.max())
                #expect(slowest < .seconds(patience), "creates took up to \(slowest)")

                guard case .failed(let message) = try await session.settled(keys[0], in: outcomes) else {
                    Issue.record("the job did not fail")
                    return
                }
                #expect(message.contains("Cannot reach hanging-0.example.com: its name did not resolve within 10 seconds"), "\(message)")
            }
        )
    }

    /// DNS rebinding through the API: the name is public when the destination is created and loopback when
    /// its jobs call it. The jobs are refused at the dial; the fake on loopback never hears from them.
    @Test(arguments: TestBackend.all)
    func aNameThatRebindsAfterCreationIsRefusedWhenTheJobDials(_ backend: TestBackend) async throws {
        let resolver = ScriptedResolver()
        resolver.script("rebind.example.com", .addresses(["203.0.113.50"]), .addresses(["127.0.0.1"]))
        try await TestServer(backend, resolver: resolver).run(
            configure: { settings, _ in
                settings.allowPrivateNetworks = false
                // Nothing remembered: the dial asks again, as it would once a short TTL ran out.
                settings.outboundResolveCache = 0
                settings.connectorBaseURLs["active_campaign"] = nil
            },
            body: { session in
                let (outcomes, testOutcomes) = (session.jobOutcomes(), session.jobOutcomes())
                let created = try await session.request(
                    .post,
                    "/api/v1/destinations",
                    json: Self.activeCampaign("http://rebind.example.com:\(session.fake.baseURL.port!)", name: "rebind")
                )
                #expect(created.status == .created)
                let id = try #require(try created.json()["data"]["id"].int)
                guard case .failed(let message) = try await session.settled(try await session.firstJob(of: id), in: outcomes) else {
                    Issue.record("the refresh did not fail")
                    return
                }
                #expect(message.contains("Refusing to call rebind.example.com"))
                _ = try await session.settled(try await session.firstJob(of: id, kind: .connectionTest), in: testOutcomes)
                #expect(session.fake.calls().isEmpty)
            }
        )
    }

    @Test(arguments: TestBackend.all)
    func aProviderReachedByNameIsCalledThroughTheEgress(_ backend: TestBackend) async throws {
        let resolver = ScriptedResolver(["braze.example.com": .addresses(["127.0.0.1"])])
        try await TestServer(backend, resolver: resolver).run(
            configure: { settings, _ in settings.connectorBaseURLs["braze"] = nil },
            body: { session in
                session.fake.brazeCatalogs(["menu"])
                let outcomes = session.jobOutcomes()
                let id = try await session.createBraze(instanceURL: "http://braze.example.com:\(session.fake.baseURL.port!)")
                #expect(try await session.settled(try await session.firstJob(of: id), in: outcomes) == .completed)
                #expect(try await session.objectNames(id).contains("catalog:menu"))
                #expect(resolver.lookups.contains("braze.example.com"))
            }
        )
    }

    /// A provider that hangs holds at most its share of workers: the other providers' jobs run meanwhile.
    @Test(arguments: TestBackend.all)
    func aHangingProviderHoldsOnlyItsShareOfWorkers(_ backend: TestBackend) async throws {
        let jobs = JobSettings(
            concurrency: 4,
            providerConcurrency: 2,
            pollInterval: 0.05,
            leaseDuration: 60,
            retry: RetryPolicy(maxAttempts: 1, baseDelay: 0.01)
        )
        // The hanging calls must not time out before the gate opens, however slow a loaded machine is.
        try await TestServer(backend, jobs: jobs).run(
            configure: { settings, _ in settings.outboundTimeout = 600 },
            body: { session in
                let hang = Gate()
                session.fake.on("GET", "/catalogs") { _ in
                    await hang.wait()
                    return .json(#"{"catalogs": [], "message": "success"}"#)
                }
                session.fake.activeCampaignSchemas(["invoice"])
                let outcomes = session.jobOutcomes()
                for index in 0..<4 {
                    let id = try await session.insertDestination(
                        type: "braze",
                        details: ["instance_url": "https://rest.iad-03.braze.com"],
                        secrets: ["api_key": .string("k\(index)")]
                    )
                    _ = try await session.refresh(id)
                }
                let other = try await session.insertDestination(
                    type: "active_campaign",
                    details: ["instance_url": "https://x.api-us1.com"],
                    secrets: ["api_token": "t"]
                )
                let key = try await session.refresh(other)
                #expect(try await session.settled(key, in: outcomes) == .completed)
                let states = try await session.environment.database.read { db in
                    try await db.raw("SELECT status, COUNT(*) AS n FROM jobs WHERE destination_type = 'braze' GROUP BY status")
                        .all()
                        .map { (try $0.decode(column: "status", as: String.self), try $0.decode(column: "n", as: Int.self)) }
                }
                #expect(Dictionary(uniqueKeysWithValues: states) == ["running": 2, "queued": 2])
                await hang.open()
            }
        )
    }
}
