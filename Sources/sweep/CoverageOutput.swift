import SweepModel

/// The coverage account in words, for the scan summary and `sweep status`: a table per family, then a
/// sentence for everything that was not read in full, so an empty findings list is read for what it is.
func printCoverage(_ c: Coverage, indent: String = "") {
    let table = c.table
    guard !table.isEmpty else { return }
    var rows = [["family", "items", "read in full", "in part", "not read"]]
    for r in table { rows.append([r.family, Coverage.number(r.items), Coverage.number(r.full), Coverage.number(r.part), Coverage.number(r.notRead)]) }
    printTable(rows, indent: indent)
    let sentences = c.sentences
    if sentences.isEmpty {
        print(indent + "Every item of a type Sweep reads was read in full.")
    } else {
        for s in sentences { print(indent + "- " + s) }
    }
}

/// The rules in force, one line.
func rulesLine(_ files: [RuleFileUse], detection: Bool) -> String {
    "Rules: " + files.map(\.described).joined(separator: ", ")
        + (detection ? "" : "; detection is off (--no-detection or detection: false): no personal data, markings or special categories were looked for")
}
