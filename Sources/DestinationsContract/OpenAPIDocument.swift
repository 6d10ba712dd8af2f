import Foundation

/// The contract this server implements, as the bytes of `openapi.yaml`.
public enum OpenAPIDocument {
    public static let yaml: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let data = try? Data(contentsOf: url)
        else {
            preconditionFailure("openapi.yaml is missing from the DestinationsAPI resource bundle")
        }
        return data
    }()
}
