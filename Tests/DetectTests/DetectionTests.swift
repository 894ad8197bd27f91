import Crypto
import Foundation
@testable import Detect
import Extract
import Rules
import SweepModel
import TestSupport
import Testing

@Suite struct DetectionTests {
    static let rules = try! RuleSet.load(repositoryRoot + "/rules").detection
    static let detector = try! Detector(rules: rules, key: Array(repeating: 7, count: 32))
    let asOf = Timestamp.parse("2026-11-22")!

    func detect(_ text: String, headers: [String: String] = [:], detector: Detector = DetectionTests.detector) -> Detection {
        detector.detect(text, headers: headers, asOf: asOf, session: detector.makeSession())
    }

    @Test func oneValueWrittenTwoWaysCountsOnce() {
        let d = detect("NI: JK 12 34 56 C and again JK123456C; NHS 943 476 5919 / NHS 9434765919")
        #expect(d.personalData["nino"] == 1)
        #expect(d.personalData["nhs_number"] == 1)
        let hashes = d.findings.filter { $0.type == "nino" }.map(\.valueHash)
        #expect(hashes.count == 2 && Set(hashes).count == 1)
    }

    @Test func keyedHashesDependOnTheIndexKey() throws {
        let other = try Detector(rules: Self.rules, key: Array(repeating: 9, count: 32))
        let a = detect("JK123456C").findings.first { $0.type == "nino" }!.valueHash
        let b = detect("JK123456C", detector: other).findings.first { $0.type == "nino" }!.valueHash
        #expect(a != b && a.count == 64)
    }

    @Test(arguments: [0, 1, 32, 63, 64, 65, 100])
    func keyedHashesAreHMACSHA256(keyLength: Int) {
        let key = (0..<keyLength).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let hasher = KeyedHasher(key: key)
        for length in [0, 1, 55, 56, 63, 64, 65, 200] {
            let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) }
            let want = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
            #expect(Array(hasher.code(for: message)) == Array(want), "key \(keyLength) bytes, message \(length) bytes")
        }
    }

    @Test func findingsNeverHoldTheRawValue() {
        let text = "Name: J Bloggs, NINO JK 12 34 56 C, email joe.bloggs@example.org, card 4111 1111 1111 1111, tel 07700 900123"
        let d = detect(text)
        for f in d.findings {
            for raw in ["JK 12 34 56 C", "JK123456C", "joe.bloggs@example.org", "4111 1111 1111 1111", "4111111111111111", "07700 900123",
                        "12 34 56", "1111 1111", "900123", "bloggs@"] {
                #expect(!f.excerpt.contains(raw), "\(f.type) excerpt \(f.excerpt) holds \(raw)")
                #expect(!f.valueHash.contains(raw))
            }
        }
    }

    @Test func messageReferencesAreNotEmailAddresses() {
        let mail = """
            From: Alice <alice@example.org>
            Message-ID: <20220315091244.4411@mail.example.net>
            References: <abc.123@mail.example.net>
            Content-Type: text/html

            <img src="cid:image001.png@01D8A2B3.C4D5E6F0"> write to bob@example.com
            """
        #expect(detect(mail).personalData["email"] == 2)
    }

    @Test func markingsAreLabelsOnTheirOwnLinesNotProse() {
        let decoy = """
            Information handling policy
            Documents containing personal data should be marked OFFICIAL-SENSITIVE in the header and footer.
            Confidential waste goes in the locked bins. RESTRICTED PARKING applies on committee evenings.
            SECRET SANTA
            A council official said the official opening is in May.
            """
        #expect(detect(decoy).markings.isEmpty)
        let marked = "OFFICIAL-SENSITIVE [PERSONAL]\nCase notes\nmore\nand more\nend\nOFFICIAL-SENSITIVE [PERSONAL]"
        let d = detect(marked)
        #expect(d.markings == ["OFFICIAL-SENSITIVE"])
        #expect(d.findings.first { $0.kind == .marking }?.confidence == "strong")
        #expect(detect("PROTECT - PERSONAL\nold memo\nRESTRICTED - MANAGEMENT").markings == ["RESTRICTED", "PROTECT"])   // highest first
    }

    /// A marking line is trimmed of every kind of space (no-break, ideographic, line separator, zero-width…):
    /// exactly the scalars Foundation's `whitespacesAndNewlines` holds.
    @Test func markingLinesAreTrimmedOfEveryKindOfSpace() {
        let line = "\u{3000}\u{A0} OFFICIAL-SENSITIVE\u{2028}\u{85}\u{202F}"
        #expect(detect("\(line)\nbody\nmore").markings == ["OFFICIAL-SENSITIVE"])
        #expect(detect("\u{200B}OFFICIAL-SENSITIVE\u{200B}\nbody\nmore").markings == ["OFFICIAL-SENSITIVE"])
        // The trimmed set is White_Space and the zero-width space, as in Foundation.
        var differ: [UInt32] = []
        for v in UInt32(0)...0x10FFFF {
            guard let u = Unicode.Scalar(v) else { continue }
            if (u.properties.isWhitespace || v == 0x200B) != CharacterSet.whitespacesAndNewlines.contains(u) { differ.append(v) }
        }
        #expect(differ.isEmpty)
    }

    @Test func headerAndFooterMarkingsBesideOtherText() {
        // Word footers set the marking between the organisation and the page number with tabs.
        #expect(detect("body", headers: ["x-header-footer": "Northshire Council\tOFFICIAL\tPage 1"]).markings == ["OFFICIAL"])
        #expect(detect("body", headers: ["x-header-footer": "Page 2  |  OFFICIAL-SENSITIVE: PERSONAL"]).markings == ["OFFICIAL-SENSITIVE"])
        #expect(detect("body", headers: ["x-header-footer": "Classification: RESTRICTED"]).markings == ["RESTRICTED"])
        #expect(detect("body", headers: ["x-header-footer": "Restricted parking\tPage 1"]).markings.isEmpty)
        #expect(detect("body", headers: ["x-header-footer": "CONFIDENTIAL WASTE  Page 1"]).markings.isEmpty)
    }

    @Test func markingsInMailHeaders() {
        #expect(detect("body", headers: ["subject": "[OFFICIAL-SENSITIVE] Case 14"]).markings == ["OFFICIAL-SENSITIVE"])
        #expect(detect("body", headers: ["subject": "OFFICIAL: budget"]).markings == ["OFFICIAL"])
        #expect(detect("body", headers: ["subject": "Re: official opening"]).markings.isEmpty)
        // Replies and forwards keep the marking behind their prefixes; a bracketed marking may stand anywhere.
        #expect(detect("body", headers: ["subject": "RE: FW: [OFFICIAL-SENSITIVE] Tender clarification"]).markings == ["OFFICIAL-SENSITIVE"])
        #expect(detect("body", headers: ["subject": "Re[2]: FWD: OFFICIAL-SENSITIVE: Pay review"]).markings == ["OFFICIAL-SENSITIVE"])
        #expect(detect("body", headers: ["subject": "Procurement timetable [SEC=OFFICIAL:Sensitive]"]).markings == ["OFFICIAL-SENSITIVE"])
        #expect(detect("body", headers: ["subject": "RE: [EXTERNAL] restricted parking: Secret Santa [draft]"]).markings.isEmpty)
        #expect(detect("body", headers: ["subject": "Fwd: Re: confidential waste collection"]).markings.isEmpty)
        #expect(detect("body", headers: ["x-protective-marking": "VER=2018.4, NS=gov.au, SEC=OFFICIAL:Sensitive, ORIGIN=a@b.gov.au"])
                .markings == ["OFFICIAL-SENSITIVE"])
        #expect(detect("body", headers: ["msip_labels": "MSIP_Label_3a2b_Enabled=true; MSIP_Label_3a2b_Name=Official Sensitive; MSIP_Label_3a2b_Method=Privileged"])
                .markings == ["OFFICIAL-SENSITIVE"])
    }

    @Test func specialCategoriesNeedPersonalData() {
        #expect(detect("Our mental health strategy and GP access plan.").specialCategories.isEmpty)
        let d = detect("Client NHS number 943 476 5919. GP informed; DBS check showed a conviction.")
        #expect(d.specialCategories == ["criminal", "health"])
        // A keyword inside an excluded phrase does not count; the same word elsewhere does.
        #expect(detect("NI JK123456C. Your six-month probation period ends in May.").specialCategories.isEmpty)
        #expect(detect("NI JK123456C. Suffered a cardiac\n  arrest at work.").specialCategories == ["health"])
        #expect(detect("NI JK123456C. Probation period over; now on probation after the court case.").specialCategories == ["criminal"])
    }

    @Test func datesOfBirthNeedContextAndAPlausibleAge() {
        #expect(detect("DOB: 03/05/2012").personalData["date_of_birth"] == 1)
        #expect(detect("Meeting 03/05/2012").personalData["date_of_birth"] == nil)
        #expect(detect("Date of birth: 01/01/2030").personalData["date_of_birth"] == nil)   // after the as-of date
        #expect(detect("born 12 March 1890").personalData["date_of_birth"] == nil)          // older than 120
    }

    /// In a register the context word is the column's header, however many rows up.
    @Test func aColumnsHeaderIsContextForItsValues() {
        var csv = "PAYROLL EXPORT\nEmployee,Date of Birth,Sort Code,Account,NHS Number,Joined\n"
        for i in 0..<40 { csv += "E\(i),\(10 + i % 18)/0\(1 + i % 9)/19\(60 + i),20-\(10 + i)-33,\(12345600 + i),9434765919,01/02/2020\n" }
        let d = detect(csv)
        #expect(d.personalData["date_of_birth"] == 40)
        #expect(d.personalData["uk_bank_account"] == 40)
        #expect(d.personalData["nhs_number"] == 1)
        // The same table with tabs (a worksheet or a document table), rows ending early.
        #expect(detect("Name\tNotes\tDOB\nA\t\t03/05/2012\nB\tseen\t04/05/2013\n").personalData["date_of_birth"] == 2)
        // Other columns are not dates of birth; quoted commas do not move a value to another column.
        #expect(detect("Name,Date of Birth,Joined\nA,x,01/02/2020\n").personalData["date_of_birth"] == nil)
        #expect(detect("Name,Note,Date of Birth\n\"Roe, Jo\",01/02/2020,x\n").personalData["date_of_birth"] == nil)
        // Prose with commas is not a table: lines with different numbers of commas.
        #expect(detect("Date of birth, address and phone were asked for.\nWe met on 14/03/2021, as agreed.\n")
                .personalData["date_of_birth"] == nil)
        // A blank line ends a table.
        #expect(detect("Name,Date of Birth\nA,03/05/2012\n\nMeeting,Date\nB,04/05/2013\n").personalData["date_of_birth"] == 1)
    }

    /// Dates are read day first, must be real calendar days, and a two-digit year is put in the latest century
    /// that keeps it no later than the as-of year (2026 here). Several spellings of one date are one value.
    @Test func datesOfBirthAreRealDaysOfTheCalendar() {
        func dates(_ text: String, asOf: Timestamp? = nil) -> Int? {
            let d = Self.detector
            return d.detect(text, asOf: asOf ?? self.asOf, session: d.makeSession()).personalData["date_of_birth"]
        }
        #expect(dates("DOB: 03/05/12, d.o.b. 2012-05-03, born 3rd May 2012, DOB 3.5.2012") == 1)
        #expect(dates("DOB: 01/11/26, DOB: 2026-11-01") == 1)
        #expect(dates("DOB: 01/12/26") == nil)                       // 2026-12-01, after the as-of date
        #expect(dates("DOB: 03/05/27, DOB: 1927-05-03") == 1)
        #expect(dates("DOB: 29/02/2024") == 1)
        #expect(dates("DOB: 29/02/2023") == nil)
        #expect(dates("DOB: 2000-02-29") == 1)
        #expect(dates("DOB: 31/04/1990") == nil)
        #expect(dates("DOB: 00/04/1990") == nil)
        #expect(dates("DOB: 12/00/1990") == nil)
        #expect(dates("DOB: 12/13/1990") == nil)
        #expect(dates("DOB: 1990-04-31") == nil)
        #expect(dates("DOB: 29/02/1900", asOf: Timestamp.parse("2019-06-01")!) == nil)   // 1900 was not a leap year
        #expect(dates("DOB: 01/03/1900", asOf: Timestamp.parse("2019-06-01")!) == 1)
        #expect(dates("DOB: 22/11/2026") == 1)                       // the as-of day itself
        #expect(dates("DOB: 23/11/2026") == nil)
        #expect(dates("DOB: 22/11/1906") == 1)                       // exactly 120 years (of 365.25 days) before
        #expect(dates("DOB: 21/11/1906") == nil)
    }

    @Test func markupIsStrippedBeforeDetection() {
        let html = "<html><head><style>p{}</style></head><body><p>OFFICIAL</p><p>Email&nbsp;<b>jane@example.org</b> &amp; more</p></body></html>"
        let text = PlainText.stripMarkup(html)
        #expect(!text.contains("<") && text.contains("jane@example.org") && text.contains("& more"))
        #expect(detect(text).markings == ["OFFICIAL"])
    }

    @Test func encodingsAreDecoded() {
        #expect(PlainText.decode([0xFF, 0xFE, 0x41, 0x00, 0x42, 0x00]) == "AB")
        #expect(PlainText.decode([0x93, 0x61, 0x94, 0x20, 0x80]) == "\u{201C}a\u{201D} €")   // Windows-1252
        #expect(PlainText.decode(Array("café".utf8)) == "café")
    }

    @Test func markingsKeepTheirDescriptorsAndCaveats() {
        let d = detect("OFFICIAL-SENSITIVE: PERSONAL / COMMERCIAL\nThe report.\nOFFICIAL-SENSITIVE [PERSONAL]")
        #expect(d.markings == ["OFFICIAL-SENSITIVE"])
        #expect(d.markingDescriptors == ["PERSONAL", "COMMERCIAL"])
        #expect(detect("UK SECRET UK EYES ONLY\nbody").markingDescriptors == ["UK EYES ONLY"])
        #expect(detect("body", headers: ["subject": "[OFFICIAL-SENSITIVE HR] Pay review"]).markingDescriptors == ["HR"])
        #expect(detect("OFFICIAL\nno descriptors").markingDescriptors.isEmpty)
        #expect(detect("PROTECT - SOUTHSHIRE COUNCIL USE ONLY\nx").markingDescriptors == ["SOUTHSHIRE COUNCIL USE ONLY"])
    }

    @Test func aValueRepeatedOnEveryLineIsCountedOnceAndKeptInAFewPlaces() {
        let text = (1...5000).map { "Line \($0): reference JK123456C" }.joined(separator: "\n")
        let d = detect(text)
        #expect(d.personalData["nino"] == 1)
        let kept = d.findings.filter { $0.type == "nino" }
        #expect(kept.count == Detector.placesPerValue)
        #expect(kept.map(\.location) == ["line 1", "line 2", "line 3"])
        // Many distinct values: all counted, findings capped.
        let many = (0..<3000).map { String(format: "JK%06dC", $0 * 7 + 100000) }.joined(separator: "\n")
        let m = detect(many)
        #expect((m.personalData["nino"] ?? 0) > 2000)
        #expect(m.findings.count <= Detector.findingsPerItem)
    }
}

/// Special categories count only where they describe a person (DOMAIN.md: keyword indicators near a personal
/// identifier), never because a policy or a newsletter that mentions them also has a contact address.
@Suite struct SpecialCategoryPersonTests {
    let asOf = Timestamp.parse("2026-11-22")!
    func categories(_ text: String) -> [String] {
        let d = DetectionTests.detector
        return d.detect(text, asOf: asOf, session: d.makeSession()).specialCategories
    }

    @Test func aPolicyWithAContactAddressDescribesNobody() {
        #expect(categories("""
            Trade Union Facility Time Policy
            The council recognises UNISON, GMB and Unite for collective bargaining.
            The annual trade union facility time report is published in July.
            Queries to the policy owner: governance@example.gov.uk
            """).isEmpty)
        #expect(categories("Staff news\nThe bake-off winner shared her recipe.\nThe council recognises UNISON for bargaining.\nContact comms@example.gov.uk").isEmpty)
    }

    @Test func aNamedPersonsRecordCounts() {
        // Named by a title or salutation, then by first name alone.
        #expect(categories("Ms Patricia Ng\nemail p.ng@example.org\nPatricia was arrested on 23.12.2021.") == ["criminal"])
        // Named beside their details.
        #expect(categories("Patricia Kaur, DOB 22/04/2018, NHS 943 476 5919\nPatricia is Sikh and attends the gurdwara.") == ["religion"])
        // A pronoun in the sentence.
        #expect(categories("Contact: a.b@example.org\nShe was diagnosed with asthma in 2019.") == ["health"])
        // The line after a record of the person.
        #expect(categories("Subject: J Bloggs, NI JK 12 34 56 C, NHS number 943 476 5919\nGP informed of medication change.") == ["health"])
    }

    @Test func formFieldsCountOnlyWhenAnswered() {
        #expect(categories("Email: a.b@example.org\nReligion: Sikh") == ["religion"])
        #expect(categories("Email: a.b@example.org\nReligion: Prefer not to say\nPolitical party membership: none").isEmpty)
        #expect(categories("Email: a.b@example.org\nEthnicity: [ ] White British [ ] Mixed").isEmpty)
    }
}

/// Tables as their formats write them: a value's context is its column's heading, many rows up.
@Suite struct TableContextTests {
    let asOf = Timestamp.parse("2026-11-22")!
    func pii(_ text: String) -> [String: Int] {
        let d = DetectionTests.detector
        return d.detect(text, asOf: asOf, session: d.makeSession()).personalData
    }

    @Test func sortCodesUnderAPDFTablesHeadings() {
        // pdftotext writes a table as lines of words: the headings line holds the only "Sort Code".
        var rows = "Council Tax refunds\nAccount Ref Payee Amount Sort Code Account No\n"
        for k in 0..<6 { rows += "CT5111839\(k) Payee \(k) £20\(k).41 0\(k + 1)-09-38 5460077\(k)\n" }
        #expect(pii(rows)["uk_bank_account"] == 6)
        // After a blank line the headings no longer apply: dates and order numbers stay what they are.
        #expect(pii("Sort Code Account No\n\nThe residents' forum met in the community centre and then, on 04-09-21, approved order 54600775\n")["uk_bank_account"] == nil)
    }

    @Test func anHTMLTableKeepsItsColumns() {
        let html = "<table><tr><td>Payee</td><td>Sort Code</td><td>Account No</td></tr>"
            + (0..<5).map { "<tr><td>Payee \($0)</td><td>1\($0)-01-04</td><td>1575694\($0)</td></tr>" }.joined() + "</table>"
        #expect(pii(PlainText.stripMarkup(html))["uk_bank_account"] == 5)
        #expect(PlainText.stripMarkup(html).hasPrefix("\nPayee\tSort Code\tAccount No\t\nPayee 0\t10-01-04"))
    }
}

/// A masked excerpt says what kind of value sits where, never any character of it or of a value beside it.
@Suite struct ExcerptTests {
    let asOf = Timestamp.parse("2026-11-22")!
    func excerpts(_ text: String) -> [String] {
        let d = DetectionTests.detector
        return d.detect(text, asOf: asOf, session: d.makeSession()).findings.filter { $0.kind == .personalData }.map(\.excerpt)
    }

    @Test func noCharacterOfAValueShows() {
        let e = excerpts("Client NI number JK 12 34 56 C recorded")
        #expect(e.count == 1)
        #expect(e[0].contains("NI number ** ** ** ** *"), "\(e[0])")
        #expect(!e[0].contains("JK") && !e[0].contains("C recorded".prefix(1) + " r"))
    }

    @Test func aNeighbouringValueIsNeverCutIntoView() {
        // The window before the NHS number ends inside the email address: it is left out, not shown in part.
        let e = excerpts("contact verylongname.surname@example.org NHS 943 476 5919 tel 07700 900123")
        for x in e {
            #expect(!x.contains("example") && !x.contains("surname") && !x.contains("org"), "\(x)")
            #expect(!x.contains("943") && !x.contains("077") && !x.contains("5919"), "\(x)")
        }
    }
}

/// No-break spaces read as single spaces (a number grouped with them is found); accents are left as they are.
@Suite struct NoBreakSpaceTests {
    @Test func noBreakSpacesAreSpacesAndAccentsStay() {
        let d = DetectionTests.detector
        let found = d.detect("Café à la carte. Call 07700\u{A0}900123 or 01632\u{202F}960123", asOf: Timestamp.parse("2026-11-22")!,
                             session: d.makeSession())
        #expect(found.personalData["uk_phone"] == 2)
        let text = Array("Café à la carte, naïve".utf8)
        #expect(Detector.plainSpaces(text) == text)
        #expect(Detector.plainSpaces(Array("a\u{A0}b\u{202F}c".utf8)) == Array("a b c".utf8))
        // Lead bytes of other characters (£, ’, —) before and after the spaces are kept as they are.
        #expect(Detector.plainSpaces(Array("£5 it’s — x\u{2007}y\u{A0}© z".utf8)) == Array("£5 it’s — x y © z".utf8))
        #expect(Detector.plainSpaces(Array("\u{A0}start and end\u{202F}".utf8)) == Array(" start and end ".utf8))
        #expect(Detector.plainSpaces(Array("£’©".utf8)) == Array("£’©".utf8))
    }
}
