@testable import Detect
import Foundation
import Rules
import TestSupport
import Testing

/// Compiled databases kept between runs are used only when they are exactly what would be compiled now.
@Suite struct PatternCacheTests {
    static let text = Array("NI JK 12 34 56 C, mail jane.doe@example.org, host fe80::1, tel 07700 900123".utf8)

    func build(_ cache: PatternCache?, patterns: [String]? = nil) throws -> PatternSet {
        // The personal-data patterns: all gated, one database per gate.
        let personal = PatternSetTests.rules.personalData.flatMap { r in r.patterns.map { ($0, r.caseless) } }
        let p = patterns ?? personal.map(\.0)
        return try PatternSet(p, caseless: patterns == nil ? personal.map(\.1) : p.map { _ in false }, cache: cache)
    }

    func scan(_ set: PatternSet) -> [PatternSet.Match] { Self.text.withUnsafeBytes { set.scan($0, scratch: set.makeScratch()) } }

    func files(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".hsdb") }.sorted()
    }

    @Test func aSecondBuildLoadsWhatTheFirstCompiled() throws {
        let tree = TempTree()
        let cache = PatternCache(directory: tree.path("cache"))
        let first = try build(cache)
        #expect(first.loadedFromCache == 0)
        let stored = files(cache.directory)
        #expect(stored.count == first.gateCount)
        let second = try build(cache)
        #expect(second.loadedFromCache == first.gateCount)
        #expect(scan(second) == scan(first))
        #expect(!scan(second).isEmpty)
        #expect(scan(try build(nil)) == scan(first))
    }

    @Test func aDamagedOrForeignFileIsCompiledAgain() throws {
        let tree = TempTree()
        let cache = PatternCache(directory: tree.path("cache"))
        let first = try build(cache)
        let names = files(cache.directory)
        // One byte of one database flipped, another cut short.
        let damaged = cache.path(names[0]), cut = cache.path(names[1])
        var bytes = [UInt8](FileManager.default.contents(atPath: damaged)!)
        bytes[bytes.count / 2] ^= 0x40
        FileManager.default.createFile(atPath: damaged, contents: Data(bytes))
        let whole = FileManager.default.contents(atPath: cut)!
        FileManager.default.createFile(atPath: cut, contents: whole.prefix(whole.count / 2))
        let second = try build(cache)
        #expect(second.loadedFromCache == first.gateCount - 2)
        #expect(scan(second) == scan(first))
        // Both were written again, whole.
        #expect(try build(cache).loadedFromCache == first.gateCount)
        // Other patterns never take these files.
        let other = try build(cache, patterns: ["\\b\\d{5}\\b"])
        #expect(other.loadedFromCache == 0)
    }

    /// A database reports the pattern ids it was compiled with: the same patterns at other places in the
    /// rules (a rule added before them) are compiled again, and report their new ids.
    @Test func theSamePatternsAtOtherIdsAreCompiledAgain() throws {
        let tree = TempTree()
        let cache = PatternCache(directory: tree.path("cache"))
        let patterns = ["\\b\\d{3}\\b", "@\\w+"]
        _ = try build(cache, patterns: patterns)
        let shifted = ["x+"] + patterns
        let loaded = try build(cache, patterns: shifted)
        #expect(loaded.loadedFromCache == 0)
        let text = Array("ref 123 to @sweep".utf8)
        let found = text.withUnsafeBytes { loaded.scan($0, scratch: loaded.makeScratch()) }
        #expect(found.map(\.pattern) == [1, 2])
    }

    @Test func keysDifferWithPatternsFlagsAndVersion() {
        let base = PatternCache.key(version: "5.4.9", ids: [0, 1], patterns: ["\\d+", "a"], flags: [1, 2])
        #expect(base == PatternCache.key(version: "5.4.9", ids: [0, 1], patterns: ["\\d+", "a"], flags: [1, 2]))
        #expect(base != PatternCache.key(version: "5.4.10", ids: [0, 1], patterns: ["\\d+", "a"], flags: [1, 2]))
        #expect(base != PatternCache.key(version: "5.4.9", ids: [0, 1], patterns: ["\\d+", "a"], flags: [1, 3]))
        #expect(base != PatternCache.key(version: "5.4.9", ids: [0], patterns: ["\\d+a"], flags: [1]))
        #expect(base != PatternCache.key(version: "5.4.9", ids: [0, 1], patterns: ["a", "\\d+"], flags: [2, 1]))
        #expect(base != PatternCache.key(version: "5.4.9", ids: [3, 4], patterns: ["\\d+", "a"], flags: [1, 2]))
    }

    @Test func onlyTheNewestDatabasesAreKept() throws {
        let tree = TempTree()
        let cache = PatternCache(directory: tree.path("cache"))
        for i in 0..<(PatternCache.kept + 5) {
            cache.store(PatternCache.key(version: "v", ids: [0], patterns: ["p\(i)"], flags: [0]), Array(repeating: UInt8(i), count: 10))
            // Distinct modification times, oldest first.
            let path = cache.path(PatternCache.key(version: "v", ids: [0], patterns: ["p\(i)"], flags: [0]))
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: Double(1_000_000 + i))], ofItemAtPath: path)
        }
        #expect(files(cache.directory).count == PatternCache.kept)
        #expect(cache.load(PatternCache.key(version: "v", ids: [0], patterns: ["p0"], flags: [0])) == nil)
        #expect(cache.load(PatternCache.key(version: "v", ids: [0], patterns: ["p\(PatternCache.kept + 4)"], flags: [0]))
                == Array(repeating: UInt8(PatternCache.kept + 4), count: 10))
    }

    @Test func theStandardPlaceFollowsTheEnvironment() {
        #expect(PatternCache.standard(environment: ["SWEEP_CACHE_DIR": "/x/c", "HOME": "/h"])?.directory == "/x/c")
        #expect(PatternCache.standard(environment: ["SWEEP_CACHE_DIR": "", "HOME": "/h"]) == nil)
        #expect(PatternCache.standard(environment: ["XDG_CACHE_HOME": "/xdg", "HOME": "/h"])?.directory == "/xdg/sweep")
        #expect(PatternCache.standard(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/h"])?.directory == "/h/.cache/sweep")
        #expect(PatternCache.standard(environment: [:]) == nil)
    }

    @Test func anUnwritablePlaceMeansCompilingEveryTime() throws {
        let tree = TempTree()
        tree.file("cache", "a file where the folder would be")
        let cache = PatternCache(directory: tree.path("cache"))
        let first = try build(cache)
        let second = try build(cache)
        #expect(second.loadedFromCache == 0)
        #expect(scan(second) == scan(first))
    }
}
