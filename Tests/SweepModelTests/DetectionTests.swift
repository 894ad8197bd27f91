import SweepModel
import Testing

@Suite struct RecognisedWithDoubtTests {
    @Test func highFindingsInDoubtfulOCRTextAreHeldAtMedium() {
        var d = Detection()
        d.findings = [
            .init(kind: .personalData, type: "nino", valueHash: "h1", confidence: "high", location: "3", excerpt: "*********"),
            .init(kind: .personalData, type: "email", valueHash: "h2", confidence: "low", location: "4", excerpt: "*****"),
            .init(kind: .marking, type: "OFFICIAL-SENSITIVE", valueHash: "", confidence: "high", location: "1", excerpt: "OFFICIAL-SENSITIVE"),
        ]
        d.personalData = ["nino": 1]
        let doubted = d.recognisedWithDoubt()
        #expect(doubted.findings.map(\.confidence) == ["medium", "low", "medium"])
        #expect(doubted.findings.map(\.valueHash) == ["h1", "h2", ""])
        #expect(doubted.personalData == ["nino": 1], "still counted")
    }
}
