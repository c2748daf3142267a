//! Chat frames on the data channels are sealed under each sender's chat stream, announced under
//! the pair keys: they open only as the sender's, once, in order.

use protocol::PeerId;

use crate::support::{Net, room};

#[test]
fn a_chat_frame_opens_once_and_only_as_its_senders() {
    let mut net = Net::new();
    let ada = net.join("Ada", PeerId(1));
    let bob = net.join("Bob", PeerId(2));
    let cem = net.join("Cem", PeerId(3));
    let first = net.members[ada].room.seal_chat(b"hello").expect("a stream");
    let second = net.members[ada].room.seal_chat(b"again").expect("a stream");
    assert!(
        !first.windows(5).any(|w| w == b"hello"),
        "sealed, not plain"
    );

    let bob_room = &mut net.members[bob].room;
    assert_eq!(
        bob_room.open_chat(PeerId(1), &first).as_deref(),
        Some(&b"hello"[..])
    );
    assert_eq!(bob_room.open_chat(PeerId(1), &first), None, "a replay");
    assert_eq!(
        bob_room.open_chat(PeerId(1), &second).as_deref(),
        Some(&b"again"[..])
    );
    let mut tampered = second.clone();
    *tampered.last_mut().expect("a tag") ^= 1;
    assert_eq!(bob_room.open_chat(PeerId(1), &tampered), None);

    // Cem is told it comes from Bob: it does not open under Bob's stream.
    let cem_room = &mut net.members[cem].room;
    assert_eq!(cem_room.open_chat(PeerId(2), &first), None);
    assert_eq!(
        cem_room.open_chat(PeerId(1), &first).as_deref(),
        Some(&b"hello"[..])
    );
}

#[test]
fn without_a_verified_peer_there_is_no_chat_stream() {
    let mut alone = room("Ada");
    assert_eq!(alone.seal_chat(b"hello"), None);
    assert_eq!(alone.open_chat(PeerId(2), b"anything"), None);
    assert_eq!(alone.dropped_envelopes(), 1);
}
