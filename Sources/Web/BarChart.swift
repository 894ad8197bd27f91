import Foundation

/// A horizontal bar chart as inline SVG: no script, no external asset, so it works in the web app and in a
/// report attached to an email. Each bar carries its value as text, and the figure has a title for screen readers.
struct BarChart {
    struct Bar {
        let label: String
        let value: Double
        let text: String
    }

    let title: String
    let bars: [Bar]

    func svg(width: Int = 640) -> String {
        let labelWidth = 250, valueWidth = 160, rowHeight = 24
        let plot = Double(width - labelWidth - valueWidth)
        let top = bars.map(\.value).max() ?? 0
        let height = max(1, bars.count) * rowHeight + 8
        let id = "chart-" + String(title.lowercased().unicodeScalars.filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) }.prefix(40))
        var s = """
            <figure><figcaption id="\(id)">\(HTML.escape(title))</figcaption>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" role="img" aria-labelledby="\(id)">
            <title>\(HTML.escape(title))</title>
            """
        if bars.isEmpty { s += "<text x=\"0\" y=\"16\" font-size=\"14\" fill=\"#111\">Nothing to show yet.</text>" }
        for (i, b) in bars.enumerated() {
            let y = i * rowHeight + 4
            let w = top > 0 ? max(1, plot * b.value / top) : 0
            // A long folder keeps its end, the part that tells folders apart.
            let label = b.label.count > 32 ? "…" + b.label.suffix(31) : b.label
            s += """
                <g><title>\(HTML.escape(b.label)): \(HTML.escape(b.text))</title>
                <text x="\(labelWidth - 6)" y="\(y + 15)" text-anchor="end" font-size="13" fill="#111">\(HTML.escape(label))</text>
                <rect x="\(labelWidth)" y="\(y + 2)" width="\(String(format: "%.1f", w))" height="\(rowHeight - 6)" fill="#1f5f8b"/>
                <text x="\(Double(labelWidth) + w + 5)" y="\(y + 15)" font-size="13" fill="#111">\(HTML.escape(b.text))</text></g>
                """
        }
        return s + "</svg></figure>"
    }
}
