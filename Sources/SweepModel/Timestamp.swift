#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in time as nanoseconds since the Unix epoch (what stat gives, losslessly).
public struct Timestamp: Hashable, Sendable, Comparable {
    public let nanoseconds: Int64
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    public init(seconds: Int64, nanos: Int64 = 0) { self.nanoseconds = seconds &* 1_000_000_000 &+ nanos }
    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.nanoseconds < b.nanoseconds }

    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(seconds: Int64(ts.tv_sec), nanos: Int64(ts.tv_nsec))
    }

    public var seconds: Int64 {
        nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000
    }

    /// ISO 8601 in UTC, to the second: `2024-03-01T09:30:00Z`.
    public var iso8601: String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ w: Int) -> String {
            let s = String(v)
            return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))Z"
    }

    /// Parses `YYYY-MM-DD` (midnight UTC) or a full `YYYY-MM-DDTHH:MM:SSZ`.
    public static func parse(_ text: String) -> Timestamp? {
        let digits = text.split(whereSeparator: { !$0.isNumber }).map { Int32($0) }
        guard digits.count == 3 || digits.count == 6, digits.allSatisfy({ $0 != nil }) else { return nil }
        let d = digits.map { $0! }
        guard (1...12).contains(d[1]), (1...31).contains(d[2]) else { return nil }
        var parts = tm()
        parts.tm_year = d[0] - 1900; parts.tm_mon = d[1] - 1; parts.tm_mday = d[2]
        if d.count == 6 { parts.tm_hour = d[3]; parts.tm_min = d[4]; parts.tm_sec = d[5] }
        let t = timegm(&parts)
        let back = Timestamp(seconds: Int64(t))
        guard back.iso8601.hasPrefix(String(text.prefix(10))) else { return nil }   // rejects 2023-02-30
        return back
    }
}
