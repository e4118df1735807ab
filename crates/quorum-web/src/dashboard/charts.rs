//! Bar charts drawn as SVG on the server: no script, no library, the same in every browser.
//!
//! Each chart is an image with a text alternative naming every value, every bar has a
//! `<title>` (a tooltip on hover), and each chart comes with a table of the same numbers, so
//! nothing is only in the picture.

use maud::{Markup, html};

use super::components::{scroll_table, truncate};

/// One bar: what it is, its size, and its value as people read it.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub shown: String,
}

impl Bar {
    pub fn new(label: impl Into<String>, value: f64, shown: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            value,
            shown: shown.into(),
        }
    }
}

fn describe(title: &str, bars: &[Bar]) -> String {
    let values: Vec<String> = bars
        .iter()
        .map(|b| format!("{}: {}", b.label, b.shown))
        .collect();
    match values.is_empty() {
        true => format!("{title}: no data yet."),
        false => format!("{title}. {}.", values.join("; ")),
    }
}

/// Bars' widths as fractions of the largest; all zero when nothing is above zero.
fn scale(bars: &[Bar]) -> Vec<f64> {
    let max = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    bars.iter()
        .map(|b| match max > 0.0 {
            true => (b.value.max(0.0) / max).min(1.0),
            false => 0.0,
        })
        .collect()
}

/// Horizontal bars, a label above each: readable at a phone's width.
pub fn horizontal(title: &str, bars: &[Bar]) -> Markup {
    const WIDTH: f64 = 400.0;
    const ROW: f64 = 50.0;
    let height = (ROW * bars.len() as f64).max(ROW);
    let fractions = scale(bars);
    html! {
        svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-label=(describe(title, bars))
            viewBox={ "0 0 " (WIDTH) " " (height) } width=(WIDTH) preserveAspectRatio="xMinYMin meet" {
            title { (title) }
            @if bars.is_empty() {
                text x="0" y="24" class="chart-label" { "No data yet." }
            }
            @for (i, (bar, fraction)) in bars.iter().zip(&fractions).enumerate() {
                @let y = i as f64 * ROW;
                // Room after the longest bar for its value.
                @let length = (fraction * (WIDTH - 130.0)).max(2.0);
                g {
                    title { (bar.label) ": " (bar.shown) }
                    text x="0" y=(y + 17.0) class="chart-label" { (truncate(&bar.label, 40)) }
                    rect x="0" y=(y + 24.0) width=(format!("{length:.1}")) height="18" rx="2" class="chart-bar" {}
                    text x=(format!("{:.1}", length + 6.0)) y=(y + 39.0) class="chart-value" { (bar.shown) }
                }
            }
        }
    }
}

/// Vertical columns over time, a short label under each.
pub fn columns(title: &str, bars: &[Bar]) -> Markup {
    const WIDTH: f64 = 360.0;
    const PLOT: f64 = 160.0;
    let slot = WIDTH / bars.len().max(1) as f64;
    let fractions = scale(bars);
    html! {
        svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-label=(describe(title, bars))
            viewBox={ "0 0 " (WIDTH) " " (PLOT + 24.0) } width=(WIDTH) preserveAspectRatio="xMinYMin meet" {
            title { (title) }
            line x1="0" y1=(PLOT) x2=(WIDTH) y2=(PLOT) class="chart-axis" {}
            @for (i, (bar, fraction)) in bars.iter().zip(&fractions).enumerate() {
                @let x = i as f64 * slot;
                @let h = (fraction * (PLOT - 8.0)).max(1.0);
                g {
                    title { (bar.label) ": " (bar.shown) }
                    rect x=(format!("{:.1}", x + slot * 0.15)) y=(format!("{:.1}", PLOT - h)) width=(format!("{:.1}", slot * 0.7))
                        height=(format!("{h:.1}")) rx="2" class="chart-bar" {}
                    text x=(format!("{:.1}", x + slot / 2.0)) y=(PLOT + 17.0) text-anchor="middle" class="chart-tick" {
                        (bar.label.split_whitespace().next().unwrap_or_default())
                    }
                }
            }
        }
    }
}

/// The chart's numbers as a table: `columns` name the label and value columns.
pub fn table(caption: &str, columns: (&str, &str), bars: &[Bar], key: &str) -> Markup {
    scroll_table(
        caption,
        html! {
            table class="chart-table" {
                caption { (caption) }
                thead { tr { th scope="col" { (columns.0) } th scope="col" class="num" { (columns.1) } } }
                tbody {
                    @for bar in bars {
                        tr { th scope="row" { (bar.label) } td class="num" data-key=(key) data-label=(bar.label) data-value=(bar.value) { (bar.shown) } }
                    }
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_survive_zeros() {
        let bars = [Bar::new("a", 5.0, "5"), Bar::new("b", 10.0, "10")];
        assert_eq!(scale(&bars), vec![0.5, 1.0]);
        assert_eq!(scale(&[Bar::new("z", 0.0, "0")]), vec![0.0]);
    }

    #[test]
    fn a_chart_is_an_image_described_by_its_values_and_escapes_labels() {
        let svg = horizontal("By agent", &[Bar::new("<b>x</b>", 3.0, "3")]).into_string();
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains("By agent. &lt;b&gt;x&lt;/b&gt;: 3."), "{svg}");
        assert!(!svg.contains("<b>"));
        assert!(
            svg.contains("</rect>"),
            "SVG elements are closed explicitly: {svg}"
        );
    }
}
