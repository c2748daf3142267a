//! Printing: table headings and rows with the load average, the goals against the figures, and
//! the checks that must hold whatever the machine's load.

use std::time::Duration;

use crate::procfs;
use crate::traffic::Tally;

pub fn heading(title: &str) {
    println!("\n## {title}   (load average {})\n", procfs::load_average());
}

pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

pub fn micros(duration: Option<Duration>) -> String {
    duration.map_or_else(
        || "–".to_owned(),
        |d| format!("{:.0} µs", d.as_secs_f64() * 1e6),
    )
}

/// Findings that are never noise: a lost, duplicated or reordered message, a wrong close code,
/// a server that stopped answering.
#[derive(Debug, Default)]
pub struct Checks {
    failures: Vec<String>,
    passed: usize,
}

impl Checks {
    pub fn expect(&mut self, ok: bool, what: impl Into<String>) {
        if ok {
            self.passed += 1;
        } else {
            self.failures.push(what.into());
        }
    }

    /// Every message of `tally` delivered exactly once and in order.
    pub fn delivery(&mut self, what: &str, tally: &Tally) {
        self.expect(
            tally.faults.is_empty(),
            format!("{what}: {}", tally.faults.join("; ")),
        );
    }

    pub fn failed(&self) -> bool {
        !self.failures.is_empty()
    }

    pub fn print(&self) {
        println!("\n## Checks\n");
        for failure in &self.failures {
            println!("FAILED: {failure}");
        }
        println!("{} passed, {} failed", self.passed, self.failures.len());
    }
}

/// One goal and whether the figure met it.
pub fn goal(name: &str, figure: String, met: Option<bool>) {
    let verdict = match met {
        Some(true) => "met",
        Some(false) => "MISSED",
        None => "not measured",
    };
    println!("{name:<44} | {figure:>14} | {verdict}");
}
