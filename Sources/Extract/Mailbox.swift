#if canImport(Glibc)
import Glibc
#endif
import SweepModel

/// Unix mailboxes (mbox: mboxo, mboxrd, mboxcl as Thunderbird and most exports write them), split into
/// their messages as they stream past, so a mailbox of any size is read in bounded memory.
///
/// A message starts at every line that begins `From ` (the rule Python's `mailbox`, mutt and most readers
/// use: writers quote such lines in bodies as `>From `); the empty line before it ends the previous
/// message. `>From ` quoting (mboxrd) is undone. Messages are children named by their 1-based position
/// (`box.mbox!/17`).
public enum Mailbox {
    public static func extract(_ input: ContainerInput, budget: ExtractionBudget, visit: (Child) -> Bool) -> Extraction {
        var splitter = Splitter(limit: budget.limits.maxChildBytes)
        var result = Extraction()
        var stopped = false
        func emit(_ m: Splitter.Message) {
            guard !stopped else { return }
            if let p = budget.addChild() ?? budget.check() { result.problem = p; stopped = true; return }
            let content: Child.Content = m.tooLarge
                ? .skipped(size: m.size, problem: Problem(.limit, "message larger than \(ByteCount(Int64(budget.limits.maxChildBytes))): counted, not read"))
                : .bytes(m.bytes)
            if !visit(Child(name: String(m.number), kind: .message, content: content, declaredType: "message/rfc822")) { stopped = true }
        }
        switch input {
        case .memory(let bytes):
            bytes.withUnsafeBytes { splitter.feed($0, emit) }
        case .descriptor(let fd):
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
            defer { buffer.deallocate() }
            var offset: off_t = 0
            while !stopped {
                let n = pread(fd, buffer.baseAddress, buffer.count, offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    result.problem = Problem(.unreadable, "read failed: " + String(cString: strerror(errno)))
                    break
                }
                if n == 0 { break }
                offset += off_t(n)
                splitter.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), emit)
            }
        }
        if !stopped { splitter.finish(emit) }
        if splitter.count == 0 && result.problem == nil {
            result.problem = Problem(.corrupt, "no `From ` line: not an mbox mailbox")
        }
        return result
    }

    /// The line-by-line state machine, fed chunks of any size.
    struct Splitter {
        struct Message { var number: Int; var bytes: [UInt8]; var size: Int64; var tooLarge: Bool }
        let limit: Int
        var line: [UInt8] = []
        var current: Message?
        var count = 0
        /// The empty line before a `From ` line separates messages; it is held until the next line shows
        /// whether it belongs to the message.
        var heldEmpty: [UInt8]?

        init(limit: Int) { self.limit = limit }

        mutating func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (Message) -> Void) {
            var start = 0
            while start < chunk.count {
                if let nl = chunk[start...].firstIndex(of: 0x0A) {
                    line.append(contentsOf: chunk[start...nl])
                    take(emit)
                    start = nl + 1
                } else {
                    line.append(contentsOf: chunk[start...])
                    start = chunk.count
                    // A line longer than a message may be: flush what there is into the message.
                    if line.count > 1 << 20 { append(line); line.removeAll(keepingCapacity: true) }
                }
            }
        }

        mutating func finish(_ emit: (Message) -> Void) {
            if !line.isEmpty { take(emit) }
            if let m = current { emit(m); current = nil }
        }

        static let from = Array("From ".utf8)

        mutating func take(_ emit: (Message) -> Void) {
            defer { line.removeAll(keepingCapacity: true) }
            let isEmpty = line == [0x0A] || line == [0x0D, 0x0A]
            if line.starts(with: Splitter.from) {
                heldEmpty = nil
                if let m = current { emit(m) }
                count += 1
                current = Message(number: count, bytes: [], size: 0, tooLarge: false)
                return
            }
            guard current != nil else { return }   // text before the first From line: not a message
            if let held = heldEmpty { append(held); heldEmpty = nil }
            if isEmpty { heldEmpty = line; return }
            // mboxrd: one `>` comes off a `>From ` / `>>From ` line.
            if line.first == UInt8(ascii: ">"), line.drop(while: { $0 == UInt8(ascii: ">") }).starts(with: Splitter.from) {
                append(line.dropFirst())
            } else {
                append(line[...])
            }
        }

        mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
            guard var m = current else { return }
            current = nil
            m.size += Int64(bytes.count)
            if m.tooLarge || m.size > Int64(limit) {
                m.tooLarge = true
                m.bytes = []
            } else {
                m.bytes.append(contentsOf: bytes)
            }
            current = m
        }
    }
}
