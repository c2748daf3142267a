//! The DTLS certificates behind the safety number.
//!
//! Each peer connection gets its own certificate, generated before the handshake so that the
//! sealed hello can commit to its fingerprint before the peer reveals its own (commit before
//! reveal). Once DTLS is up, [`verified_remote_fingerprints`] reads the certificates DTLS actually
//! uses and verified: from `getStats()` (Chromium: transport → `remoteCertificateId` →
//! certificate) and from the connection's `RTCDtlsTransport`s (`getRemoteCertificates()`, the
//! certificate the peer presented in the handshake; Firefox, whose statistics name no
//! certificate). The safety number is computed from those, never from the `a=fingerprint` text of
//! a description, which a man in the middle can dress up.

use super::error::{JsError, resolve};
use super::stats::{Stats, field};
use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use mesh::{Description, SdpType};
use sha2::{Digest, Sha256};
use wasm_bindgen::prelude::*;
use web_sys::{RtcCertificate, RtcConfiguration, RtcPeerConnection};

#[wasm_bindgen]
extern "C" {
    /// `RTCDtlsTransport`, which web-sys does not bind.
    #[wasm_bindgen(js_name = RTCDtlsTransport)]
    type DtlsTransport;

    #[wasm_bindgen(method, getter)]
    fn state(this: &DtlsTransport) -> JsValue;

    /// The certificate chain the peer presented in the DTLS handshake, as `ArrayBuffer`s of DER,
    /// its own certificate first; empty until the handshake is done.
    #[wasm_bindgen(method, catch, js_name = getRemoteCertificates)]
    fn get_remote_certificates(this: &DtlsTransport) -> Result<Array, JsValue>;
}

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

/// The fingerprints of the peer certificates that DTLS verified, one per distinct certificate over
/// every connected DTLS transport. Two sources, and every certificate either names counts: the
/// `transport` statistics that name the remote certificate, whose `certificate` statistics carry
/// its fingerprint (Chromium), and the certificate each connected `RTCDtlsTransport` received
/// in its handshake, hashed here with SHA-256 (Firefox ESR reports no `certificate` statistics and
/// no `remoteCertificateId`; a transport only reaches `connected` once that certificate matched
/// the description's fingerprint). Empty until DTLS is connected, and in a browser that offers
/// neither (then no number is shown). More than one is never a sign of an honest peer: each must
/// match its commitment.
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
        .chain(
            stats
                .remote_certificates()
                .iter()
                .map(|der| sha256_fingerprint(der)),
        )
        .collect();
    fingerprints.sort();
    fingerprints.dedup();
    fingerprints
}

/// The DER of the certificate the peer presented on each connected DTLS transport of
/// `connection` (those of its senders, its receivers and its data channels). Empty where the
/// browser lacks `RTCDtlsTransport.getRemoteCertificates()`.
pub fn remote_certificates(connection: &RtcPeerConnection) -> Vec<Vec<u8>> {
    let transport_of = |owner: JsValue| Reflect::get(&owner, &"transport".into()).ok();
    let transports = connection
        .get_senders()
        .into_iter()
        .chain(connection.get_receivers())
        .filter_map(transport_of)
        .chain(
            Reflect::get(connection, &"sctp".into())
                .ok()
                .and_then(transport_of),
        );
    let mut certificates: Vec<Vec<u8>> = transports
        .filter(|transport| transport.is_object())
        .map(JsCast::unchecked_into::<DtlsTransport>)
        .filter(|transport| transport.state().as_string().as_deref() == Some("connected"))
        .filter_map(|transport| {
            transport
                .get_remote_certificates()
                .ok()?
                .get(0)
                .dyn_into()
                .ok()
        })
        .map(|der: ArrayBuffer| Uint8Array::new(&der).to_vec())
        .collect();
    certificates.sort();
    certificates.dedup();
    certificates
}

/// A certificate's SHA-256 fingerprint as SDP writes it: `sha-256 AB:CD:…`.
fn sha256_fingerprint(der: &[u8]) -> String {
    let digest = Sha256::digest(der);
    let hex: Vec<String> = digest.iter().map(|byte| format!("{byte:02X}")).collect();
    format!("sha-256 {}", hex.join(":"))
}
