import DestinationsCore
import Foundation

/// A connector with a declaration and the default behaviour (its static catalogue).
struct StaticConnector: Connector {
    let declaration: ConnectorDeclaration

    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        [ConnectionTestStep(step: "Nothing to call", status: .passed)]
    }
}
