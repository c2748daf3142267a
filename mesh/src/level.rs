//! The microphone level meter of the pre-join page and the meeting: from a block of samples (an
//! `AnalyserNode`'s time-domain data) to a steady bar between 0 and 1, and the sign that the
//! operating system muted the microphone.
//!
//! The bar follows the level in decibels from [`FLOOR_DB`] to full scale: it rises at once and
//! falls by [`FALL_PER_SECOND`], as level meters do, so that speech reads as a bar and not as
//! flicker. A microphone that is on but delivers exact digital silence for [`SILENCE_MILLIS`] is
//! muted somewhere below the browser (an operating-system switch, a hardware key): a real
//! microphone always hears some noise.

/// The quietest level the bar shows, in dBFS; anything quieter is an empty bar.
pub const FLOOR_DB: f64 = -60.0;
/// How far the bar falls per second of quiet (of the full bar).
pub const FALL_PER_SECOND: f64 = 1.5;
/// RMS below which a block counts as digital silence (about -100 dBFS).
pub const SILENCE_RMS: f64 = 1e-5;
/// How long digital silence lasts before it counts as a muted microphone.
pub const SILENCE_MILLIS: f64 = 3_000.0;

/// The meter's state between blocks.
#[derive(Debug, Default)]
pub struct LevelMeter {
    shown: f64,
    last_at: Option<f64>,
    silent_since: Option<f64>,
}

impl LevelMeter {
    /// Takes one block of samples (between -1 and 1) read at `now` (milliseconds, any steady
    /// clock) and returns the bar to show, between 0 and 1.
    pub fn sample(&mut self, samples: &[f32], now: f64) -> f64 {
        let rms = rms(samples);
        let target = bar(rms);
        let elapsed = self.last_at.map_or(0.0, |at| (now - at).max(0.0) / 1_000.0);
        self.last_at = Some(now);
        self.shown = target.max(self.shown - FALL_PER_SECOND * elapsed).max(0.0);
        if rms < SILENCE_RMS {
            self.silent_since.get_or_insert(now);
        } else {
            self.silent_since = None;
        }
        self.shown
    }

    /// Whether the microphone has delivered nothing but digital silence for
    /// [`SILENCE_MILLIS`] up to `now`.
    pub fn silenced(&self, now: f64) -> bool {
        self.silent_since
            .is_some_and(|since| now - since >= SILENCE_MILLIS)
    }
}

fn rms(samples: &[f32]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples
        .iter()
        .map(|&sample| f64::from(sample.clamp(-1.0, 1.0)).powi(2))
        .sum();
    (sum / samples.len() as f64).sqrt()
}

/// The bar for an RMS level: 0 at [`FLOOR_DB`] and below, 1 at full scale.
fn bar(rms: f64) -> f64 {
    if rms <= 0.0 {
        return 0.0;
    }
    let db = 20.0 * rms.log10();
    ((db - FLOOR_DB) / -FLOOR_DB).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(amplitude: f32) -> Vec<f32> {
        (0..1024)
            .map(|n| amplitude * (n as f32 * 0.1).sin())
            .collect()
    }

    #[test]
    fn full_scale_fills_the_bar_and_the_floor_empties_it() {
        assert!((bar(1.0) - 1.0).abs() < 1e-9);
        assert_eq!(bar(0.001), 0.0); // -60 dBFS
        assert!((bar(0.031_622_776) - 0.5).abs() < 1e-6); // -30 dBFS
        assert_eq!(bar(0.0), 0.0);
    }

    #[test]
    fn the_bar_rises_at_once_and_falls_steadily() {
        let mut meter = LevelMeter::default();
        let loud = meter.sample(&tone(0.5), 0.0);
        assert!(loud > 0.8, "{loud}");
        // 100 ms of silence later the bar has fallen by 0.15, not to zero.
        let falling = meter.sample(&tone(0.0), 100.0);
        assert!((loud - falling - 0.15).abs() < 1e-9, "{loud} {falling}");
        let gone = meter.sample(&tone(0.0), 2_000.0);
        assert_eq!(gone, 0.0);
        // A clock that goes backwards does not raise the bar.
        assert_eq!(meter.sample(&tone(0.0), 1_000.0), 0.0);
    }

    #[test]
    fn only_lasting_digital_silence_counts_as_muted() {
        let mut meter = LevelMeter::default();
        meter.sample(&tone(0.0), 0.0);
        assert!(!meter.silenced(SILENCE_MILLIS - 1.0));
        meter.sample(&tone(0.0), SILENCE_MILLIS);
        assert!(meter.silenced(SILENCE_MILLIS));
        // Room noise at -80 dBFS is quiet but not silence: the microphone works.
        meter.sample(&tone(0.000_14), SILENCE_MILLIS + 100.0);
        assert!(!meter.silenced(SILENCE_MILLIS * 3.0));
        assert!(!LevelMeter::default().silenced(1e9));
    }

    #[test]
    fn out_of_range_samples_and_empty_blocks_stay_in_bounds() {
        let mut meter = LevelMeter::default();
        assert_eq!(meter.sample(&[], 0.0), 0.0);
        let clipped = meter.sample(&[f32::MAX, f32::MIN, 4.0], 10.0);
        assert!((clipped - 1.0).abs() < 1e-9);
    }
}
