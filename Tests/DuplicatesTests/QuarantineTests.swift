import Duplicates
import Foundation
import Index
import Rules
import SweepModel
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// SHA-256 as coreutils computes it.
func sha256sum(_ path: String) -> String? {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    p.arguments = [path]
    let out = Pipe()
    p.standardOutput = out
    try? p.run()
    p.waitUntilExit()
    return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: " ").first.map(String.init)
}

@Suite struct QuarantineTests {
    func attributes(_ path: String) -> (mode: mode_t, mtime: Int, size: Int64)? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return (st.st_mode & 0o7777, st.st_mtim.tv_sec, Int64(st.st_size))
    }

    @Test func quarantineMovesTheExtraCopiesAndRestorePutsThemBackExactly() throws {
        let f = DupeFixture()
        chmod(f.share.path("HR/Old copy of policy.txt"), 0o640)
        try f.scan()
        let before = attributes(f.share.path("HR/Old copy of policy.txt"))!
        let q = f.work.path("quarantine")
        let index = try SweepIndex.openForScan(f.indexPath)
        let lines = try Quarantine(root: q, index: index).run(try f.report().sets, dryRun: false)
        let moved = lines.filter { if case .moved = $0.outcome { return true } else { return false } }
        #expect(moved.count == 3)   // the second ledger and two policies; the hardlink stays
        #expect(lines.contains { $0.path.hasSuffix("ledger-link.bin") && $0.outcome == .skipped("hardlink of the kept copy: frees nothing") })
        #expect(!FileManager.default.fileExists(atPath: f.share.path("HR/Old copy of policy.txt")))
        #expect(FileManager.default.fileExists(atPath: q + f.share.path("HR/Old copy of policy.txt")))
        #expect(FileManager.default.fileExists(atPath: f.share.path("Records/Policies/policy.txt")))   // the keeper

        let manifest = try String(contentsOfFile: q + "/manifest.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(manifest.count == 3)
        let entry = try JSONSerialization.jsonObject(with: Data(manifest.first { $0.contains("Old copy") }!.utf8)) as! [String: Any]
        #expect(entry["sha256"] as? String == sha256sum(q + f.share.path("HR/Old copy of policy.txt")))
        #expect((entry["kept"] as? String)?.hasSuffix("Records/Policies/policy.txt") == true)
        #expect(entry["by"] as? String != nil && entry["at"] as? String != nil)
        #expect(entry["size"] as? Int == 33)

        let restored = try Quarantine(root: q, index: index).restore()
        #expect(restored.count == 3 && restored.allSatisfy { $0.outcome == .restored })
        let after = attributes(f.share.path("HR/Old copy of policy.txt"))!
        #expect(after.mode == before.mode && after.mtime == before.mtime && after.size == before.size)
        #expect(try String(contentsOfFile: f.share.path("HR/Old copy of policy.txt"), encoding: .utf8) == "Information governance policy v3\n")
        #expect(try Quarantine(root: q, index: index).restore().isEmpty)   // nothing left to restore
    }

    @Test func aFileChangedSinceTheScanIsRefused() throws {
        let f = DupeFixture()
        try f.scan()
        // Same size, new bytes and time: the scan's view is stale.
        f.share.file("HR/Old copy of policy.txt", "Information governance policy vX\n")
        let index = try SweepIndex.openForScan(f.indexPath)
        let lines = try Quarantine(root: f.work.path("q"), index: index).run(try f.report().sets, dryRun: false)
        let line = try #require(lines.first { $0.path.hasSuffix("Old copy of policy.txt") })
        #expect(line.outcome == .skipped("changed since the scan: scan again first"))
        #expect(FileManager.default.fileExists(atPath: f.share.path("HR/Old copy of policy.txt")))
    }

    @Test func heldItemsAndDryRunsMoveNothing() throws {
        let f = DupeFixture()
        try f.scan()
        let index = try SweepIndex.openForScan(f.indexPath)
        let held = Quarantine(root: f.work.path("q"), index: index, holdReason: { $0.display.contains("/HR/") ? "CASE-1" : nil })
        let lines = try held.run(try f.report().sets, dryRun: true)
        #expect(lines.contains { $0.path.hasSuffix("Old copy of policy.txt") && $0.outcome == .skipped("held: CASE-1") })
        #expect(lines.contains { $0.outcome == .wouldMove })
        #expect(!FileManager.default.fileExists(atPath: f.work.path("q")))
        #expect(FileManager.default.fileExists(atPath: f.share.path("Temp/policy (1).txt")))
    }
}
