import Detect
import Testing

/// Each check with values that must pass and near-misses that must not (DOMAIN.md §2). The published test
/// values (JK123456C, 943 476 5919, 4111 1111 1111 1111) pass, as they would in a real scan.
@Suite struct ValidatorTests {
    @Test func nationalInsuranceNumbers() {
        #expect(Validators.nino("JK 12 34 56 C") == "JK123456C")
        #expect(Validators.nino("ab123456d") == "AB123456D")
        #expect(Validators.nino("QA123456A") == nil)   // Q first is never issued
        #expect(Validators.nino("QQ123456C") == nil)   // HMRC's specimen: not a NINO
        for bad in ["DA123456A", "AD123456A", "QO123456A", "BG123456A", "GB123456A", "NK123456A", "TN123456A",
                    "ZZ123456A", "AB123456E", "AB12345C", "AB1234567C"] {
            #expect(Validators.nino(Substring(bad)) == nil, "\(bad)")
        }
    }

    @Test func nhsNumbers() {
        #expect(Validators.nhsNumber("943 476 5919") == "9434765919")
        #expect(Validators.nhsNumber("401-023-2137") == "4010232137")
        #expect(Validators.nhsNumber("943 476 5918") == nil)     // wrong check digit
        #expect(Validators.nhsNumber("1111111111") == nil)       // all the same
        #expect(Validators.nhsNumber("123456789") == nil)        // nine digits
        // A check of 10 is never issued: 0000000060 has weighted sum 0 → 11 → 0, so build one that gives 10.
        #expect(Validators.nhsNumber("2000000001") == nil)
    }

    @Test func paymentCards() {
        #expect(Validators.paymentCard("4111 1111 1111 1111") == "4111111111111111")
        #expect(Validators.paymentCard("5555-5555-5555-4444") == "5555555555554444")
        #expect(Validators.paymentCard("2223 0031 2200 3222") == "2223003122003222")
        #expect(Validators.paymentCard("3782 822463 10005") == "378282246310005")
        #expect(Validators.paymentCard("6011 1111 1111 1117") == "6011111111111117")
        #expect(Validators.paymentCard("4111 1111 1111 1112") == nil)   // Luhn fails
        #expect(Validators.paymentCard("1234 5678 9012 3452") == nil)   // Luhn passes, no issuer
        #expect(Validators.paymentCard("3782 822463 1000 5") != nil)     // grouping does not matter
        #expect(Validators.paymentCard("0000 0000 0000 0000") == nil)
    }

    @Test func ibans() {
        #expect(Validators.iban("GB82 WEST 1234 5698 7654 32") == "GB82WEST12345698765432")
        #expect(Validators.iban("DE89 3704 0044 0532 0130 00") == "DE89370400440532013000")
        #expect(Validators.iban("GB82 WEST 1234 5698 7654 33") == nil)   // checksum
        #expect(Validators.iban("GB82 WEST 1234 5698 7654") == nil)      // GB is 22 long
    }

    @Test func postcodes() {
        for good in ["SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 0AX", "EC1A 1BB", "gir 0aa", "AB1 2EF"] {
            #expect(Validators.postcode(Substring(good)) != nil, "\(good)")
        }
        #expect(Validators.postcode("SW1A1AA") == "SW1A 1AA")
        for bad in ["SW1A 1CA", "AB1 2CD", "AB1 2EI", "1AB 2EF", "ABC 1AA", "A 1AA"] {
            #expect(Validators.postcode(Substring(bad)) == nil, "\(bad)")
        }
    }

    @Test func phones() {
        #expect(Validators.ukPhone("07700 900123") == "+447700900123")
        #expect(Validators.ukPhone("+44 7700 900123") == "+447700900123")
        #expect(Validators.ukPhone("+44 (0)20 7946 0018") == "+442079460018")
        #expect(Validators.ukPhone("01632 960123") == "+441632960123")
        #expect(Validators.ukPhone("0044 1632 960123") == "+441632960123")
        #expect(Validators.ukPhone("0800 123 4567") == "+448001234567")   // freephone: an Ofcom range
        #expect(Validators.ukPhone("0808 157 0192") == "+448081570192")   // Ofcom's drama range is a phone number too
        #expect(Validators.ukPhone("0800 123456") == "+44800123456")      // 0800 also has nine digits
        #expect(Validators.ukPhone("0400 123 4567") == nil)               // 04 and 06 are not allocated
        #expect(Validators.ukPhone("0570 123 4567") == nil)               // 05 only as 055 and 056
        #expect(Validators.ukPhone("07700 90012") == nil)     // nine digits after the 0
        #expect(Validators.ukPhone("7700 900123") == nil)     // no trunk 0
    }

    @Test func emails() {
        #expect(Validators.email("Joe.Bloggs@Example.org") == "joe.bloggs@example.org")
        #expect(Validators.email("a@b") == nil)
        #expect(Validators.email("a@b.c1") == nil)
        #expect(Validators.email(".a@example.org") == nil)
        #expect(Validators.email("a..b@example.org") == nil)
    }

    @Test func passportsAndLicences() {
        #expect(Validators.ukPassport("925076473") == "925076473")
        #expect(Validators.ukPassport("AB1234567") == "AB1234567")
        #expect(Validators.ukPassport("111111111") == nil)
        #expect(Validators.drivingLicence("MORGA657054SM9IJ") == "MORGA657054SM9IJ")
        #expect(Validators.drivingLicence("JONES610101J99AB") != nil)   // a woman's month (+50), initial padded
        #expect(Validators.drivingLicence("MORGA613054SM9IJ") == nil)   // month 13
        #expect(Validators.drivingLicence("MORGA657004SM9IJ") == nil)   // day 00
        #expect(Validators.drivingLicence("MO9GA657054SM9IJ") == nil)   // padding before letters
    }

    @Test func ipAddresses() {
        #expect(Validators.ipv4("192.0.2.41") == "192.0.2.41")
        #expect(Validators.ipv4("256.1.1.1") == nil)
        #expect(Validators.ipv4("01.2.3.4") == nil)
        #expect(Validators.ipv4("1.2.3") == nil)
        #expect(Validators.ipv6("2001:db8::1") == "2001:db8::1")
        #expect(Validators.ipv6("2001:0db8:0000:0000:0000:ff00:0042:8329") != nil)
        #expect(Validators.ipv6("2001:db8::1::2") == nil)
        #expect(Validators.ipv6("12:30") == nil)
        #expect(Validators.ipv6("gggg::1") == nil)
    }

    /// Text outside ASCII, which no shipped pattern matches, is read as Swift's String reads it: digits and
    /// letters are taken from the bytes; an email address is read Character by Character (two dots are found
    /// as StringProtocol.contains finds them); an IPv6 group may hold full-width hex digits.
    @Test func textOutsideASCII() {
        #expect(Validators.nhsNumber("943\u{301} 476 5919") == "9434765919")
        #expect(Validators.nino("JK 12 34 56 C\u{301}") == "JK123456C")
        #expect(Validators.email("Jöe@Example.org") == "jöe@example.org")
        #expect(Validators.email("joe@example.ORG\u{301}") == "joe@example.org\u{301}")
        #expect(Validators.email("joe@example.org\u{0663}") == nil)      // a TLD of letters only
        #expect(Validators.email("a..\u{903}b@example.org") == nil)
        #expect(Validators.email("a@b@example.org") == nil)
        #expect(Validators.email("a@\u{301}b@example.org") == "a@\u{301}b@example.org")   // one @ on its own
        #expect(Validators.email(Substring(String(repeating: "é", count: 64) + "@example.org")) != nil)   // 64 Characters
        #expect(Validators.email(Substring(String(repeating: "é", count: 65) + "@example.org")) == nil)
        #expect(Validators.ipv4("192.0.2.\u{0664}1") == nil)
        #expect(Validators.ipv6("FE80::\u{FF21}") == "fe80::\u{FF41}")
        #expect(Validators.ipv6("fe80::1\u{301}") == nil)
    }

    @Test func luhn() {
        #expect(Validators.luhn([7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 3]))
        #expect(!Validators.luhn([7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 4]))
    }
}
