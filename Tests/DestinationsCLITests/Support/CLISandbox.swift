import Foundation

/// What each CLI suite's test starts with: the built binary, and a temporary directory of its own that
/// goes when the test is over.
final class CLISandbox: Sendable {
    let executable: BuiltExecutable
    let directory: URL

    init(_ purpose: String) throws {
        executable = try BuiltExecutable()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("destinations-\(purpose)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }
}
