import DestinationsCore

/// Provider HTTP for tests whose connectors call nothing: any call fails, naming itself.
struct UnreachableProviders: ProviderHTTP {
    func send(_ request: ProviderRequest) async throws -> ProviderResponse {
        throw ProviderFailure.permanent("these tests reach no provider (\(request.url.host() ?? "no host"))")
    }
}
