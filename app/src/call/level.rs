//! The live microphone level: the track into an `AnalyserNode` of its own `AudioContext`, read a
//! block at a time into [`mesh::LevelMeter`]. Nothing is played; the context closes on drop.

use super::error::JsError;
use super::handle::Share;
use mesh::LevelMeter;
use web_sys::{
    AnalyserNode, AudioContext, AudioContextState, MediaStream, MediaStreamAudioSourceNode,
    MediaStreamTrack,
};

/// Samples per block (about 43 ms at 48 kHz).
const BLOCK: u32 = 2048;

/// What the meter shows after one read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// The bar, between 0 and 1.
    pub level: f64,
    /// The microphone is muted below the browser (the track says so, or it delivers digital
    /// silence).
    pub silenced: bool,
}

pub struct MicrophoneLevel {
    context: AudioContext,
    analyser: AnalyserNode,
    _source: MediaStreamAudioSourceNode,
    track: MediaStreamTrack,
    samples: Vec<f32>,
    meter: LevelMeter,
}

impl MicrophoneLevel {
    /// Listens to `track` (the same track, not a copy: it stops when the microphone is turned off).
    pub fn new(track: &MediaStreamTrack) -> Result<Self, JsError> {
        let context = AudioContext::new()?;
        // The page may not have been clicked yet; the meter is worth a try either way.
        let _ = context.resume();
        let tracks = js_sys::Array::of1(track);
        let stream = MediaStream::new_with_tracks(&tracks)?;
        let source = context.create_media_stream_source(&stream)?;
        let analyser = context.create_analyser()?;
        analyser.set_fft_size(BLOCK);
        source.connect_with_audio_node(&analyser)?;
        Ok(Self {
            context,
            analyser,
            _source: source,
            track: track.share(),
            samples: vec![0.0; BLOCK as usize],
            meter: LevelMeter::default(),
        })
    }

    pub fn read(&mut self) -> Reading {
        let now = js_sys::Date::now();
        self.analyser.get_float_time_domain_data(&mut self.samples);
        let level = self.meter.sample(&self.samples, now);
        // A context the autoplay policy holds suspended reads silence that says nothing.
        let running = self.context.state() == AudioContextState::Running;
        Reading {
            level,
            silenced: self.track.muted() || (running && self.meter.silenced(now)),
        }
    }
}

impl Drop for MicrophoneLevel {
    fn drop(&mut self) {
        let _ = self.context.close();
    }
}
