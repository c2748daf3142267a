//! The handshake with one peer, the passphrase check, presence, and what the tiles show.

use crypto::{RngError, dtls_commitment};
use mesh::{
    ConnectionState, Description, Input, Negotiation, Notice, ParticipantStatus, Room, RoomStatus,
    SdpType, SignalBody,
};
use protocol::PeerId;

use crate::support::{
    ACK, CANDIDATE, CHAT_STREAM, DESCRIPTION, MEDIA, Out, Remote, ack_to, candidate, check,
    fingerprint, handshake, hello_to, joined, keys, left, lost, offer, only_to, opened_early,
    other_keys, ready, room, sdp, sent_to, verified, welcome,
};

const ME: PeerId = PeerId(10);
const EARLIER: PeerId = PeerId(3);
const LATER: PeerId = PeerId(42);
/// The first challenge of [`room`].
const FIRST: u128 = 0x1000;

fn grace(id: PeerId) -> Remote {
    Remote::new(id, "Grace", 0xbeef, &fingerprint(0x11))
}

#[test]
fn alone_in_the_room_is_waiting_for_others() {
    let mut room = room("Ada");
    assert_eq!(room.status(), RoomStatus::Joining);
    check(&mut room, vec![welcome(ME, &[])], vec![]);
    assert_eq!(room.status(), RoomStatus::WaitingForOthers);
    assert_eq!(room.unverified_present(), 0);
}

#[test]
fn a_newcomer_greets_everyone_already_there_and_answers_their_offers() {
    let mut room = room("  Ada\u{7} ");
    check(
        &mut room,
        vec![welcome(ME, &[EARLIER])],
        vec![Out::Prepare(EARLIER)],
    );
    assert_eq!(room.status(), RoomStatus::Verifying);
    let mut grace = grace(EARLIER);
    let sent = check(
        &mut room,
        vec![ready(EARLIER, &fingerprint(0xAA))],
        vec![hello_to(EARLIER)],
    );
    let hello = grace.receive_hello(ME, &only_to(&sent, EARLIER));
    assert_eq!(
        hello,
        SignalBody::Hello {
            name: "Ada".to_owned(),
            challenge: FIRST + 1,
            session: FIRST,
            commitment: dtls_commitment(&fingerprint(0xAA)).expect("valid"),
        }
    );
    let sent = check(&mut room, vec![grace.hello_to(ME)], vec![ack_to(EARLIER)]);
    assert_eq!(
        grace.open(&only_to(&sent, EARLIER)),
        SignalBody::Ack { echo: 0xbeef }
    );
    let description = offer(&[&grace.fingerprint]);
    let mut expected = verified(EARLIER, "Grace", false);
    expected.push(Out::Deliver {
        peer: EARLIER,
        negotiation: Negotiation::Description(description.clone()),
    });
    check(
        &mut room,
        vec![
            grace.ack(),
            grace.send(&SignalBody::Description(description)),
        ],
        expected,
    );
    assert_eq!(room.status(), RoomStatus::InMeeting);
    assert_eq!(room.unverified_present(), 0);
    // Our answer goes out under the pair key, after the ack, our media state and chat stream.
    let answer = Description {
        sdp_type: SdpType::Answer,
        sdp: sdp(&[&fingerprint(0xAA)]),
    };
    let sent = check(
        &mut room,
        vec![Input::Local {
            peer: EARLIER,
            negotiation: Negotiation::Description(answer.clone()),
        }],
        vec![Out::Send {
            to: EARLIER,
            kind: DESCRIPTION,
            seq: 4,
        }],
    );
    assert_eq!(
        grace.open(&only_to(&sent, EARLIER)),
        SignalBody::Description(answer)
    );
}

#[test]
fn those_already_there_greet_a_newcomer_and_make_the_offer_whichever_hello_comes_first() {
    let mut room = room("Grace");
    check(
        &mut room,
        vec![welcome(ME, &[]), joined(LATER)],
        vec![Out::Prepare(LATER)],
    );
    let mut ada = Remote::new(LATER, "Ada", 0xbeef, &fingerprint(0x11));
    // Ada's hello arrives before our certificate is ready: it waits for ours.
    check(&mut room, vec![ada.hello_to(ME)], vec![]);
    let sent = check(
        &mut room,
        vec![ready(LATER, &fingerprint(0xAA))],
        vec![hello_to(LATER), opened_early(LATER), ack_to(LATER)],
    );
    let envelopes = sent_to(&sent, LATER);
    ada.receive_hello(ME, &envelopes[0]);
    assert_eq!(ada.open(&envelopes[1]), SignalBody::Ack { echo: 0xbeef });
    check(&mut room, vec![ada.ack()], verified(LATER, "Ada", true));
    let names: Vec<String> = room.participants().into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["Ada"]);
}

/// The side that offers opens its connection as soon as its hello is out, so that the offer is
/// made while the hellos cross; the offer and candidates wait, and go out (after our ack) only
/// once the peer is verified: our fingerprint is revealed to no one before.
#[test]
fn the_offer_made_while_the_hellos_cross_goes_out_only_once_the_peer_is_verified() {
    let mut room = room("Grace");
    check(
        &mut room,
        vec![welcome(ME, &[]), joined(LATER)],
        vec![Out::Prepare(LATER)],
    );
    let sent = check(
        &mut room,
        vec![ready(LATER, &fingerprint(0xAA))],
        vec![hello_to(LATER), opened_early(LATER)],
    );
    let ours = room.local_fingerprint(LATER).expect("committed").to_owned();
    let made = offer(&[&ours]);
    let local = |negotiation| Input::Local {
        peer: LATER,
        negotiation,
    };
    check(
        &mut room,
        vec![
            local(Negotiation::Description(made.clone())),
            local(Negotiation::Candidate(candidate(1))),
        ],
        vec![],
    );
    let mut ada = Remote::new(LATER, "Ada", 0xbeef, &fingerprint(0x11));
    ada.receive_hello(ME, &only_to(&sent, LATER));
    check(&mut room, vec![ada.hello_to(ME)], vec![ack_to(LATER)]);
    let mut expected = vec![
        Out::Send {
            to: LATER,
            kind: DESCRIPTION,
            seq: 2,
        },
        Out::Send {
            to: LATER,
            kind: CANDIDATE,
            seq: 3,
        },
        Out::Notify(Notice::Joined {
            name: "Ada".to_owned(),
        }),
    ];
    expected.extend(
        [MEDIA, CHAT_STREAM]
            .into_iter()
            .zip(4..)
            .map(|(kind, seq)| Out::Send {
                to: LATER,
                kind,
                seq,
            }),
    );
    let sent = check(&mut room, vec![ada.ack()], expected);
    let envelopes = sent_to(&sent, LATER);
    assert_eq!(ada.open(&envelopes[0]), SignalBody::Description(made));
    assert_eq!(ada.open(&envelopes[1]), SignalBody::Candidate(candidate(1)));
}

#[test]
fn an_ack_that_does_not_echo_our_challenge_admits_nobody() {
    let mut room = room("Grace");
    check(
        &mut room,
        vec![welcome(ME, &[]), joined(LATER)],
        vec![Out::Prepare(LATER)],
    );
    let mut ada = grace(LATER);
    let sent = check(
        &mut room,
        vec![ready(LATER, &fingerprint(0xAA)), ada.hello_to(ME)],
        vec![hello_to(LATER), opened_early(LATER), ack_to(LATER)],
    );
    ada.receive_hello(ME, &sent_to(&sent, LATER)[0]);
    check(
        &mut room,
        vec![ada.send(&SignalBody::Ack { echo: FIRST + 2 })],
        vec![],
    );
    assert!(room.participants().is_empty());
    assert_eq!(room.status(), RoomStatus::Verifying);
    assert_eq!(room.dropped_envelopes(), 1);
}

#[test]
fn a_joiner_whose_passphrase_differs_sees_the_mismatch_and_opens_no_connection() {
    let mut room = room("Eve");
    check(
        &mut room,
        vec![welcome(ME, &[EARLIER])],
        vec![Out::Prepare(EARLIER)],
    );
    // Their hello comes before our certificate is ready, and does not open.
    let other = Remote::with_keys(other_keys(), EARLIER, "Grace", 0xbeef, &fingerprint(0x11));
    check(&mut room, vec![other.hello_to(ME)], vec![]);
    assert_eq!(room.status(), RoomStatus::PassphraseMismatch);
    // Ours still goes out, so that they learn someone with another passphrase tried to join.
    check(
        &mut room,
        vec![ready(EARLIER, &fingerprint(0xAA))],
        vec![hello_to(EARLIER)],
    );
    assert!(room.participants().is_empty());
    assert_eq!(room.unverified_present(), 1);
    // A later hello from that id that does open is taken (the first may have been garbage the
    // server sent ahead of the real one): the handshake goes on with it.
    check(
        &mut room,
        vec![grace(EARLIER).hello_to(ME)],
        vec![Out::Send {
            to: EARLIER,
            kind: ACK,
            seq: 1,
        }],
    );
    assert_eq!(room.dropped_envelopes(), 1);
    assert_eq!(room.status(), RoomStatus::Verifying);
}

#[test]
fn the_room_is_told_once_when_someone_with_another_passphrase_tries_to_join() {
    let mut room = room("Grace");
    check(
        &mut room,
        vec![
            welcome(ME, &[]),
            joined(LATER),
            ready(LATER, &fingerprint(0xAA)),
        ],
        vec![Out::Prepare(LATER), hello_to(LATER), opened_early(LATER)],
    );
    let eve = Remote::with_keys(other_keys(), LATER, "Eve", 0xbeef, &fingerprint(0x11));
    check(
        &mut room,
        vec![eve.hello_to(ME), eve.hello_to(ME)],
        vec![Out::Notify(Notice::ForeignPassphraseAttempt)],
    );
    // Someone who cannot open our messages does not count as company, but is present.
    assert_eq!(room.status(), RoomStatus::WaitingForOthers);
    assert!(room.participants().is_empty());
    assert_eq!(room.unverified_present(), 1);
}

#[test]
fn negotiation_before_the_handshake_and_repeated_handshake_messages_are_dropped() {
    let mut room = room("Ada");
    let mut grace = grace(EARLIER);
    let sent = check(
        &mut room,
        vec![welcome(ME, &[EARLIER]), ready(EARLIER, &fingerprint(0xAA))],
        vec![Out::Prepare(EARLIER), hello_to(EARLIER)],
    );
    grace.receive_hello(ME, &only_to(&sent, EARLIER));
    let early_offer = SignalBody::Description(offer(&[&grace.fingerprint]));
    let mut expected = vec![ack_to(EARLIER)];
    expected.extend(verified(EARLIER, "Grace", false));
    check(
        &mut room,
        vec![
            grace.hello_to(ME),
            grace.send(&early_offer),
            grace.ack(),
            grace.hello_to(ME),
            grace.ack(),
            Input::Envelope {
                from: PeerId(999),
                bytes: only_to(&sent, EARLIER),
            },
        ],
        expected,
    );
    assert_eq!(room.dropped_envelopes(), 4);
    assert_eq!(room.participants()[0].name, "Grace");
    // Nor is anything sent to a peer before it is verified.
    let mut fresh = crate::support::room("Ada");
    fresh.handle(welcome(ME, &[EARLIER]));
    fresh.handle(ready(EARLIER, &fingerprint(0xAA)));
    let negotiation = Negotiation::Candidate(candidate(1));
    check(
        &mut fresh,
        vec![Input::Local {
            peer: EARLIER,
            negotiation,
        }],
        vec![],
    );
}

#[test]
fn a_second_announcement_of_a_known_peer_changes_nothing() {
    let mut room = room("Ada");
    room.handle(welcome(ME, &[EARLIER]));
    handshake(&mut room, ME, &mut grace(EARLIER));
    check(&mut room, vec![joined(EARLIER), joined(ME)], vec![]);
    assert_eq!(room.participants().len(), 1);
}

#[test]
fn a_flood_of_announced_peers_is_capped() {
    let mut room = room("Grace");
    room.handle(welcome(ME, &[]));
    let prepared: usize = (100..300)
        .map(|id| room.handle(joined(PeerId(id))).len())
        .sum();
    assert_eq!(prepared, mesh::MAX_PEERS);
    assert_eq!(room.unverified_present(), mesh::MAX_PEERS);
}

#[test]
fn a_verified_peer_leaving_closes_its_connection_and_says_so() {
    let mut room = room("Ada");
    room.handle(welcome(ME, &[EARLIER, PeerId(4)]));
    handshake(&mut room, ME, &mut grace(EARLIER));
    assert_eq!(room.unverified_present(), 1, "peer 4 never said anything");
    check(
        &mut room,
        vec![left(EARLIER), left(PeerId(4))],
        vec![
            Out::Close(EARLIER),
            Out::Notify(Notice::Left {
                name: "Grace".to_owned(),
            }),
            Out::Close(PeerId(4)),
        ],
    );
    assert_eq!(room.status(), RoomStatus::WaitingForOthers);
    assert_eq!(room.unverified_present(), 0);
}

/// The server lost a verified peer whose connection works: the connection goes on until it
/// fails or closes (the peer is gone for good) or the peer resumes it under a new id.
#[test]
fn a_verified_peer_the_server_lost_goes_when_its_connection_closes() {
    let mut room = room("Ada");
    room.handle(welcome(ME, &[EARLIER, PeerId(4)]));
    handshake(&mut room, ME, &mut grace(EARLIER));
    check(
        &mut room,
        vec![lost(EARLIER), lost(PeerId(4))],
        vec![Out::Close(PeerId(4))],
    );
    assert_eq!(
        room.participants().len(),
        1,
        "Grace's connection still works"
    );
    check(
        &mut room,
        vec![Input::Connection {
            peer: EARLIER,
            state: ConnectionState::Closed,
        }],
        vec![
            Out::Close(EARLIER),
            Out::Notify(Notice::Left {
                name: "Grace".to_owned(),
            }),
        ],
    );
    assert_eq!(room.status(), RoomStatus::WaitingForOthers);
    assert_eq!(room.unverified_present(), 0);
}

#[test]
fn a_verified_peer_whose_connection_failed_goes_at_once_when_the_server_loses_it() {
    let mut room = room("Ada");
    room.handle(welcome(ME, &[EARLIER]));
    handshake(&mut room, ME, &mut grace(EARLIER));
    let failed = Input::Connection {
        peer: EARLIER,
        state: ConnectionState::Failed,
    };
    check(&mut room, vec![failed], vec![]);
    check(
        &mut room,
        vec![lost(EARLIER)],
        vec![
            Out::Close(EARLIER),
            Out::Notify(Notice::Left {
                name: "Grace".to_owned(),
            }),
        ],
    );
}

#[test]
fn a_certificate_that_arrives_after_its_peer_left_is_released() {
    let mut room = room("Ada");
    check(
        &mut room,
        vec![welcome(ME, &[EARLIER]), left(EARLIER)],
        vec![Out::Prepare(EARLIER), Out::Close(EARLIER)],
    );
    check(
        &mut room,
        vec![ready(EARLIER, &fingerprint(0xAA))],
        vec![Out::Close(EARLIER)],
    );
}

#[test]
fn a_peer_id_reused_after_peer_left_inherits_nothing() {
    let mut room = room("Ada");
    room.handle(welcome(ME, &[EARLIER]));
    let mut old = grace(EARLIER);
    handshake(&mut room, ME, &mut old);
    let mut expected = vec![
        Out::Close(EARLIER),
        Out::Notify(Notice::Left {
            name: "Grace".to_owned(),
        }),
        Out::Prepare(EARLIER),
        hello_to(EARLIER),
        opened_early(EARLIER),
    ];
    let sent = check(
        &mut room,
        vec![
            left(EARLIER),
            joined(EARLIER),
            ready(EARLIER, &fingerprint(0xBB)),
        ],
        expected.clone(),
    );
    // A fresh challenge, a fresh certificate.
    let mut new = Remote::new(EARLIER, "Mallory", 0xf00d, &fingerprint(0x22));
    let SignalBody::Hello {
        challenge,
        commitment,
        ..
    } = new.receive_hello(ME, &only_to(&sent, EARLIER))
    else {
        unreachable!("a hello")
    };
    assert_eq!(challenge, FIRST + 2);
    assert_eq!(
        commitment,
        dtls_commitment(&fingerprint(0xBB)).expect("valid")
    );
    // The old session's messages open no more: the name and trust of the old peer are gone.
    check(
        &mut room,
        vec![old.ack(), old.send(&SignalBody::Candidate(candidate(1)))],
        vec![],
    );
    assert!(room.participants().is_empty());
    // The newcomer with that id goes through the whole handshake (it joined after us: we offer).
    expected = vec![ack_to(EARLIER)];
    expected.extend(verified(EARLIER, "Mallory", true));
    check(&mut room, vec![new.hello_to(ME), new.ack()], expected);
}

/// After a reconnect (new ids) a verified peer whose connection works stays, waiting to resume;
/// peers still in their handshake, or whose connection failed, go.
#[test]
fn a_new_welcome_after_a_reconnect_keeps_only_working_connections() {
    let mut room = room("Ada");
    room.handle(welcome(ME, &[EARLIER, LATER, PeerId(5)]));
    handshake(&mut room, ME, &mut grace(EARLIER));
    handshake(
        &mut room,
        ME,
        &mut Remote::new(LATER, "Bob", 0x99, &fingerprint(0xBC)),
    );
    let failed = Input::Connection {
        peer: LATER,
        state: ConnectionState::Failed,
    };
    check(&mut room, vec![failed], vec![]);
    check(
        &mut room,
        vec![welcome(PeerId(77), &[PeerId(78)])],
        vec![
            Out::Close(PeerId(5)),
            Out::Close(LATER),
            Out::Prepare(PeerId(78)),
        ],
    );
    assert_eq!(room.me(), Some(PeerId(77)));
    let names: Vec<String> = room.participants().into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["Grace"]);
    assert!(room.local_fingerprint(EARLIER).is_some());
}

#[test]
fn without_a_fresh_challenge_no_hello_is_sent() {
    let mut broken = Room::new("Ada", keys(), || Err(RngError));
    check(
        &mut broken,
        vec![welcome(ME, &[EARLIER]), ready(EARLIER, &fingerprint(0xAA))],
        vec![Out::Prepare(EARLIER)],
    );
    // A source that repeats itself is refused the second time.
    let mut stuck = Room::new("Ada", keys(), || Ok(7));
    check(
        &mut stuck,
        vec![
            welcome(ME, &[EARLIER, LATER]),
            ready(EARLIER, &fingerprint(0xAA)),
            ready(LATER, &fingerprint(0xAB)),
        ],
        vec![
            Out::Prepare(EARLIER),
            Out::Prepare(LATER),
            hello_to(EARLIER),
        ],
    );
    // And a malformed fingerprint commits to nothing.
    let mut room = room("Ada");
    check(
        &mut room,
        vec![welcome(ME, &[EARLIER]), ready(EARLIER, "sha-256 nonsense")],
        vec![Out::Prepare(EARLIER)],
    );
}

#[test]
fn connection_states_map_to_what_the_tile_shows() {
    let mut room = room("Ada");
    room.handle(welcome(ME, &[EARLIER]));
    handshake(&mut room, ME, &mut grace(EARLIER));
    let mut status_after = |state| {
        room.handle(Input::Connection {
            peer: EARLIER,
            state,
        });
        room.participants()[0].status
    };
    assert_eq!(
        status_after(ConnectionState::Connecting),
        ParticipantStatus::Connecting
    );
    assert_eq!(
        status_after(ConnectionState::Connected),
        ParticipantStatus::Connected
    );
    assert_eq!(
        status_after(ConnectionState::Disconnected),
        ParticipantStatus::Reconnecting
    );
    assert_eq!(
        status_after(ConnectionState::Connected),
        ParticipantStatus::Connected
    );
    assert_eq!(
        status_after(ConnectionState::Failed),
        ParticipantStatus::Failed
    );
}

#[test]
fn names_are_trimmed_stripped_of_control_characters_and_cut() {
    let mut room = room("Ada");
    room.handle(welcome(ME, &[EARLIER]));
    let long = format!(" \u{1b}[31m{}", "x".repeat(200));
    handshake(
        &mut room,
        ME,
        &mut Remote::new(EARLIER, &long, 0xbeef, &fingerprint(0x11)),
    );
    let name = &room.participants()[0].name;
    assert!(name.starts_with("[31mx"), "got {name:?}");
    assert_eq!(name.chars().count(), mesh::MAX_NAME_CHARS);
}

#[test]
fn every_signal_body_survives_the_json_it_is_sealed_as() {
    let bodies = [
        SignalBody::Hello {
            name: "Ada".to_owned(),
            challenge: u128::MAX - 1,
            session: 3,
            commitment: dtls_commitment(&fingerprint(1)).expect("valid"),
        },
        SignalBody::Ack { echo: 7 },
        SignalBody::Resume { echo: 8 },
        SignalBody::Description(offer(&[&fingerprint(1)])),
        SignalBody::Candidate(candidate(1)),
    ];
    for body in bodies {
        let json = serde_json::to_vec(&body).expect("serialises");
        assert_eq!(
            serde_json::from_slice::<SignalBody>(&json).expect("parses"),
            body
        );
    }
    for bad in [
        r#"{"t":"ack","echo":"12"}"#,
        r#"{"t":"ack","echo":"+0000000000000000000000000000001"}"#,
        r#"{"t":"hello","name":"A","challenge":"00000000000000000000000000000001","commitment":"00"}"#,
    ] {
        assert!(serde_json::from_str::<SignalBody>(bad).is_err(), "{bad}");
    }
}
