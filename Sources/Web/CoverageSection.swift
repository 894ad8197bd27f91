import SweepModel

/// The coverage account as HTML, for the overview and the scan report: what was read in full, in part and
/// not at all, each reason in a sentence a records manager reads at a glance.
enum CoverageSection {
    static func html(_ c: Coverage) -> String {
        let rows = c.table.map { r in
            [r.family, Coverage.number(r.items), Coverage.number(r.full), Coverage.number(r.part), Coverage.number(r.notRead)]
        }
        guard !rows.isEmpty else { return "<h2>What was read</h2><p>The index holds no items yet.</p>" }
        var s = "<h2>What was read</h2>"
        let sentences = c.sentences
        if sentences.isEmpty {
            s += "<p>Every item of a type Sweep reads was read in full.</p>"
        } else {
            s += "<p>Findings cover only what was read:</p><ul>" + sentences.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>"
        }
        s += HTML.table(caption: "Items by family of formats", headers: ["family", "items", "read in full", "read in part", "not read"],
                        rows: rows, numeric: [1, 2, 3, 4])
        return s
    }
}
