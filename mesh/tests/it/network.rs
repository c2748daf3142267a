//! Several real rooms behind an honest server.

use mesh::{Negotiation, Notice, RoomStatus};
use protocol::PeerId;

use crate::support::{HELLO, Net, Relayed, other_keys};

/// Three rooms joined one after another: every pair verifies each other, opens exactly one
/// connection with exactly one offering side, and their descriptions reach each other.
#[test]
fn three_participants_form_a_full_mesh_with_one_offerer_per_pair() {
    let mut net = Net::new();
    let ids = [PeerId(1), PeerId(2), PeerId(3)];
    for (name, id) in ["A", "B", "C"].into_iter().zip(ids) {
        net.join(name, id);
    }
    let mut opened: Vec<(PeerId, PeerId, bool)> = net
        .members
        .iter()
        .flat_map(|m| m.opened.iter().map(|&(peer, offer)| (m.id, peer, offer)))
        .collect();
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
    for member in &net.members {
        assert_eq!(member.room.participants().len(), 2, "{}", member.name);
        assert_eq!(member.room.status(), RoomStatus::InMeeting);
        assert_eq!(member.room.unverified_present(), 0);
        assert_eq!(member.room.dropped_envelopes(), 0, "{}", member.name);
        let joined: Vec<&Notice> = member
            .notices
            .iter()
            .filter(|n| matches!(n, Notice::Joined { .. }))
            .collect();
        assert_eq!(joined.len(), 2);
    }
    // Each offerer's description (with the certificate it committed to) is delivered.
    for (offerer, peer) in [(0, PeerId(2)), (0, PeerId(3)), (1, PeerId(3))] {
        net.offer(offerer, peer);
    }
    for (name, expected) in [("A", 0), ("B", 1), ("C", 2)] {
        let delivered = &net.member(name).delivered;
        assert_eq!(delivered.len(), expected, "{name}");
        assert!(
            delivered
                .iter()
                .all(|(_, n)| matches!(n, Negotiation::Description(_)))
        );
    }
    // Distinct certificates per pair.
    let a = &net.members[0].room;
    assert_ne!(
        a.local_fingerprint(PeerId(2)),
        a.local_fingerprint(PeerId(3))
    );
}

/// Every hello is the same length on the wire, whatever the name.
#[test]
fn hellos_do_not_show_the_length_of_the_name() {
    let mut net = Net::new();
    net.join("A", PeerId(1));
    net.join(&"Bartholomew Cornelius ".repeat(3), PeerId(2));
    let lengths: std::collections::BTreeSet<usize> = net
        .log
        .iter()
        .filter(|r| r.kind() == crate::support::HELLO)
        .map(|r| r.envelope.len())
        .collect();
    assert_eq!(lengths.len(), 1, "{lengths:?}");
}

/// Someone with another passphrase joins: they are told so, and those in the room are told that
/// someone tried; nobody connects, and both sides count one present, not verified.
#[test]
fn a_wrong_passphrase_is_reported_on_both_sides() {
    let mut net = Net::new();
    let grace = net.join("Grace", PeerId(1));
    let eve = net.join_with_keys("Eve", PeerId(2), other_keys());
    assert_eq!(
        net.members[eve].room.status(),
        RoomStatus::PassphraseMismatch
    );
    assert_eq!(
        net.members[grace].room.status(),
        RoomStatus::WaitingForOthers
    );
    assert_eq!(
        net.members[grace].notices,
        [Notice::ForeignPassphraseAttempt]
    );
    for member in [grace, eve] {
        assert_eq!(net.members[member].room.unverified_present(), 1);
    }
    // Grace opened a connection to offer on while the hellos crossed; what it negotiates never
    // reaches Eve, who is never verified. Eve opened none.
    assert_eq!(net.members[grace].opened, [(PeerId(2), true)]);
    assert!(net.members[eve].opened.is_empty());
    net.offer(grace, PeerId(2));
    let to_eve: Vec<u8> = (net.log.iter())
        .filter(|relayed| relayed.from == PeerId(1) && relayed.to == PeerId(2))
        .map(Relayed::kind)
        .collect();
    assert_eq!(to_eve, [HELLO]);
}

/// Hands go up in order, everyone is told, a late joiner learns of a hand already up, and a
/// lowered hand leaves the queue.
#[test]
fn raised_hands_reach_everyone_in_the_order_they_went_up() {
    let mut net = Net::new();
    let ada = net.join("Ada", PeerId(1));
    let bob = net.join("Bob", PeerId(2));
    let cem = net.join("Cem", PeerId(3));
    let hands = |net: &Net, member: usize| -> Vec<(String, Option<usize>)> {
        let participants = net.members[member].room.participants().into_iter();
        participants.map(|p| (p.name, p.hand)).collect()
    };
    net.input(ada, mesh::Input::LocalHand(true));
    net.input(cem, mesh::Input::LocalHand(true));
    assert_eq!(net.members[ada].room.my_hand(), Some(1));
    assert_eq!(
        hands(&net, bob),
        [("Ada".to_owned(), Some(1)), ("Cem".to_owned(), Some(2))]
    );
    assert!(net.members[bob].notices.contains(&Notice::HandRaised {
        name: "Ada".to_owned()
    }));
    let dan = net.join("Dan", PeerId(4));
    assert_eq!(
        hands(&net, dan),
        [
            ("Ada".to_owned(), Some(1)),
            ("Bob".to_owned(), None),
            ("Cem".to_owned(), Some(2))
        ]
    );
    net.input(ada, mesh::Input::LocalHand(false));
    assert_eq!(net.members[ada].room.my_hand(), None);
    assert_eq!(
        hands(&net, bob),
        [
            ("Ada".to_owned(), None),
            ("Cem".to_owned(), Some(1)),
            ("Dan".to_owned(), None)
        ]
    );
}
