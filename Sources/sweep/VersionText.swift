import Detect
import Extract
import Foundation
import Index
import SweepModel

/// `sweep --version`: Sweep's version, the commit it was built from, and the libraries it is linked against.
enum VersionText {
    static var text: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let info = SweepVersion.buildInfo(executable: exe)
        var lines = ["sweep \(SweepVersion.number) (commit \(info["commit"] ?? "unknown: built without make release or make deb"))"]
        var libs: [(String, String)] = [("SQLite", IndexLibrary.sqliteVersion), ("Vectorscan", PatternEngine.version.split(separator: " ").first.map(String.init) ?? PatternEngine.version)]
        libs += ReaderLibraries.versions
        if let pst = info["libpst"] { libs.append(("libpst", pst)) }
        if let swift = info["swift"] { libs.append(("Swift", swift)) }
        for (name, version) in libs { lines.append("  \(name) \(version)") }
        return lines.joined(separator: "\n")
    }
}
