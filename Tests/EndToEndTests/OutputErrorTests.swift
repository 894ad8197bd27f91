import Foundation
import TestSupport
import Testing

/// A full disk or a file-size limit is an error every writer reports (exit 2, a message), never a crash, and a
/// file output is there whole or not at all.
@Suite struct OutputErrorTests {
    func scanned() throws -> (TempTree, String) {
        let share = TempTree("share")
        for k in 0..<120 { share.file("folder/file-\(k).txt", "Contact a.smith@example.org about case \(k)\n") }
        let work = TempTree()
        let db = work.path("o.db")
        #expect(try runSweep(["scan", share.root, "--index", db, "--quiet"]).status == 0)
        return (work, db)
    }

    /// Runs sweep with its standard output on /dev/full.
    func toFullDisk(_ arguments: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: sweepBinary)
        p.arguments = arguments
        p.standardOutput = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let err = Pipe()
        p.standardError = err
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    @Test func everyWriterReportsAFullDisk() throws {
        let (work, db) = try scanned()
        for command in [["export"], ["export", "--format", "csv"], ["findings"], ["findings", "--format", "json"], ["dupes"],
                        ["status"], ["disposal", "list"], ["disposal", "log"], ["hold", "list"]] {
            let (status, stderr) = try toFullDisk(command + ["--index", db])
            #expect(status == 2, "\(command): exit \(status)")
            #expect(stderr.contains("could not write the output (No space left on device)"), "\(command): \(stderr)")
        }
        withExtendedLifetime(work) {}
    }

    @Test func aFileOutputIsWholeOrAbsent() throws {
        let (work, db) = try scanned()
        // Over a file-size limit of 48 KB (room for the index's own files) the export cannot be whole: nothing is left at its name or beside it.
        let out = work.path("items.jsonl")
        let run = try runSweep(["export", "--index", db, "-o", out], prefix: ["/usr/bin/prlimit", "--fsize=49152"])
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.contains("could not write \(out)"))
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.root).filter { $0.contains("partial") }.isEmpty)
        // An earlier good copy is left as it was.
        #expect(try runSweep(["export", "--index", db, "-o", out]).status == 0)
        let good = try String(contentsOfFile: out, encoding: .utf8)
        #expect(try runSweep(["export", "--index", db, "-o", out], prefix: ["/usr/bin/prlimit", "--fsize=49152"]).status == 2)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == good)
    }
}
