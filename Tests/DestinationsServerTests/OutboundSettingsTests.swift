import Configuration
import Testing

@testable import DestinationsServer

/// The settings this server's outbound calls and jobs read, through an in-memory configuration.
@Suite("Outbound and job settings")
struct OutboundSettingsTests {
    static func settings(_ values: [AbsoluteConfigKey: ConfigValue]) throws(SettingsError) -> ServerSettings {
        try ServerSettings(reader: ConfigReader(provider: InMemoryProvider(values: values)))
    }

    @Test func defaultsSuitJobsThatWaitOnProviders() throws {
        let settings = try Self.settings([:])
        #expect(settings.outboundResolveTimeout == 1)
        #expect(settings.outboundResolveCache == 30)
        #expect(settings.outboundResolveNegativeCache == 5)
        #expect(settings.jobs.concurrency == 512)
        #expect(settings.jobs.providerConcurrency == 256)
    }

    @Test func aProvidersShareFollowsTheConcurrencyUnlessSet() throws {
        #expect(try Self.settings(["jobs.concurrency": 10]).jobs.providerConcurrency == 5)
        #expect(try Self.settings(["jobs.concurrency": 1]).jobs.providerConcurrency == 1)
        #expect(try Self.settings(["jobs.concurrency": 10, "jobs.provider_concurrency": 10]).jobs.providerConcurrency == 10)
    }

    @Test(
        arguments: [
            (["outbound.resolve_timeout_seconds": 0.0], "OUTBOUND_RESOLVE_TIMEOUT_SECONDS"),
            (["outbound.resolve_timeout_seconds": 61.0], "OUTBOUND_RESOLVE_TIMEOUT_SECONDS"),
            (["outbound.resolve_cache_seconds": -1.0], "OUTBOUND_RESOLVE_CACHE_SECONDS"),
            (["outbound.resolve_negative_cache_seconds": 4000.0], "OUTBOUND_RESOLVE_NEGATIVE_CACHE_SECONDS"),
            (["jobs.concurrency": 0], "JOBS_CONCURRENCY"),
            (["jobs.concurrency": 8, "jobs.provider_concurrency": 9], "JOBS_PROVIDER_CONCURRENCY"),
            (["jobs.provider_concurrency": 0], "JOBS_PROVIDER_CONCURRENCY"),
            (["outbound.timeout_seconds": 0.0], "OUTBOUND_TIMEOUT_SECONDS"),
        ] as [([AbsoluteConfigKey: ConfigValue], String)]
    )
    func outOfRangeValuesAreRefusedNamingTheVariable(_ values: [AbsoluteConfigKey: ConfigValue], _ variable: String) {
        #expect {
            _ = try Self.settings(values)
        } throws: { error in
            "\(error)".contains(variable)
        }
    }
}
