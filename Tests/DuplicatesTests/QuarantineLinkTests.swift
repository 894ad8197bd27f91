import Duplicates
import Foundation
import Index
import SweepModel
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The duplicate quarantine against another user of the share or the quarantine folder (`nobody` when the tests
/// run as root): a link planted in the middle of a path never sends a copy anywhere else, and a restore never
/// writes into a folder someone swapped in.
@Suite struct QuarantineLinkTests {
    let copy = "HR/Old copy of policy.txt"

    func skipped(_ lines: [Quarantine.Line], _ suffix: String) -> String? {
        guard let line = lines.first(where: { $0.path.hasSuffix(suffix) }), case .skipped(let why) = line.outcome else { return nil }
        return why
    }

    @Test func aLinkPlantedInTheQuarantineSendsNothingThere() throws {
        let f = DupeFixture()
        try f.scan()
        let q = f.work.path("q")
        let theirs = f.work.path("theirs")
        for d in [q, theirs] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        AnotherUser.share([q, theirs], through: AnotherUser.ancestors(of: q))
        // The top of the quarantine's mirror of the share's path becomes a link to a folder of theirs.
        let top = "/" + f.share.root.split(separator: "/")[0]
        #expect(try AnotherUser.run("ln -s \(AnotherUser.quoted(theirs)) \(AnotherUser.quoted(q + top))") == 0)
        let lines = try Quarantine(root: q, index: try SweepIndex.openForScan(f.indexPath)).run(try f.report().sets, dryRun: false)
        let why = try #require(skipped(lines, copy), "\(lines)")
        #expect(why.contains("symbolic link"), "\(why)")
        #expect(FileManager.default.fileExists(atPath: f.share.path(copy)), "the copy stays where it was")
        #expect(try FileManager.default.subpathsOfDirectory(atPath: theirs).isEmpty, "nothing went into their folder")
        let manifest = (try? String(contentsOfFile: q + "/manifest.jsonl", encoding: .utf8)) ?? ""
        #expect(!manifest.contains("Old copy"))
    }

    @Test func aFolderSwappedForALinkSinceTheScanMovesNothingOfTheirs() throws {
        let f = DupeFixture()
        let elsewhere = f.work.path("elsewhere")
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        // The copy is theirs (as files in a shared folder are), and so are the folders they change; all before the scan.
        AnotherUser.share([f.share.root, f.share.path("HR"), elsewhere], through: AnotherUser.ancestors(of: f.share.root) + AnotherUser.ancestors(of: elsewhere))
        if AnotherUser.isSeparate { #expect(chown(f.share.path(copy), 65534, 65534) == 0) }
        try f.scan()
        // Their folder holds a hardlink of the very file scanned (same device and inode: the identity check passes)
        // and the share's HR folder is moved aside for a link to it.
        let q = AnotherUser.quoted
        let swapped = try AnotherUser.run("ln \(q(f.share.path(copy))) \(q(elsewhere + "/Old copy of policy.txt")) && "
                                          + "mv \(q(f.share.path("HR"))) \(q(f.share.path("HR-moved"))) && ln -s \(q(elsewhere)) \(q(f.share.path("HR")))")
        #expect(swapped == 0)
        let quarantine = f.work.path("q")
        let lines = try Quarantine(root: quarantine, index: try SweepIndex.openForScan(f.indexPath)).run(try f.report().sets, dryRun: false)
        let why = try #require(skipped(lines, copy), "\(lines)")
        #expect(why.contains("symbolic link"), "\(why)")
        #expect(FileManager.default.fileExists(atPath: elsewhere + "/Old copy of policy.txt"))
        #expect(FileManager.default.fileExists(atPath: f.share.path("HR-moved/Old copy of policy.txt")))
        #expect(!FileManager.default.fileExists(atPath: quarantine + f.share.path(copy)))
    }

    @Test func aRestoreWritesNothingIntoAFolderSwappedForALink() throws {
        let f = DupeFixture()
        try f.scan()
        let quarantine = f.work.path("q")
        let index = try SweepIndex.openForScan(f.indexPath)
        let moved = try Quarantine(root: quarantine, index: index).run(try f.report().sets, dryRun: false)
        #expect(moved.contains { $0.path.hasSuffix(copy) && { if case .moved = $0.outcome { return true } else { return false } }($0) })
        let theirs = f.work.path("theirs")
        try FileManager.default.createDirectory(atPath: theirs, withIntermediateDirectories: true)
        AnotherUser.share([f.share.root, f.share.path("HR"), theirs], through: AnotherUser.ancestors(of: f.share.root) + AnotherUser.ancestors(of: theirs))
        let q = AnotherUser.quoted
        #expect(try AnotherUser.run("mv \(q(f.share.path("HR"))) \(q(f.share.path("HR-was"))) && ln -s \(q(theirs)) \(q(f.share.path("HR")))") == 0)
        let restored = try Quarantine(root: quarantine, index: index).restore()
        let line = try #require(restored.first { $0.path.hasSuffix(copy) })
        guard case .skipped(let why) = line.outcome else { Issue.record("restored through a link: \(line)"); return }
        #expect(why.contains("symbolic link"), "\(why)")
        #expect(try FileManager.default.subpathsOfDirectory(atPath: theirs).isEmpty, "nothing written into their folder")
        #expect(FileManager.default.fileExists(atPath: quarantine + f.share.path(copy)), "the copy stays in the quarantine")
        // Put back as it was, the restore goes through.
        #expect(try AnotherUser.run("rm \(q(f.share.path("HR"))) && mv \(q(f.share.path("HR-was"))) \(q(f.share.path("HR")))") == 0)
        #expect(try Quarantine(root: quarantine, index: index).restore().allSatisfy { $0.outcome == .restored })
        #expect(FileManager.default.fileExists(atPath: f.share.path(copy)))
    }
}
