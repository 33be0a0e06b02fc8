//! Order logs: rows of (customer, date, optional amount) turned into transactions and
//! per-customer summaries.
//!
//! Orders by the same customer on the same calendar day are merged into one transaction
//! (their amounts added): the models count purchase occasions, and a basket split over
//! several order lines or a payment retried within a day is one occasion. Times are
//! whole days, so a timestamp's time of day is read and then dropped, and a time-zone
//! suffix is ignored (the date is taken as written).
//!
//! Periods: the calibration period holds the transactions on or before the calibration
//! end date; the holdout period those after it, up to and including the holdout end. The
//! calibration cohort is the customers whose first transaction is in the calibration
//! period; `T` is the number of days from a customer's first transaction to the
//! calibration end.

use super::{FitError, Rfm, TimeUnit};
use std::collections::HashMap;
use std::io::Read;

/// Days from 1970-01-01 to the civil date `y-m-d` (proleptic Gregorian; Hinnant's
/// `days_from_civil`).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date `(y, m, d)` of day `z` after 1970-01-01 (Hinnant's `civil_from_days`).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + (m <= 2) as i64;
    (y, m, d)
}

/// Day `z` as `YYYY-MM-DD`.
pub fn format_day(z: i64) -> String {
    let (y, m, d) = civil_from_days(z);
    format!("{y:04}-{m:02}-{d:02}")
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Date formats a log may use (`--date-format`).
pub const DATE_FORMATS: [&str; 6] = [
    "%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d",
];

/// Parses `text` as a date in `format` (one of [`DATE_FORMATS`]: `%Y` four digits, `%m`
/// and `%d` one or two digits, two in `%Y%m%d`), optionally followed by a time of day
/// (`T` or a space, then `HH:MM[:SS[.fff]]` and an optional `Z` or `±HH[:MM]`), which is
/// dropped. Returns the day number ([`days_from_civil`]).
pub fn parse_date(text: &str, format: &str) -> Option<i64> {
    let text = text.trim();
    let (date, time) = match text.find(['T', ' ']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    if let Some(t) = time
        && !valid_time(t)
    {
        return None;
    }
    let num = |s: &str, lo: usize, hi: usize| -> Option<u32> {
        (s.len() >= lo && s.len() <= hi && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (y, m, d) = if format == "%Y%m%d" {
        if date.len() != 8 {
            return None;
        }
        (
            num(&date[..4], 4, 4)?,
            num(&date[4..6], 2, 2)?,
            num(&date[6..], 2, 2)?,
        )
    } else {
        let sep = match format {
            "%Y-%m-%d" => '-',
            "%Y/%m/%d" | "%d/%m/%Y" | "%m/%d/%Y" => '/',
            "%d.%m.%Y" => '.',
            _ => return None,
        };
        let parts: Vec<&str> = date.split(sep).collect();
        if parts.len() != 3 {
            return None;
        }
        let (yi, mi, di) = match format {
            "%d/%m/%Y" | "%d.%m.%Y" => (2, 1, 0),
            "%m/%d/%Y" => (2, 0, 1),
            _ => (0, 1, 2),
        };
        (
            num(parts[yi], 4, 4)?,
            num(parts[mi], 1, 2)?,
            num(parts[di], 1, 2)?,
        )
    };
    let y = y as i64;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// `HH:MM[:SS[.fff]]` with an optional `Z` or `±HH[:MM]` suffix.
fn valid_time(t: &str) -> bool {
    let t = t.strip_suffix('Z').unwrap_or(t);
    let t = match t.rfind(['+', '-']) {
        Some(i) => {
            let z = &t[i + 1..];
            let ok = z.len() >= 2 && z.bytes().all(|b| b.is_ascii_digit() || b == b':');
            if !ok {
                return false;
            }
            &t[..i]
        }
        None => t,
    };
    let parts: Vec<&str> = t.split(':').collect();
    let two = |s: &str, max: u32| s.len() == 2 && s.parse::<u32>().is_ok_and(|v| v <= max);
    match parts.as_slice() {
        [h, m] => two(h, 23) && two(m, 59),
        [h, m, s] => {
            let sec = s.split('.').next().unwrap_or("");
            two(h, 23) && two(m, 59) && two(sec, 60)
        }
        _ => false,
    }
}

/// Which columns hold what, and how dates are written.
#[derive(Debug, Clone)]
pub struct LogFormat {
    /// Customer id column.
    pub customer: String,
    /// Date or timestamp column.
    pub date: String,
    /// Amount column: `Some` to require it, `None` to use a column named `amount` when
    /// there is one.
    pub amount: Option<String>,
    /// Ignore amounts even when there is a column named `amount`.
    pub no_amount: bool,
    /// Date format, one of [`DATE_FORMATS`].
    pub date_format: String,
}

impl Default for LogFormat {
    fn default() -> Self {
        LogFormat {
            customer: "customer_id".into(),
            date: "date".into(),
            amount: None,
            no_amount: false,
            date_format: "%Y-%m-%d".into(),
        }
    }
}

/// One order row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Order {
    /// Customer index (into [`OrderLog::ids`]).
    pub customer: u32,
    /// Day number ([`days_from_civil`]).
    pub day: i64,
    /// Order value, when the log has amounts.
    pub amount: Option<f64>,
}

/// An order log merged into transactions (one per customer and day).
#[derive(Debug, Clone)]
pub struct OrderLog {
    /// Customer ids, by index.
    pub ids: Vec<String>,
    /// Transactions sorted by customer, then day.
    pub transactions: Vec<Order>,
    /// Order rows read.
    pub rows: usize,
    /// Whether the transactions carry amounts.
    pub has_amounts: bool,
    /// First and last transaction days.
    pub span: (i64, i64),
}

impl OrderLog {
    /// Merges orders (any order) into one transaction per customer and day, amounts added.
    /// `ids` names the customers; the log must not be empty.
    pub fn from_orders(ids: Vec<String>, mut orders: Vec<Order>, has_amounts: bool) -> Self {
        let rows = orders.len();
        orders.sort_by_key(|o| (o.customer, o.day));
        let mut transactions: Vec<Order> = Vec::with_capacity(orders.len());
        for o in orders {
            match transactions.last_mut() {
                Some(t) if t.customer == o.customer && t.day == o.day => {
                    if let (Some(a), Some(b)) = (t.amount.as_mut(), o.amount) {
                        *a += b;
                    }
                }
                _ => transactions.push(o),
            }
        }
        let lo = transactions.iter().map(|t| t.day).min().unwrap_or(0);
        let hi = transactions.iter().map(|t| t.day).max().unwrap_or(0);
        OrderLog {
            ids,
            transactions,
            rows,
            has_amounts,
            span: (lo, hi),
        }
    }

    /// Orders merged into transactions.
    pub fn merged(&self) -> usize {
        self.rows - self.transactions.len()
    }
}

/// Checks that `format` is one of [`DATE_FORMATS`].
pub fn check_date_format(format: &str) -> Result<(), FitError> {
    if DATE_FORMATS.contains(&format) {
        Ok(())
    } else {
        Err(FitError::Log(format!(
            "--date-format {format:?} is not supported: allowed {}",
            DATE_FORMATS.join(", ")
        )))
    }
}

/// Reads an order log in CSV with a header row. `source` names it in errors.
pub fn read_log(input: impl Read, source: &str, format: &LogFormat) -> Result<OrderLog, FitError> {
    check_date_format(&format.date_format)?;
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
    let header = reader
        .headers()
        .map_err(|e| FitError::Log(format!("{source}: cannot read the header row: {e}")))?
        .clone();
    let names: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let find = |name: &str, option: &str| {
        names.iter().position(|h| h == name).ok_or_else(|| {
            FitError::Log(format!(
                "{source}: no column `{name}` (set it with {option}); the header has: {}",
                names.join(", ")
            ))
        })
    };
    let ci = find(&format.customer, "--customer-column")?;
    let di = find(&format.date, "--date-column")?;
    let ai = match (&format.amount, format.no_amount) {
        (_, true) => None,
        (Some(a), false) => Some(find(a, "--amount-column")?),
        (None, false) => names.iter().position(|h| h == "amount"),
    };
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut ids = Vec::new();
    let mut orders = Vec::new();
    for (n, rec) in reader.records().enumerate() {
        let row = n + 1;
        let rec = rec.map_err(|e| FitError::Log(format!("{source}: row {row}: {e}")))?;
        let line = rec.position().map_or(row as u64 + 1, |p| p.line());
        let at = |col: usize| format!("{source}: row {row} (line {line}), column `{}`", names[col]);
        let id = rec.get(ci).unwrap_or("").trim();
        if id.is_empty() {
            return Err(FitError::Log(format!("{}: empty customer id", at(ci))));
        }
        let text = rec.get(di).unwrap_or("");
        let day = parse_date(text, &format.date_format).ok_or_else(|| {
            FitError::Log(format!(
                "{}: {text:?} is not a date in the format {} (optionally followed by a time such as T14:05:00); set --date-format to one of {}",
                at(di),
                format.date_format,
                DATE_FORMATS.join(", ")
            ))
        })?;
        let amount = match ai {
            Some(c) => {
                let t = rec.get(c).unwrap_or("").trim();
                let v: f64 = t
                    .parse()
                    .map_err(|_| FitError::Log(format!("{}: {t:?} is not a number", at(c))))?;
                if !(v.is_finite() && v >= 0.0) {
                    return Err(FitError::Log(format!(
                        "{}: amount {t} is not allowed: amounts must be zero or positive (remove refunds and returns, or net them into their order)",
                        at(c)
                    )));
                }
                Some(v)
            }
            None => None,
        };
        let next = ids.len() as u32;
        let customer = *index.entry(id.to_string()).or_insert_with(|| {
            ids.push(id.to_string());
            next
        });
        orders.push(Order {
            customer,
            day,
            amount,
        });
    }
    if orders.is_empty() {
        return Err(FitError::Log(format!(
            "{source}: the log has no order rows"
        )));
    }
    Ok(OrderLog::from_orders(ids, orders, ai.is_some()))
}

/// One customer of the calibration cohort.
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    /// Customer index.
    pub customer: u32,
    /// Day of the first transaction.
    pub first: i64,
    /// Calibration summary, in days.
    pub rfm: Rfm,
    /// Mean value of the calibration period's repeat transactions (with amounts, `x > 0`).
    pub repeat_value: Option<f64>,
    /// Transactions in the holdout period.
    pub holdout: u32,
    /// Days of the repeat transactions up to the holdout end.
    pub repeats: Vec<i64>,
}

/// The log split into calibration and holdout periods.
#[derive(Debug, Clone)]
pub struct Split {
    /// The calibration cohort.
    pub customers: Vec<Customer>,
    /// First transaction day of the log.
    pub start: i64,
    /// Last day of the calibration period.
    pub calibration_end: i64,
    /// Last day of the holdout period (`None`: no holdout).
    pub holdout_end: Option<i64>,
    /// Customers whose first transaction is in the holdout period (not in the cohort).
    pub holdout_newcomers: usize,
}

impl Split {
    /// Holdout length in days (0 without a holdout).
    pub fn holdout_days(&self) -> i64 {
        self.holdout_end.map_or(0, |h| h - self.calibration_end)
    }

    /// The cohort's summaries in `unit`.
    pub fn rfm(&self, unit: TimeUnit) -> Vec<Rfm> {
        let u = unit.days();
        self.customers
            .iter()
            .map(|c| Rfm {
                x: c.rfm.x,
                t_x: c.rfm.t_x / u,
                t: c.rfm.t / u,
            })
            .collect()
    }

    /// Customers with at least one repeat transaction in the calibration period.
    pub fn repeat_buyers(&self) -> usize {
        self.customers.iter().filter(|c| c.rfm.x > 0).count()
    }
}

/// Splits the log at `calibration_end` (and `holdout_end`, default the log's last day
/// when it is after the calibration end).
pub fn split(
    log: &OrderLog,
    calibration_end: i64,
    holdout_end: Option<i64>,
) -> Result<Split, FitError> {
    let (start, last) = log.span;
    if calibration_end < start || calibration_end >= last {
        return Err(FitError::Period(format!(
            "--calibration-end {} is outside the log, whose orders run from {} to {}: choose a date on or after the first order and before the last",
            format_day(calibration_end),
            format_day(start),
            format_day(last)
        )));
    }
    let holdout_end = match holdout_end {
        Some(h) if h <= calibration_end => {
            return Err(FitError::Period(format!(
                "--holdout-end {} is not after --calibration-end {}",
                format_day(h),
                format_day(calibration_end)
            )));
        }
        Some(h) if h > last => {
            return Err(FitError::Period(format!(
                "--holdout-end {} is after the log's last order ({}): the holdout would count orders the log cannot have; choose a date up to {}",
                format_day(h),
                format_day(last),
                format_day(last)
            )));
        }
        Some(h) => Some(h),
        None => Some(last),
    };
    let end = holdout_end.unwrap_or(calibration_end);
    let mut customers = Vec::new();
    let mut newcomers = 0;
    for group in log.transactions.chunk_by(|a, b| a.customer == b.customer) {
        let first = group[0].day;
        if first > end {
            continue;
        }
        if first > calibration_end {
            newcomers += 1;
            continue;
        }
        let cal: Vec<&Order> = group[1..]
            .iter()
            .filter(|o| o.day <= calibration_end)
            .collect();
        let x = cal.len() as u32;
        let t_x = cal.last().map_or(0.0, |o| (o.day - first) as f64);
        let repeat_value = (log.has_amounts && x > 0)
            .then(|| cal.iter().map(|o| o.amount.unwrap_or(0.0)).sum::<f64>() / x as f64);
        let holdout = group
            .iter()
            .filter(|o| o.day > calibration_end && o.day <= end)
            .count() as u32;
        customers.push(Customer {
            customer: group[0].customer,
            first,
            rfm: Rfm {
                x,
                t_x,
                t: (calibration_end - first) as f64,
            },
            repeat_value,
            holdout,
            repeats: group[1..]
                .iter()
                .filter(|o| o.day <= end)
                .map(|o| o.day)
                .collect(),
        });
    }
    Ok(Split {
        customers,
        start,
        calibration_end,
        holdout_end,
        holdout_newcomers: newcomers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(
            days_from_civil(2024, 2, 29) + 1,
            days_from_civil(2024, 3, 1)
        );
        for z in [-800_000, -1, 0, 59, 10_957, 19_782, 2_000_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(format_day(days_from_civil(2025, 12, 31)), "2025-12-31");
    }

    #[test]
    fn date_formats() {
        let day = days_from_civil(2024, 3, 7);
        for (text, f) in [
            ("2024-03-07", "%Y-%m-%d"),
            ("2024-3-7", "%Y-%m-%d"),
            ("2024-03-07T23:59:59", "%Y-%m-%d"),
            ("2024-03-07 08:15", "%Y-%m-%d"),
            ("2024-03-07T08:15:00.123+08:00", "%Y-%m-%d"),
            ("2024-03-07T08:15:00Z", "%Y-%m-%d"),
            ("2024/03/07", "%Y/%m/%d"),
            ("07/03/2024", "%d/%m/%Y"),
            ("03/07/2024", "%m/%d/%Y"),
            ("07.03.2024", "%d.%m.%Y"),
            ("20240307", "%Y%m%d"),
        ] {
            assert_eq!(parse_date(text, f), Some(day), "{text} {f}");
        }
        for (text, f) in [
            ("2023-02-29", "%Y-%m-%d"),
            ("2024-13-01", "%Y-%m-%d"),
            ("2024-03-07T25:00", "%Y-%m-%d"),
            ("07/03/2024", "%Y-%m-%d"),
            ("yesterday", "%Y-%m-%d"),
            ("2024037", "%Y%m%d"),
        ] {
            assert_eq!(parse_date(text, f), None, "{text} {f}");
        }
    }

    fn log(text: &str) -> Result<OrderLog, FitError> {
        read_log(text.as_bytes(), "orders.csv", &LogFormat::default())
    }

    /// Same-day orders merge with their amounts added; the summaries follow the
    /// definitions of the module documentation.
    #[test]
    fn merge_and_split() {
        let l = log(
            "customer_id,date,amount\na,2024-01-01,10\na,2024-01-01T18:00:00,5\nb,2024-01-03,7\n\
                     a,2024-01-11,20\na,2024-01-21,30\nb,2024-01-31,1\nc,2024-01-25,3\n",
        )
        .unwrap();
        assert_eq!((l.rows, l.transactions.len(), l.merged()), (7, 6, 1));
        assert_eq!(l.transactions[0].amount, Some(15.0));
        let s = split(&l, days_from_civil(2024, 1, 15), None).unwrap();
        assert_eq!(s.customers.len(), 2);
        assert_eq!(s.holdout_newcomers, 1);
        let a = &s.customers[0];
        assert_eq!(
            a.rfm,
            Rfm {
                x: 1,
                t_x: 10.0,
                t: 14.0
            }
        );
        assert_eq!((a.repeat_value, a.holdout), (Some(20.0), 1));
        let b = &s.customers[1];
        assert_eq!(
            b.rfm,
            Rfm {
                x: 0,
                t_x: 0.0,
                t: 12.0
            }
        );
        assert_eq!((b.repeat_value, b.holdout), (None, 1));
        assert_eq!(s.holdout_days(), 16);
    }

    /// Errors name the file, the row and line, the column and what is allowed.
    #[test]
    fn errors_name_the_row() {
        let e = log("customer_id,date\na,2024-01-01\nb,2024-13-01\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("orders.csv: row 2 (line 3), column `date`") && e.contains("2024-13-01"),
            "{e}"
        );
        let e = log("customer_id,date,amount\na,2024-01-01,-5\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("row 1 (line 2), column `amount`") && e.contains("-5"),
            "{e}"
        );
        let e = log("id,date\na,2024-01-01\n").unwrap_err().to_string();
        assert!(
            e.contains("no column `customer_id`") && e.contains("id, date"),
            "{e}"
        );
        let l = log("customer_id,date\na,2024-01-01\na,2024-02-01\n").unwrap();
        let e = split(&l, days_from_civil(2025, 1, 1), None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("outside the log") && e.contains("2024-02-01"),
            "{e}"
        );
        let e = split(
            &l,
            days_from_civil(2024, 1, 10),
            Some(days_from_civil(2024, 3, 1)),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("after the log's last order"), "{e}");
    }
}
