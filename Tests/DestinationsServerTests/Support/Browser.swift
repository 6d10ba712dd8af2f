import DestinationsCore
import Foundation
import TestSupport

/// Headless Chromium from the system, driven by `Browser/drive.py` (Playwright pointed at that Chromium).
/// `BROWSER_TESTS_PYTHON` names a Python that has Playwright (`.ci/run` makes one); `CHROMIUM` the
/// browser (default /usr/bin/chromium). Where `BROWSER_TESTS_REQUIRED=1` (CI), a missing one fails the
/// browser tests instead of leaving them out.
enum Browser {
    static let environment = ProcessInfo.processInfo.environment
    static let python = environment["BROWSER_TESTS_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
    static let chromium = environment["CHROMIUM"] ?? "/usr/bin/chromium"
    static let enabled = environment["BROWSER_TESTS_REQUIRED"] == "1" || (python != nil && FileManager.default.isExecutableFile(atPath: chromium))

    /// Where each page state's screenshot goes (README: "Screenshots"); not committed.
    static let screenshots = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("screenshots/connect-page")

    struct Outcome {
        let results: [String: JSONValue]
        let url: String
    }

    /// Runs the steps (see drive.py) and answers what they read; a failed step fails the test, quoting it.
    static func run(_ steps: [JSONValue]) async throws -> Outcome {
        guard let python else { throw TestFailure("BROWSER_TESTS_PYTHON is not set: the browser tests need a Python with Playwright") }
        guard FileManager.default.isExecutableFile(atPath: chromium) else { throw TestFailure("no Chromium at \(chromium)") }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Browser/drive.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path, chromium, screenshots.path]
        let (input, output) = (Pipe(), Pipe())
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(JSONValue.array(steps).encoded.utf8))
        try input.fileHandleForWriting.close()
        let printed = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: data)
            }
        }
        let answer = try JSONDecoder().decode(JSONValue.self, from: printed)
        if let error = answer["error"].string {
            throw TestFailure(
                "browser step \(answer["step"].int ?? -1) failed at \(answer["url"].string ?? ""): \(error); console: \(answer["console"])"
            )
        }
        return Outcome(results: answer["results"].object ?? [:], url: answer["url"].string ?? "")
    }

    // Steps, as drive.py reads them.
    static func goto(_ url: String) -> JSONValue { .object(["goto": .string(url)]) }
    static func fill(_ selector: String, _ value: String, frame: Bool = false) -> JSONValue {
        .object(["fill": .string(selector), "value": .string(value), "frame": .bool(frame)])
    }
    static func click(_ selector: String, frame: Bool = false) -> JSONValue { .object(["click": .string(selector), "frame": .bool(frame)]) }
    static func waitText(_ selector: String, _ text: String, frame: Bool = false) -> JSONValue {
        .object(["wait_text": .string(selector), "contains": .string(text), "frame": .bool(frame)])
    }
    static func waitURL(_ part: String) -> JSONValue { .object(["wait_url": .string(part)]) }
    static func waitEval(_ script: String) -> JSONValue { .object(["wait_eval": .string(script)]) }
    static func screenshot(_ name: String) -> JSONValue { .object(["screenshot": .string(name)]) }
    static func eval(_ script: String, as key: String, frame: Bool = false) -> JSONValue {
        .object(["eval": .string(script), "as": .string(key), "frame": .bool(frame)])
    }
    static func viewport(_ width: Int, _ height: Int) -> JSONValue {
        .object(["viewport": .array([.integer(Int64(width)), .integer(Int64(height))])])
    }
}
