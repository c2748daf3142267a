//! Microphone and camera state travels sealed between verified participants: what a muted icon
//! and a camera-off tile show.

use mesh::{Input, MediaState};
use protocol::PeerId;

use crate::support::Net;

const MUTED_CAMERA_ON: MediaState = MediaState {
    microphone: false,
    camera: true,
    screen: false,
};

fn media_of(net: &Net, member: usize) -> Vec<MediaState> {
    net.members[member]
        .room
        .participants()
        .iter()
        .map(|participant| participant.media)
        .collect()
}

#[test]
fn a_participant_starts_with_devices_off_and_others_see_every_change() {
    let mut net = Net::new();
    let ada = net.join("Ada", PeerId(1));
    let bob = net.join("Bob", PeerId(2));
    assert_eq!(media_of(&net, bob), [MediaState::default()]);

    net.input(ada, Input::LocalMedia(MUTED_CAMERA_ON));
    assert_eq!(media_of(&net, bob), [MUTED_CAMERA_ON]);
    assert_eq!(
        media_of(&net, ada),
        [MediaState::default()],
        "Bob's is his own"
    );

    let everything_on = MediaState {
        microphone: true,
        camera: true,
        screen: true,
    };
    net.input(ada, Input::LocalMedia(everything_on));
    assert_eq!(media_of(&net, bob), [everything_on]);
}

/// A state from a version without the screen field still opens: the screen is off.
#[test]
fn a_media_state_without_the_screen_field_means_not_sharing() {
    let old: MediaState =
        serde_json::from_str(r#"{"microphone":true,"camera":false}"#).expect("parses");
    assert!(!old.screen);
}

#[test]
fn a_newcomer_learns_the_state_announced_before_it_came() {
    let mut net = Net::new();
    let ada = net.join("Ada", PeerId(1));
    net.input(ada, Input::LocalMedia(MUTED_CAMERA_ON));
    let carol = net.join("Carol", PeerId(3));
    assert_eq!(media_of(&net, carol), [MUTED_CAMERA_ON]);
}

#[test]
fn an_unchanged_state_sends_nothing() {
    let mut net = Net::new();
    let ada = net.join("Ada", PeerId(1));
    net.join("Bob", PeerId(2));
    let before = net.log.len();
    net.input(ada, Input::LocalMedia(MediaState::default()));
    assert_eq!(net.log.len(), before, "nothing new to say");
}
