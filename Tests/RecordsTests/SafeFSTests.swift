#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import Records
import SafeFiles
import SweepModel
import TestSupport
import Testing

/// The descriptor-based moves disposal makes: what was verified moves, and a swap between the check and the move
/// is put back and refused.
@Suite struct SafeFSTests {
    @Test func aSwapBetweenCheckAndMoveIsPutBack() throws {
        let t = TempTree("safefs")
        t.file("share/a.txt", "approved")
        t.file("share/b.txt", "someone else's")
        t.folder("q")
        let source = try SafeFS.place(ItemPath(t.path("share/a.txt")))
        defer { source.close() }
        let (fd, st) = try SafeFS.openFile(source)
        defer { close(fd) }
        let sha = try #require(SafeFS.sha256(fd))
        // The name is given to another file after the check.
        #expect(rename(t.path("share/a.txt"), t.path("share/a-away.txt")) == 0)
        #expect(rename(t.path("share/b.txt"), t.path("share/a.txt")) == 0)
        let target = try SafeFS.place(ItemPath(t.path("q/a.txt")), create: true)
        defer { target.close() }
        #expect(throws: SafeFS.Failure.self) { try SafeFS.move(source, fd: fd, verified: st, to: target, sha256: sha) }
        // Nothing was destroyed: the other file is back under the name, the quarantine holds nothing.
        #expect(try String(contentsOfFile: t.path("share/a.txt"), encoding: .utf8) == "someone else's")
        #expect(!FileManager.default.fileExists(atPath: t.path("q/a.txt")))
    }

    @Test func theVerifiedFileMoves() throws {
        let t = TempTree("safefs")
        t.file("share/a.txt", "approved")
        let source = try SafeFS.place(ItemPath(t.path("share/a.txt")))
        defer { source.close() }
        let (fd, st) = try SafeFS.openFile(source)
        defer { close(fd) }
        let sha = try #require(SafeFS.sha256(fd))
        let target = try SafeFS.place(ItemPath(t.path("q/deep/a.txt")), create: true)
        defer { target.close() }
        try SafeFS.move(source, fd: fd, verified: st, to: target, sha256: sha)
        #expect(try String(contentsOfFile: t.path("q/deep/a.txt"), encoding: .utf8) == "approved")
        #expect(!FileManager.default.fileExists(atPath: t.path("share/a.txt")))
        // A copy from the descriptor (as across file systems) writes the same bytes.
        let copyTarget = try SafeFS.place(ItemPath(t.path("q/copy.txt")))
        defer { copyTarget.close() }
        #expect(try SafeFS.copy(fd: fd, verified: st, to: copyTarget) == sha)
    }

    @Test func aDeletionChecksTheNameStillHoldsTheFile() throws {
        let t = TempTree("safefs")
        t.file("q/a.txt", "quarantined")
        t.file("live.txt", "live")
        let place = try SafeFS.place(ItemPath(t.path("q/a.txt")))
        defer { place.close() }
        let (fd, st) = try SafeFS.openFile(place)
        close(fd)
        #expect(rename(t.path("live.txt"), t.path("q/a.txt")) == 0)
        #expect(throws: SafeFS.Failure.self) { try SafeFS.remove(place, verified: st) }
        #expect(try String(contentsOfFile: t.path("q/a.txt"), encoding: .utf8) == "live")
    }
}
