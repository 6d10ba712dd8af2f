import Foundation

/// The `destinations` executable that `swift test` builds beside the test bundle, run as a user would.
struct BuiltExecutable: Sendable {
    let url: URL

    init() throws {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [directory, directory.deletingLastPathComponent()].map { $0.appendingPathComponent("destinations") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw CLIFailure("the destinations executable is not beside the test bundle (\(directory.path))")
        }
        url = found
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs to completion with the given arguments and environment additions.
    func run(_ arguments: [String], environment: [String: String] = [:], in directory: URL) async throws -> Result {
        let process = try start(arguments, environment: environment, in: directory)
        return await process.finish()
    }

    func start(_ arguments: [String], environment: [String: String] = [:], in directory: URL) throws -> RunningProcess {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        return try RunningProcess(process)
    }
}

/// A started process whose output is collected as it arrives.
final class RunningProcess: @unchecked Sendable {
    let process: Process
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    private let pipes: (out: Pipe, err: Pipe)
    /// Yields whenever output arrives, and once more when the process exits.
    private let events: AsyncStream<Void>
    private let exited: AsyncStream<Int32>

    init(_ process: Process) throws {
        self.process = process
        pipes = (Pipe(), Pipe())
        process.standardOutput = pipes.out
        process.standardError = pipes.err
        let (events, notify) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.events = events
        let (exited, exit) = AsyncStream.makeStream(of: Int32.self)
        self.exited = exited
        process.terminationHandler = { process in
            exit.yield(process.terminationStatus)
            exit.finish()
            notify.yield()
            notify.finish()
        }
        pipes.out.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            self?.lock.withLock { self?.out.append(data) }
            notify.yield()
        }
        pipes.err.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            self?.lock.withLock { self?.err.append(data) }
            notify.yield()
        }
        try process.run()
    }

    var stdout: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
    var stderr: String { lock.withLock { String(decoding: err, as: UTF8.self) } }

    /// Waits until standard output or error contains `text`; fails if the process exits first.
    func waitForOutput(containing text: String) async throws {
        for await _ in events where stdout.contains(text) || stderr.contains(text) {
            return
        }
        if stdout.contains(text) || stderr.contains(text) { return }
        throw CLIFailure("exited without printing \(text); stderr: \(stderr)")
    }

    func finish() async -> BuiltExecutable.Result {
        var status: Int32 = -1
        for await code in exited { status = code }
        // The process is gone: whatever the pipes still hold is all there is.
        for (pipe, isOut) in [(pipes.out, true), (pipes.err, false)] {
            pipe.fileHandleForReading.readabilityHandler = nil
            let rest = pipe.fileHandleForReading.readDataToEndOfFile()
            lock.withLock { if isOut { out.append(rest) } else { err.append(rest) } }
        }
        return BuiltExecutable.Result(status: status, stdout: stdout, stderr: stderr)
    }
}

struct CLIFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
