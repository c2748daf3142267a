//! Choosing among the cameras, microphones and speakers the browser lists
//! (`enumerateDevices()`): which one to use, what to call it, and what a change of the list means
//! for the one in use. The choice is remembered by device id only (an opaque, per-origin id the
//! browser makes up), never by label.

/// What a device does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeviceKind {
    Camera,
    Microphone,
    /// An audio output (`setSinkId`).
    Speaker,
}

impl DeviceKind {
    pub const ALL: [Self; 3] = [Self::Camera, Self::Microphone, Self::Speaker];

    /// The kind from `MediaDeviceInfo.kind`, if it is one of ours.
    pub fn from_browser(kind: &str) -> Option<Self> {
        match kind {
            "videoinput" => Some(Self::Camera),
            "audioinput" => Some(Self::Microphone),
            "audiooutput" => Some(Self::Speaker),
            _ => None,
        }
    }
}

/// One entry of the browser's device list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub kind: DeviceKind,
    /// Empty when the browser hides it (no permission yet).
    pub id: String,
    /// Empty until the page has permission for this kind of device.
    pub label: String,
}

/// The browser's device list, in its order (the system default first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Devices {
    list: Vec<Device>,
}

impl Devices {
    /// Keeps the devices with an id (the others cannot be chosen), at most
    /// [`MAX_DEVICES_PER_KIND`] of each kind, and one entry per id.
    pub fn new(list: impl IntoIterator<Item = Device>) -> Self {
        let mut kept: Vec<Device> = Vec::new();
        for device in list {
            let duplicate = kept
                .iter()
                .any(|seen| seen.kind == device.kind && seen.id == device.id);
            let full =
                kept.iter().filter(|seen| seen.kind == device.kind).count() >= MAX_DEVICES_PER_KIND;
            if !device.id.is_empty() && !duplicate && !full {
                kept.push(device);
            }
        }
        Self { list: kept }
    }

    /// The devices of `kind`, in the browser's order.
    pub fn of(&self, kind: DeviceKind) -> impl Iterator<Item = &Device> {
        self.list.iter().filter(move |device| device.kind == kind)
    }

    /// Whether there is anything to choose between for `kind`.
    pub fn has_choice(&self, kind: DeviceKind) -> bool {
        self.of(kind).nth(1).is_some()
    }

    /// The device to use for `kind`: the remembered one while it is plugged in, otherwise the
    /// browser's first (the system default). `None` when there is none.
    pub fn choose(&self, kind: DeviceKind, remembered: Option<&str>) -> Option<&Device> {
        remembered
            .and_then(|id| self.of(kind).find(|device| device.id == id))
            .or_else(|| self.of(kind).next())
    }

    /// Whether the device `id` of `kind` is in the list.
    pub fn contains(&self, kind: DeviceKind, id: &str) -> bool {
        self.of(kind).any(|device| device.id == id)
    }

    /// What to show for `device`: its label, or, before the browser reveals labels, its place
    /// among its kind ("2" for the second camera); the UI puts the kind's name before a number.
    pub fn name_of(&self, device: &Device) -> DeviceName {
        if device.label.trim().is_empty() {
            let place = self
                .of(device.kind)
                .position(|other| other.id == device.id)
                .map_or(1, |index| index + 1);
            DeviceName::Numbered(place)
        } else {
            DeviceName::Label(device.label.trim().to_owned())
        }
    }
}

/// How a device is named in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceName {
    Label(String),
    /// The label is hidden until permission is given: the n-th device of its kind.
    Numbered(usize),
}

/// Devices listed per kind at most; a longer list (a misbehaving driver) is cut.
pub const MAX_DEVICES_PER_KIND: usize = 32;

#[cfg(test)]
mod tests {
    use super::*;

    fn device(kind: DeviceKind, id: &str, label: &str) -> Device {
        Device {
            kind,
            id: id.to_owned(),
            label: label.to_owned(),
        }
    }

    fn two_cameras() -> Devices {
        Devices::new([
            device(DeviceKind::Microphone, "default", "Default"),
            device(DeviceKind::Camera, "cam-a", "Built-in"),
            device(DeviceKind::Camera, "cam-b", "USB camera"),
        ])
    }

    #[test]
    fn the_remembered_device_is_chosen_while_it_is_plugged_in() {
        let devices = two_cameras();
        let chosen = devices.choose(DeviceKind::Camera, Some("cam-b"));
        assert_eq!(chosen.map(|device| device.id.as_str()), Some("cam-b"));
        assert!(devices.has_choice(DeviceKind::Camera));
        assert!(!devices.has_choice(DeviceKind::Microphone));
    }

    #[test]
    fn an_unplugged_or_unknown_device_falls_back_to_the_system_default() {
        let devices = two_cameras();
        let id = |remembered| {
            devices
                .choose(DeviceKind::Camera, remembered)
                .map(|device| device.id.as_str())
        };
        assert_eq!(id(Some("gone")), Some("cam-a"));
        assert_eq!(id(None), Some("cam-a"));
        assert!(devices.choose(DeviceKind::Speaker, None).is_none());
        assert!(!devices.contains(DeviceKind::Camera, "gone"));
        assert!(devices.contains(DeviceKind::Camera, "cam-b"));
        // An id of another kind is not a camera.
        assert!(!devices.contains(DeviceKind::Camera, "default"));
    }

    #[test]
    fn hidden_labels_are_numbered_within_their_kind() {
        let devices = Devices::new([
            device(DeviceKind::Microphone, "m", ""),
            device(DeviceKind::Camera, "a", ""),
            device(DeviceKind::Camera, "b", "  "),
        ]);
        let cameras: Vec<_> = devices.of(DeviceKind::Camera).collect();
        assert_eq!(devices.name_of(cameras[0]), DeviceName::Numbered(1));
        assert_eq!(devices.name_of(cameras[1]), DeviceName::Numbered(2));
        let named = device(DeviceKind::Camera, "c", " Front ");
        assert_eq!(
            Devices::new([named.clone()]).name_of(&named),
            DeviceName::Label("Front".into())
        );
    }

    #[test]
    fn entries_without_id_duplicates_and_floods_are_left_out() {
        let mut list = vec![
            device(DeviceKind::Camera, "", "hidden"),
            device(DeviceKind::Camera, "a", "A"),
            device(DeviceKind::Camera, "a", "A again"),
            // The same id for another kind is another device ("default" is common).
            device(DeviceKind::Microphone, "a", "Mic"),
        ];
        list.extend((0..100).map(|n| device(DeviceKind::Speaker, &format!("s{n}"), "Speaker")));
        let devices = Devices::new(list);
        assert_eq!(devices.of(DeviceKind::Camera).count(), 1);
        assert_eq!(devices.of(DeviceKind::Microphone).count(), 1);
        assert_eq!(
            devices.of(DeviceKind::Speaker).count(),
            MAX_DEVICES_PER_KIND
        );
    }

    #[test]
    fn browser_kinds_map_to_ours() {
        assert_eq!(
            DeviceKind::from_browser("videoinput"),
            Some(DeviceKind::Camera)
        );
        assert_eq!(
            DeviceKind::from_browser("audioinput"),
            Some(DeviceKind::Microphone)
        );
        assert_eq!(
            DeviceKind::from_browser("audiooutput"),
            Some(DeviceKind::Speaker)
        );
        assert_eq!(DeviceKind::from_browser("unknown"), None);
    }
}
