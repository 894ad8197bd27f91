import SweepModel
import Testing

@Suite struct TextTests {
    @Test func timestampsPrintAsUTCSeconds() {
        #expect(Timestamp(seconds: 0).iso8601 == "1970-01-01T00:00:00Z")
        #expect(Timestamp(seconds: 1_709_285_400, nanos: 999_999_999).iso8601 == "2024-03-01T09:30:00Z")
        #expect(Timestamp(seconds: -1).iso8601 == "1969-12-31T23:59:59Z")
    }

    @Test func datesParseAndImpossibleOnesAreRefused() {
        #expect(Timestamp.parse("2024-03-31")?.iso8601 == "2024-03-31T00:00:00Z")
        #expect(Timestamp.parse("2024-02-29T10:11:12Z")?.iso8601 == "2024-02-29T10:11:12Z")
        #expect(Timestamp.parse("2023-02-29") == nil)
        #expect(Timestamp.parse("2023-13-01") == nil)
        #expect(Timestamp.parse("soon") == nil)
    }

    @Test func jsonEscapesEverythingItMust() {
        var o = JSONObject()
        o.add("path", "/s/a \"b\"\\c\n\u{1}")
        o.add("n", nil as Int?)
        o.add("pii", ["nino": 2, "email": 1])
        #expect(o.text == #"{"path":"/s/a \"b\"\\c\n\u0001","n":null,"pii":{"email":1,"nino":2}}"#)
    }

    @Test func csvQuotesAndDefusesFormulas() {
        #expect(CSVText.row(["a,b", "say \"hi\"", nil, "plain"]) == #""a,b","say ""hi""",,plain"#)
        #expect(CSVText.field("=HYPERLINK(\"x\")") == #""'=HYPERLINK(""x"")""#)
        #expect(CSVText.field("-rf") == "'-rf")
    }

    @Test func byteCountsReadLikeFileManagers() {
        #expect(ByteCount(512).description == "512 B")
        #expect(ByteCount(1_500).description == "1.5 KB")
        #expect(ByteCount(3_210_000_000).description == "3.2 GB")
    }
}
