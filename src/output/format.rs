//! Text formatting shared by the outputs and the baseline reports: numbers by magnitude,
//! shares in percent, markup escaping and aligned text tables.
//!
//! Each output keeps its own precision (a terminal table, an HTML page and a plot legend
//! want different digits), but the rules are written once here, so that a number or a
//! table looks the same wherever the same rule applies.

/// Writes `x` with the decimals of the first `(threshold, decimals)` step whose threshold
/// `|x|` reaches (steps in decreasing order of threshold), or `smallest` decimals below
/// them all; zero is written `0`.
pub(crate) fn by_magnitude(x: f64, steps: &[(f64, usize)], smallest: usize) -> String {
    let a = x.abs();
    if a == 0.0 {
        return "0".into();
    }
    let d = steps
        .iter()
        .find(|(threshold, _)| a >= *threshold)
        .map_or(smallest, |&(_, d)| d);
    format!("{x:.d$}")
}

/// [`percent`] of a share, or a dash when it is undefined.
pub(crate) fn percent_or_dash(p: Option<f64>) -> String {
    p.map(percent).unwrap_or_else(|| "–".into())
}

/// A share in percent: whole numbers, but one decimal near 0% and 100% so that a share
/// that is not exactly 0 or 1 never reads as one.
pub(crate) fn percent(p: f64) -> String {
    if !p.is_finite() {
        "–".into()
    } else if p == 0.0 || p == 1.0 || (0.01..=0.99).contains(&p) {
        format!("{:.0}%", 100.0 * p)
    } else {
        format!("{:.1}%", 100.0 * p)
    }
}

/// The markup text is escaped for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Markup {
    /// HTML: `'` as `&#39;`.
    Html,
    /// XML 1.0: `'` as `&apos;`, and the control characters XML does not allow at all
    /// replaced by U+FFFD.
    Xml,
}

/// Escapes text for the content and attribute values of `markup`.
pub(crate) fn escape(s: &str, markup: Markup) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' if markup == Markup::Html => out.push_str("&#39;"),
            '\'' => out.push_str("&apos;"),
            c if markup == Markup::Xml && (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {
                out.push('\u{FFFD}')
            }
            c => out.push(c),
        }
    }
    out
}

/// Aligns rows of cells into lines: columns two spaces apart, each as wide as its widest
/// cell, left-aligned where `left(column)` holds and right-aligned elsewhere, trailing
/// spaces trimmed. With `rule`, a line of dashes as wide as the table follows the first
/// row (the header).
pub(crate) fn align<R: AsRef<[String]>>(
    rows: &[R],
    left: impl Fn(usize) -> bool,
    rule: bool,
) -> String {
    let cols = rows.iter().map(|r| r.as_ref().len()).max().unwrap_or(0);
    let mut widths = vec![0usize; cols];
    for r in rows {
        for (w, cell) in widths.iter_mut().zip(r.as_ref()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for (k, r) in rows.iter().enumerate() {
        let mut line = String::new();
        for (j, cell) in r.as_ref().iter().enumerate() {
            if j > 0 {
                line.push_str("  ");
            }
            let pad = " ".repeat(widths[j] - cell.chars().count());
            if left(j) {
                line.push_str(cell);
                line.push_str(&pad);
            } else {
                line.push_str(&pad);
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
        if rule && k == 0 {
            let total: usize = widths.iter().sum::<usize>() + 2 * cols.saturating_sub(1);
            out.push_str(&"-".repeat(total));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magnitudes_choose_the_decimals() {
        let steps = [(100.0, 0), (1.0, 2)];
        assert_eq!(by_magnitude(1234.5, &steps, 4), "1234");
        assert_eq!(by_magnitude(-12.345, &steps, 4), "-12.35");
        assert_eq!(by_magnitude(0.012345, &steps, 4), "0.0123");
        assert_eq!(by_magnitude(0.0, &steps, 4), "0");
    }

    #[test]
    fn markup_is_escaped_for_its_language() {
        assert_eq!(
            escape("<a href=\"x\">&'", Markup::Html),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(
            escape("a<b & \"c\" 'd'>\u{1}", Markup::Xml),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\u{FFFD}"
        );
    }

    #[test]
    fn columns_align_under_a_rule() {
        let rows = [
            vec!["metric".to_string(), "mean".into()],
            vec!["cpa".into(), "12.5".into()],
        ];
        assert_eq!(
            align(&rows, |j| j == 0, true),
            "metric  mean\n------------\ncpa     12.5\n"
        );
        assert_eq!(
            align(&rows, |_| true, false),
            "metric  mean\ncpa     12.5\n"
        );
    }
}
