//! "Mark as verified": the badge holds while the connection's safety number is the one compared,
//! survives a resumed connection, and turns into a warning when a connection of the same
//! session comes back with another number.

use mesh::{ConnectionState, Input, Verification};
use protocol::PeerId;

use crate::support::{Remote, fingerprint, handshake, keys, only_to, ready, room, welcome};

const ME: PeerId = PeerId(10);
const GRACE: PeerId = PeerId(3);

fn verification(room: &mesh::Room) -> Vec<Verification> {
    room.participants().iter().map(|p| p.verification).collect()
}

#[test]
fn a_marked_safety_number_shows_as_verified_and_only_once_known() {
    let mut ada = room("Ada");
    ada.handle(welcome(ME, &[GRACE]));
    let mut grace = Remote::new(GRACE, "Grace", 0x51, &fingerprint(0xBB));
    handshake(&mut ada, ME, &mut grace);
    assert!(
        !ada.mark_verified(GRACE),
        "no safety number before DTLS verified one"
    );
    assert_eq!(verification(&ada), [Verification::Unmarked]);
    ada.handle(Input::RemoteCertificate {
        peer: GRACE,
        fingerprint: grace.fingerprint.clone(),
    });
    assert!(ada.mark_verified(GRACE));
    assert_eq!(verification(&ada), [Verification::Verified]);
}

/// Grace's connection failed while the server was away; she comes back under a new id with the
/// same session and a new certificate: the badge becomes a warning until compared again.
#[test]
fn the_same_session_with_another_safety_number_is_a_warning_not_a_badge() {
    let mut ada = room("Ada");
    ada.handle(welcome(ME, &[GRACE]));
    let mut grace = Remote::new(GRACE, "Grace", 0x51, &fingerprint(0xBB));
    handshake(&mut ada, ME, &mut grace);
    ada.handle(Input::RemoteCertificate {
        peer: GRACE,
        fingerprint: grace.fingerprint.clone(),
    });
    assert!(ada.mark_verified(GRACE));

    const BACK: PeerId = PeerId(78);
    ada.handle(welcome(PeerId(77), &[BACK]));
    let mut again = Remote::with_session(
        keys(),
        BACK,
        "Grace",
        0x52,
        grace.session,
        &fingerprint(0xBD),
    );
    let ours = ada.handle(ready(BACK, &fingerprint(0xAE)));
    again.receive_hello(PeerId(77), &only_to(&ours, BACK));
    ada.handle(again.hello_to(PeerId(77)));
    ada.handle(again.ack());
    // Ada's old connection to Grace fails too: she starts anew with the new one.
    ada.handle(Input::Connection {
        peer: GRACE,
        state: ConnectionState::Failed,
    });
    let names: Vec<(PeerId, String)> = ada
        .participants()
        .into_iter()
        .map(|p| (p.peer, p.name))
        .collect();
    assert_eq!(names, [(BACK, "Grace".to_owned())]);
    assert_eq!(
        verification(&ada),
        [Verification::Unmarked],
        "no number yet"
    );
    ada.handle(Input::RemoteCertificate {
        peer: BACK,
        fingerprint: again.fingerprint.clone(),
    });
    assert_eq!(verification(&ada), [Verification::Changed]);
    assert!(ada.mark_verified(BACK), "compared again");
    assert_eq!(verification(&ada), [Verification::Verified]);
}
