internal import CVectorscan
import Foundation

/// Many patterns, one pass: a Vectorscan block-mode database and the matches it reports.
///
/// Vectorscan reports every end offset at which a pattern matches, each with its leftmost start; ``scan``
/// gathers them per pattern and start, longest end first, so a validator can try "DE89…000 today" and then
/// "DE89…000".
public final class PatternSet: @unchecked Sendable {
    private let database: OpaquePointer
    private let prototype: OpaquePointer
    public let count: Int

    public struct CompileError: Error, CustomStringConvertible {
        public let index: Int?
        public let message: String
        public var description: String { message }
    }

    public struct Match: Sendable, Equatable {
        public let pattern: Int
        public let start: Int
        /// Every end at which the pattern matched from `start`, longest first.
        public let ends: [Int]
        public var end: Int { ends[0] }
    }

    /// Compiles `patterns` (index = id); `caseless[i]` sets case-insensitive matching for pattern i.
    public init(_ patterns: [String], caseless: [Bool]) throws {
        count = patterns.count
        let cStrings = patterns.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let flags: [UInt32] = caseless.map { UInt32(HS_FLAG_SOM_LEFTMOST) | ($0 ? UInt32(HS_FLAG_CASELESS) : 0) }
        let ids = (0..<patterns.count).map(UInt32.init)
        var db: OpaquePointer?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        let rc = cStrings.map { UnsafePointer($0) }.withUnsafeBufferPointer { exprs in
            hs_compile_multi(exprs.baseAddress, flags, ids, UInt32(patterns.count), UInt32(HS_MODE_BLOCK), nil, &db, &error)
        }
        guard rc == HS_SUCCESS, let db else {
            let message = error.map { String(cString: $0.pointee.message) } ?? "error \(rc)"
            let index = error.map { Int($0.pointee.expression) }
            if let error { hs_free_compile_error(error) }
            throw CompileError(index: index.flatMap { $0 >= 0 ? $0 : nil }, message: message)
        }
        var scratch: OpaquePointer?
        guard hs_alloc_scratch(db, &scratch) == HS_SUCCESS, let scratch else {
            hs_free_database(db)
            throw CompileError(index: nil, message: "cannot allocate Vectorscan scratch space")
        }
        database = db
        prototype = scratch
    }

    deinit {
        hs_free_scratch(prototype)
        hs_free_database(database)
    }

    /// Scratch space for one thread's scans.
    public final class Scratch {
        let pointer: OpaquePointer
        init(_ p: OpaquePointer) { pointer = p }
        deinit { hs_free_scratch(pointer) }
    }

    public func makeScratch() -> Scratch {
        var s: OpaquePointer?
        precondition(hs_clone_scratch(prototype, &s) == HS_SUCCESS && s != nil, "Vectorscan could not allocate scratch space")
        return Scratch(s!)
    }

    final class Collector {
        var raw: [(UInt32, Int, Int)] = []
    }

    /// Every pattern's matches in `text` by start, sorted by start.
    public func scan(_ text: UnsafeRawBufferPointer, scratch: Scratch) -> [Match] {
        guard !text.isEmpty else { return [] }
        let collector = Collector()
        let context = Unmanaged.passUnretained(collector).toOpaque()
        _ = hs_scan(database, text.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(text.count), 0, scratch.pointer,
                    { id, from, to, _, ctx in
                        Unmanaged<Collector>.fromOpaque(ctx!).takeUnretainedValue().raw.append((id, Int(from), Int(to)))
                        return 0
                    }, context)
        var ends: [Int: [Int: [Int]]] = [:]   // pattern -> start -> ends
        for (id, from, to) in collector.raw { ends[Int(id), default: [:]][from, default: []].append(to) }
        var out: [Match] = []
        for (p, starts) in ends {
            for (s, e) in starts { out.append(Match(pattern: p, start: s, ends: Array(Set(e)).sorted(by: >))) }
        }
        return out.sorted { ($0.start, $0.pattern) < ($1.start, $1.pattern) }
    }
}
