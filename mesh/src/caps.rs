//! What each participant sends to each peer, by meeting size.
//!
//! In a full mesh every participant encodes its camera once per peer, so the work of a sender
//! grows with the meeting. The caps keep both of its costs roughly flat: the upload (the bitrate
//! per peer times the peers stays at or below about 1.8 Mbit/s) and the encoder's pixel rate
//! (smaller pictures and fewer frames per peer as peers are added). The numbers and the reasoning
//! are in ARCHITECTURE.md; the browser glue applies them with `RTCRtpSender.setParameters`
//! whenever the number of people changes, without renegotiation.

/// The most a participant's camera video may use toward one peer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VideoCaps {
    /// Picture height in pixels; a taller capture is scaled down to it.
    pub max_height: u32,
    pub max_framerate: u32,
    /// Bits per second.
    pub max_bitrate: u32,
}

/// The caps for a meeting of `people` participants (oneself included).
pub fn video_caps(people: usize) -> VideoCaps {
    let (max_height, max_framerate, max_bitrate) = match people {
        0..=2 => (720, 30, 1_500_000),
        3 => (480, 30, 900_000),
        4 => (360, 24, 600_000),
        5..=6 => (240, 15, 350_000),
        _ => (180, 15, 250_000),
    };
    VideoCaps {
        max_height,
        max_framerate,
        max_bitrate,
    }
}

impl VideoCaps {
    /// `scaleResolutionDownBy` for a camera capturing `capture_height` pixels high: how much to
    /// shrink it to fit [`VideoCaps::max_height`] (1 for a capture that fits already).
    pub fn scale_down_by(&self, capture_height: u32) -> f64 {
        (f64::from(capture_height) / f64::from(self.max_height)).max(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_shrink_as_the_meeting_grows() {
        let sizes: Vec<VideoCaps> = (1..=8).map(video_caps).collect();
        for pair in sizes.windows(2) {
            let (smaller, larger) = (pair[0], pair[1]);
            assert!(larger.max_height <= smaller.max_height);
            assert!(larger.max_framerate <= smaller.max_framerate);
            assert!(larger.max_bitrate <= smaller.max_bitrate);
        }
    }

    #[test]
    fn a_senders_upload_stays_bounded_whatever_the_size() {
        for people in 2..=8 {
            let peers = people as u32 - 1;
            let upload = video_caps(people).max_bitrate * peers;
            assert!(upload <= 1_800_000, "{people} people: {upload} bit/s");
        }
    }

    #[test]
    fn the_encoders_pixel_rate_for_six_is_below_that_for_two() {
        let pixel_rate = |people: usize| {
            let caps = video_caps(people);
            let peers = people as u64 - 1;
            u64::from(caps.max_height).pow(2) * 16 / 9 * u64::from(caps.max_framerate) * peers
        };
        assert!(pixel_rate(6) < pixel_rate(2));
        assert!(pixel_rate(8) < pixel_rate(2));
    }

    #[test]
    fn a_capture_is_scaled_down_to_the_cap_and_never_up() {
        let four = video_caps(4);
        assert_eq!(four.scale_down_by(720), 2.0);
        assert!((four.scale_down_by(480) - 4.0 / 3.0).abs() < 1e-9);
        assert_eq!(four.scale_down_by(240), 1.0);
    }
}
