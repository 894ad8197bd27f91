import Foundation
import Rules
import SweepModel

extension Detector {
    /// Special categories whose keywords occur in `text`, with no personal-data gate (for examples and tests).
    public func keywordCategories(_ text: String, session: Session) -> Set<String> {
        guard let scratch = session.scratch else { return [] }
        return Set(keywordMatches(Array(text.utf8), scratch: scratch).map { categoryNames[$0.category] })
    }

    /// Whether some special-category keyword in `text` is in a passage about a person (the personal-data gate
    /// aside).
    public func personPassage(_ text: String, session: Session) -> Bool {
        guard let scratch = session.scratch else { return false }
        let bytes = Array(text.utf8)
        return keywordMatches(bytes, scratch: scratch).contains { describesPerson($0.start, bytes) }
    }

    /// The marking a single line is, if any.
    public func markingLabel(_ line: String) -> String? { markings?.label(of: line) }

    /// Runs every example in the rules; returns one message per broken example, naming the rule and the fix.
    /// Examples are judged as of 2026-01-01, so dates in them do not drift with the calendar.
    public func checkExamples() -> [String] {
        var problems: [String] = []
        let session = makeSession()
        let asOf = Timestamp.parse("2026-01-01")!
        for r in rules.personalData {
            for e in r.examples.match where (detect(e, asOf: asOf, session: session).personalData[r.type] ?? 0) == 0 {
                problems.append("personal-data.yaml: \(r.type): example \"\(e)\" should give a \(r.type) but gives none: "
                                + "widen the pattern, fix the validator's input, or correct the example")
            }
            for e in r.examples.noMatch where (detect(e, asOf: asOf, session: session).personalData[r.type] ?? 0) > 0 {
                problems.append("personal-data.yaml: \(r.type): example \"\(e)\" must not give a \(r.type) but does: "
                                + "narrow the pattern or add a context rule")
            }
        }
        for c in rules.specialCategories {
            for e in c.examples.match where !keywordCategories(e, session: session).contains(c.category) {
                problems.append("special-category.yaml: \(c.category): example \"\(e)\" has none of its keywords: add one")
            }
            for e in c.examples.noMatch where keywordCategories(e, session: session).contains(c.category) {
                problems.append("special-category.yaml: \(c.category): example \"\(e)\" matches a keyword: make the keyword stricter")
            }
        }
        for e in rules.personExamples.match where !personPassage(e, session: session) {
            problems.append("special-category.yaml: person_examples: \"\(e)\" should read as about a person but does not: add a person word")
        }
        for e in rules.personExamples.noMatch where personPassage(e, session: session) {
            problems.append("special-category.yaml: person_examples: \"\(e)\" must not read as about a person but does: narrow the person words")
        }
        if let m = rules.markings, let ex = m.examples {
            for e in ex.match where markingLabel(e.text) != e.label {
                problems.append("markings.yaml: \"\(e.text)\" should read as \(e.label) but reads as \(markingLabel(e.text) ?? "no marking"): "
                                + "check its spellings and descriptors")
            }
            for e in ex.noMatch where markingLabel(e) != nil {
                problems.append("markings.yaml: \"\(e)\" must not read as a marking but reads as \(markingLabel(e)!): "
                                + "remove the descriptor that lets it through")
            }
        }
        return problems
    }
}
