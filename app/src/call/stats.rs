//! Reading `RTCPeerConnection.getStats()`: the report's entries, found by type or id and read by
//! field name, and what Stube takes from them besides the certificates (see [`super::dtls`]): the
//! route of the selected candidate pair. A snapshot also holds the peer certificates the
//! connection's DTLS transports report, because Firefox's statistics name no certificate.

use super::error::{JsError, resolve};
use js_sys::Reflect;
use mesh::Route;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{RtcPeerConnection, RtcStatsReport};

/// One `getStats()` report, and the DER of the peer certificate of every connected DTLS
/// transport, read right after it (see [`super::dtls::remote_certificates`]).
pub struct Stats {
    entries: Vec<JsValue>,
    remote_certificates: Vec<Vec<u8>>,
}

impl Stats {
    pub async fn of(connection: &RtcPeerConnection) -> Result<Self, JsError> {
        let report: RtcStatsReport = resolve(connection.get_stats()).await?.unchecked_into();
        let mut entries = Vec::new();
        for value in report.values() {
            entries.push(value?);
        }
        Ok(Self {
            entries,
            remote_certificates: super::dtls::remote_certificates(connection),
        })
    }

    /// The peer certificates (DER) of the connection's connected DTLS transports.
    pub fn remote_certificates(&self) -> &[Vec<u8>] {
        &self.remote_certificates
    }

    /// The entries of type `kind` (`transport`, `certificate`, `candidate-pair`, …).
    pub fn of_type<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a JsValue> {
        self.entries
            .iter()
            .filter(move |entry| field(entry, "type").as_deref() == Some(kind))
    }

    pub fn by_id(&self, id: &str) -> Option<&JsValue> {
        self.entries
            .iter()
            .find(|entry| field(entry, "id").as_deref() == Some(id))
    }

    /// Whether the selected candidate pair goes directly or through a relay: the transport names
    /// it (Chromium), or the pair says it is selected (Firefox). `None` before ICE has chosen.
    pub fn route(&self) -> Option<Route> {
        let selected = self
            .of_type("transport")
            .find_map(|transport| self.by_id(&field(transport, "selectedCandidatePairId")?))
            .or_else(|| {
                self.of_type("candidate-pair").find(|pair| {
                    Reflect::get(pair, &"selected".into()).is_ok_and(|value| value.is_truthy())
                })
            })?;
        let candidate_type = |end: &str| {
            let candidate = self.by_id(&field(selected, end)?)?;
            field(candidate, "candidateType")
        };
        Some(Route::of_candidates(
            &candidate_type("localCandidateId")?,
            &candidate_type("remoteCandidateId")?,
        ))
    }
}

/// A text field of a statistics entry.
pub fn field(entry: &JsValue, name: &str) -> Option<String> {
    Reflect::get(entry, &name.into()).ok()?.as_string()
}
