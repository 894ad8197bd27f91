/// The one glob dialect Sweep uses, for `--exclude` and for the retention schedule's `path` and `name` keys.
///
/// `*` and `?` stay within one folder, `**/` matches zero or more folders, `**` elsewhere matches anything,
/// `[abc]` / `[!abc]` match one character of a set. Matching ignores case (CONTRACT.md).
public struct Glob: Hashable, Sendable, CustomStringConvertible {
    public let pattern: String
    private let tokens: [Token]
    /// The longest run of literal characters in the pattern: every match holds it, so text without it is
    /// turned down before the matcher runs (most paths fail most globs).
    private let required: [Unicode.Scalar]
    /// The literal characters the pattern starts with: every match starts with them.
    private let leading: [Unicode.Scalar]

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

    /// The pattern as matched: `\` written for `/` (Windows paths) is `/`, and a trailing `/` is dropped (a
    /// folder's glob covers what is in it).
    public static func normalized(_ pattern: String) -> String {
        var p = String(pattern.map { $0 == "\\" ? "/" : $0 })
        while p.count > 1 && p.hasSuffix("/") && !p.hasSuffix("**/") { p.removeLast() }
        return p
    }

    /// A glob as written; a leading `/` stands for the scan root (`/HR/**` is `HR/**`: globs match the path below
    /// the root).
    public init(_ written: String) throws {
        var pattern = Glob.normalized(written)
        while pattern.hasPrefix("/") { pattern.removeFirst() }
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
        var longest: [Unicode.Scalar] = [], run: [Unicode.Scalar] = [], lead: [Unicode.Scalar]?
        for t in out {
            if case .literal(let c) = t { run.append(c); continue }
            if lead == nil { lead = run }
            if run.count > longest.count { longest = run }
            run = []
        }
        if run.count > longest.count { longest = run }
        required = longest
        leading = lead ?? run
    }

    public var description: String { pattern }

    /// True when the glob has a folder separator, so it is matched against a relative path, not a name.
    public var matchesPaths: Bool { pattern.contains("/") }

    /// True when the glob matches this path below the root or one of the folders above it: a hold on
    /// `**/Social Care/**/Smith*` covers the Smith folder and everything in it.
    public func matchesPathOrAncestor(_ relative: String) -> Bool {
        matchesPathOrAncestor(prepared: Glob.prepare(relative))
    }

    /// A path or name as the `prepared:` matchers take it: lower case, as scalars. Made once per item, it serves
    /// every pattern of a schedule.
    public static func prepare(_ text: String) -> [Unicode.Scalar] { Array(text.lowercased().unicodeScalars) }

    public func matchesPathOrAncestor(prepared s: [Unicode.Scalar]) -> Bool {
        // A folder above is a prefix of the path: what the path lacks, they lack.
        guard mayMatch(s, s.count) else { return false }
        var memo: [UInt8] = []
        var end = s.count
        while true {
            if matches(s, end, &memo) { return true }
            guard let slash = s[..<end].lastIndex(of: "/") else { return false }
            end = slash
        }
    }

    public func matches(_ text: String) -> Bool { matches(prepared: Glob.prepare(text)) }

    public func matches(prepared s: [Unicode.Scalar]) -> Bool {
        guard mayMatch(s, s.count) else { return false }
        var memo: [UInt8] = []
        return matches(s, s.count, &memo)
    }

    /// False when the first `n` characters of `s` cannot match: they do not start with the leading literal
    /// or do not hold the longest one.
    private func mayMatch(_ s: [Unicode.Scalar], _ n: Int) -> Bool {
        if leading.count > n || !s[..<leading.count].elementsEqual(leading) { return false }
        let m = required.count
        if m == 0 { return true }
        if m > n { return false }
        var i = 0
        while i + m <= n {
            if s[i] == required[0] && s[i..<(i + m)].elementsEqual(required) { return true }
            i += 1
        }
        return false
    }

    /// Whether the first `n` characters of `s` match, with `memo` as scratch space.
    private func matches(_ s: [Unicode.Scalar], _ n: Int, _ memo: inout [UInt8]) -> Bool {
        // memo[ti * (n + 1) + si]: 0 unknown, 1 false, 2 true
        let size = (tokens.count + 1) * (n + 1)
        if memo.count < size { memo = [UInt8](repeating: 0, count: size) } else { memo.withUnsafeMutableBufferPointer { _ = $0.update(repeating: 0) } }
        return match(0, 0, s, n, &memo)
    }

    private func match(_ ti: Int, _ si: Int, _ s: [Unicode.Scalar], _ n: Int, _ memo: inout [UInt8]) -> Bool {
        let key = ti * (n + 1) + si
        if memo[key] != 0 { return memo[key] == 2 }
        let result: Bool
        if ti == tokens.count {
            result = si == n
        } else {
            switch tokens[ti] {
            case .literal(let c):
                result = si < n && s[si] == c && match(ti + 1, si + 1, s, n, &memo)
            case .any:
                result = si < n && s[si] != "/" && match(ti + 1, si + 1, s, n, &memo)
            case .set(let ranges, let negated):
                result = si < n && s[si] != "/"
                    && (ranges.contains { $0.contains(s[si]) } != negated) && match(ti + 1, si + 1, s, n, &memo)
            case .star:
                var k = si
                var found = match(ti + 1, k, s, n, &memo)
                while !found, k < n, s[k] != "/" { k += 1; found = match(ti + 1, k, s, n, &memo) }
                result = found
            case .anything:
                var k = si
                var found = match(ti + 1, k, s, n, &memo)
                while !found, k < n { k += 1; found = match(ti + 1, k, s, n, &memo) }
                result = found
            case .folders:
                // zero folders, or any run of characters ending in "/"
                var found = match(ti + 1, si, s, n, &memo)
                var k = si
                while !found, k < n {
                    if s[k] == "/" { found = match(ti + 1, k + 1, s, n, &memo) }
                    k += 1
                }
                result = found
            }
        }
        memo[key] = result ? 2 : 1
        return result
    }
}
