//! The attacks of issue 8 against the fixed code: a server that replays, reflects and reassigns
//! ids, and a man in the middle who knows the passphrase and swaps certificates.

use mesh::{
    ConnectionState, Description, Input, Negotiation, Room, RoomStatus, SdpType, SignalBody,
};
use protocol::PeerId;

use crate::support::{
    ACK, CHAT_STREAM, HELLO, MEDIA, Net, Out, Relayed, Remote, ack_to, candidate, check,
    fingerprint, handshake, hello_to, joined, keys, left, offer, only_to, ready, room,
    untrustworthy, verified, welcome,
};

const ME: PeerId = PeerId(10);
const EARLIER: PeerId = PeerId(3);

/// The server forges `peer_left` and `peer_joined` for a participant who is still there (or gone)
/// and replays that participant's earlier hello and ack: the ghost never becomes verified.
#[test]
fn a_ghost_rejoin_with_a_replayed_hello_and_ack_is_never_verified() {
    let mut net = Net::new();
    let ada = net.join("Ada", PeerId(1));
    let bob = net.join("Bob", PeerId(2));
    assert_eq!(net.names(bob), ["Ada"]);
    let recorded: Vec<Relayed> = net
        .log
        .iter()
        .filter(|r| r.from == PeerId(1) && r.to == PeerId(2))
        .cloned()
        .collect();
    assert_eq!(
        recorded.iter().map(Relayed::kind).collect::<Vec<_>>(),
        [HELLO, ACK, MEDIA, CHAT_STREAM]
    );

    net.input(bob, left(PeerId(1)));
    net.input(bob, joined(PeerId(1)));
    let dropped = net.members[bob].room.dropped_envelopes();
    for relayed in &recorded {
        net.relay(relayed);
    }
    let bob_room = &net.members[bob].room;
    assert!(bob_room.participants().is_empty(), "the ghost is not shown");
    assert_eq!(bob_room.unverified_present(), 1);
    assert_eq!(
        bob_room.dropped_envelopes(),
        dropped + 4,
        "hello, ack, media state and chat stream"
    );
    // The only new connection is the one Bob opened to offer on while the hellos crossed;
    // its offer never leaves.
    assert_eq!(
        net.members[bob].opened,
        [(PeerId(1), false), (PeerId(1), true)]
    );
    let sent = net.log.len();
    net.offer(bob, PeerId(1));
    assert_eq!(net.log.len(), sent, "nothing negotiated goes to the ghost");
    // Ada, who never left, dropped Bob's fresh hello as a second one: nothing changed for her.
    assert_eq!(net.names(ada), ["Bob"]);
    assert_eq!(net.members[ada].room.dropped_envelopes(), 1);
}

/// The same after Bob reloaded the page (a new room that remembers no challenge): the replayed
/// hello is taken, but the pair keys include Bob's fresh hello, so the replayed ack does not open.
#[test]
fn a_ghost_replayed_to_a_reloaded_page_is_never_verified() {
    let mut net = Net::new();
    net.join("Ada", PeerId(1));
    let bob = net.join("Bob", PeerId(2));
    let recorded: Vec<Relayed> = net
        .log
        .iter()
        .filter(|r| r.from == PeerId(1) && r.to == PeerId(2))
        .cloned()
        .collect();
    // Ada has gone; Bob reloads, and the server says she is still there.
    net.hold = true;
    net.reload(bob, 0x9_0000);
    net.input(bob, welcome(PeerId(2), &[PeerId(1)]));
    for relayed in &recorded {
        net.relay(relayed);
    }
    let room = &net.members[bob].room;
    assert!(room.participants().is_empty(), "the ghost is not shown");
    assert_eq!(room.unverified_present(), 1);
    assert_eq!(
        room.dropped_envelopes(),
        3,
        "neither the ack nor the media state nor the chat stream opened"
    );
}

/// The server gives two participants the same id. Until one of them completes the handshake the
/// newest hello that opens is the one Bob goes on with (so that a stale hello cannot block a
/// real one); here that is Carol's. Only she gets a connection to Bob, under her own name: Ada's
/// messages never open for Bob, nor Bob's for her, so no media ever appears under a wrong name.
#[test]
fn two_participants_given_the_same_id_never_mix_under_one_name() {
    let mut net = Net::new();
    let bob = net.join("Bob", PeerId(2));
    net.hold = true;
    let ada = net.join("Ada", PeerId(1));
    let carol = net.join("Carol", PeerId(1));
    net.release();
    assert_eq!(net.names(bob), ["Carol"]);
    assert_eq!(net.names(carol), ["Bob"]);
    // Ada opened Bob's first ack, so she shows Bob, by his own name; but everything Bob sends
    // to id 1 from now on is sealed for Carol. Bob (there first) offers to id 1: Carol gets it,
    // Ada cannot open it, so no connection (and no media) ever joins Ada to anyone as "Bob".
    net.offer(bob, PeerId(1));
    assert_eq!(net.members[carol].delivered.len(), 1);
    assert!(net.members[ada].delivered.is_empty());
}

/// Ada and Bob (ids 1 and 2) in a call: Ada's offer, then four candidates each way.
fn a_call_with_an_offer_and_candidates() -> (Net, usize, usize) {
    let mut net = Net::new();
    let ada = net.join("Ada", PeerId(1));
    let bob = net.join("Bob", PeerId(2));
    net.offer(ada, PeerId(2));
    for n in 1..=4 {
        for (from, to) in [(ada, PeerId(2)), (bob, PeerId(1))] {
            let negotiation = Negotiation::Candidate(candidate(n));
            net.input(
                from,
                Input::Local {
                    peer: to,
                    negotiation,
                },
            );
        }
    }
    (net, ada, bob)
}

/// Their connection failed, and after a reconnect the server reuses both ids and first replays
/// the old session's messages, with sequence numbers above the new session's: none opens, and
/// the real peer gets through.
#[test]
fn old_session_messages_after_a_reconnect_neither_open_nor_block_the_real_peer() {
    let (mut net, ada, bob) = a_call_with_an_offer_and_candidates();
    for (member, peer) in [(ada, PeerId(2)), (bob, PeerId(1))] {
        let state = ConnectionState::Failed;
        net.input(member, Input::Connection { peer, state });
    }
    assert_eq!(net.members[bob].delivered.len(), 5);
    let old = net.log.clone();
    let highest = old
        .iter()
        .map(|r| u64::from_be_bytes(r.envelope[2..10].try_into().expect("a header")))
        .max();
    assert_eq!(
        highest,
        Some(8),
        "ack, media state, chat stream, offer and four candidates"
    );

    net.hold = true;
    net.input(ada, welcome(PeerId(1), &[]));
    net.input(bob, welcome(PeerId(2), &[PeerId(1)]));
    net.input(ada, joined(PeerId(2)));
    let dropped = [ada, bob].map(|m| net.members[m].room.dropped_envelopes());
    for relayed in &old {
        net.relay(relayed);
    }
    for member in [ada, bob] {
        let room = &net.members[member].room;
        assert!(room.participants().is_empty());
        assert_eq!(
            room.status(),
            RoomStatus::Verifying,
            "nobody is taken for a stranger"
        );
    }
    let replayed_to = |id| old.iter().filter(|r| r.to == id).count() as u64;
    assert_eq!(
        net.members[ada].room.dropped_envelopes(),
        dropped[0] + replayed_to(PeerId(1))
    );
    assert_eq!(
        net.members[bob].room.dropped_envelopes(),
        dropped[1] + replayed_to(PeerId(2))
    );

    net.release();
    assert_eq!(net.names(ada), ["Bob"]);
    assert_eq!(net.names(bob), ["Ada"]);
    // The new session's negotiation opens from sequence number 1 on: Ada offers again.
    net.offer(ada, PeerId(2));
    assert_eq!(net.members[bob].delivered.len(), 6);
}

/// The same after both reloaded the page (new rooms that remember nothing): the old session's
/// messages, replayed between the new hellos and the new acks with higher sequence numbers, do
/// not open under the new pair keys and do not hold up the new acks.
#[test]
fn old_session_messages_after_a_reload_neither_open_nor_block_the_real_peer() {
    let (mut net, ada, bob) = a_call_with_an_offer_and_candidates();
    let old: Vec<Relayed> = net
        .log
        .iter()
        .filter(|r| r.kind() != HELLO)
        .cloned()
        .collect();

    net.hold = true;
    net.reload(ada, 0x8_0000);
    net.reload(bob, 0x9_0000);
    net.input(ada, welcome(PeerId(1), &[]));
    net.input(bob, welcome(PeerId(2), &[PeerId(1)]));
    net.input(ada, joined(PeerId(2)));
    // The new hellos cross; both sides now hold pair channels and have sent their acks.
    net.deliver_next();
    net.deliver_next();
    for relayed in &old {
        net.relay(relayed);
    }
    for member in [ada, bob] {
        let room = &net.members[member].room;
        assert!(room.participants().is_empty());
        let replayed = old
            .iter()
            .filter(|r| r.to == net.members[member].id)
            .count();
        assert_eq!(room.dropped_envelopes(), replayed as u64, "none opened");
    }
    net.release();
    assert_eq!(net.names(ada), ["Bob"]);
    assert_eq!(net.names(bob), ["Ada"]);
}

/// Our own hello sent back to us as if from the peer: dropped, and the peer is not taken for
/// someone with another passphrase.
#[test]
fn our_own_hello_reflected_is_dropped() {
    let mut room = room("Ada");
    let sent = check(
        &mut room,
        vec![welcome(ME, &[EARLIER]), ready(EARLIER, &fingerprint(0xAA))],
        vec![Out::Prepare(EARLIER), hello_to(EARLIER)],
    );
    let ours = only_to(&sent, EARLIER);
    let reflected = Input::Envelope {
        from: EARLIER,
        bytes: ours.clone(),
    };
    check(&mut room, vec![reflected], vec![]);
    assert_eq!(room.dropped_envelopes(), 1);
    assert_eq!(room.status(), RoomStatus::Verifying);
    let mut grace = Remote::new(EARLIER, "Grace", 0xbeef, &fingerprint(0x11));
    grace.receive_hello(ME, &ours);
    let mut expected = vec![ack_to(EARLIER)];
    expected.extend(verified(EARLIER, "Grace", false));
    check(&mut room, vec![grace.hello_to(ME), grace.ack()], expected);
}

/// After a reconnect the server swaps the two ids, so that our old hello opens as the peer's:
/// it carries one of our own challenges and is dropped.
#[test]
fn our_own_old_hello_under_swapped_ids_is_dropped() {
    let (a, b) = (PeerId(10), PeerId(3));
    let mut room = room("Ada");
    let sent = check(
        &mut room,
        vec![welcome(a, &[b]), ready(b, &fingerprint(0xAA))],
        vec![Out::Prepare(b), hello_to(b)],
    );
    let old_hello = only_to(&sent, b);
    let sent = check(
        &mut room,
        vec![welcome(b, &[a]), ready(a, &fingerprint(0xAB))],
        vec![Out::Close(b), Out::Prepare(a), hello_to(a)],
    );
    let swapped = Input::Envelope {
        from: a,
        bytes: old_hello,
    };
    check(&mut room, vec![swapped], vec![]);
    assert_eq!(room.dropped_envelopes(), 1);
    let mut grace = Remote::new(a, "Grace", 0xbeef, &fingerprint(0x11));
    grace.receive_hello(b, &only_to(&sent, a));
    let mut expected = vec![ack_to(a)];
    expected.extend(verified(a, "Grace", false));
    check(&mut room, vec![grace.hello_to(b), grace.ack()], expected);
}

/// A room verified with Grace, who committed to `fingerprint(0x11)` (played by a man in the
/// middle who knows the passphrase, where the test says so).
fn verified_with_grace() -> (Room, Remote) {
    let mut room = room("Ada");
    room.handle(welcome(ME, &[EARLIER]));
    let mut grace = Remote::new(EARLIER, "Grace", 0xbeef, &fingerprint(0x11));
    handshake(&mut room, ME, &mut grace);
    assert_eq!(room.participants().len(), 1);
    (room, grace)
}

/// The attack of issue 8: the expected fingerprint on a first (rejected or unbundled) m-section,
/// the one of the certificate actually used on another.
#[test]
fn a_description_with_a_fake_first_fingerprint_line_is_refused() {
    let (mut room, mut grace) = verified_with_grace();
    let (committed, live) = (fingerprint(0x11), fingerprint(0x66));
    let description = SignalBody::Description(offer(&[&committed, &live]));
    check(
        &mut room,
        vec![grace.send(&description)],
        untrustworthy(EARLIER, "Grace").to_vec(),
    );
    assert!(room.participants().is_empty());
    assert_eq!(room.unverified_present(), 1);
    assert_eq!(room.safety_number(EARLIER), None);
    // The only other member was refused: nobody to meet, not "checking the passphrase".
    assert_eq!(room.status(), RoomStatus::WaitingForOthers);
    // Nothing more from that peer reaches the connection, and nothing is sent to it.
    check(
        &mut room,
        vec![
            grace.send(&SignalBody::Candidate(candidate(1))),
            Input::Local {
                peer: EARLIER,
                negotiation: Negotiation::Candidate(candidate(2)),
            },
        ],
        vec![],
    );
}

#[test]
fn descriptions_whose_fingerprint_lines_disagree_or_name_another_certificate_are_refused() {
    let (committed, other) = (fingerprint(0x11), fingerprint(0x66));
    let hidden = |line: &str| {
        let mut sdp = crate::support::sdp(&[&committed]);
        sdp.push_str(line);
        sdp
    };
    let cases = [
        (
            "only another certificate",
            crate::support::sdp(&[&other, &other]),
        ),
        (
            "the committed one last",
            crate::support::sdp(&[&other, &committed]),
        ),
        (
            "another case",
            hidden(&format!("a=Fingerprint:{other}\r\n")),
        ),
        (
            "leading whitespace",
            hidden(&format!("  a=fingerprint:{other}\r\n")),
        ),
        (
            "a lone CR",
            hidden(&format!("a=mid:1\ra=fingerprint:{other}\r\n")),
        ),
        ("no colon", hidden("a=fingerprint sha-256 00\r\n")),
        ("malformed", hidden("a=fingerprint:sha-256 ZZ:ZZ\r\n")),
        (
            "another hash name",
            hidden(&format!("a=fingerprint:sha-1{}\r\n", &committed[7..])),
        ),
        ("no fingerprint at all", "v=0\r\ns=-\r\n".to_owned()),
    ];
    for (case, sdp) in cases {
        let (mut room, mut grace) = verified_with_grace();
        let description = SignalBody::Description(Description {
            sdp_type: SdpType::Answer,
            sdp,
        });
        let actual: Vec<Out> = room
            .handle(grace.send(&description))
            .iter()
            .map(Out::from)
            .collect();
        assert_eq!(actual, untrustworthy(EARLIER, "Grace"), "{case}");
    }
}

#[test]
fn descriptions_that_name_only_the_committed_certificate_are_delivered() {
    let committed = fingerprint(0x11);
    let lower = format!("SHA-256 {}", committed[8..].to_lowercase());
    for description in [
        offer(&[&committed]),
        offer(&[&committed, &lower, &committed]),
        Description {
            sdp_type: SdpType::Rollback,
            sdp: String::new(),
        },
    ] {
        let (mut room, mut grace) = verified_with_grace();
        check(
            &mut room,
            vec![grace.send(&SignalBody::Description(description.clone()))],
            vec![Out::Deliver {
                peer: EARLIER,
                negotiation: Negotiation::Description(description),
            }],
        );
    }
}

/// DTLS verified a certificate other than the committed one (read from the transport): refused,
/// whatever the SDP said.
#[test]
fn a_verified_remote_certificate_other_than_the_committed_one_is_refused() {
    let (mut room, _grace) = verified_with_grace();
    let (committed, mitm) = (fingerprint(0x11), fingerprint(0x66));
    assert!(room.check_remote_certificate(EARLIER, &committed));
    assert!(!room.check_remote_certificate(EARLIER, &mitm));
    assert!(!room.check_remote_certificate(PeerId(99), &committed));
    check(
        &mut room,
        vec![Input::RemoteCertificate {
            peer: EARLIER,
            fingerprint: mitm,
        }],
        untrustworthy(EARLIER, "Grace").to_vec(),
    );
    assert_eq!(room.safety_number(EARLIER), None);
    assert!(
        !room.check_remote_certificate(EARLIER, &committed),
        "no longer verified"
    );
}

#[test]
fn the_safety_number_comes_from_the_committed_and_the_verified_certificate() {
    let (mut room, grace) = verified_with_grace();
    assert_eq!(room.safety_number(EARLIER), None, "nothing verified yet");
    assert_eq!(
        room.local_fingerprint(EARLIER),
        Some(fingerprint(0xAA).as_str())
    );
    let messy = format!(" sha-256 {}", grace.fingerprint[8..].to_lowercase());
    check(
        &mut room,
        vec![Input::RemoteCertificate {
            peer: EARLIER,
            fingerprint: messy,
        }],
        vec![],
    );
    let expected = crypto::safety_number(keys().safety(), &fingerprint(0xAA), &grace.fingerprint)
        .expect("valid fingerprints");
    assert_eq!(room.safety_number(EARLIER), Some(expected));
    // A certificate reported before the handshake completed counts for nothing.
    let mut early = crate::support::room("Ada");
    early.handle(welcome(ME, &[EARLIER]));
    check(
        &mut early,
        vec![Input::RemoteCertificate {
            peer: EARLIER,
            fingerprint: fingerprint(0x66),
        }],
        vec![],
    );
    assert_eq!(early.safety_number(EARLIER), None);
}

/// The server sends a garbage "hello" from a peer ahead of the real one: the real hello that
/// opens afterwards is taken, and the peer is verified. (Found in review.)
#[test]
fn a_garbage_hello_ahead_of_the_real_one_does_not_block_the_peer() {
    let mut room = room("Bob");
    room.handle(welcome(ME, &[EARLIER]));
    let mut grace = Remote::new(EARLIER, "Grace", 0x77, &fingerprint(0xBB));
    let ours = room.handle(ready(EARLIER, &fingerprint(0xAA)));
    grace.receive_hello(ME, &only_to(&ours, EARLIER));
    // Version 2, kind 1 (hello), sequence number 0, then junk: it does not open.
    let mut junk = vec![2u8, 1];
    junk.extend([0u8; 8 + 12 + 600]);
    room.handle(Input::Envelope {
        from: EARLIER,
        bytes: junk,
    });
    assert_eq!(room.status(), RoomStatus::PassphraseMismatch);
    room.handle(grace.hello_to(ME));
    room.handle(grace.ack());
    assert_eq!(room.participants().len(), 1, "Grace is verified");
    assert_eq!(room.status(), RoomStatus::InMeeting);
}

/// Bob reloads the page (a room that remembers no challenge), the server reuses both ids and
/// replays Ada's old hello ahead of her fresh one: the fresh one still wins. (Found in review.)
#[test]
fn a_stale_hello_replayed_to_a_reloaded_page_does_not_block_the_real_one() {
    let mut net = Net::new();
    let ada = net.join("Ada", PeerId(1));
    let bob = net.join("Bob", PeerId(2));
    let old_hello: Vec<Relayed> = net
        .log
        .iter()
        .filter(|r| r.from == PeerId(1) && r.to == PeerId(2) && r.kind() == HELLO)
        .cloned()
        .collect();
    net.hold = true;
    net.reload(bob, 0x9_0000);
    net.input(bob, welcome(PeerId(2), &[PeerId(1)]));
    net.input(ada, left(PeerId(2)));
    net.input(ada, joined(PeerId(2)));
    for relayed in &old_hello {
        net.relay(relayed);
    }
    net.release();
    assert_eq!(net.names(bob), ["Ada"]);
    assert_eq!(net.names(ada), ["Bob"]);
}
