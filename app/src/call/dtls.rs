//! The DTLS certificates behind the safety number.
//!
//! Each peer connection gets its own certificate, generated before the handshake so that the
//! sealed hello can commit to its fingerprint before the peer reveals its own (commit before
//! reveal). Once DTLS is up, [`verified_remote_fingerprints`] reads from `getStats()` the certificates
//! DTLS actually uses and verified: the safety number is computed from those, never from the
//! `a=fingerprint` text of a description, which a man in the middle can dress up.

use super::error::{JsError, resolve};
use super::stats::{Stats, field};
use js_sys::{Object, Reflect};
use mesh::{Description, SdpType};
use wasm_bindgen::JsCast;
use web_sys::{RtcCertificate, RtcConfiguration, RtcPeerConnection};

/// A fresh certificate for one peer connection and its fingerprint (`sha-256 AB:CD:…`).
pub struct Certificate {
    pub certificate: RtcCertificate,
    pub fingerprint: String,
}

/// Generates an ECDSA P-256 certificate (the browsers' default kind, fast to make).
pub async fn generate() -> Result<Certificate, JsError> {
    let algorithm = Object::new();
    Reflect::set(&algorithm, &"name".into(), &"ECDSA".into())?;
    Reflect::set(&algorithm, &"namedCurve".into(), &"P-256".into())?;
    let certificate: RtcCertificate = resolve(RtcPeerConnection::generate_certificate_with_object(
        &algorithm,
    )?)
    .await?
    .unchecked_into();
    let fingerprint = fingerprint_of(&certificate).await?;
    Ok(Certificate {
        certificate,
        fingerprint,
    })
}

/// The certificate's fingerprint as the browser itself states it: a throwaway connection with
/// that certificate makes an offer (never sent anywhere) whose `a=fingerprint` line names it.
/// Works in every browser, unlike `RTCCertificate.getFingerprints()`.
async fn fingerprint_of(certificate: &RtcCertificate) -> Result<String, JsError> {
    let configuration = RtcConfiguration::new();
    configuration.set_certificates(&js_sys::Array::of1(certificate));
    let probe = RtcPeerConnection::new_with_configuration(&configuration)?;
    let _channel = probe.create_data_channel("fingerprint");
    let offer = resolve(probe.create_offer()).await;
    probe.close();
    let sdp = Reflect::get(&offer?, &"sdp".into())?
        .as_string()
        .unwrap_or_default();
    let offer = Description {
        sdp_type: SdpType::Offer,
        sdp,
    };
    let first = offer
        .fingerprint_lines()
        .first()
        .map(|line| line.trim().to_owned());
    first.ok_or_else(|| JsError {
        name: "Error".to_owned(),
        message: "the browser's offer names no certificate fingerprint".to_owned(),
    })
}

/// The fingerprints of the peer certificates that DTLS verified, one per distinct certificate
/// over every connected DTLS transport (the `transport` statistics name the remote certificate,
/// whose `certificate` statistics carry its fingerprint). Empty until DTLS is connected, and in
/// browsers that do not report certificates (then no number is shown). More than one is never a sign
/// of an honest peer: each must match its commitment.
pub fn verified_remote_fingerprints(stats: &Stats) -> Vec<String> {
    let certificate = |id: String| {
        let entry = stats
            .by_id(&id)
            .filter(|entry| field(entry, "type").as_deref() == Some("certificate"))?;
        Some(format!(
            "{} {}",
            field(entry, "fingerprintAlgorithm")?,
            field(entry, "fingerprint")?
        ))
    };
    let mut fingerprints: Vec<String> = stats
        .of_type("transport")
        .filter(|transport| field(transport, "dtlsState").as_deref() == Some("connected"))
        .filter_map(|transport| certificate(field(transport, "remoteCertificateId")?))
        .collect();
    fingerprints.sort();
    fingerprints.dedup();
    fingerprints
}
