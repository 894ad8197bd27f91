import Foundation
import Pipeline
import SweepModel
#if canImport(Glibc)
import Glibc
#endif

/// Progress on stderr: a line redrawn twice a second on a terminal, a plain log line every 30 s otherwise
/// (cron and systemd logs), nothing with --quiet.
final class ProgressDisplay: @unchecked Sendable {
    private let progress: ScanProgress
    private let quiet: Bool
    private let tty = isatty(STDERR_FILENO) == 1
    private let done = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    init(progress: ScanProgress, quiet: Bool) { self.progress = progress; self.quiet = quiet }

    func start() {
        guard !quiet else { return }
        let interval = tty ? 0.5 : 30.0
        let t = Thread { [self] in
            var lastItems = 0, lastBytes = 0
            var lastTime = Timestamp.now()
            while done.wait(timeout: .now() + interval) == .timedOut {
                let now = Timestamp.now()
                let dt = max(0.001, Double(now.nanoseconds - lastTime.nanoseconds) / 1e9)
                let items = progress.items.load(ordering: .relaxed)
                let bytes = progress.bytesRead.load(ordering: .relaxed)
                let line = "sweep: \(progress.phase.rawValue)  \(items) items  \(Int(Double(items - lastItems) / dt)) items/s  "
                    + String(format: "%.1f MB/s read", Double(bytes - lastBytes) / dt / 1e6)
                    + "  \(progress.folders.load(ordering: .relaxed)) folders  \(progress.errors.load(ordering: .relaxed)) errors"
                lastItems = items; lastBytes = bytes; lastTime = now
                if tty {
                    FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
                } else {
                    FileHandle.standardError.write(Data("\(now.iso8601) \(line)\n".utf8))
                }
            }
            if tty { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            finished.signal()
        }
        t.start()
    }

    func stop() {
        guard !quiet else { return }
        done.signal()
        finished.wait()
    }
}
