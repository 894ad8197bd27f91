import Crawl
import Foundation
import SweepModel
import TestSupport
import Testing

/// Collects listings from the walker's threads.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var listings: [Listing] = []
    func add(_ l: Listing) { lock.lock(); listings.append(l); lock.unlock() }
    var all: [Listing] { lock.lock(); defer { lock.unlock() }; return listings }
    var entries: [Entry] { all.flatMap(\.entries) }
    func entry(_ relative: String) -> Entry? { entries.first { $0.relative == relative } }
}

func walk(_ tree: TempTree, _ options: (inout CrawlOptions) -> Void = { _ in }) -> Collected {
    var o = CrawlOptions(roots: [ItemPath(tree.root)], jobs: 4)
    options(&o)
    let c = Collected()
    Walker(options: o).run { c.add($0) }
    return c
}

@Suite struct WalkerTests {
    @Test func everyFileIsListedOnceAcrossThreads() {
        let t = TempTree()
        var expected = Set<String>()
        for d in 0..<20 {
            for f in 0..<25 {
                let rel = "dept\(d % 4)/team\(d)/file\(f).txt"
                t.file(rel, "x")
                expected.insert(rel)
            }
        }
        let c = walk(t)
        let files = c.entries.filter { $0.kind == .file }.map(\.relative)
        #expect(files.count == expected.count)
        #expect(Set(files) == expected)
        #expect(c.all.allSatisfy { $0.complete && $0.error == nil })
        // One listing per folder: root, 4 departments, 20 teams.
        #expect(c.all.count == 25)
    }

    @Test func excludesMatchNamesOrPathsAndAreNotDescended() {
        let t = TempTree()
        t.file("HR/a.docx"); t.file("HR/~$a.docx"); t.file("HR/old.tmp")
        t.file("HR/Archive/2001/x.doc"); t.file("Finance/Archive/y.doc")
        let c = walk(t) { $0.excludes = [try! Glob("~$*"), try! Glob("*.TMP"), try! Glob("HR/Archive")] }
        let rels = Set(c.entries.map(\.relative))
        #expect(rels.contains("HR/a.docx"))
        #expect(!rels.contains("HR/~$a.docx"))
        #expect(!rels.contains("HR/old.tmp"))
        #expect(!rels.contains("HR/Archive"))
        #expect(!c.all.contains { $0.relative.hasPrefix("HR/Archive") })
        #expect(rels.contains("Finance/Archive/y.doc"))
    }

    @Test func symlinksAreRecordedNotFollowedByDefault() {
        let t = TempTree()
        t.file("real/a.txt", "a")
        t.symlink("link", to: "real")
        t.symlink("up", to: ".")
        let c = walk(t)
        #expect(c.entry("link")?.kind == .symlink)
        #expect(c.entry("link")?.linkTarget == Array("real".utf8))
        #expect(c.entry("link/a.txt") == nil)
        #expect(c.entry("up")?.kind == .symlink)
    }

    @Test func followedSymlinkLoopsAreErrorsNotHangs() {
        let t = TempTree()
        t.file("a/b/c.txt")
        t.symlink("a/b/up", to: "../..")
        t.symlink("self", to: "self")
        t.symlink("alias", to: "a")
        let c = walk(t) { $0.followSymlinks = true }
        #expect(c.entry("a/b/up")?.error?.kind == .loop)
        #expect(c.entry("self")?.error?.kind == .loop)
        // The folder is walked once: through its own name or through the link, never both.
        let copies = c.entries.filter { $0.relative.hasSuffix("b/c.txt") }
        #expect(copies.count == 1)
    }

    @Test func specialFilesAndRawNamesAreRecorded() {
        let t = TempTree()
        t.fifo("pipe")
        let raw = t.rawNamedFile(folder: "", name: [0x6E, 0xFF, 0x2E, 0x74, 0x78, 0x74])
        let c = walk(t)
        #expect(c.entry("pipe")?.kind == .fifo)
        let e = c.entries.first { $0.path == raw }
        #expect(e?.relative == "n\\xFF.txt")
        #expect(e?.path.bytes == raw.bytes)
    }

    @Test func aFileRootIsOneEntry() {
        let t = TempTree()
        let p = t.file("only.txt", "x")
        let c = Collected()
        Walker(options: CrawlOptions(roots: [ItemPath(p)])).run { c.add($0) }
        #expect(c.entries.count == 1)
        #expect(c.all.first?.complete == false)   // a partial view of its folder: nothing there is "gone"
    }

    @Test func missingRootsAreRefusedBeforeAnyWork() {
        #expect(throws: Walker.RootProblem.self) { try Walker.checkRoots([ItemPath("/nonexistent/share")]) }
    }
}
