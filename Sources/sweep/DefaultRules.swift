import Foundation

/// Where the rules are when no `--rules` is given: `./rules`, else the defaults shipped with Sweep —
/// `../share/sweep/rules` beside an installed binary, or the checkout's `rules/` for a binary still in
/// `.build/<configuration>/`. Nil when none exists.
func defaultRulesDirectory() -> String? {
    var candidates = ["rules"]
    if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        let bin = URL(fileURLWithPath: exe).deletingLastPathComponent()
        candidates.append(bin.appendingPathComponent("../share/sweep/rules").standardized.path)
        candidates.append(bin.appendingPathComponent("../../rules").standardized.path)        // .build/release/sweep
        candidates.append(bin.appendingPathComponent("../../../rules").standardized.path)     // .build/<triple>/release/sweep
    }
    candidates.append("/etc/sweep/rules")
    return candidates.first { path in
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path + "/retention.yaml", isDirectory: &isDir) && !isDir.boolValue
    }
}
