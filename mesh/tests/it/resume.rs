//! Calls that survive the signalling server: after a restart (everyone back under new ids) the
//! connections that work are resumed, the ones that failed start anew, and a server that knows
//! the passphrase cannot take a connection over by naming someone's session.

use mesh::{ConnectionState, Input, Negotiation, Notice, RoomStatus, SignalBody};
use protocol::PeerId;

use crate::support::{
    Net, Out, Remote, check, fingerprint, handshake, keys, only_to, ready, room, welcome,
};

fn three_in_a_call() -> Net {
    let mut net = Net::new();
    for (name, id) in [("Ada", 1), ("Bob", 2), ("Cem", 3)] {
        net.join(name, PeerId(id));
    }
    net
}

/// Every member's participants, as (handle, name).
fn views(net: &Net) -> Vec<Vec<(PeerId, String)>> {
    (net.members.iter())
        .map(|m| {
            let participants = m.room.participants().into_iter();
            participants.map(|p| (p.peer, p.name)).collect()
        })
        .collect()
}

#[test]
fn a_server_restart_keeps_every_working_connection_under_its_handle() {
    let mut net = three_in_a_call();
    let before = views(&net);
    net.restart_server(&[PeerId(11), PeerId(12), PeerId(13)]);
    assert_eq!(
        views(&net),
        before,
        "the same people under the same handles"
    );
    for member in &net.members {
        assert!(
            member.opened.is_empty(),
            "{}: no new connection",
            member.name
        );
        assert!(
            member.closed.iter().all(|c| c.0 > 10),
            "{}: only the new ids' handshakes were closed: {:?}",
            member.name,
            member.closed
        );
        assert!(
            member.notices.is_empty(),
            "{}: {:?}",
            member.name,
            member.notices
        );
        assert_eq!(member.room.unverified_present(), 0, "{}", member.name);
        assert_eq!(member.room.status(), RoomStatus::InMeeting);
    }
    // Negotiation goes on through the new ids, to the old handles.
    let delivered = net.members[1].delivered.len();
    net.offer(0, PeerId(2));
    let bob = &net.members[1].delivered;
    assert_eq!(bob.len(), delivered + 1);
    assert!(matches!(
        bob.last(),
        Some((PeerId(1), Negotiation::Description(_)))
    ));
    // Someone who joins after the restart meets everyone.
    let dan = net.join("Dan", PeerId(14));
    assert_eq!(net.names(dan), ["Ada", "Bob", "Cem"]);
    for member in 0..3 {
        assert_eq!(net.names(member).len(), 3);
    }
}

/// One participant loses the server and comes back (its socket broke; or its instance died and
/// it reconnected through another): everyone else keeps their id, which its new welcome names.
/// Its connections are resumed, whether the others heard of the loss before or after.
#[test]
fn one_participant_s_reconnect_keeps_its_connections() {
    for lost_first in [true, false] {
        let mut net = three_in_a_call();
        let before = views(&net);
        net.reconnect(2, PeerId(13), lost_first);
        assert_eq!(
            views(&net),
            before,
            "the same people under the same handles"
        );
        for member in &net.members {
            // Whoever had not yet heard that Cem was lost opened a connection to offer on to
            // his new id while the hellos crossed; the resume closed it again.
            assert!(
                (member.opened.iter()).all(|(peer, _)| peer.0 > 10 && member.closed.contains(peer)),
                "{}: no new connection stays: {:?}",
                member.name,
                member.opened
            );
            assert!(
                member.closed.iter().all(|c| c.0 > 10),
                "{}: only the new id's handshakes were closed: {:?}",
                member.name,
                member.closed
            );
            assert!(
                member.notices.is_empty(),
                "{}: {:?}",
                member.name,
                member.notices
            );
            assert_eq!(member.room.unverified_present(), 0, "{}", member.name);
            assert_eq!(member.room.dropped_envelopes(), 0, "{}", member.name);
        }
        // Negotiation goes on both ways, through Cem's new id.
        let delivered = net.members[2].delivered.len();
        net.offer(0, PeerId(3));
        assert_eq!(
            net.members[2].delivered.len(),
            delivered + 1,
            "Ada reaches Cem"
        );
        let delivered = net.members[0].delivered.len();
        net.offer(2, PeerId(1));
        assert_eq!(
            net.members[0].delivered.len(),
            delivered + 1,
            "Cem reaches Ada"
        );
    }
}

/// Messages sealed while the server had no route (an ICE restart's candidates, say) reach the
/// peer once it resumed.
#[test]
fn messages_for_an_unrouted_peer_wait_until_it_resumes() {
    let mut net = three_in_a_call();
    net.restart_server(&[PeerId(11)]);
    // Ada is back; Bob is not yet.
    let delivered = net.members[1].delivered.len();
    net.offer(0, PeerId(2));
    assert_eq!(net.members[1].delivered.len(), delivered);
    net.restart_server(&[PeerId(21), PeerId(22)]);
    assert_eq!(net.members[1].delivered.len(), delivered + 1);
}

#[test]
fn a_pair_whose_connection_failed_during_the_outage_starts_anew() {
    let mut net = Net::new();
    let ada = net.join("Ada", PeerId(1));
    let bob = net.join("Bob", PeerId(2));
    let failed = |peer| Input::Connection {
        peer,
        state: ConnectionState::Failed,
    };
    net.input(ada, failed(PeerId(2)));
    net.restart_server(&[PeerId(11), PeerId(12)]);
    // Ada started anew; Bob's old connection still looks fine to him, so he waits.
    assert!(net.names(ada).is_empty());
    assert_eq!(net.names(bob), ["Ada"]);
    assert!(net.members[bob].opened.is_empty());
    // Then it fails for him too: both meet again, with one offerer.
    net.input(bob, failed(PeerId(1)));
    assert_eq!(net.names(ada), ["Bob"]);
    assert_eq!(net.names(bob), ["Ada"]);
    assert_eq!(net.members[ada].opened, [(PeerId(12), true)]);
    assert_eq!(net.members[bob].opened, [(PeerId(11), false)]);
    assert_eq!(
        net.members[bob].notices,
        [
            Notice::Left {
                name: "Ada".to_owned()
            },
            Notice::Joined {
                name: "Ada".to_owned()
            }
        ]
    );
}

/// The server knows the passphrase: after a reconnect it presents a new id whose hello names
/// Grace's session, then answers with an ack and a resume of its own. Our resume is sealed under
/// Grace's pair channel, which only Grace opens; nothing replaces a connection that works.
#[test]
fn naming_someones_session_does_not_take_their_connection_over() {
    const ME: PeerId = PeerId(10);
    const GRACE: PeerId = PeerId(3);
    const FAKE: PeerId = PeerId(78);
    let mut ada = room("Ada");
    ada.handle(welcome(ME, &[GRACE]));
    let mut grace = Remote::new(GRACE, "Grace", 0x51, &fingerprint(0xBB));
    handshake(&mut ada, ME, &mut grace);
    check(
        &mut ada,
        vec![welcome(PeerId(77), &[FAKE])],
        vec![Out::Prepare(FAKE)],
    );
    let mut impostor = Remote::with_session(
        keys(),
        FAKE,
        "Grace",
        0x66,
        grace.session,
        &fingerprint(0xCC),
    );
    let ours = ada.handle(ready(FAKE, &fingerprint(0xAD)));
    impostor.receive_hello(PeerId(77), &only_to(&ours, FAKE));
    let answer = ada.handle(impostor.hello_to(PeerId(77)));
    let resume = only_to(&answer, FAKE);
    assert_eq!(impostor.try_open(&resume), None);
    assert_eq!(grace.open(&resume), SignalBody::Resume { echo: 0x66 });

    let dropped = ada.dropped_envelopes();
    check(&mut ada, vec![impostor.ack()], vec![]);
    let forged = impostor.send(&SignalBody::Resume { echo: 0x1001 });
    check(&mut ada, vec![forged], vec![]);
    assert_eq!(ada.dropped_envelopes(), dropped + 1, "the forged resume");
    let names: Vec<(PeerId, String)> = (ada.participants().into_iter())
        .map(|p| (p.peer, p.name))
        .collect();
    assert_eq!(names, [(GRACE, "Grace".to_owned())]);
    assert_eq!(ada.unverified_present(), 1, "the impostor, never verified");
}
