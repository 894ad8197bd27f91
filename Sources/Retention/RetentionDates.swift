import Rules
import SweepModel

/// Calendar arithmetic on days (UTC), as a schedule means it.
public enum RetentionDates {
    public struct Day: Comparable, Sendable, Equatable {
        public let year: Int, month: Int, day: Int
        public static func < (a: Day, b: Day) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }
        public var text: String {
            func pad(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
            return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
        }
    }

    public static func day(_ t: Timestamp) -> Day {
        let s = t.iso8601
        let y = Int(s.prefix(4))!, m = Int(s.dropFirst(5).prefix(2))!, d = Int(s.dropFirst(8).prefix(2))!
        return Day(year: y, month: m, day: d)
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysIn(_ y: Int, _ m: Int) -> Int {
        [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    }

    /// The next 31 March on or after `d`.
    public static func endOfFinancialYear(_ d: Day) -> Day {
        d <= Day(year: d.year, month: 3, day: 31) ? Day(year: d.year, month: 3, day: 31) : Day(year: d.year + 1, month: 3, day: 31)
    }

    /// The last day a date may be: a period that reaches past it ("9999 years", often written for "for
    /// ever") ends there, so every disposal date stays a four-digit year and compares as one.
    public static let lastDay = Day(year: 9999, month: 12, day: 31)

    /// `d` plus the period: days and weeks count days; months and years land on the same day, or the last
    /// day of a shorter month (31 August + 6 months is 28 or 29 February). No later than ``lastDay``.
    public static func add(_ p: RetentionSchedule.Period, to d: Day) -> Day {
        // Past 10,000 years in any unit is past the last day (and keeps the arithmetic below from overflowing).
        let limit = p.unit == .days ? 3_700_000 : p.unit == .weeks ? 530_000 : p.unit == .months ? 120_000 : 10_000
        guard p.count <= limit, d < lastDay else { return lastDay }
        let day = addWithin(p, to: d)
        return day.year > 9999 ? lastDay : day
    }

    static func addWithin(_ p: RetentionSchedule.Period, to d: Day) -> Day {
        switch p.unit {
        case .days, .weeks:
            var n = p.unit == .days ? p.count : p.count * 7
            var y = d.year, m = d.month, day = d.day
            while n > 0 {
                let left = daysIn(y, m) - day
                if n <= left { day += n; n = 0 } else {
                    n -= left + 1
                    day = 1
                    m += 1
                    if m > 12 { m = 1; y += 1 }
                }
            }
            return Day(year: y, month: m, day: day)
        case .months, .years:
            let months = p.unit == .months ? p.count : p.count * 12
            let total = d.year * 12 + (d.month - 1) + months
            let y = total / 12, m = total % 12 + 1
            return Day(year: y, month: m, day: min(d.day, daysIn(y, m)))
        }
    }
}
