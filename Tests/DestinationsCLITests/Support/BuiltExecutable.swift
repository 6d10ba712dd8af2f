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

    /// Starts `serve` on a port the system picks, which no other process can take between a kill and a restart
    /// the way a port found free a moment before can, and waits until it listens there.
    func serve(environment: [String: String], in directory: URL) async throws -> ServingProcess {
        let process = try start(["serve"], environment: environment.merging(["PORT": "0"]) { $1 }, in: directory)
        let line = try await process.waitForOutput(containing: "Server started and listening on ")
        guard let port = line.split(separator: ":").last.flatMap({ Int($0.prefix(while: \.isNumber)) }) else {
            throw CLIFailure("no port in \(line)")
        }
        return ServingProcess(process: process, port: port)
    }

    func start(_ arguments: [String], environment: [String: String] = [:], in directory: URL) throws -> RunningProcess {
        try RunningProcess(
            executable: url.path,
            arguments: arguments,
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
            directory: directory.path
        )
    }
}

/// A started process whose output is collected as it arrives.
///
/// Spawned with posix_spawn rather than Foundation's `Process`, whose `run()` on Linux can read past a
/// directory buffer and crash the whole test bundle when many descriptors are open
/// (swift-corelibs-foundation#5472).
final class RunningProcess: @unchecked Sendable {
    let pid: pid_t
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    /// Yields whenever output arrives, and once more when the process exits and its pipes are drained.
    private let events: AsyncStream<Void>
    private let exited: AsyncStream<Int32>

    init(executable: String, arguments: [String], environment: [String: String], directory: String) throws {
        // `env -C` sets the working directory and execs in place, so the pid is the executable's.
        let argv = (["/usr/bin/env", "-C", directory, executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        let (child, outRead, errRead) = try Self.spawnLock.withLock {
            // Under one lock, so no other child inherits these pipes before they are marked close-on-exec.
            let (outRead, outWrite) = try Self.pipe()
            let (errRead, errWrite) = try Self.pipe()
            defer {
                close(outWrite)
                close(errWrite)
            }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, outWrite, STDOUT_FILENO)
            posix_spawn_file_actions_adddup2(&actions, errWrite, STDERR_FILENO)
            var child = pid_t()
            let spawned = posix_spawn(&child, "/usr/bin/env", &actions, nil, argv, envp)
            guard spawned == 0 else {
                close(outRead)
                close(errRead)
                throw CLIFailure("posix_spawn \(executable) failed: \(String(cString: strerror(spawned)))")
            }
            return (child, outRead, errRead)
        }
        pid = child

        let (events, notify) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.events = events
        let (exited, exit) = AsyncStream.makeStream(of: Int32.self)
        self.exited = exited
        let readers = DispatchGroup()
        for (descriptor, isOut) in [(outRead, true), (errRead, false)] {
            readers.enter()
            Thread.detachNewThread { [self] in
                defer {
                    close(descriptor)
                    readers.leave()
                }
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let count = read(descriptor, &buffer, buffer.count)
                    if count < 0 && errno == EINTR { continue }
                    guard count > 0 else { return }
                    let chunk = Data(buffer[0..<count])
                    lock.withLock { if isOut { out.append(chunk) } else { err.append(chunk) } }
                    notify.yield()
                }
            }
        }
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0 && errno == EINTR {}
            // The exit code, or the signal that ended it, as Foundation's terminationStatus reports.
            let signal = status & 0x7f
            readers.wait()
            exit.yield(signal == 0 ? (status >> 8) & 0xff : signal)
            exit.finish()
            notify.yield()
            notify.finish()
        }
    }

    private static let spawnLock = NSLock()

    private static func pipe() throws -> (read: Int32, write: Int32) {
        var descriptors: [Int32] = [0, 0]
        guard Glibc.pipe(&descriptors) == 0 else { throw CLIFailure("pipe failed: \(errno)") }
        for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        return (descriptors[0], descriptors[1])
    }

    var stdout: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
    var stderr: String { lock.withLock { String(decoding: err, as: UTF8.self) } }

    func terminate() { kill(pid, SIGTERM) }

    /// Waits until standard output or error has a line containing `text`, and returns that line; fails if the
    /// process exits first.
    @discardableResult
    func waitForOutput(containing text: String) async throws -> String {
        for await _ in events {
            if let line = line(containing: text) { return line }
        }
        if let line = line(containing: text) { return line }
        throw CLIFailure("exited without printing \(text); stderr: \(stderr)")
    }

    private func line(containing text: String) -> String? {
        (stdout + "\n" + stderr).split(separator: "\n").first { $0.contains(text) }.map(String.init)
    }

    func finish() async -> BuiltExecutable.Result {
        var status: Int32 = -1
        for await code in exited { status = code }
        return BuiltExecutable.Result(status: status, stdout: stdout, stderr: stderr)
    }
}

/// A `serve` process and the port it listens on.
struct ServingProcess {
    let process: RunningProcess
    let port: Int

    /// The token printed when the server made its first workspace, which it does on an empty database only.
    var firstToken: String? {
        process.stdout.split(separator: "\n").first { $0.hasPrefix("secret-token:") }.map(String.init)
    }
}

struct CLIFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
