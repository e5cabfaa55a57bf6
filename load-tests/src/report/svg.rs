//! Cumulative-distribution plots as plain SVG 1.1 written by hand: latency in ms on a
//! log10 x axis, the fraction of samples on y, one curve per result file.

use std::fmt::Write as _;

use super::table::grouped;

/// The plot area, in pixels.
const PLOT_WIDTH: f64 = 520.0;
const PLOT_HEIGHT: f64 = 320.0;
/// Room around the plot area for the title, tick labels and axis labels.
const LEFT: f64 = 72.0;
const TOP: f64 = 44.0;
const BOTTOM: f64 = 60.0;
/// The legend's distance from the plot area, and between its entries.
const LEGEND_GAP: f64 = 24.0;
const LEGEND_LINE: f64 = 20.0;

/// Decades the x axis may span; values beyond are drawn at its ends.
const LOWEST_DECADE: i32 = -6;
const HIGHEST_DECADE: i32 = 12;

/// Fractions with a labelled grid line: quartiles, and 0.9 for the start of the tail.
const Y_TICKS: [f64; 6] = [0.0, 0.25, 0.5, 0.75, 0.9, 1.0];

/// Curve colours (Tableau 10); past ten curves they repeat with another dash pattern.
const COLOURS: [&str; 10] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];
const DASHES: [&str; 3] = ["", "6 3", "2 3"];

/// An SVG document plotting `curves` (`(name, [[ms, fraction], ...])`) under `title`.
/// Points with x ≤ 0 are drawn at the axis' smallest tick; non-finite points are dropped.
pub(crate) fn cdf_svg(title: &str, curves: &[(String, Vec<[f64; 2]>)]) -> String {
    let axis = Axis::fit(curves);
    let longest_name = curves
        .iter()
        .map(|(name, _)| name.chars().count())
        .max()
        .unwrap_or(0);
    // About 7 px per character at the legend's font size.
    let legend_width = (40.0 + 7.0 * longest_name as f64).clamp(120.0, 420.0);
    let width = LEFT + PLOT_WIDTH + LEGEND_GAP + legend_width;
    let height = (TOP + PLOT_HEIGHT + BOTTOM).max(TOP + LEGEND_LINE * (curves.len() as f64 + 1.0));
    let (right, bottom) = (LEFT + PLOT_WIDTH, TOP + PLOT_HEIGHT);

    let mut svg = String::new();
    let _ = writeln!(svg, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="24" font-size="15" text-anchor="middle">{}</text>"#,
        LEFT + PLOT_WIDTH / 2.0,
        escape(title)
    );

    // Grid and ticks first, so that the curves are drawn over them.
    let _ = writeln!(svg, r##"<g stroke="#dddddd" stroke-width="1">"##);
    for fraction in Y_TICKS {
        let y = y_position(fraction);
        let _ = writeln!(
            svg,
            r#"<line x1="{LEFT}" y1="{y:.1}" x2="{right}" y2="{y:.1}"/>"#
        );
    }
    for decade in axis.low..=axis.high {
        let x = axis.position(10_f64.powi(decade));
        let _ = writeln!(
            svg,
            r#"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{bottom}"/>"#
        );
    }
    let _ = writeln!(svg, "</g>");
    let _ = writeln!(svg, r##"<g stroke="#444444" stroke-width="1">"##);
    for decade in axis.low..axis.high {
        // Unlabelled minor ticks at 2..9 × 10^k, for reading between decades.
        for multiple in 2..=9 {
            let x = axis.position(f64::from(multiple) * 10_f64.powi(decade));
            let _ = writeln!(
                svg,
                r#"<line x1="{x:.1}" y1="{bottom}" x2="{x:.1}" y2="{:.1}"/>"#,
                bottom + 3.0
            );
        }
    }
    let _ = writeln!(
        svg,
        r#"<rect x="{LEFT}" y="{TOP}" width="{PLOT_WIDTH}" height="{PLOT_HEIGHT}" fill="none"/>"#
    );
    let _ = writeln!(svg, "</g>");

    let _ = writeln!(svg, r#"<g text-anchor="middle">"#);
    for decade in axis.low..=axis.high {
        let x = axis.position(10_f64.powi(decade));
        let _ = writeln!(
            svg,
            r#"<text x="{x:.1}" y="{:.1}">{}</text>"#,
            bottom + 18.0,
            decade_label(decade)
        );
    }
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}">latency (ms, log scale)</text>"#,
        LEFT + PLOT_WIDTH / 2.0,
        bottom + 42.0
    );
    let middle = TOP + PLOT_HEIGHT / 2.0;
    let _ = writeln!(
        svg,
        r#"<text x="18" y="{middle:.1}" transform="rotate(-90 18 {middle:.1})">fraction of samples ≤ latency</text>"#
    );
    let _ = writeln!(svg, "</g>");
    let _ = writeln!(svg, r#"<g text-anchor="end">"#);
    for fraction in Y_TICKS {
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}">{fraction}</text>"#,
            LEFT - 6.0,
            y_position(fraction) + 4.0
        );
    }
    let _ = writeln!(svg, "</g>");

    let _ = writeln!(svg, r#"<g fill="none" stroke-width="1.5">"#);
    for (index, (_, points)) in curves.iter().enumerate() {
        let path = axis.path(points);
        if !path.is_empty() {
            let _ = writeln!(svg, r#"<path d="{path}"{}/>"#, stroke(index));
        }
    }
    let _ = writeln!(svg, "</g>");

    let legend_x = right + LEGEND_GAP;
    let _ = writeln!(svg, r#"<g stroke-width="2">"#);
    for (index, (name, _)) in curves.iter().enumerate() {
        let y = TOP + LEGEND_LINE * index as f64 + 6.0;
        let _ = writeln!(
            svg,
            r#"<line x1="{legend_x:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}"{}/>"#,
            legend_x + 24.0,
            stroke(index)
        );
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" stroke="none">{}</text>"#,
            legend_x + 30.0,
            y + 4.0,
            escape(name)
        );
    }
    let _ = writeln!(svg, "</g>");
    let _ = writeln!(svg, "</svg>");
    svg
}

/// The x axis: whole decades from `10^low` to `10^high` ms.
#[derive(Debug, Clone, Copy)]
struct Axis {
    low: i32,
    high: i32,
}

impl Axis {
    /// The decades around the curves' positive values, at least one.
    fn fit(curves: &[(String, Vec<[f64; 2]>)]) -> Axis {
        let positive = curves
            .iter()
            .flat_map(|(_, points)| points.iter())
            .map(|point| point[0])
            .filter(|x| x.is_finite() && *x > 0.0);
        let (smallest, largest) = positive.fold((None, None), |(smallest, largest), x| {
            (
                Some(f64::min(smallest.unwrap_or(x), x)),
                Some(f64::max(largest.unwrap_or(x), x)),
            )
        });
        // Without positive values, 0.1 to 1 ms: the zeros sit at the left edge.
        let low = smallest.map_or(-1, |x: f64| x.log10().floor() as i32);
        let high = largest.map_or(0, |x: f64| x.log10().ceil() as i32);
        let low = low.clamp(LOWEST_DECADE, HIGHEST_DECADE - 1);
        let high = high.clamp(low + 1, HIGHEST_DECADE);
        Axis { low, high }
    }

    /// The horizontal position of `ms`, clamped to the axis (so x ≤ 0 is at its start).
    fn position(self, ms: f64) -> f64 {
        let decades = f64::from(self.high - self.low);
        let low = f64::from(self.low);
        let log = if ms > 0.0 { ms.log10() } else { low };
        let log = log.clamp(low, f64::from(self.high));
        LEFT + (log - low) / decades * PLOT_WIDTH
    }

    /// Path data of a curve: up from 0 at its first point, then through its points in
    /// increasing latency. Empty without finite points.
    fn path(self, points: &[[f64; 2]]) -> String {
        let mut points: Vec<[f64; 2]> = points
            .iter()
            .copied()
            .filter(|[x, y]| x.is_finite() && y.is_finite())
            .collect();
        points.sort_by(|a, b| a[0].total_cmp(&b[0]));
        let mut path = String::new();
        if let Some(first) = points.first() {
            let _ = write!(
                path,
                "M{:.1},{:.1}",
                self.position(first[0]),
                y_position(0.0)
            );
        }
        for [x, y] in points {
            let _ = write!(path, " L{:.1},{:.1}", self.position(x), y_position(y));
        }
        path
    }
}

/// The vertical position of a fraction, clamped to 0..1.
fn y_position(fraction: f64) -> f64 {
    TOP + (1.0 - fraction.clamp(0.0, 1.0)) * PLOT_HEIGHT
}

/// `0.01`, `0.1`, `1`, `10`, …, `10,000`.
fn decade_label(decade: i32) -> String {
    match usize::try_from(decade) {
        Ok(zeros) => grouped(&format!("1{}", "0".repeat(zeros))),
        Err(_) => format!("{:.*}", decade.unsigned_abs() as usize, 10_f64.powi(decade)),
    }
}

/// The stroke attributes of curve `index`.
fn stroke(index: usize) -> String {
    let colour = COLOURS
        .get(index % COLOURS.len())
        .copied()
        .unwrap_or("black");
    let dash = DASHES
        .get(index / COLOURS.len() % DASHES.len())
        .copied()
        .unwrap_or("");
    if dash.is_empty() {
        format!(r#" stroke="{colour}""#)
    } else {
        format!(r#" stroke="{colour}" stroke-dasharray="{dash}""#)
    }
}

/// Text safe in XML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab and line breaks are not XML 1.0.
            control if control.is_control() && !matches!(control, '\t' | '\n' | '\r') => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curves() -> Vec<(String, Vec<[f64; 2]>)> {
        vec![
            (
                "run-a".to_owned(),
                vec![[0.0, 0.1], [2.0, 0.5], [40.0, 1.0]],
            ),
            ("<&> \"b\"".to_owned(), vec![[1.5, 0.5], [300.0, 1.0]]),
            ("empty".to_owned(), vec![[f64::NAN, 0.5]]),
        ]
    }

    #[test]
    fn one_path_per_curve_with_its_legend() {
        let svg = cdf_svg("assembly: ack latency (CDF)", &curves());
        assert!(svg.starts_with("<?xml"));
        assert!(svg.trim_end().ends_with("</svg>"));
        // The curve without finite points is named but not drawn.
        assert_eq!(svg.matches("<path ").count(), 2);
        assert!(svg.contains(">assembly: ack latency (CDF)</text>"));
        assert!(svg.contains(">run-a</text>"));
        assert!(svg.contains(">empty</text>"));
        assert!(svg.contains(r##"stroke="#1f77b4""##));
        assert!(svg.contains(r##"stroke="#ff7f0e""##));
    }

    #[test]
    fn text_is_escaped() {
        let svg = cdf_svg("a<b & c", &curves());
        assert!(svg.contains(">a&lt;b &amp; c</text>"));
        assert!(svg.contains(">&lt;&amp;&gt; &quot;b&quot;</text>"));
        assert!(!svg.contains("<&>"));
        assert!(!svg.contains("a<b"));
        // Every element opened is closed or self-closing.
        let opened = svg.matches("<text").count();
        assert_eq!(opened, svg.matches("</text>").count());
    }

    #[test]
    fn the_axis_spans_the_data_in_decades() {
        let axis = Axis::fit(&curves());
        // Smallest positive x is 1.5 (the 0 is clamped), largest 300.
        assert_eq!((axis.low, axis.high), (0, 3));
        assert!((axis.position(0.0) - LEFT).abs() < 1e-9);
        assert!((axis.position(1000.0) - (LEFT + PLOT_WIDTH)).abs() < 1e-9);
        let single = Axis::fit(&[("one".to_owned(), vec![[10.0, 1.0]])]);
        assert_eq!((single.low, single.high), (1, 2));
        let none = Axis::fit(&[]);
        assert_eq!((none.low, none.high), (-1, 0));
        let svg = cdf_svg("t", &curves());
        for label in [">1</text>", ">10</text>", ">100</text>", ">1,000</text>"] {
            assert!(svg.contains(label), "{label}");
        }
        assert!(!svg.contains(">10,000</text>"));
    }

    #[test]
    fn decades_are_labelled() {
        assert_eq!(decade_label(-2), "0.01");
        assert_eq!(decade_label(-1), "0.1");
        assert_eq!(decade_label(0), "1");
        assert_eq!(decade_label(4), "10,000");
    }

    #[test]
    fn the_output_is_deterministic() {
        assert_eq!(cdf_svg("t", &curves()), cdf_svg("t", &curves()));
    }
}
