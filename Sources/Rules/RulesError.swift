/// A rules file that cannot be used, with where and what to do about it.
public struct RulesError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int?
    public let problem: String
    public let fix: String

    public init(file: String, line: Int? = nil, problem: String, fix: String) {
        self.file = file; self.line = line; self.problem = problem; self.fix = fix
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return "\(place): \(problem)\n  fix: \(fix)"
    }
}
