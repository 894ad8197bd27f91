import Foundation

/// The outcome of running the built `sweep` binary.
public struct SweepRun: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    /// The stdout of an export, one parsed JSON object per line.
    public var jsonLines: [[String: Any]] {
        stdout.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }
}

/// Where the built `sweep` is: $SWEEP_BIN (set by `make test`), else .build/debug/sweep.
public let sweepBinary: String = {
    if let p = ProcessInfo.processInfo.environment["SWEEP_BIN"], FileManager.default.isExecutableFile(atPath: p) { return p }
    return repositoryRoot + "/.build/debug/sweep"
}()

/// Starts `sweep` with arguments; the caller waits or kills.
public func startSweep(_ arguments: [String], cwd: String? = nil, prefix: [String] = [],
                       environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
    let p = Process()
    if !environment.isEmpty {
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given }
    }
    if prefix.isEmpty {
        p.executableURL = URL(fileURLWithPath: sweepBinary)
        p.arguments = arguments
    } else {
        p.executableURL = URL(fileURLWithPath: prefix[0])
        p.arguments = Array(prefix.dropFirst()) + [sweepBinary] + arguments
    }
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    return (p, out, err)
}

/// Runs `sweep` to the end and returns its exit status and output.
public func runSweep(_ arguments: [String], cwd: String? = nil, prefix: [String] = [],
                     environment: [String: String] = [:]) throws -> SweepRun {
    let (p, out, err) = try startSweep(arguments, cwd: cwd, prefix: prefix, environment: environment)
    // Read both pipes before waiting so a large export cannot fill a pipe and stall.
    let errData = ThreadedRead(err.fileHandleForReading)
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return SweepRun(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                    stderr: String(decoding: errData.wait(), as: UTF8.self))
}

final class ThreadedRead: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)
    init(_ handle: FileHandle) {
        Thread { [self] in data = handle.readDataToEndOfFile(); done.signal() }.start()
    }
    func wait() -> Data { done.wait(); return data }
}

/// True when this process can read files whatever their mode (root with CAP_DAC_OVERRIDE): permission tests
/// then run sweep through `setpriv` with those capabilities dropped.
public var runningWithDACOverride: Bool { getuid() == 0 }

/// The prefix that runs a command without the capabilities that bypass file permissions.
public let withoutFileCapabilities = ["/usr/bin/setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search"]
