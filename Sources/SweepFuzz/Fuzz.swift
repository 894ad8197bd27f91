import Extract
import Foundation

/// The in-house parsers under libFuzzer: `make fuzz` builds this with `-sanitize=fuzzer,address` and runs
/// each target for a while over a corpus seeded from `fixtures/`. Built normally, it replays files:
/// `SWEEP_FUZZ=mime sweep-fuzz crash-1234` runs one input through one parser, for reproducing a crash.
///
/// Targets (`SWEEP_FUZZ`): `mime` (RFC 5322/MIME), `mbox` (mailbox splitting), `compound` (the compound-file
/// reader), `msg` (Outlook messages), `legacy` (Word/Excel/PowerPoint binary formats), `rtf`.
enum FuzzTarget: String, CaseIterable {
    case mime, mbox, compound, msg, legacy, rtf

    static let current: FuzzTarget = {
        guard let name = ProcessInfo.processInfo.environment["SWEEP_FUZZ"], let t = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("sweep-fuzz: set SWEEP_FUZZ to one of \(names)\n".utf8))
            exit(2)
        }
        return t
    }()

    /// Small limits, so the fuzzer spends its time on parsing, not on legitimately large outputs.
    static let limits: ExtractionLimits = {
        var l = ExtractionLimits()
        l.maxChildBytes = 1 << 20
        l.maxWholeFileBytes = 1 << 20
        l.textCap = 1 << 20
        l.secondsPerItem = 5
        l.maxChildren = 1000
        return l
    }()

    func run(_ bytes: [UInt8]) {
        let limits = FuzzTarget.limits
        switch self {
        case .mime:
            let (e, children) = MailMessage.extract(bytes, limits: limits)
            precondition(e.body.count <= limits.textCap + 4096, "text cap not honoured")
            for c in children { if case .bytes(let b) = c.content { precondition(b.count <= limits.maxChildBytes) } }
        case .mbox:
            var total: Int64 = 0
            _ = Mailbox.extract(.memory(bytes), budget: ExtractionBudget(limits: limits)) { child in
                total += child.size
                return true
            }
            precondition(total <= Int64(bytes.count), "messages larger than the mailbox")
        case .compound:
            guard let file = try? CompoundFile(bytes) else { return }
            for entry in file.allEntries where !entry.isStorage {
                if let s = file.stream(entry.path) { precondition(s.count <= bytes.count * 64 + 4096) }
            }
        case .msg:
            _ = OutlookMessage.extract(bytes, limits: limits)
        case .legacy:
            let mime = ["application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"][Int(bytes.first ?? 0) % 3]
            _ = LegacyOffice.extract(bytes, mime: mime, limits: limits)
        case .rtf:
            _ = RichText.extract(bytes, limits: limits)
        }
    }
}

#if FUZZING
/// libFuzzer's entry for a program that has its own `main` (SwiftPM gives every executable one).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@main
struct Fuzz {
    static func main() {
        _ = FuzzTarget.current   // fail now, not in the first input, when SWEEP_FUZZ is missing
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv) { data, size in
            FuzzTarget.current.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
            return 0
        })
    }
}
#else
@main
struct Replay {
    static func main() {
        let target = FuzzTarget.current
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("sweep-fuzz: cannot read \(path)\n".utf8))
                exit(2)
            }
            target.run([UInt8](data))
            print("\(target.rawValue): \(path): ok")
        }
    }
}
#endif
