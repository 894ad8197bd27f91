@testable import Extract
import Foundation
import SweepModel
import Testing

/// Writes small compound files by hand, so the reader's tests can build exactly the structure (or the
/// damage) they need. Streams under 4096 bytes go to the mini stream, as MS-CFB requires.
struct CFBBuilder {
    /// `/`-separated paths; parents become storages. A path ending in `/` is an empty storage.
    var streams: [(path: String, data: [UInt8])] = []
    var sectorSize = 512
    /// More FAT sectors than needed, to push the FAT list past the header's 109 slots into DIFAT sectors.
    var minFATSectors = 1

    mutating func add(_ path: String, _ data: [UInt8]) { streams.append((path, data)) }
    mutating func add(_ path: String, _ text: String) { streams.append((path, Array(text.utf8))) }

    struct Node { var name: String; var type: UInt8; var parent: Int; var data: [UInt8]; var start: UInt32 = 0xFFFF_FFFE
        var children: [Int] = [] }

    func build() -> [UInt8] {
        let ss = sectorSize, per = ss / 4
        let end: UInt32 = 0xFFFF_FFFE, free: UInt32 = 0xFFFF_FFFF
        var nodes = [Node(name: "Root Entry", type: 5, parent: -1, data: [])]
        var byPath: [String: Int] = ["": 0]
        func storage(_ path: String) -> Int {
            if let i = byPath[path] { return i }
            let parts = path.split(separator: "/").map(String.init)
            let parent = storage(parts.dropLast().joined(separator: "/"))
            nodes.append(Node(name: parts.last!, type: 1, parent: parent, data: []))
            byPath[path] = nodes.count - 1
            nodes[parent].children.append(nodes.count - 1)
            return nodes.count - 1
        }
        for (path, data) in streams {
            if path.hasSuffix("/") { _ = storage(String(path.dropLast())); continue }
            let parts = path.split(separator: "/").map(String.init)
            let parent = storage(parts.dropLast().joined(separator: "/"))
            nodes.append(Node(name: parts.last!, type: 2, parent: parent, data: data))
            nodes[parent].children.append(nodes.count - 1)
        }
        // Mini stream: small streams, each padded to 64 bytes.
        var mini: [UInt8] = [], miniFat: [UInt32] = []
        for i in nodes.indices where nodes[i].type == 2 && nodes[i].data.count < 4096 && !nodes[i].data.isEmpty {
            let first = miniFat.count
            nodes[i].start = UInt32(first)
            let n = (nodes[i].data.count + 63) / 64
            for k in 0..<n { miniFat.append(k == n - 1 ? end : UInt32(first + k + 1)) }
            mini += nodes[i].data + [UInt8](repeating: 0, count: n * 64 - nodes[i].data.count)
        }
        let dirSectors = (nodes.count * 128 + ss - 1) / ss
        let miniFatSectors = (miniFat.count * 4 + ss - 1) / ss
        let miniSectors = (mini.count + ss - 1) / ss
        let bigSectors = nodes.filter { $0.type == 2 && $0.data.count >= 4096 }.map { ($0.data.count + ss - 1) / ss }.reduce(0, +)
        let data = dirSectors + miniFatSectors + miniSectors + bigSectors
        var fatCount = max(1, minFATSectors), difatCount = 0
        while true {
            difatCount = fatCount > 109 ? (fatCount - 109 + per - 2) / (per - 1) : 0
            if fatCount * per >= fatCount + difatCount + data { break }
            fatCount += 1
        }
        var fat = [UInt32](repeating: free, count: fatCount * per)
        for i in 0..<fatCount { fat[i] = 0xFFFF_FFFD }
        for i in 0..<difatCount { fat[fatCount + i] = 0xFFFF_FFFC }
        var next = fatCount + difatCount
        func allocate(_ n: Int) -> UInt32 {
            guard n > 0 else { return end }
            let first = next
            for k in 0..<n { fat[first + k] = k == n - 1 ? end : UInt32(first + k + 1) }
            next += n
            return UInt32(first)
        }
        let dirStart = allocate(dirSectors)
        let miniFatStart = allocate(miniFatSectors)
        let miniStart = allocate(miniSectors)
        nodes[0].start = miniSectors > 0 ? miniStart : end
        nodes[0].data = []
        var big: [(Int, UInt32)] = []
        for i in nodes.indices where nodes[i].type == 2 && nodes[i].data.count >= 4096 {
            nodes[i].start = allocate((nodes[i].data.count + ss - 1) / ss)
            big.append((i, nodes[i].start))
        }
        let total = next
        var out = [UInt8](repeating: 0, count: ss * (total + 1))
        func put16(_ v: UInt16, _ o: Int) { out[o] = UInt8(v & 0xFF); out[o + 1] = UInt8(v >> 8) }
        func put32(_ v: UInt32, _ o: Int) { for k in 0..<4 { out[o + k] = UInt8((v >> (8 * UInt32(k))) & 0xFF) } }
        func sector(_ s: Int) -> Int { (s + 1) * ss }
        out.replaceSubrange(0..<8, with: CompoundFile.signature)
        put16(0x3E, 0x18); put16(ss == 512 ? 3 : 4, 0x1A); put16(0xFFFE, 0x1C); put16(ss == 512 ? 9 : 12, 0x1E); put16(6, 0x20)
        put32(ss == 512 ? 0 : UInt32(dirSectors), 0x28)
        put32(UInt32(fatCount), 0x2C); put32(dirStart, 0x30); put32(4096, 0x38)
        put32(miniFatSectors > 0 ? miniFatStart : end, 0x3C); put32(UInt32(miniFatSectors), 0x40)
        put32(difatCount > 0 ? UInt32(fatCount) : end, 0x44); put32(UInt32(difatCount), 0x48)
        for i in 0..<109 { put32(i < fatCount ? UInt32(i) : free, 0x4C + 4 * i) }
        for d in 0..<difatCount {
            let base = sector(fatCount + d)
            for k in 0..<(per - 1) {
                let f = 109 + d * (per - 1) + k
                put32(f < fatCount ? UInt32(f) : free, base + 4 * k)
            }
            put32(d == difatCount - 1 ? end : UInt32(fatCount + d + 1), base + ss - 4)
        }
        for (i, v) in fat.enumerated() { put32(v, sector(0) + 4 * i + (i / per) * 0) }
        // FAT sectors are 0..<fatCount, consecutive, so the FAT lies contiguous from sector 0.
        for i in 0..<nodes.count {
            let base = sector(Int(dirStart)) + 128 * i
            let units = Array(nodes[i].name.utf16)
            for (k, u) in units.enumerated() { put16(u, base + 2 * k) }
            put16(UInt16((units.count + 1) * 2), base + 64)
            out[base + 66] = nodes[i].type
            out[base + 67] = 1
            put32(free, base + 68); put32(free, base + 72); put32(free, base + 76)
            put32(nodes[i].start, base + 116)
            put32(UInt32(nodes[i].type == 5 ? mini.count : nodes[i].data.count), base + 120)
        }
        // Each storage's children hang as a chain of right siblings: a degenerate but valid tree.
        for i in nodes.indices where !nodes[i].children.isEmpty {
            let c = nodes[i].children
            put32(UInt32(c[0]), sector(Int(dirStart)) + 128 * i + 76)
            for k in 0..<(c.count - 1) { put32(UInt32(c[k + 1]), sector(Int(dirStart)) + 128 * c[k] + 72) }
        }
        for (k, v) in miniFat.enumerated() { put32(v, sector(Int(miniFatStart)) + 4 * k) }
        if !mini.isEmpty { out.replaceSubrange(sector(Int(miniStart))..<(sector(Int(miniStart)) + mini.count), with: mini) }
        for (i, start) in big {
            let d = nodes[i].data
            out.replaceSubrange(sector(Int(start))..<(sector(Int(start)) + d.count), with: d)
        }
        return out
    }

    /// Where the directory starts and where sector n's FAT entry lies, for tests that break them.
    static func fatEntryOffset(_ file: [UInt8], sector n: Int, sectorSize: Int = 512) -> Int { sectorSize + 4 * n }
    static func directorySector(_ file: [UInt8]) -> Int { Int(CompoundFile.u32(file, 0x30)) }
}

/// A small deterministic generator (SplitMix64), so the random-bytes test is the same on every run.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8(truncatingIfNeeded: next()) } }
}

func repoRoot() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

func corruptKind(_ bytes: [UInt8]) -> Problem.Kind? {
    do { _ = try CompoundFile(bytes); return nil } catch { return error.kind }
}

@Suite struct CompoundFileTests {
    func pattern(_ n: Int, seed: UInt8) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) } }

    @Test func readsMiniAndRegularStreamsAndStorages() throws {
        for ss in [512, 4096] {
            var b = CFBBuilder()
            b.sectorSize = ss
            b.add("small", pattern(100, seed: 1))
            b.add("big", pattern(10_000, seed: 2))
            b.add("Store/inner", "inside a storage")
            b.add("Store/Deeper/leaf", pattern(5000, seed: 3))
            b.add("Empty/", [])
            let f = try CompoundFile(b.build())
            #expect(f.stream("small") == pattern(100, seed: 1))
            #expect(f.stream("big") == pattern(10_000, seed: 2))
            #expect(f.stream("STORE/Inner").map { String(decoding: $0, as: UTF8.self) } == "inside a storage")
            #expect(f.stream("Store/Deeper/leaf") == pattern(5000, seed: 3))
            #expect(f.stream("missing") == nil)
            #expect(f.stream("Store") == nil)   // a storage is not a stream
            #expect(f.children(of: "").map(\.name) == ["Empty", "Store", "big", "small"])
            #expect(f.children(of: "Store").map(\.path) == ["Store/Deeper", "Store/inner"])
            #expect(f.entry("Store/Deeper")?.isStorage == true)
            #expect(f.entry("big")?.size == 10_000)
            #expect(f.allEntries.count == 7)
        }
    }

    @Test func followsDIFATSectorsBeyondTheHeader() throws {
        var b = CFBBuilder()
        b.minFATSectors = 120   // 11 FAT sector numbers live in a DIFAT sector
        b.add("payload", pattern(6000, seed: 9))
        let bytes = b.build()
        #expect(CompoundFile.u32(bytes, 0x48) == 1)   // the file really has a DIFAT sector
        let f = try CompoundFile(bytes)
        #expect(f.stream("payload") == pattern(6000, seed: 9))
    }

    @Test func aLoopingDirectoryChainIsCorrupt() {
        var b = CFBBuilder()
        b.add("a", "text")
        var bytes = b.build()
        let dir = CFBBuilder.directorySector(bytes)
        let o = CFBBuilder.fatEntryOffset(bytes, sector: dir)
        bytes.replaceSubrange(o..<(o + 4), with: [UInt8(dir), 0, 0, 0])   // the directory's next sector is itself
        let start = ExtractionBudget.clock()
        #expect(corruptKind(bytes) == .corrupt)
        #expect(ExtractionBudget.clock() - start < 2)
    }

    @Test func aLoopingStreamChainIsCorruptAndTheRestStillReads() throws {
        var b = CFBBuilder()
        b.add("ok", "fine")
        b.add("looped", pattern(9000, seed: 4))
        var bytes = b.build()
        let f0 = try CompoundFile(bytes)
        let entry = try #require(f0.entry("looped"))
        // Find the stream's first sector from its directory entry, then make its second sector point back.
        let dirBase = (CFBBuilder.directorySector(bytes) + 1) * 512 + 128 * entry.index
        let first = Int(CompoundFile.u32(bytes, dirBase + 116))
        let o = CFBBuilder.fatEntryOffset(bytes, sector: first + 1)
        bytes.replaceSubrange(o..<(o + 4), with: [UInt8(first), 0, 0, 0])
        let f = try CompoundFile(bytes)
        #expect(f.stream("looped")?.count == nil)
        #expect(throws: Problem.self) { try f.read("looped") }
        #expect(String(decoding: f.stream("ok") ?? [], as: UTF8.self) == "fine")
    }

    @Test func aCyclicDirectoryTreeEndsAndListsEachEntryOnce() throws {
        var b = CFBBuilder()
        b.add("a", "1"); b.add("b", "2"); b.add("c", "3")
        var bytes = b.build()
        let dirBase = (CFBBuilder.directorySector(bytes) + 1) * 512
        // c's left sibling is a, whose right sibling is b → a cycle through the tree.
        let c = dirBase + 128 * 3
        bytes.replaceSubrange((c + 68)..<(c + 72), with: [1, 0, 0, 0])
        let f = try CompoundFile(bytes)
        #expect(f.children(of: "").map(\.name) == ["a", "b", "c"])
    }

    @Test func outOfRangeSectorsAndSizesAreCorrupt() throws {
        var b = CFBBuilder()
        b.add("big", pattern(5000, seed: 5))
        let good = b.build()
        let f = try CompoundFile(good)
        let entry = try #require(f.entry("big"))
        let dirBase = (CFBBuilder.directorySector(good) + 1) * 512 + 128 * entry.index
        var far = good
        far.replaceSubrange((dirBase + 116)..<(dirBase + 120), with: [0x00, 0x00, 0x00, 0x10])   // sector 0x10000000
        #expect(try CompoundFile(far).stream("big")?.count == nil)
        var huge = good
        huge.replaceSubrange((dirBase + 120)..<(dirBase + 124), with: [0xFF, 0xFF, 0xFF, 0x7F])  // a 2 GB size
        #expect(throws: Problem.self) { try CompoundFile(huge).read("big") }
        var fatBeyond = good
        fatBeyond.replaceSubrange(0x4C..<0x50, with: [0xFF, 0xFF, 0x00, 0x00])
        #expect(corruptKind(fatBeyond) == .corrupt)
        #expect(corruptKind(Array(good.prefix(300))) == .corrupt)
        #expect(corruptKind(Array("not a compound file at all".utf8)) == .corrupt)
    }

    @Test func randomBytesBehindASignatureNeverCrash() {
        var rng = SplitMix(state: 0x5EED)
        let start = ExtractionBudget.clock()
        var rejected = 0
        for round in 0..<300 {
            var bytes = CompoundFile.signature + rng.bytes(512 * (1 + round % 16))
            if round % 2 == 0 {
                // A plausible header, so the damage is met further in: FAT, directory, mini stream.
                bytes.replaceSubrange(0x1A..<0x20, with: [3, 0, 0xFE, 0xFF, 9, 0])
                bytes.replaceSubrange(0x20..<0x22, with: [6, 0])
                bytes.replaceSubrange(0x2C..<0x30, with: [1, 0, 0, 0])
                bytes.replaceSubrange(0x4C..<0x50, with: [0, 0, 0, 0])
            }
            if let f = try? CompoundFile(bytes) {
                for e in f.allEntries where !e.isStorage { _ = f.stream(e.path) }
                _ = OutlookMessage.extract(bytes, limits: ExtractionLimits())
            } else {
                rejected += 1
            }
        }
        #expect(rejected >= 150)   // at least every round without a plausible header
        #expect(ExtractionBudget.clock() - start < 20)
    }

    @Test func aTruncatedRealFileIsCorrupt() throws {
        let doc = try Data(contentsOf: repoRoot().appendingPathComponent("fixtures/formats/legacy/letter.doc"))
        #expect(try CompoundFile(Array(doc)).stream("WordDocument") != nil)
        #expect(corruptKind(Array(doc.prefix(1000))) == .corrupt)
        let e = LegacyOffice.extract(Array(doc.prefix(1000)), mime: "application/msword", limits: ExtractionLimits())
        #expect(e.problem?.kind == .corrupt)
        // Cut mid-file: the header and FAT may survive, the streams past the cut cannot be read.
        let half = LegacyOffice.extract(Array(doc.prefix(doc.count / 2)), mime: "application/msword", limits: ExtractionLimits())
        #expect(half.problem?.kind == .corrupt)
    }
}
