import Duplicates
import Foundation
import Index
import Pipeline
import Rules
import SweepModel
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A share with known answers, scanned into a fresh index.
struct DupeFixture {
    let share = TempTree("dupe-share")
    let work = TempTree("dupe-index")
    var indexPath: String { work.path("sweep.db") }

    static let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }

    init() {
        let old = Date(timeIntervalSince1970: 1_500_000_000)
        share.file("Records/Policies/policy.txt", "Information governance policy v3\n", modified: old)
        share.file("HR/Old copy of policy.txt", "Information governance policy v3\n")
        share.file("Temp/policy (1).txt", "Information governance policy v3\n")
        share.file("HR/same-size-A.txt", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n")   // 33 bytes, like the policy, other content
        share.file("HR/same-size-B.txt", "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB\n")
        share.file("empty-1.txt", ""); share.file("empty-2.txt", "")
        share.folder("Finance/2019")
        share.folder("Finance Backup/2019")
        precondition(FileManager.default.createFile(atPath: share.path("Finance/2019/ledger.bin"), contents: Data(DupeFixture.big)))
        precondition(FileManager.default.createFile(atPath: share.path("Finance Backup/2019/ledger.bin"), contents: Data(DupeFixture.big)))
        precondition(link(share.path("Finance/2019/ledger.bin"), share.path("Finance/ledger-link.bin")) == 0)
    }

    @discardableResult
    func scan(dupesOnly: Bool = false) throws -> ScanSummary {
        var config = ScanConfiguration(roots: [ItemPath(share.root)], indexPath: indexPath, rules: .empty, jobs: 3)
        config.dupesOnly = dupesOnly
        let index = try SweepIndex.openForScan(indexPath)
        defer { try? index.close() }
        return try Scanner(configuration: config, index: index).run()
    }

    func report(_ policy: KeepPolicy = KeepPolicy()) throws -> DuplicateReport {
        try DuplicateReport(index: try SweepIndex.openForReading(indexPath), policy: policy)
    }

    func rel(_ m: DuplicateSet.Member) -> String { String(m.display.dropFirst(share.root.count + 1)) }
}

@Suite struct DuplicateSweepTests {
    @Test func setsHoldExactlyTheByteIdenticalFiles() throws {
        let f = DupeFixture()
        let s = try f.scan()
        #expect(s.duplicateSets == 2)
        let r = try f.report()
        #expect(r.sets.count == 2)
        // Largest waste first: the ledger (two copies on disk, one hardlink) before the policy.
        let ledger = r.sets[0]
        #expect(Set(ledger.members.map(f.rel)) == ["Finance/2019/ledger.bin", "Finance Backup/2019/ledger.bin", "Finance/ledger-link.bin"])
        #expect(ledger.copies == 2)
        #expect(ledger.reclaimable == Int64(DupeFixture.big.count))
        let policy = r.sets[1]
        #expect(Set(policy.members.map(f.rel)) == ["Records/Policies/policy.txt", "HR/Old copy of policy.txt", "Temp/policy (1).txt"])
        #expect(policy.reclaimable == 2 * 33)
        #expect(r.reclaimable == Int64(DupeFixture.big.count) + 66)
        // Same size, other content, and empty files: in no set.
        let all = r.sets.flatMap { $0.members.map(f.rel) }
        #expect(!all.contains { $0.contains("same-size") || $0.contains("empty") })
    }

    /// Copies inside an archive are duplicates but free nothing when removed (their container holds them), and a
    /// file with only hardlinks is one copy: the report's waste and order count files on disk.
    @Test func copiesInsideContainersAndHardlinksFreeNothing() throws {
        let share = TempTree("dupe-nested"), work = TempTree("dupe-nested-index")
        let small = "Minutes of the licensing committee\n"
        share.file("minutes.txt", small)
        share.file("Backup/minutes.txt", small)
        precondition(FileManager.default.createFile(atPath: share.path("big.bin"), contents: Data(DupeFixture.big)))
        let zip = Process()
        zip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        zip.arguments = ["python3", "-c", """
            import sys, zipfile
            data = open(sys.argv[1], 'rb').read()
            with zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_STORED) as z:
                for i in range(5): z.writestr(f'copy{i}.bin', data)
            """, share.path("big.bin"), share.path("archive.zip")]
        try zip.run(); zip.waitUntilExit()
        try #require(zip.terminationStatus == 0)
        share.file("solo.txt", "only one file, two names\n")
        precondition(link(share.path("solo.txt"), share.path("solo-link.txt")) == 0)
        let index = try SweepIndex.openForScan(work.path("sweep.db"))
        let summary = try Scanner(configuration: ScanConfiguration(roots: [ItemPath(share.root)], indexPath: work.path("sweep.db"),
                                                         rules: try RuleSet.load(repositoryRoot + "/rules"), jobs: 2),
                            index: index).run()
        try index.close()
        let r = try DuplicateReport(index: try SweepIndex.openForReading(work.path("sweep.db")), policy: KeepPolicy())
        #expect(r.sets.count == 2)   // the big file with its archived copies, the minutes; not the hardlinked file
        let big = try #require(r.sets.first { $0.size == Int64(DupeFixture.big.count) })
        #expect(big.copies == 6 && big.diskCopies == 1)
        #expect(big.reclaimable == 0)
        #expect(r.sets[0].size == Int64(small.utf8.count))   // the minutes free something: first
        #expect(r.reclaimable == Int64(small.utf8.count))
        #expect(summary.duplicateSets == 2 && summary.reclaimable == r.reclaimable)   // the scan's totals agree
    }

    @Test func theKeeperFollowsThePolicyAndSaysWhy() throws {
        let f = DupeFixture()
        try f.scan()
        let byAge = try f.report().sets[1]
        #expect(f.rel(byAge.members[byAge.keeper]) == "Records/Policies/policy.txt")
        #expect(byAge.keepReason.hasPrefix("oldest modified"))
        let records = try f.report(KeepPolicy(order: [.records, .oldest], recordsLocations: [try Glob("Temp/**")])).sets[1]
        #expect(f.rel(records.members[records.keeper]) == "Temp/policy (1).txt")
        #expect(records.keepReason == "in a records location")
        let shortest = try f.report(KeepPolicy(order: [.shortest])).sets[1]
        #expect(f.rel(shortest.members[shortest.keeper]) == "Temp/policy (1).txt")
    }

    @Test func anUnchangedRerunReadsNoContentAndAChangeIsSeen() throws {
        let f = DupeFixture()
        let first = try f.scan()
        #expect(first.fingerprinted > 0)
        let again = try f.scan()
        #expect(again.fingerprinted == 0)
        #expect(again.duplicateSets == 2)
        // Change one copy: it is read again and leaves its set.
        f.share.file("Temp/policy (1).txt", "Information governance policy v4\n")
        let third = try f.scan()
        #expect(third.fingerprinted > 0)
        #expect(try f.report().sets[1].members.count == 2)
    }

    @Test func aDuplicateOnlyRunFindsTheSameSetsWithoutTypes() throws {
        let f = DupeFixture()
        let s = try f.scan(dupesOnly: true)
        #expect(s.duplicateSets == 2)
        var types: [String?] = []
        try SweepIndex.openForReading(f.indexPath).forEachItem { types.append($0.mime) }
        #expect(types.allSatisfy { $0 == nil })
        // A full scan afterwards types every item, and keeps the fingerprints.
        let full = try f.scan()
        #expect(full.fingerprinted == 0)
        types = []
        try SweepIndex.openForReading(f.indexPath).forEachItem { types.append($0.mime) }
        #expect(types.allSatisfy { $0 != nil })
    }

    @Test func wholeDuplicatedFoldersAreFoundOnce() throws {
        let f = DupeFixture()
        f.share.file("Projects/Bridge/plan.txt", "bridge plan\n")
        f.share.file("Projects/Bridge/drawings/a.txt", "drawing a, longer\n")
        f.share.file("Projects/Bridge copy/plan.txt", "bridge plan\n")
        f.share.file("Projects/Bridge copy/drawings/a.txt", "drawing a, longer\n")
        try f.scan()
        let twins = try FolderTwins(index: try SweepIndex.openForReading(f.indexPath))
        let found = twins.groups.map { Set($0.folders.map { String($0.display.dropFirst(f.share.root.count + 1)) }) }
        #expect(found.contains(["Projects/Bridge", "Projects/Bridge copy"]))
        // "Finance Backup" holds nothing but 2019/ledger.bin: the whole backup folder is the copy.
        #expect(found.contains(["Finance/2019", "Finance Backup"]))
        // Not their sub-folders as well.
        #expect(!found.contains(["Projects/Bridge/drawings", "Projects/Bridge copy/drawings"]))
        // A folder with a file found nowhere else is no twin.
        #expect(!found.contains { $0.contains("HR") })
    }
}
