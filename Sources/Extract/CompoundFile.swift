import SweepModel

/// A Microsoft Compound File (MS-CFB, "OLE2"): the file system inside `.msg`, `.doc`, `.xls` and `.ppt`,
/// read from memory.
///
/// Written for hostile input: every sector number is checked against the file, every chain is bounded by
/// the number of sectors the file can hold (so a looping chain ends as `corrupt`, never as a hang), and
/// nothing is allocated beyond what the file's own size can justify. The directory's red-black tree is
/// only walked (left, right, child links), once per entry, so a cyclic tree cannot loop either.
public struct CompoundFile: Sendable {
    /// One stream or storage in the directory.
    public struct Entry: Sendable, Equatable {
        /// Its name as stored (`__substg1.0_0037001F`, `\u{5}SummaryInformation`).
        public let name: String
        /// `/`-separated from the root, which is `""`.
        public let path: String
        public let isStorage: Bool
        /// Stream size in bytes (0 for storages).
        public let size: Int
        /// The storage's modified time, where the writer recorded one.
        public let modified: Timestamp?
        let index: Int
    }

    static let signature: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
    static let endOfChain: UInt32 = 0xFFFF_FFFE
    static let freeSector: UInt32 = 0xFFFF_FFFF
    static let noStream: UInt32 = 0xFFFF_FFFF

    private struct RawEntry: Sendable {
        var name: String
        var type: UInt8          // 1 storage, 2 stream, 5 root
        var left: UInt32, right: UInt32, child: UInt32
        var start: UInt32
        var size: Int
        var modified: Timestamp?
    }

    private let bytes: [UInt8]
    private let sectorSize: Int
    private let sectorCount: Int
    private let miniCutoff: Int
    private let fat: [UInt32]
    private let miniFat: [UInt32]
    private let miniStream: [UInt8]
    private let raw: [RawEntry]
    /// Lower-cased path → entry index (names compare case-insensitively in MS-CFB).
    private let byPath: [String: Int]
    /// Entry index of a storage → its children's indexes, in name order.
    private let childIndexes: [Int: [Int]]
    private let paths: [Int: String]

    /// Whether `bytes` start with the compound-file signature.
    public static func hasSignature(_ bytes: [UInt8]) -> Bool { bytes.starts(with: signature) }

    public init(_ bytes: [UInt8]) throws(Problem) {
        guard bytes.count >= 512, bytes.starts(with: Self.signature) else {
            throw Problem(.corrupt, "not a compound file (no OLE2 signature, or shorter than its header)")
        }
        self.bytes = bytes
        let major = Self.u16(bytes, 0x1A)
        let shift = Self.u16(bytes, 0x1E)
        guard Self.u16(bytes, 0x1C) == 0xFFFE, (major == 3 && shift == 9) || (major == 4 && shift == 12) else {
            throw Problem(.corrupt, "compound file header has an unknown version or sector size")
        }
        guard Self.u16(bytes, 0x20) == 6 else { throw Problem(.corrupt, "compound file mini sector size is not 64") }
        let ss = 1 << Int(shift)
        sectorSize = ss
        // Sector n starts at (n + 1) × sector size; a final partial sector still counts (some writers trim).
        let count = bytes.count > ss ? (bytes.count - ss + ss - 1) / ss : 0
        sectorCount = count
        let cutoff = Int(Self.u32(bytes, 0x38))
        miniCutoff = cutoff == 4096 ? cutoff : 4096
        let perSector = ss / 4

        // DIFAT: 109 FAT sector numbers in the header, then a chain of DIFAT sectors.
        let fatSectorCount = Int(Self.u32(bytes, 0x2C))
        guard fatSectorCount <= count else { throw Problem(.corrupt, "compound file claims more FAT sectors than it has sectors") }
        var fatSectors: [Int] = []
        for i in 0..<109 where fatSectors.count < fatSectorCount {
            let s = Self.u32(bytes, 0x4C + 4 * i)
            if s == Self.freeSector || s == Self.endOfChain { break }
            guard Int(s) < count else { throw Problem(.corrupt, "FAT sector \(s) is beyond the end of the file") }
            fatSectors.append(Int(s))
        }
        var difat = Self.u32(bytes, 0x44)
        var difatSeen = 0
        while fatSectors.count < fatSectorCount, difat != Self.endOfChain, difat != Self.freeSector {
            guard Int(difat) < count else { throw Problem(.corrupt, "DIFAT sector \(difat) is beyond the end of the file") }
            difatSeen += 1
            guard difatSeen <= count else { throw Problem(.corrupt, "the DIFAT chain loops") }
            let base = (Int(difat) + 1) * ss
            guard base + ss <= bytes.count else { throw Problem(.corrupt, "a DIFAT sector is truncated") }
            for i in 0..<(perSector - 1) where fatSectors.count < fatSectorCount {
                let s = Self.u32(bytes, base + 4 * i)
                if s == Self.freeSector || s == Self.endOfChain { continue }
                guard Int(s) < count else { throw Problem(.corrupt, "FAT sector \(s) is beyond the end of the file") }
                fatSectors.append(Int(s))
            }
            difat = Self.u32(bytes, base + ss - 4)
        }
        guard !fatSectors.isEmpty else { throw Problem(.corrupt, "compound file has no FAT") }
        var fat: [UInt32] = []
        fat.reserveCapacity(fatSectors.count * perSector)
        for s in fatSectors {
            let base = (s + 1) * ss
            guard base + ss <= bytes.count else { throw Problem(.corrupt, "a FAT sector is truncated") }
            for i in 0..<perSector { fat.append(Self.u32(bytes, base + 4 * i)) }
        }
        self.fat = fat

        // Directory: 128-byte entries along the chain from the header's first directory sector.
        let dirChain = try Self.chain(from: Self.u32(bytes, 0x30), fat: fat, limit: count, what: "directory")
        var raw: [RawEntry] = []
        raw.reserveCapacity(dirChain.count * ss / 128)
        for s in dirChain {
            let base = (s + 1) * ss
            guard base + ss <= bytes.count else { throw Problem(.corrupt, "a directory sector is truncated") }
            for e in stride(from: base, to: base + ss, by: 128) {
                let nameLength = min(Int(Self.u16(bytes, e + 64)), 64)
                var units: [UInt16] = []
                var i = 0
                while i + 1 < nameLength {
                    let u = Self.u16(bytes, e + i)
                    if u == 0 { break }
                    units.append(u)
                    i += 2
                }
                let low = Int(Self.u32(bytes, e + 120))
                let high = Int(Self.u32(bytes, e + 124))
                let ft = Self.u64(bytes, e + 108)
                raw.append(RawEntry(name: String(decoding: units, as: UTF16.self), type: bytes[e + 66],
                                    left: Self.u32(bytes, e + 68), right: Self.u32(bytes, e + 72), child: Self.u32(bytes, e + 76),
                                    start: Self.u32(bytes, e + 116),
                                    size: major == 3 ? low : (high > 0 ? Int.max : low),   // v3: high half is undefined
                                    modified: Self.timestamp(filetime: ft)))
            }
        }
        guard let root = raw.first, root.type == 5 else { throw Problem(.corrupt, "compound file has no root entry") }
        self.raw = raw

        // Mini FAT and the mini stream (the root entry's stream), which hold streams under 4096 bytes.
        var miniFat: [UInt32] = []
        let miniFatStart = Self.u32(bytes, 0x3C)
        if miniFatStart != Self.endOfChain && miniFatStart != Self.freeSector {
            for s in try Self.chain(from: miniFatStart, fat: fat, limit: count, what: "mini FAT") {
                let base = (s + 1) * ss
                guard base + ss <= bytes.count else { throw Problem(.corrupt, "a mini FAT sector is truncated") }
                for i in 0..<perSector { miniFat.append(Self.u32(bytes, base + 4 * i)) }
            }
        }
        self.miniFat = miniFat
        if root.size > 0, root.start != Self.endOfChain {
            guard root.size <= bytes.count else { throw Problem(.corrupt, "the mini stream is larger than the file") }
            miniStream = try Self.read(bytes, start: root.start, size: root.size, sectorSize: ss, fat: fat, sectorCount: count,
                                       what: "mini stream")
        } else {
            miniStream = []
        }

        // The tree: each storage's children are the nodes of a binary tree hung from its child link. Each entry
        // is visited at most once, so a link back into the tree ends that walk instead of looping.
        var visited = [Bool](repeating: false, count: raw.count)
        visited[0] = true
        var byPath: [String: Int] = ["": 0]
        var childIndexes: [Int: [Int]] = [:]
        var paths: [Int: String] = [0: ""]
        var storages = [0]
        while let storage = storages.popLast() {
            var found: [Int] = []
            var stack = [raw[storage].child]
            while let link = stack.popLast() {
                guard link != Self.noStream, Int(link) < raw.count, !visited[Int(link)] else { continue }
                let i = Int(link)
                visited[i] = true
                let e = raw[i]
                guard e.type == 1 || e.type == 2 else { continue }
                found.append(i)
                stack.append(e.left)
                stack.append(e.right)
            }
            found.sort { raw[$0].name < raw[$1].name }
            childIndexes[storage] = found
            let parent = paths[storage] ?? ""
            for i in found {
                let path = parent.isEmpty ? raw[i].name : parent + "/" + raw[i].name
                paths[i] = path
                byPath[path.lowercased()] = i
                if raw[i].type == 1 { storages.append(i) }
            }
        }
        self.byPath = byPath
        self.childIndexes = childIndexes
        self.paths = paths
    }

    // MARK: Reading

    /// The entry at `path` (`/`-separated, case-insensitive; `""` is the root), if there is one.
    public func entry(_ path: String) -> Entry? {
        byPath[path.lowercased()].map(entry(at:))
    }

    /// The streams and storages directly inside the storage at `storagePath`, in name order.
    public func children(of storagePath: String) -> [Entry] {
        guard let i = byPath[storagePath.lowercased()] else { return [] }
        return (childIndexes[i] ?? []).map(entry(at:))
    }

    /// Every entry reachable from the root, in directory order (the root itself left out).
    public var allEntries: [Entry] {
        paths.keys.sorted().filter { $0 != 0 }.map(entry(at:))
    }

    /// The whole stream at `path`, or nil when there is no such stream or its chain is broken.
    public func stream(_ path: String) -> [UInt8]? {
        try? read(path)
    }

    /// The whole stream at `path`; a missing stream or a broken chain is `corrupt`.
    public func read(_ path: String) throws(Problem) -> [UInt8] {
        guard let i = byPath[path.lowercased()], raw[i].type == 2 else {
            throw Problem(.corrupt, "compound file has no stream \(path)")
        }
        let e = raw[i]
        if e.size == 0 { return [] }
        if e.size < miniCutoff {
            guard e.size <= miniStream.count else { throw Problem(.corrupt, "stream \(path) is larger than the mini stream") }
            return try Self.read(miniStream, start: e.start, size: e.size, sectorSize: 64, fat: miniFat,
                                 sectorCount: (miniStream.count + 63) / 64, what: path, headerSectors: 0)
        }
        guard e.size <= bytes.count else { throw Problem(.corrupt, "stream \(path) is larger than the file") }
        return try Self.read(bytes, start: e.start, size: e.size, sectorSize: sectorSize, fat: fat, sectorCount: sectorCount,
                             what: path)
    }

    private func entry(at i: Int) -> Entry {
        let e = raw[i]
        return Entry(name: e.name, path: paths[i] ?? e.name, isStorage: e.type != 2, size: e.type == 2 ? e.size : 0,
                     modified: e.modified, index: i)
    }

    // MARK: Chains

    /// The sectors of the chain starting at `start`, at most `limit` of them: a longer chain loops.
    private static func chain(from start: UInt32, fat: [UInt32], limit: Int, what: String) throws(Problem) -> [Int] {
        var out: [Int] = []
        var s = start
        while s != endOfChain {
            guard Int(s) < fat.count else { throw Problem(.corrupt, "the \(what) chain points outside the file (sector \(s))") }
            guard out.count < limit else { throw Problem(.corrupt, "the \(what) chain loops or is longer than the file") }
            out.append(Int(s))
            s = fat[Int(s)]
        }
        return out
    }

    /// `size` bytes along the chain from `start` in `source`, whose sector n is at (n + headerSectors) × size.
    private static func read(_ source: [UInt8], start: UInt32, size: Int, sectorSize: Int, fat: [UInt32], sectorCount: Int,
                             what: String, headerSectors: Int = 1) throws(Problem) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(size)
        var s = start
        // Sectors already read: a chain that comes back to one loops (and would repeat data if not caught).
        var seen = Set<UInt32>()
        seen.reserveCapacity(size / sectorSize + 1)
        while out.count < size {
            guard s != endOfChain else { throw Problem(.corrupt, "\(what) ends before its recorded size") }
            guard Int(s) < fat.count, Int(s) < sectorCount else {
                throw Problem(.corrupt, "\(what) points outside the file (sector \(s))")
            }
            guard seen.insert(s).inserted else { throw Problem(.corrupt, "the chain of \(what) loops") }
            let base = (Int(s) + headerSectors) * sectorSize
            let want = min(sectorSize, size - out.count)
            guard base + want <= source.count else { throw Problem(.corrupt, "\(what) is truncated") }
            out.append(contentsOf: source[base..<(base + want)])
            s = fat[Int(s)]
        }
        return out
    }

    // MARK: Little-endian helpers, shared with the readers built on compound files

    static func u16(_ b: [UInt8], _ o: Int) -> UInt16 {
        guard o >= 0, o + 2 <= b.count else { return 0 }
        return UInt16(b[o]) | UInt16(b[o + 1]) << 8
    }

    static func u32(_ b: [UInt8], _ o: Int) -> UInt32 {
        guard o >= 0, o + 4 <= b.count else { return 0 }
        return UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
    }

    static func u64(_ b: [UInt8], _ o: Int) -> UInt64 {
        UInt64(u32(b, o)) | UInt64(u32(b, o + 4)) << 32
    }

    /// A Windows FILETIME (100 ns ticks since 1601) as a timestamp; nil for zero and for times a nanosecond
    /// timestamp cannot hold (before 1678 or after 2262: garbage, not a date).
    static func timestamp(filetime: UInt64) -> Timestamp? {
        guard filetime > 0, filetime < UInt64(Int64.max) else { return nil }
        let ticks = Int64(filetime) - 116_444_736_000_000_000
        guard abs(ticks) < 92_000_000_000_000_000 else { return nil }
        return Timestamp(nanoseconds: ticks * 100)
    }

    /// Little-endian UTF-16 text, stopping at the first NUL.
    static func utf16(_ b: some Collection<UInt8>) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(b.count / 2)
        var it = b.makeIterator()
        while let lo = it.next(), let hi = it.next() {
            let u = UInt16(lo) | UInt16(hi) << 8
            if u == 0 { break }
            units.append(u)
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// 8-bit text in Windows-1252 (what legacy Office and MAPI write when no code page says otherwise), to the first NUL.
    static func ansi(_ b: some Collection<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for c in b {
            if c == 0 { break }
            scalars.append(PlainText.windows1252(c))
        }
        return String(scalars)
    }
}
