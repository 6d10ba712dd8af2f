import Foundation
import TestSupport
import Testing

@testable import DestinationsConnectors

@Suite("Host resolution")
struct HostResolutionTests {
    @Test func answersAreRememberedAndSoIsANameThatDoesNotExist() async {
        let resolver = ScriptedResolver(["api.example.com": .addresses(["203.0.113.1"]), "gone.example.com": .noSuchHost])
        let resolution = HostResolution(resolver: resolver)
        for _ in 0..<3 {
            #expect(
                await resolution.resolve("api.example.com", lane: .dialling, patience: .seconds(5))
                    == .addresses([IPAddress(literal: "203.0.113.1")!])
            )
            #expect(await resolution.resolve("GONE.example.com.", lane: .vetting, patience: .seconds(5)) == .noSuchHost)
        }
        #expect(resolver.lookups == ["api.example.com", "gone.example.com"])
    }

    @Test func anExpiredAnswerIsAskedForAgainAndAFailureIsNotRemembered() async {
        let resolver = ScriptedResolver(["api.example.com": .addresses(["203.0.113.1"])])
        let resolution = HostResolution(resolver: resolver, positiveLifetime: .zero)
        _ = await resolution.resolve("api.example.com", lane: .dialling, patience: .seconds(5))
        _ = await resolution.resolve("api.example.com", lane: .dialling, patience: .seconds(5))
        #expect(await resolution.resolve("unscripted.example.com", lane: .dialling, patience: .seconds(5)) == .failed)
        #expect(await resolution.resolve("unscripted.example.com", lane: .dialling, patience: .seconds(5)) == .failed)
        #expect(resolver.lookups == ["api.example.com", "api.example.com", "unscripted.example.com", "unscripted.example.com"])
    }

    @Test func addressesWrittenOutNeedNoLookup() async {
        let resolver = ScriptedResolver()
        let resolution = HostResolution(resolver: resolver)
        #expect(await resolution.resolve("[::1]", lane: .vetting, patience: .seconds(1)) == .addresses([IPAddress(literal: "::1")!]))
        #expect(await resolution.resolve("127.1", lane: .vetting, patience: .seconds(1)) == .addresses([IPAddress(literal: "127.0.0.1")!]))
        #expect(resolver.lookups.isEmpty)
    }

    /// A caller stops waiting at its patience; the lookup goes on, and the next caller gets its answer
    /// without asking again. Callers at once share one lookup.
    @Test func aSlowLookupIsSharedAndOutlivesTheCallerWhoStoppedWaiting() async {
        let resolver = ScriptedResolver(["slow.example.com": .stall(.milliseconds(300), then: .addresses(["203.0.113.5"]))])
        let resolution = HostResolution(resolver: resolver)
        async let first = resolution.resolve("slow.example.com", lane: .vetting, patience: .milliseconds(20))
        async let second = resolution.resolve("slow.example.com", lane: .dialling, patience: .seconds(30))
        #expect(await first == .timedOut)
        #expect(await second == .addresses([IPAddress(literal: "203.0.113.5")!]))
        #expect(
            await resolution.resolve("slow.example.com", lane: .vetting, patience: .milliseconds(20))
                == .addresses([IPAddress(literal: "203.0.113.5")!])
        )
        #expect(resolver.lookups == ["slow.example.com"])
    }

    /// Jobs dialling names whose lookups hang take every dialling slot; a request vetting a name in its own
    /// lane is answered as soon as its resolver answers.
    @Test func lookupsStuckInOneLaneDoNotHoldUpTheOther() async {
        let resolver = ScriptedResolver(["fast.example.com": .addresses(["203.0.113.6"]), "vetted.example.com": .addresses(["203.0.113.8"])])
        let stuck = (0..<HostResolution.Lane.dialling.concurrency * 2).map { "stuck-\($0).example.com" }
        for name in stuck { resolver.script(name, .stall(.seconds(60), then: .noSuchHost)) }
        let resolution = HostResolution(resolver: resolver)
        for name in stuck {
            #expect(await resolution.resolve(name, lane: .dialling, patience: .milliseconds(1)) == .timedOut)
        }
        // The dialling lane is full: a new name there waits for a slot, and gives up.
        #expect(await resolution.resolve("fast.example.com", lane: .dialling, patience: .milliseconds(200)) == .timedOut)
        #expect(!resolver.lookups.contains("fast.example.com"))
        #expect(
            await resolution.resolve("vetted.example.com", lane: .vetting, patience: .seconds(30)) == .addresses([IPAddress(literal: "203.0.113.8")!])
        )
    }
}
