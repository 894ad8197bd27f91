import Foundation

/// The rules folder layered over the shipped rules when no `--rules` (or `rules:` in the config) is given:
/// `./rules`, else `/etc/sweep/rules`; nil when neither exists (the shipped rules alone).
func defaultRulesDirectory() -> String? {
    ["rules", "/etc/sweep/rules"].first { path in
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }
}
