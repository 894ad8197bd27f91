/// The one glob dialect Sweep uses, for `--exclude` and for the retention schedule's `path` and `name` keys.
///
/// `*` and `?` stay within one folder, `**/` matches zero or more folders, `**` elsewhere matches anything,
/// `[abc]` / `[!abc]` match one character of a set. Matching ignores case (CONTRACT.md).
public struct Glob: Hashable, Sendable, CustomStringConvertible {
    public let pattern: String
    private let tokens: [Token]

    enum Token: Hashable, Sendable {
        case literal(Unicode.Scalar)
        case any            // ?
        case star           // *
        case folders        // **/
        case anything       // ** not followed by /
        case set([ClosedRange<Unicode.Scalar>], negated: Bool)
    }

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case empty
        case unclosedBracket(String)
        public var description: String {
            switch self {
            case .empty: return "empty glob: give a pattern such as \"*.tmp\" or \"**/Archive/**\""
            case .unclosedBracket(let p): return "glob \"\(p)\" opens a [set] that never closes: add \"]\" or escape it as [[]"
            }
        }
    }

    public init(_ pattern: String) throws {
        guard !pattern.isEmpty else { throw Problem.empty }
        self.pattern = pattern
        let s = Array(pattern.lowercased().unicodeScalars)
        var out: [Token] = []
        var i = 0
        while i < s.count {
            let c = s[i]
            switch c {
            case "*":
                if i + 1 < s.count, s[i + 1] == "*" {
                    if i + 2 < s.count, s[i + 2] == "/" { out.append(.folders); i += 3 } else { out.append(.anything); i += 2 }
                    continue
                }
                out.append(.star)
            case "?":
                out.append(.any)
            case "[":
                var j = i + 1
                var negated = false
                if j < s.count, s[j] == "!" || s[j] == "^" { negated = true; j += 1 }
                var ranges: [ClosedRange<Unicode.Scalar>] = []
                var first = true
                while j < s.count, s[j] != "]" || first {
                    first = false
                    if j + 2 < s.count, s[j + 1] == "-", s[j + 2] != "]", s[j] <= s[j + 2] {
                        ranges.append(s[j]...s[j + 2]); j += 3
                    } else {
                        ranges.append(s[j]...s[j]); j += 1
                    }
                }
                guard j < s.count else { throw Problem.unclosedBracket(pattern) }
                out.append(.set(ranges, negated: negated))
                i = j
            default:
                out.append(.literal(c))
            }
            i += 1
        }
        tokens = out
    }

    public var description: String { pattern }

    /// True when the glob has a folder separator, so it is matched against a relative path, not a name.
    public var matchesPaths: Bool { pattern.contains("/") }

    /// True when the glob matches this path below the root or one of the folders above it: a hold on
    /// `**/Social Care/**/Smith*` covers the Smith folder and everything in it.
    public func matchesPathOrAncestor(_ relative: String) -> Bool {
        if matches(relative) { return true }
        var folder = Substring(relative)
        while let slash = folder.lastIndex(of: "/") {
            folder = folder[..<slash]
            if matches(String(folder)) { return true }
        }
        return false
    }

    public func matches(_ text: String) -> Bool {
        let s = Array(text.lowercased().unicodeScalars)
        // memo[ti * (s.count + 1) + si]: 0 unknown, 1 false, 2 true
        var memo = [UInt8](repeating: 0, count: (tokens.count + 1) * (s.count + 1))
        return match(0, 0, s, &memo)
    }

    private func match(_ ti: Int, _ si: Int, _ s: [Unicode.Scalar], _ memo: inout [UInt8]) -> Bool {
        let key = ti * (s.count + 1) + si
        if memo[key] != 0 { return memo[key] == 2 }
        let result: Bool
        if ti == tokens.count {
            result = si == s.count
        } else {
            switch tokens[ti] {
            case .literal(let c):
                result = si < s.count && s[si] == c && match(ti + 1, si + 1, s, &memo)
            case .any:
                result = si < s.count && s[si] != "/" && match(ti + 1, si + 1, s, &memo)
            case .set(let ranges, let negated):
                result = si < s.count && s[si] != "/"
                    && (ranges.contains { $0.contains(s[si]) } != negated) && match(ti + 1, si + 1, s, &memo)
            case .star:
                var k = si
                var found = match(ti + 1, k, s, &memo)
                while !found, k < s.count, s[k] != "/" { k += 1; found = match(ti + 1, k, s, &memo) }
                result = found
            case .anything:
                var k = si
                var found = match(ti + 1, k, s, &memo)
                while !found, k < s.count { k += 1; found = match(ti + 1, k, s, &memo) }
                result = found
            case .folders:
                // zero folders, or any run of characters ending in "/"
                var found = match(ti + 1, si, s, &memo)
                var k = si
                while !found, k < s.count {
                    if s[k] == "/" { found = match(ti + 1, k + 1, s, &memo) }
                    k += 1
                }
                result = found
            }
        }
        memo[key] = result ? 2 : 1
        return result
    }
}
