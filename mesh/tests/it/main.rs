//! The room state machine, driven through its public interface.

use mesh::{
    Command, ConnectionState, Description, Input, Negotiation, Notice, ParticipantStatus, Room,
    RoomStatus, SdpType, SignalBody,
};
use protocol::{PeerId, ServerMessage};

const ME: PeerId = PeerId(10);
const EARLIER: PeerId = PeerId(3);
const LATER: PeerId = PeerId(42);
/// Our session's challenge in these tests.
const CHALLENGE: u128 = 0x5eed;
/// The challenge peers send us.
const THEIRS: u128 = 0xbeef;

fn welcome(me: PeerId, peers: &[PeerId]) -> Input {
    Input::Welcomed {
        me,
        peers: peers.to_vec(),
        challenge: CHALLENGE,
    }
}

fn joined(peer_id: PeerId) -> Input {
    Input::Server(ServerMessage::PeerJoined { peer_id })
}

fn left(peer_id: PeerId) -> Input {
    Input::Server(ServerMessage::PeerLeft { peer_id })
}

fn hello(from: PeerId, name: &str) -> Input {
    Input::Opened {
        from,
        body: SignalBody::Hello {
            name: name.to_owned(),
            challenge: THEIRS,
        },
    }
}

fn ack(from: PeerId, echo: u128) -> Input {
    Input::Opened {
        from,
        body: SignalBody::Ack { echo },
    }
}

/// Both halves of a peer's side of the handshake: its hello, and the echo of our challenge.
fn handshake(from: PeerId, name: &str) -> Vec<Input> {
    vec![hello(from, name), ack(from, CHALLENGE)]
}

fn offer() -> SignalBody {
    SignalBody::Description(description())
}

fn description() -> Description {
    Description {
        sdp_type: SdpType::Offer,
        sdp: "v=0".to_owned(),
    }
}

/// Feeds `inputs` in order and compares every command they produced with `expected`.
fn check(room: &mut Room, inputs: Vec<Input>, expected: Vec<Command>) {
    let actual: Vec<Command> = inputs
        .into_iter()
        .flat_map(|input| room.handle(input))
        .collect();
    assert_eq!(actual, expected);
}

fn send_hello(to: PeerId, name: &str) -> Command {
    Command::Send {
        to,
        body: SignalBody::Hello {
            name: name.to_owned(),
            challenge: CHALLENGE,
        },
    }
}

fn send_ack(to: PeerId) -> Command {
    Command::Send {
        to,
        body: SignalBody::Ack { echo: THEIRS },
    }
}

fn verified(peer: PeerId, name: &str, offer: bool) -> [Command; 2] {
    [
        Command::OpenConnection {
            peer,
            offer,
            polite: !offer,
        },
        Command::Notify(Notice::Joined {
            name: name.to_owned(),
        }),
    ]
}

#[test]
fn alone_in_the_room_is_waiting_for_others() {
    let mut room = Room::new("Ada");
    assert_eq!(room.status(), RoomStatus::Joining);
    check(&mut room, vec![welcome(ME, &[])], vec![]);
    assert_eq!(room.status(), RoomStatus::WaitingForOthers);
}

#[test]
fn a_newcomer_greets_everyone_already_there_and_answers_their_offers() {
    let mut room = Room::new("  Ada\u{7} ");
    check(
        &mut room,
        vec![welcome(ME, &[EARLIER])],
        vec![send_hello(EARLIER, "Ada")],
    );
    assert_eq!(room.status(), RoomStatus::Verifying);
    let mut inputs = handshake(EARLIER, "Grace");
    inputs.push(Input::Opened {
        from: EARLIER,
        body: offer(),
    });
    let mut expected = vec![send_ack(EARLIER)];
    expected.extend(verified(EARLIER, "Grace", false));
    expected.push(Command::Deliver {
        peer: EARLIER,
        negotiation: Negotiation::Description(description()),
    });
    check(&mut room, inputs, expected);
    assert_eq!(room.status(), RoomStatus::InMeeting);
}

#[test]
fn those_already_there_greet_a_newcomer_and_make_the_offer() {
    let mut room = Room::new("Grace");
    let mut inputs = vec![welcome(ME, &[]), joined(LATER)];
    inputs.extend(handshake(LATER, "Ada"));
    let mut expected = vec![send_hello(LATER, "Grace"), send_ack(LATER)];
    expected.extend(verified(LATER, "Ada", true));
    check(&mut room, inputs, expected);
    let names: Vec<String> = room.participants().into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["Ada"]);
}

#[test]
fn the_handshake_completes_whichever_half_arrives_first() {
    let mut room = Room::new("Grace");
    let inputs = vec![
        welcome(ME, &[EARLIER]),
        ack(EARLIER, CHALLENGE),
        hello(EARLIER, "Ada"),
    ];
    let mut expected = vec![send_hello(EARLIER, "Grace"), send_ack(EARLIER)];
    expected.extend(verified(EARLIER, "Ada", false));
    check(&mut room, inputs, expected);
}

#[test]
fn a_replayed_hello_without_the_echo_of_this_sessions_challenge_admits_nobody() {
    let mut room = Room::new("Grace");
    let inputs = vec![
        welcome(ME, &[]),
        joined(LATER),
        hello(LATER, "Ada"),
        ack(LATER, CHALLENGE + 1),
    ];
    check(
        &mut room,
        inputs,
        vec![send_hello(LATER, "Grace"), send_ack(LATER)],
    );
    assert!(room.participants().is_empty());
    assert_eq!(room.status(), RoomStatus::Verifying);
    assert_eq!(room.dropped_envelopes(), 1);
}

#[test]
fn a_joiner_whose_passphrase_differs_sees_the_mismatch_and_opens_no_connection() {
    let mut room = Room::new("Eve");
    check(
        &mut room,
        vec![welcome(ME, &[EARLIER]), Input::Unopenable { from: EARLIER }],
        vec![send_hello(EARLIER, "Eve")],
    );
    assert_eq!(room.status(), RoomStatus::PassphraseMismatch);
    assert!(room.participants().is_empty());
    // Whatever that peer sends later is dropped too.
    check(
        &mut room,
        vec![Input::Opened {
            from: EARLIER,
            body: offer(),
        }],
        vec![],
    );
    assert_eq!(room.dropped_envelopes(), 2);
}

#[test]
fn the_room_is_told_once_when_someone_with_another_passphrase_tries_to_join() {
    let mut room = Room::new("Grace");
    check(
        &mut room,
        vec![
            welcome(ME, &[]),
            joined(LATER),
            Input::Unopenable { from: LATER },
            Input::Unopenable { from: LATER },
        ],
        vec![
            send_hello(LATER, "Grace"),
            Command::Notify(Notice::ForeignPassphraseAttempt),
        ],
    );
    // Someone who cannot open our messages does not count as company.
    assert_eq!(room.status(), RoomStatus::WaitingForOthers);
    assert!(room.participants().is_empty());
}

#[test]
fn negotiation_before_the_handshake_and_repeated_handshake_messages_are_dropped() {
    let mut room = Room::new("Grace");
    let mut inputs = vec![
        welcome(ME, &[EARLIER]),
        Input::Opened {
            from: EARLIER,
            body: offer(),
        },
    ];
    inputs.extend(handshake(EARLIER, "Ada"));
    inputs.extend([hello(EARLIER, "Mallory"), ack(EARLIER, CHALLENGE)]);
    inputs.push(Input::Opened {
        from: PeerId(999),
        body: offer(),
    });
    let mut expected = vec![send_hello(EARLIER, "Grace"), send_ack(EARLIER)];
    expected.extend(verified(EARLIER, "Ada", false));
    check(&mut room, inputs, expected);
    assert_eq!(room.dropped_envelopes(), 4);
    assert_eq!(room.participants()[0].name, "Ada");
}

#[test]
fn a_second_announcement_of_a_known_peer_changes_nothing() {
    let mut room = Room::new("Grace");
    let mut inputs = vec![welcome(ME, &[EARLIER])];
    inputs.extend(handshake(EARLIER, "Ada"));
    inputs.extend([joined(EARLIER), joined(ME)]);
    let mut expected = vec![send_hello(EARLIER, "Grace"), send_ack(EARLIER)];
    expected.extend(verified(EARLIER, "Ada", false));
    check(&mut room, inputs, expected);
    assert_eq!(room.participants().len(), 1);
}

#[test]
fn a_flood_of_announced_peers_is_capped() {
    let mut room = Room::new("Grace");
    room.handle(welcome(ME, &[]));
    let greeted: usize = (100..300)
        .map(|id| room.handle(joined(PeerId(id))).len())
        .sum();
    assert_eq!(greeted, mesh::MAX_PEERS);
}

#[test]
fn a_verified_peer_leaving_closes_its_connection_and_says_so() {
    let mut room = Room::new("Grace");
    let mut inputs = vec![welcome(ME, &[EARLIER, PeerId(4)])];
    inputs.extend(handshake(EARLIER, "Ada"));
    inputs.extend([left(EARLIER), left(PeerId(4))]);
    let mut expected = vec![
        send_hello(EARLIER, "Grace"),
        send_hello(PeerId(4), "Grace"),
        send_ack(EARLIER),
    ];
    expected.extend(verified(EARLIER, "Ada", false));
    expected.extend([
        Command::CloseConnection { peer: EARLIER },
        Command::Notify(Notice::Left {
            name: "Ada".to_owned(),
        }),
    ]);
    check(&mut room, inputs, expected);
    assert_eq!(room.status(), RoomStatus::WaitingForOthers);
}

#[test]
fn a_new_welcome_after_a_reconnect_closes_every_old_connection() {
    let mut room = Room::new("Grace");
    let mut inputs = vec![welcome(ME, &[EARLIER])];
    inputs.extend(handshake(EARLIER, "Ada"));
    inputs.push(Input::Welcomed {
        me: PeerId(77),
        peers: vec![PeerId(78)],
        challenge: CHALLENGE + 1,
    });
    let mut expected = vec![send_hello(EARLIER, "Grace"), send_ack(EARLIER)];
    expected.extend(verified(EARLIER, "Ada", false));
    expected.extend([
        Command::CloseConnection { peer: EARLIER },
        Command::Send {
            to: PeerId(78),
            body: SignalBody::Hello {
                name: "Grace".to_owned(),
                challenge: CHALLENGE + 1,
            },
        },
    ]);
    check(&mut room, inputs, expected);
    assert_eq!(room.me(), Some(PeerId(77)));
    // The old session's echo no longer counts.
    room.handle(hello(PeerId(78), "Ada"));
    room.handle(ack(PeerId(78), CHALLENGE));
    assert!(room.participants().is_empty());
}

#[test]
fn connection_states_map_to_what_the_tile_shows() {
    let mut room = Room::new("Grace");
    room.handle(welcome(ME, &[EARLIER]));
    for input in handshake(EARLIER, "Ada") {
        room.handle(input);
    }
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
    let mut room = Room::new("Grace");
    room.handle(welcome(ME, &[EARLIER]));
    room.handle(hello(EARLIER, &format!(" \u{1b}[31m{}", "x".repeat(200))));
    room.handle(ack(EARLIER, CHALLENGE));
    let name = &room.participants()[0].name;
    assert!(name.starts_with("[31mx"), "got {name:?}");
    assert_eq!(name.chars().count(), mesh::MAX_NAME_CHARS);
}

/// Three rooms joined one after another, their sends routed to each other as the server and the
/// crypto layer would: every pair opens exactly one connection, with exactly one offering side.
#[test]
fn three_participants_form_a_full_mesh_with_one_offerer_per_pair() {
    let ids = [PeerId(1), PeerId(2), PeerId(3)];
    let mut rooms: Vec<Room> = ["A", "B", "C"].iter().map(|name| Room::new(name)).collect();
    let mut opened = Vec::new();
    let mut pending: Vec<(PeerId, Input)> = Vec::new();
    for (i, &id) in ids.iter().enumerate() {
        for &earlier in &ids[..i] {
            pending.push((earlier, joined(id)));
        }
        pending.push((
            id,
            Input::Welcomed {
                me: id,
                peers: ids[..i].to_vec(),
                challenge: 1000 + i as u128,
            },
        ));
        while !pending.is_empty() {
            let (target, input) = pending.remove(0);
            let index = ids.iter().position(|&p| p == target).expect("known peer");
            for command in rooms[index].handle(input) {
                match command {
                    Command::Send { to, body } => {
                        pending.push((to, Input::Opened { from: target, body }))
                    }
                    Command::OpenConnection { peer, offer, .. } => {
                        opened.push((target, peer, offer))
                    }
                    _ => {}
                }
            }
        }
    }
    opened.sort();
    assert_eq!(
        opened,
        [
            (PeerId(1), PeerId(2), true),
            (PeerId(1), PeerId(3), true),
            (PeerId(2), PeerId(1), false),
            (PeerId(2), PeerId(3), true),
            (PeerId(3), PeerId(1), false),
            (PeerId(3), PeerId(2), false),
        ]
    );
    assert!(
        rooms
            .iter()
            .all(|room| room.participants().len() == 2 && room.status() == RoomStatus::InMeeting)
    );
}

#[test]
fn every_signal_body_survives_the_json_it_is_sealed_as() {
    let bodies = [
        SignalBody::Hello {
            name: "Ada".to_owned(),
            challenge: u128::MAX - 1,
        },
        SignalBody::Ack { echo: 7 },
        offer(),
        SignalBody::Candidate(mesh::IceCandidate {
            candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host".to_owned(),
            sdp_mid: Some("0".to_owned()),
            sdp_m_line_index: Some(0),
        }),
    ];
    for body in bodies {
        let json = serde_json::to_vec(&body).expect("serialises");
        assert_eq!(
            serde_json::from_slice::<SignalBody>(&json).expect("parses"),
            body
        );
    }
    let short = r#"{"t":"ack","echo":"12"}"#;
    assert!(serde_json::from_str::<SignalBody>(short).is_err());
}
