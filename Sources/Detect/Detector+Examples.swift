import Dispatch
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

    /// Each personal-data pattern run alone over a megabyte of generated text of the shapes real files hold
    /// (digits, words, mixed, punctuation): a pattern that matches almost everywhere, or takes seconds, is named
    /// with what it cost. Such a pattern still runs (detection stops at the item's time and match limit), but it
    /// makes every large file a timeout.
    public func costWarnings() -> [String] {
        let samples: [(String, String)] = [
            ("digits", "0123456789 "), ("words", "abcdefghij klmnop "), ("mixed", "a1b2c3d4 e5f6 "), ("dates", "1/2/3 4-5-6 7.8.9 "),
            ("addresses", "ab.cd@ef.gh "), ("punctuation", "-.,;:/()+ "), ("letters and spaces", "A B C D E F "),
        ]
        let size = 1 << 20
        var warnings: [String] = []
        for r in rules.personalData {
            for p in r.patterns {
                guard let set = try? PatternSet([p], caseless: [r.caseless]) else { continue }
                let scratch = set.makeScratch()
                for (name, unit) in samples {
                    let u = Array(unit.utf8)
                    var text = [UInt8]()
                    text.reserveCapacity(size)
                    while text.count < size { text += u }
                    let started = DispatchTime.now().uptimeNanoseconds
                    let deadline = started + 3_000_000_000
                    let matches = text.withUnsafeBytes {
                        set.scan($0, scratch: scratch, maxMatches: Detector.maxMatchesPerItem, deadline: deadline).count
                    }
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                    if matches >= size / 4 || seconds > 1 || scratch.stopped {
                        warnings.append("personal-data.yaml: \(r.type): pattern \(p) matched \(matches) times in 1 MB of \(name) "
                                        + "(\(String(format: "%.1f", seconds)) s): large files will time out; make it stricter")
                        break
                    }
                }
            }
        }
        return warnings
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
