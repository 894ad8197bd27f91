import Foundation

/// Signed-in browsers, kept in memory for the server's life: a restart signs everyone out, which is what a
/// records manager running `sweep serve` on their own machine expects.
actor Sessions {
    struct Session: Sendable {
        let id: String
        /// Sent back in every form and compared, so another site cannot post on the user's behalf.
        let csrf: String
        var lastSeen: Date
        /// A one-time message for the next page (what a review action did).
        var flash: String?
    }

    /// A session idle this long is forgotten: the user opens the link again.
    static let idleLimit: TimeInterval = 8 * 3600
    /// Enough for a team; the oldest go first so repeated sign-ins cannot grow memory without bound.
    static let limit = 1000

    private var sessions: [String: Session] = [:]

    func create() -> Session {
        if sessions.count >= Sessions.limit, let oldest = sessions.values.min(by: { $0.lastSeen < $1.lastSeen }) {
            sessions[oldest.id] = nil
        }
        let s = Session(id: Secret.hex(bytes: 32), csrf: Secret.hex(bytes: 32), lastSeen: Date(), flash: nil)
        sessions[s.id] = s
        return s
    }

    func find(_ id: String) -> Session? {
        guard var s = sessions[id] else { return nil }
        if Date().timeIntervalSince(s.lastSeen) > Sessions.idleLimit { sessions[id] = nil; return nil }
        s.lastSeen = Date()
        sessions[id] = s
        return s
    }

    func end(_ id: String) { sessions[id] = nil }

    func setFlash(_ id: String, _ text: String) { sessions[id]?.flash = text }

    func takeFlash(_ id: String) -> String? {
        let f = sessions[id]?.flash
        sessions[id]?.flash = nil
        return f
    }
}

/// Random secrets and their comparison.
public enum Secret {
    /// `bytes` random bytes from the system's generator (getrandom), as lower-case hex.
    public static func hex(bytes: Int) -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
    }

    /// Compares in time that depends on the length only, so a guess learns nothing from how long it took.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
