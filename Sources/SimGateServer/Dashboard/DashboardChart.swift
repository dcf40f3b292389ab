import Foundation

/// A bar chart drawn on the server as SVG: no script, no library, readable by a screen reader
/// (the chart is an image labelled with its title, and the same figures are in a table next
/// to it).
struct DashboardChart {
    /// One bar: its label under the axis and its value.
    struct Bar: Sendable {
        /// Shown under the bar (a day, a country).
        let label: String
        /// The bar's value (bytes).
        let value: UInt64
    }

    /// What the chart shows, for its accessible name.
    let title: String
    /// The bars, left to right.
    let bars: [Bar]

    /// The SVG markup, every text escaped.
    var svg: String {
        let width = 600, height = 160, bottom = 20, top = 8
        let plot = height - bottom - top
        let most = max(bars.map(\.value).max() ?? 0, 1)
        let slot = bars.isEmpty ? width : max(width / bars.count, 1)
        let barWidth = max(slot - 2, 1)
        // A label under every bar would overlap past a dozen bars: label about eight of them.
        let every = max(1, (bars.count + 7) / 8)
        var parts = [
            #"<svg class="chart" viewBox="0 0 \#(width) \#(height)" role="img" aria-label="\#(Self.escape(title))" xmlns="http://www.w3.org/2000/svg">"#,
            "<title>\(Self.escape(title))</title>",
        ]
        for (index, bar) in bars.enumerated() {
            // A pixel height, so a ratio in floating point is exact enough and cannot overflow.
            let barHeight = Int((Double(bar.value) / Double(most) * Double(plot)).rounded())
            let x = index * slot
            parts.append(#"<rect class="bar" x="\#(x)" y="\#(top + plot - barHeight)" width="\#(barWidth)" height="\#(barHeight)"><title>\#(Self.escape(bar.label)): \#(DashboardFormat.bytes(bar.value))</title></rect>"#)
            if index % every == 0 {
                parts.append(#"<text x="\#(x)" y="\#(height - 4)">\#(Self.escape(bar.label))</text>"#)
            }
        }
        parts.append("</svg>")
        return parts.joined()
    }

    /// `text` safe inside SVG text and attribute values.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }
}
