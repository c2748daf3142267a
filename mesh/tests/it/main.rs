//! The room state machine, driven through its public interface.

use mesh::{
    Command, ConnectionState, Description, Input, Notice, ParticipantStatus, Room, RoomStatus,
    SdpType, SignalBody,
};
use protocol::{PeerId, ServerMessage};

const ME: PeerId = PeerId(10);
const EARLIER: PeerId = PeerId(3);
const LATER: PeerId = PeerId(42);

fn welcome(me: PeerId, peers: &[PeerId]) -> Input {
    Input::Server(ServerMessage::Welcome {
        version: 1,
        peer_id: me,
        peers: peers.to_vec(),
        ice_servers: vec![],
    })
}

fn hello(from: PeerId, name: &str) -> Input {
    Input::Opened {
        from,
        body: SignalBody::Hello {
            name: name.to_owned(),
        },
    }
}

fn offer() -> SignalBody {
    SignalBody::Description(Description {
        sdp_type: SdpType::Offer,
        sdp: "v=0".to_owned(),
    })
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
        },
    }
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
    check(
        &mut room,
        vec![
            hello(EARLIER, "Grace"),
            Input::Opened {
                from: EARLIER,
                body: offer(),
            },
        ],
        vec![
            Command::OpenConnection {
                peer: EARLIER,
                offer: false,
                polite: true,
            },
            Command::Notify(Notice::Joined {
                name: "Grace".to_owned(),
            }),
            Command::Deliver {
                peer: EARLIER,
                body: offer(),
            },
        ],
    );
    assert_eq!(room.status(), RoomStatus::InMeeting);
}

#[test]
fn those_already_there_greet_a_newcomer_and_make_the_offer() {
    let mut room = Room::new("Grace");
    check(
        &mut room,
        vec![
            welcome(ME, &[]),
            Input::Server(ServerMessage::PeerJoined { peer_id: LATER }),
            hello(LATER, "Ada"),
        ],
        vec![
            send_hello(LATER, "Grace"),
            Command::OpenConnection {
                peer: LATER,
                offer: true,
                polite: false,
            },
            Command::Notify(Notice::Joined {
                name: "Ada".to_owned(),
            }),
        ],
    );
    let names: Vec<String> = room.participants().into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["Ada"]);
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
            Input::Server(ServerMessage::PeerJoined { peer_id: LATER }),
            Input::Unopenable { from: LATER },
            Input::Unopenable { from: LATER },
        ],
        vec![
            send_hello(LATER, "Grace"),
            Command::Notify(Notice::ForeignPassphraseAttempt),
        ],
    );
    assert_eq!(room.status(), RoomStatus::Verifying);
    assert!(room.participants().is_empty());
}

#[test]
fn descriptions_before_a_hello_and_second_hellos_are_dropped() {
    let mut room = Room::new("Grace");
    check(
        &mut room,
        vec![
            welcome(ME, &[EARLIER]),
            Input::Opened {
                from: EARLIER,
                body: offer(),
            },
            hello(EARLIER, "Ada"),
            hello(EARLIER, "Mallory"),
            Input::Opened {
                from: PeerId(999),
                body: offer(),
            },
        ],
        vec![
            send_hello(EARLIER, "Grace"),
            Command::OpenConnection {
                peer: EARLIER,
                offer: false,
                polite: true,
            },
            Command::Notify(Notice::Joined {
                name: "Ada".to_owned(),
            }),
        ],
    );
    assert_eq!(room.dropped_envelopes(), 3);
    assert_eq!(room.participants()[0].name, "Ada");
}

#[test]
fn a_verified_peer_leaving_closes_its_connection_and_says_so() {
    let mut room = Room::new("Grace");
    let left = |peer_id| Input::Server(ServerMessage::PeerLeft { peer_id });
    check(
        &mut room,
        vec![
            welcome(ME, &[EARLIER, PeerId(4)]),
            hello(EARLIER, "Ada"),
            left(EARLIER),
            left(PeerId(4)),
        ],
        vec![
            send_hello(EARLIER, "Grace"),
            send_hello(PeerId(4), "Grace"),
            Command::OpenConnection {
                peer: EARLIER,
                offer: false,
                polite: true,
            },
            Command::Notify(Notice::Joined {
                name: "Ada".to_owned(),
            }),
            Command::CloseConnection { peer: EARLIER },
            Command::Notify(Notice::Left {
                name: "Ada".to_owned(),
            }),
        ],
    );
    assert_eq!(room.status(), RoomStatus::WaitingForOthers);
}

#[test]
fn a_new_welcome_after_a_reconnect_closes_every_old_connection() {
    let mut room = Room::new("Grace");
    check(
        &mut room,
        vec![
            welcome(ME, &[EARLIER]),
            hello(EARLIER, "Ada"),
            welcome(PeerId(77), &[PeerId(78)]),
        ],
        vec![
            send_hello(EARLIER, "Grace"),
            Command::OpenConnection {
                peer: EARLIER,
                offer: false,
                polite: true,
            },
            Command::Notify(Notice::Joined {
                name: "Ada".to_owned(),
            }),
            Command::CloseConnection { peer: EARLIER },
            send_hello(PeerId(78), "Grace"),
        ],
    );
    assert_eq!(room.me(), Some(PeerId(77)));
}

#[test]
fn connection_states_map_to_what_the_tile_shows() {
    let mut room = Room::new("Grace");
    room.handle(welcome(ME, &[EARLIER]));
    room.handle(hello(EARLIER, "Ada"));
    let status_after = |room: &mut Room, state| {
        room.handle(Input::Connection {
            peer: EARLIER,
            state,
        });
        room.participants()[0].status
    };
    assert_eq!(
        status_after(&mut room, ConnectionState::Connecting),
        ParticipantStatus::Connecting
    );
    assert_eq!(
        status_after(&mut room, ConnectionState::Connected),
        ParticipantStatus::Connected
    );
    assert_eq!(
        status_after(&mut room, ConnectionState::Disconnected),
        ParticipantStatus::Reconnecting
    );
    assert_eq!(
        status_after(&mut room, ConnectionState::Connected),
        ParticipantStatus::Connected
    );
    assert_eq!(
        status_after(&mut room, ConnectionState::Failed),
        ParticipantStatus::Failed
    );
}

#[test]
fn names_are_trimmed_stripped_of_control_characters_and_cut() {
    let mut room = Room::new("Grace");
    room.handle(welcome(ME, &[EARLIER]));
    room.handle(hello(EARLIER, &format!(" \u{1b}[31m{}", "x".repeat(200))));
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
            pending.push((
                earlier,
                Input::Server(ServerMessage::PeerJoined { peer_id: id }),
            ));
        }
        pending.push((id, welcome(id, &ids[..i])));
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
