import Foundation
import SweepModel

/// HTML text built by hand: every value from the index goes through ``HTML/escape(_:)``, since file names on a
/// share are written by anyone (`<script>`, `&`, quotes) and shown to records managers.
public enum HTML {
    /// Text safe inside an element or a double- or single-quoted attribute.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A query value: everything but the unreserved characters percent-encoded.
    public static func urlEncode(_ s: String) -> String {
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        var out = ""
        for b in s.utf8 {
            if unreserved.contains(b) { out.unicodeScalars.append(Unicode.Scalar(b)) } else { out += String(format: "%%%02X", b) }
        }
        return out
    }

    /// `/path?k=v&…`, skipping empty values.
    public static func link(_ path: String, _ query: [(String, String?)]) -> String {
        let q = query.compactMap { k, v in v.flatMap { $0.isEmpty ? nil : urlEncode(k) + "=" + urlEncode($0) } }
        return q.isEmpty ? path : path + "?" + q.joined(separator: "&")
    }

    /// The item page's address for a path as shown.
    public static func itemLink(_ display: String) -> String { link("/item", [("path", display)]) }

    /// A table with a caption, a header row and already-escaped cells.
    /// `numeric` columns are right-aligned; they and `nowrap` ones (dates, ids) are kept on one line.
    public static func table(caption: String, headers: [String], rows: [[String]], numeric: Set<Int> = [], nowrap: Set<Int> = []) -> String {
        func cls(_ i: Int) -> String { numeric.contains(i) ? " class=\"num\"" : nowrap.contains(i) ? " class=\"nw\"" : "" }
        var s = "<table><caption>\(escape(caption))</caption><thead><tr>"
        for (i, h) in headers.enumerated() { s += "<th scope=\"col\"\(cls(i))>\(escape(h))</th>" }
        s += "</tr></thead><tbody>"
        for r in rows {
            s += "<tr>" + r.enumerated().map { i, c in "<td\(cls(i))>\(c)</td>" }.joined() + "</tr>"
        }
        if rows.isEmpty { s += "<tr><td colspan=\"\(headers.count)\">None.</td></tr>" }
        return s + "</tbody></table>"
    }

    /// "1 item", "2 items".
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    public static func bytes(_ n: Int64) -> String { escape(ByteCount(n).description) }

    /// The one stylesheet: system fonts, high contrast, visible focus, no external assets.
    static let css = """
        :root{color-scheme:light}
        body{font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:0;color:#111;background:#fff}
        header{background:#0b3d5c;color:#fff;padding:.6rem 1.2rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
        header strong{font-size:1.2rem;margin-right:1rem}
        header a{color:#fff;font-weight:600}
        header a[aria-current]{text-decoration:underline 3px}
        header form{margin-left:auto}
        main{padding:1rem 1.2rem;max-width:90rem}
        h1{font-size:1.5rem;margin:.4rem 0 1rem}
        h2{font-size:1.2rem;margin:1.6rem 0 .6rem}
        a{color:#0b4f8a}
        a:focus,button:focus,input:focus,select:focus{outline:3px solid #f0a500;outline-offset:2px}
        table{border-collapse:collapse;margin:.5rem 0 1rem;width:100%}
        caption{text-align:left;font-weight:600;padding:.3rem 0}
        th,td{border:1px solid #888;padding:.3rem .5rem;text-align:left;vertical-align:top}
        th{background:#e8eef3}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        td.nw{white-space:nowrap}
        .path{word-break:break-all;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9rem}
        .charts{display:flex;flex-wrap:wrap;gap:1.5rem}
        figure{margin:0}
        figcaption{font-weight:600;margin-bottom:.3rem}
        fieldset{border:1px solid #888;margin:1rem 0;padding:.6rem 1rem}
        legend{font-weight:600}
        label{display:inline-block;margin:.2rem .8rem .2rem 0}
        input,select,button{font:inherit;padding:.25rem .4rem}
        button{background:#0b3d5c;color:#fff;border:2px solid #0b3d5c;border-radius:3px;cursor:pointer;margin-right:.4rem}
        button.secondary{background:#fff;color:#0b3d5c}
        .note{background:#fff4d6;border-left:5px solid #b36b00;padding:.5rem .8rem;margin:.6rem 0}
        .ok{background:#e3f4e6;border-left:5px solid #1d6b2c;padding:.5rem .8rem;margin:.6rem 0}
        .pager a,.pager span{margin-right:1rem}
        dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
        dt{font-weight:600}
        dd{margin:0;word-break:break-all}
        .vh{position:absolute;left:-9999px}
        """

    /// A whole page: the navigation (when signed in), the title and the body.
    static func page(title: String, current: String?, csrf: String?, body: String) -> String {
        var nav = ""
        if let csrf {
            let items = [("/", "Overview"), ("/disposal", "Disposal review"), ("/holds", "Holds"), ("/duplicates", "Duplicates")]
            nav = "<nav aria-label=\"Main\">" + items.map { href, name in
                "<a href=\"\(href)\"\(current == href ? " aria-current=\"page\"" : "")>\(name)</a>"
            }.joined(separator: " ") + "</nav>"
            nav += "<form method=\"post\" action=\"/logout\">\(csrfField(csrf))<button class=\"secondary\" type=\"submit\">Sign out</button></form>"
        }
        return """
            <!doctype html>
            <html lang="en-GB"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) – Sweep</title>
            <style>\(css)</style>
            </head><body>
            <header><strong>Sweep</strong>\(nav)</header>
            <main id="main"><h1>\(escape(title))</h1>
            \(body)
            </main></body></html>
            """
    }

    static func csrfField(_ token: String) -> String { "<input type=\"hidden\" name=\"csrf\" value=\"\(escape(token))\">" }

    /// `<option>`s with one selected.
    static func options(_ values: [(value: String, label: String)], selected: String?) -> String {
        values.map { v in
            "<option value=\"\(escape(v.value))\"\(v.value == (selected ?? "") ? " selected" : "")>\(escape(v.label))</option>"
        }.joined()
    }
}
